"""`pull`: the Hub's model and dataset listings into one Parquet snapshot (DESIGN.md's contract).

Asks `GET {endpoint}/api/models?full=true&cardData=true` and `GET {endpoint}/api/datasets?full=true`
(what huggingface_hub's `list_models(full=True, cardData=True)` and `list_datasets(full=True)`
ask) and follows each answer's `Link: <...>; rel="next"`. Every page becomes a part file and a
checkpoint (state.py) before the next is asked for, so a pull stopped anyhow (crash, kill -9,
network gone) goes on with `resume=True` from the page after the last one committed; the file
it ends with is the one an uninterrupted pull writes. The output file is replaced only once
whole (written beside it, then renamed).

Incremental: with `since`, or when the output file exists, the listings are asked sorted by
lastModified, newest first, and read until the first row older than `since` (when not given:
the previous pull's start, recorded in the file, less SINCE_MARGIN; else the newest
lastModified in it). The changed rows then replace the file's rows of the same id; to tell
which repositories are gone, the ids the Hub lists now are read too (`expand=lastModified`, a
light listing), and the file's rows no longer listed are marked `deleted_at`, not dropped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.parquet as pq

from clearance.hubpull.assemble import Counts, assemble, max_last_modified
from clearance.hubpull.client import PageClient, PullError, Retry
from clearance.hubpull.records import KIND_TYPE, ids_table, to_table
from clearance.hubpull.state import Listing, State, WorkDir
from clearance.sources.hub import DEFAULT_ENDPOINT, is_offline

KINDS = {"models": ("models",), "datasets": ("datasets",), "both": ("models", "datasets")}
SINCE_MARGIN = timedelta(hours=1)  # the Hub's clock against ours, and writes in flight at the previous start
METADATA_KEY = b"clearance.pull"


@dataclass(frozen=True)
class PullProgress:
    """Sent after each page committed. `rows` counts the listing's rows so far (resumed ones
    too); `rate` is rows per second in this run; `total` and `eta` (seconds) when known (the
    server's X-Total-Count, or for an incremental pull the share of the time since `since`
    already read)."""
    listing: str  # "models", "datasets", "models-ids", "datasets-ids"
    page: int  # pages of the listing committed
    rows: int
    rate: float
    total: int | None
    eta: float | None
    done: bool

    def __str__(self) -> str:
        total = f"/{self.total:,}" if self.total else ""
        eta = f", ETA {_duration(self.eta)}" if self.eta is not None else ""
        return f"{self.listing}: page {self.page}, {self.rows:,}{total} rows, {self.rate:,.0f} rows/s{eta}"


@dataclass(frozen=True)
class PullReport:
    out: Path
    kind: str
    mode: str  # "full" | "since"
    merged: bool  # merged into the file that was there
    since: str | None
    rows: int  # rows in the file
    fetched: int  # of which fetched now
    kept: int  # of which kept from the previous file
    replaced: int
    removed: int  # newly marked deleted_at
    restored: int
    duplicates: int
    skipped: int  # listing items without an id
    pages: int
    requests: int
    retries: int
    resumed: bool
    seconds: float
    per_kind: dict[str, int] = field(default_factory=dict)  # fetched rows per listing


def pull(out: Path | str, kind: str = "models", since: date | datetime | None = None, resume: bool = False,
         endpoint: str | None = None, token: str | None = None, progress: Callable[[PullProgress], None] | None = None,
         *, full: bool = False, page_size: int | None = None, retry: Retry = Retry(), timeout: float = 60.0) -> PullReport:
    """Pull the Hub's listings of `kind` ("models" | "datasets" | "both") into the Parquet file
    `out`. See the module's docstring. `full=True` reads every row even when `out` exists (still
    marking the rows that are gone); `page_size` asks the server for pages of that many
    (`limit`; the Hub's default otherwise). Raises PullError (a ClearanceError)."""
    out = Path(out)
    if kind not in KINDS:
        raise PullError(f"hub pull: kind {kind!r} is not models, datasets or both")
    if out.suffix != ".parquet":
        raise PullError(f"hub pull: {out}: the output is Parquet, name it *.parquet")
    if is_offline():
        raise PullError("hub pull: HF_HUB_OFFLINE is set, and a pull reads the Hub: unset it to pull")
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
    token = token or os.environ.get("HF_TOKEN") or None
    if not out.parent.is_dir():
        raise PullError(f"hub pull: {out.parent}: no such folder")
    work = WorkDir(out)
    interrupted = work.exists()
    if interrupted and not resume:
        committed = sum(x.rows for x in _load(work).listings)
        raise PullError(f"hub pull: an interrupted pull into {out} is in {work.path} ({committed:,} rows committed): "
                        f"resume it (--resume), or delete that folder to start over")
    fresh = None if interrupted else _new_state(out, endpoint, kind, since, full, page_size)
    if not work.lock():
        raise PullError(f"hub pull: another pull into {out} is running (it holds {work.path / 'lock'})")
    started = time.monotonic()
    client = PageClient(endpoint, token, timeout=timeout, retry=retry)
    state = None
    try:
        if fresh is None:
            state = _load(work)
            _check_same(state, endpoint, kind, since, out)
            work.clear_uncommitted(state)
        else:
            state = fresh
            work.save(state)
        skipped = 0
        if state.phase == "fetch":
            try:
                skipped = _fetch(work, state, client, progress)
            except PullError as exc:
                committed = sum(x.rows for x in state.listings)
                raise PullError(f"{exc}; {committed:,} rows are saved in {work.path}: "
                                f"resume=True (--resume) goes on from there") from None
            state.phase = "assemble"
            work.save(state)
        tmp = work.path / "out.parquet.tmp"
        counts = None
        if state.phase == "assemble":
            old = out if state.merge and out.is_file() else None
            counts = assemble(work, state, old, tmp, _metadata(state))
            state.phase = "replace"
            work.save(state)
        if tmp.is_file():  # phase "replace": the file is whole; a crash after the rename finds no tmp
            os.replace(tmp, out)
        if counts is None:  # resumed after the rename: count what the file holds
            counts = Counts(rows=pq.ParquetFile(out).metadata.num_rows)
        work.remove()
    except OSError as exc:
        raise PullError(f"hub pull: {exc.filename or out}: {exc.strerror or exc}") from None
    finally:
        client.close()
        work.unlock()
        if not work.exists():  # no checkpoint saved: leave no folder behind
            work.remove()
    return PullReport(
        out=out, kind=state.kind, mode=state.mode, merged=state.merge, since=state.since, rows=counts.rows,
        fetched=counts.fetched, kept=counts.kept, replaced=counts.replaced, removed=counts.removed,
        restored=counts.restored, duplicates=counts.duplicates, skipped=skipped,
        pages=sum(x.pages for x in state.listings), requests=client.requests, retries=client.retries,
        resumed=interrupted, seconds=time.monotonic() - started,
        per_kind={x.name: x.rows for x in state.listings},
    )


# -- the plan -----------------------------------------------------------------------------------
def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _as_datetime(value: date | datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _since_of(out: Path) -> str:
    """When the previous pull into `out` started (less the margin), else its newest lastModified."""
    try:
        pf = pq.ParquetFile(out)
        meta = (pf.schema_arrow.metadata or {}).get(METADATA_KEY)
        if meta:
            started = json.loads(meta).get("started_at")
            if started:
                return _iso(_as_datetime(started) - SINCE_MARGIN)
        newest = max_last_modified(out)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise PullError(f"hub pull: {out}: cannot read the existing file to update it ({str(exc).splitlines()[0]}); "
                        f"move it away, or pass full=True (--full) to pull everything") from None
    if newest is None:
        raise PullError(f"hub pull: {out}: no lastModified to update from: pass since= (--since DATE) or full=True (--full)")
    return _iso(_as_datetime(newest if isinstance(newest, (str, datetime)) else str(newest)))


def _new_state(out: Path, endpoint: str, kind: str, since: date | datetime | None, full: bool,
               page_size: int | None) -> State:
    exists = out.is_file()
    if full:
        mode, merge, since_iso = "full", exists, None
    elif since is not None:
        mode, merge, since_iso = "since", exists, _iso(_as_datetime(since))
    elif exists:
        mode, merge, since_iso = "since", True, _since_of(out)
    else:
        mode, merge, since_iso = "full", False, None
    state = State(endpoint=endpoint, kind=kind, mode=mode, merge=merge, since=since_iso,
                  started_at=_iso(datetime.now(timezone.utc)), page_size=page_size)
    limit = {"limit": page_size} if page_size else {}
    for k in KINDS[kind]:
        params: dict = {"full": "true"}
        if k == "models":
            params["cardData"] = "true"
        if mode == "since":
            params.update(sort="lastModified", direction=-1)
        state.listings.append(Listing(name=k, kind=k, url=_url(endpoint, k, {**params, **limit})))
    if merge and mode == "since":
        for k in KINDS[kind]:
            state.listings.append(Listing(name=f"{k}-ids", kind=k, ids_only=True,
                                          url=_url(endpoint, k, {"expand": "lastModified", **limit})))
    return state


def _url(endpoint: str, kind: str, params: dict) -> str:
    return f"{endpoint}/api/{kind}?{urlencode(params)}"


def _load(work: WorkDir) -> State:
    try:
        return work.load()
    except (ValueError, TypeError, KeyError) as exc:
        raise PullError(f"hub pull: {work.state_path} cannot be read ({exc}): delete {work.path} to start over") from None


def _check_same(state: State, endpoint: str, kind: str, since: date | datetime | None, out: Path) -> None:
    if state.version != 1:
        raise PullError(f"hub pull: {out}.pull/state.json is of another version: delete the folder to start over")
    if state.endpoint != endpoint:
        raise PullError(f"hub pull: the interrupted pull into {out} reads {state.endpoint}, not {endpoint}")
    if state.kind != kind:
        raise PullError(f"hub pull: the interrupted pull into {out} is of {state.kind}, not {kind}")
    if since is not None and state.since != _iso(_as_datetime(since)):
        raise PullError(f"hub pull: the interrupted pull into {out} reads changes since {state.since}, not {since}")


def _metadata(state: State) -> dict[bytes, bytes]:
    return {METADATA_KEY: json.dumps({"started_at": state.started_at, "endpoint": state.endpoint, "kind": state.kind,
                                      "mode": state.mode, "since": state.since}).encode()}


# -- the pages ----------------------------------------------------------------------------------
def _fetch(work: WorkDir, state: State, client: PageClient, progress: Callable[[PullProgress], None] | None) -> int:
    since = _as_datetime(state.since) if state.since else None
    skipped = 0
    for listing in state.listings:
        t0, rows0 = time.monotonic(), listing.rows
        while not listing.done:
            url = listing.next or listing.url
            what = f"page {listing.pages + 1} of the {listing.kind} {'id ' if listing.ids_only else ''}listing"
            page = client.get(url, what)
            items, stop = page.items, False
            if since is not None and not listing.ids_only:
                items, stop = _until(items, since)
            if listing.ids_only:
                table = ids_table(items)
            else:
                table, bad = to_table(items, KIND_TYPE[listing.kind])
                skipped += bad
            if page.next_url is not None and page.next_url == url:
                raise PullError(f"{what}: the next page's link is the page itself ({url})")
            work.write_part(listing, listing.pages, table)
            listing.pages += 1
            listing.rows += table.num_rows
            listing.next = None if stop else page.next_url
            listing.done = listing.next is None
            listing.total = page.total or listing.total
            work.save(state)
            if progress is not None:
                progress(_progress(listing, t0, rows0, since, items))
    return skipped


def _until(items: list, since: datetime) -> tuple[list, bool]:
    """The items up to the first one modified before `since` (listed newest first); True when cut."""
    for n, item in enumerate(items):
        modified = item.get("lastModified") if isinstance(item, dict) else None
        if isinstance(modified, str):
            try:
                if _as_datetime(modified) < since:
                    return items[:n], True
            except ValueError:
                pass
    return items, False


def _progress(listing: Listing, t0: float, rows0: int, since: datetime | None, items: list) -> PullProgress:
    elapsed = max(time.monotonic() - t0, 1e-9)
    rate = (listing.rows - rows0) / elapsed
    total, eta = listing.total, None
    if listing.done:
        eta = 0.0
    elif total and rate > 0:
        eta = max(0, total - listing.rows) / rate
    elif since is not None and not listing.ids_only and items and rate > 0:
        # newest first: the share of the span [since, now] read so far, by the last row's date
        try:
            last = _as_datetime(items[-1]["lastModified"])
            now = datetime.now(timezone.utc)
            share = (now - last) / (now - since) if now > since else 1.0
            if 0 < share < 1:
                total = int(listing.rows / share)
                eta = (total - listing.rows) / rate
        except (KeyError, TypeError, ValueError):
            pass
    return PullProgress(listing.name, listing.pages, listing.rows, rate, total, eta, listing.done)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
