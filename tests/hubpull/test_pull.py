"""The pull against a fake Hub on 127.0.0.1 (fakehub.py): what it writes, how it pages, retries,
resumes after a crash or kill -9, and updates a file incrementally."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clearance.hubpull import PullError, pull
from clearance.hubpull.state import WorkDir
from clearance.util.errors import ClearanceError
from tests.hubpull.conftest import MODELS, PAGE, PAGES, fast_retry
from tests.hubpull.fakehub import FakeHub, model_id

ROOT = Path(__file__).resolve().parents[2]


def table(path: Path) -> pa.Table:
    return pq.read_table(path)


def same_rows(a: Path, b: Path) -> None:
    ta, tb = table(a), table(b)
    assert ta.num_rows == tb.num_rows
    assert ta.equals(tb), "the files differ"  # row for row, every column (metadata aside)


def model_pages(hub: FakeHub, since: int = 0) -> int:
    """Page requests of the models listing (whole or not) since request number `since`."""
    return sum(1 for path, _ in hub.requests[since:] if path.startswith("/api/models?"))


# -- what a pull writes --------------------------------------------------------------------------
def test_full_pull_holds_every_model_in_the_listing_order(online, hub20k, reference, tmp_path):
    rows = table(reference.path).to_pylist()
    expected = hub20k.records("models")
    assert len(rows) == len(expected) == MODELS
    for row, rec in zip(rows, expected):
        assert row["id"] == rec["id"] and row["type"] == "model"
        for name in ("author", "sha", "createdAt", "lastModified", "downloads", "likes", "tags", "pipeline_tag", "library_name"):
            assert row[name] == rec[name], name
        assert (json.loads(row["cardData"]) if row["cardData"] else None) == rec["cardData"]
        assert row["siblings"] == rec["siblings"]
        assert row["gated"] == (rec["gated"] or None)
        assert row["deleted_at"] is None
    assert table(reference.path).schema.field("cardData").type == pa.string()
    meta = json.loads(pq.ParquetFile(reference.path).schema_arrow.metadata[b"clearance.pull"])
    assert meta["mode"] == "full" and meta["endpoint"] == hub20k.url
    assert not WorkDir(reference.path).path.exists()  # the working folder is gone once the file is whole


def test_pull_pages_with_progress(reference):
    report, seen, cursors = reference.report, reference.progress, reference.asked
    assert report.rows == report.fetched == MODELS and report.pages == PAGES and report.retries == 0
    assert len(cursors) == PAGES
    assert [p.page for p in seen] == list(range(1, PAGES + 1))
    assert [p.rows for p in seen] == [PAGE * i for i in range(1, PAGES + 1)]
    assert all(p.rate > 0 for p in seen) and seen[-1].done and seen[-1].eta == 0
    assert "models: page 40, 20,000 rows" in str(seen[-1])
    assert "cursor=" not in cursors[0] and all("cursor=" in c for c in cursors[1:])  # followed the Link header
    assert all("full=true" in c and "cardData=true" in c for c in cursors)


def test_progress_has_an_eta_when_the_server_gives_a_total(online, tmp_path):
    with FakeHub(2_000, total_header=True) as hub:
        seen = []
        pull(tmp_path / "hub.parquet", endpoint=hub.url, page_size=PAGE, progress=seen.append)
    assert seen[0].total == 2_000 and seen[0].eta is not None and seen[0].eta >= 0


def test_hub_stats_reads_the_pulled_file(online, reference):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "clearance"), "hub", "stats", str(reference.path), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["models"] == MODELS
    assert stats["declared"] + stats["undeclared"] == MODELS and stats["declared"] > 0


def test_models_and_datasets_in_one_file(online, tmp_path):
    with FakeHub(1_200, 300) as hub:
        report = pull(tmp_path / "hub.parquet", kind="both", endpoint=hub.url, page_size=PAGE)
        datasets = hub.records("datasets")
    rows = table(tmp_path / "hub.parquet").to_pylist()
    assert report.per_kind == {"models": 1_200, "datasets": 300}
    assert [r["type"] for r in rows] == ["model"] * 1_200 + ["dataset"] * 300
    assert [r["id"] for r in rows[1_200:]] == [d["id"] for d in datasets]
    assert rows[-1]["pipeline_tag"] is None and rows[-1]["tags"] == datasets[-1]["tags"]


def test_endpoint_and_token_from_the_environment(online, monkeypatch, tmp_path):
    with FakeHub(600) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_TOKEN", "hf_pulltest")
        pull(tmp_path / "hub.parquet", page_size=PAGE)
        assert len(hub.requests) == 2
        assert {auth for _, auth in hub.requests} == {"Bearer hf_pulltest"}
        pull(tmp_path / "two.parquet", endpoint=hub.url, token="hf_given", page_size=PAGE)
        assert hub.requests[-1][1] == "Bearer hf_given"


# -- failures ------------------------------------------------------------------------------------
def test_429_500_and_cut_pages_are_tried_again(online, hub20k, reference, tmp_path):
    retry, waits = fast_retry()
    hub20k.fault("models", 2, ("status", 429, "0.05"))
    hub20k.fault("models", 5, ("status", 500), ("status", 502))
    hub20k.fault("models", 7, ("truncate",))  # a Content-Length longer than the body
    hub20k.fault("models", 9, ("truncate-nolength",))  # a body cut mid-JSON, connection closed
    hub20k.fault("models", 11, ("status", 503, "0.02"))
    report = pull(tmp_path / "hub.parquet", endpoint=hub20k.url, page_size=PAGE, retry=retry)
    assert report.retries == 6 and report.requests == PAGES + 6
    assert 0.05 in waits and 0.02 in waits  # the server's Retry-After, honoured
    assert all(w <= 0.05 for w in waits)
    same_rows(tmp_path / "hub.parquet", reference.path)


def test_a_page_that_keeps_failing_is_named_then_resumed(online, hub20k, reference, tmp_path):
    out = tmp_path / "hub.parquet"
    retry, waits = fast_retry(tries=4)
    hub20k.fail_always["models", 13] = 503
    try:
        with pytest.raises(PullError) as err:
            pull(out, endpoint=hub20k.url, page_size=PAGE, retry=retry)
    finally:
        del hub20k.fail_always["models", 13]
    message = str(err.value)
    assert isinstance(err.value, ClearanceError) and "\n" not in message
    assert "page 13 of the models listing" in message and "4 tries" in message and "HTTP 503" in message
    assert "6,000 rows are saved" in message and "--resume" in message
    assert len(waits) == 3 and not out.exists()
    # Without resume, the interrupted pull is not thrown away.
    with pytest.raises(PullError, match="interrupted pull .*--resume"):
        pull(out, endpoint=hub20k.url, page_size=PAGE)
    n0 = len(hub20k.requests)
    report = pull(out, endpoint=hub20k.url, page_size=PAGE, resume=True)
    assert report.resumed and model_pages(hub20k, n0) == PAGES - 12  # from page 13 on, nothing asked twice
    same_rows(out, reference.path)


def test_refused_and_bad_answers_stop_with_one_line(online, tmp_path):
    with FakeHub(600) as hub:
        hub.fail_always["models", 1] = 401
        with pytest.raises(PullError, match="HTTP 401: set HF_TOKEN"):
            pull(tmp_path / "a.parquet", endpoint=hub.url)
        hub.fail_always["models", 1] = 404
        with pytest.raises(PullError, match="page 1 of the models listing: .* HTTP 404"):
            pull(tmp_path / "b.parquet", endpoint=hub.url, resume=True)
    retry, _ = fast_retry(tries=2)
    with pytest.raises(PullError, match="gave up after 2 tries, the last: ConnectError"):
        pull(tmp_path / "c.parquet", endpoint="http://127.0.0.1:9", retry=retry, timeout=2)
    with pytest.raises(PullError, match="name it \\*.parquet"):
        pull(tmp_path / "hub.jsonl", endpoint="http://127.0.0.1:9")
    with pytest.raises(PullError, match="not models, datasets or both"):
        pull(tmp_path / "hub.parquet", kind="spaces", endpoint="http://127.0.0.1:9")


def test_offline_stops_at_once(monkeypatch, tmp_path):
    with FakeHub(600) as hub:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        with pytest.raises(PullError) as err:
            pull(tmp_path / "hub.parquet", endpoint=hub.url)
        assert hub.requests == []
    assert "HF_HUB_OFFLINE" in str(err.value) and "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


# -- crashes and resume --------------------------------------------------------------------------
PULL_SCRIPT = """
import sys
from pathlib import Path
from clearance.hubpull import pull
pull(Path(sys.argv[1]), endpoint=sys.argv[2], page_size=int(sys.argv[3]), resume=True)
"""


def _pull_killed_after(hub: FakeHub, out: Path, pages: int) -> None:
    """Pull in a subprocess; kill -9 it once the server has answered `pages` more model pages."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    start = hub.served["models"]
    proc = subprocess.Popen([sys.executable, "-c", PULL_SCRIPT, str(out), hub.url, str(PAGE)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while hub.served["models"] - start < pages:
            assert proc.poll() is None, "the pull ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def test_kill_9_mid_pull_then_resume_gives_the_uninterrupted_file(online, hub20k, reference, tmp_path):
    out = tmp_path / "hub.parquet"
    hub20k.delay = 0.01  # ~0.4 s of pages: room to kill mid-pull
    try:
        n0 = len(hub20k.requests)
        _pull_killed_after(hub20k, out, 7)
        first = WorkDir(out).load()
        assert not out.exists() and 6 <= first.listings[0].pages < PAGES  # killed mid-pull
        _pull_killed_after(hub20k, out, 11)  # resumed, and killed again
        second = WorkDir(out).load()
        assert second.listings[0].pages >= first.listings[0].pages + 10
        report = pull(out, endpoint=hub20k.url, page_size=PAGE, resume=True)
    finally:
        hub20k.delay = 0.0
    assert report.resumed and report.rows == MODELS
    # Each kill costs at most the page in flight (served, not yet committed): nothing else is asked twice.
    assert PAGES <= model_pages(hub20k, n0) <= PAGES + 4
    same_rows(out, reference.path)
    assert not WorkDir(out).path.exists()


def test_crash_between_a_part_and_its_checkpoint(online, tmp_path, monkeypatch):
    """The part file of page 10 is written, the state naming it is not: resume asks page 10 again."""
    out, ref = tmp_path / "hub.parquet", tmp_path / "ref.parquet"
    real_save = WorkDir.save
    calls = {"n": 0}

    def crashing_save(self, state):
        calls["n"] += 1
        if calls["n"] == 11:  # the initial state, then pages 1..9; the 11th save is page 10's
            raise KeyboardInterrupt("crash")
        real_save(self, state)

    with FakeHub(6_000) as hub:
        pull(ref, endpoint=hub.url, page_size=PAGE)
        monkeypatch.setattr(WorkDir, "save", crashing_save)
        with pytest.raises(KeyboardInterrupt):
            pull(out, endpoint=hub.url, page_size=PAGE)
        monkeypatch.setattr(WorkDir, "save", real_save)
        work = WorkDir(out)
        listing = work.load().listings[0]
        assert listing.pages == 9 and work.part(listing, 9).exists()  # page 10's part, not counted
        (work.path / "models-000011.tmp").write_bytes(b"half a file")  # and a torn temporary file
        n0 = len(hub.requests)
        pull(out, endpoint=hub.url, page_size=PAGE, resume=True)
        assert model_pages(hub, n0) == 12 - 9
    same_rows(out, ref)


def test_crash_while_assembling_or_after_the_rename(online, tmp_path, monkeypatch):
    import clearance.hubpull.core as pullmod

    with FakeHub(1_500) as hub:
        ref = tmp_path / "ref.parquet"
        pull(ref, endpoint=hub.url, page_size=PAGE)
        out = tmp_path / "hub.parquet"
        real = pullmod.assemble

        def crash(*args, **kwargs):
            real(*args, **kwargs)
            raise KeyboardInterrupt("crash after writing the temporary file")

        monkeypatch.setattr(pullmod, "assemble", crash)
        with pytest.raises(KeyboardInterrupt):
            pull(out, endpoint=hub.url, page_size=PAGE)
        monkeypatch.setattr(pullmod, "assemble", real)
        n0 = len(hub.requests)
        pull(out, endpoint=hub.url, page_size=PAGE, resume=True)
        assert len(hub.requests) == n0  # nothing fetched again
        same_rows(out, ref)

        # A crash after the rename, before the folder was removed.
        out2 = tmp_path / "two.parquet"
        real_remove = WorkDir.remove
        monkeypatch.setattr(WorkDir, "remove", lambda self: (_ for _ in ()).throw(KeyboardInterrupt("crash")))
        with pytest.raises(KeyboardInterrupt):
            pull(out2, endpoint=hub.url, page_size=PAGE)
        monkeypatch.setattr(WorkDir, "remove", real_remove)
        assert out2.exists() and WorkDir(out2).load().phase == "replace"
        report = pull(out2, endpoint=hub.url, page_size=PAGE, resume=True)
        assert report.rows == 1_500 and not WorkDir(out2).path.exists()
        same_rows(out2, ref)


def test_two_pulls_into_one_file_at_once(online, tmp_path):
    out = tmp_path / "hub.parquet"
    work = WorkDir(out)
    assert work.lock()
    try:
        with pytest.raises(PullError, match="another pull into .* is running"):
            pull(out, endpoint="http://127.0.0.1:9", resume=True)
    finally:
        work.unlock()


# -- incremental updates -------------------------------------------------------------------------
def _changes(hub: FakeHub) -> tuple[set[str], set[str], set[str]]:
    touched = {model_id(i) for i in (5, 17, 1_000, 2_998)}
    for i in (5, 17, 1_000, 2_998):
        hub.touch("models", i)
    deleted = {model_id(i) for i in (7, 8, 2_999)}
    for i in (7, 8, 2_999):
        hub.delete("models", i)
    added = {model_id(i) for i in hub.add("models", 6)}
    hub.delete("datasets", 3)
    return touched, deleted, added


def test_update_fetches_what_changed_and_marks_what_is_gone(online, tmp_path):
    out = tmp_path / "hub.parquet"
    with FakeHub(3_000, 120) as hub:
        pull(out, kind="both", endpoint=hub.url, page_size=250)
        before = {(r["type"], r["id"]): r for r in table(out).to_pylist()}
        touched, deleted, added = _changes(hub)
        n0 = len(hub.requests)
        report = pull(out, kind="both", endpoint=hub.url, page_size=250)
        asked = [p for p, _ in hub.requests[n0:]]
        fresh = tmp_path / "fresh.parquet"
        pull(fresh, kind="both", endpoint=hub.url, page_size=250)
    # Only the newest page of each full listing was read, sorted by lastModified, newest first.
    full_pages = [p for p in asked if "full=true" in p]
    assert len(full_pages) == 2 and all("sort=lastModified" in p and "direction=-1" in p for p in full_pages)
    assert report.mode == "since" and report.merged and report.fetched == len(touched) + len(added)
    assert report.removed == 4 and report.replaced == len(touched)
    rows = table(out).to_pylist()
    assert {r["id"] for r in rows[:10]} == touched | added  # the changed rows first
    by_key = {(r["type"], r["id"]): r for r in rows}
    assert len(by_key) == len(rows)  # no id twice
    gone = {k for k, r in by_key.items() if r["deleted_at"]}
    assert gone == {("model", i) for i in deleted} | {("dataset", "dsorg3/data-000003")}
    assert {r["deleted_at"] for r in by_key.values() if r["deleted_at"]} == {report_start(out)}
    for key, row in by_key.items():
        if key[1] in touched:
            assert row["lastModified"] > before[key]["lastModified"] and row["sha"] != before[key]["sha"]
        elif key[1] not in added:
            assert {**row, "deleted_at": None} == before[key]
    # What is not marked is what a fresh full pull holds, row for row (in id order).
    live = sorted((r for r in rows if not r["deleted_at"]), key=lambda r: (r["type"], r["id"]))
    assert live == sorted(table(fresh).to_pylist(), key=lambda r: (r["type"], r["id"]))


def report_start(out: Path) -> str:
    return json.loads(pq.ParquetFile(out).schema_arrow.metadata[b"clearance.pull"])["started_at"]


def test_update_with_nothing_changed_keeps_the_marks(online, tmp_path):
    out = tmp_path / "hub.parquet"
    with FakeHub(1_000) as hub:
        pull(out, endpoint=hub.url, page_size=PAGE)
        hub.delete("models", 10)
        pull(out, endpoint=hub.url, page_size=PAGE)
        marked = table(out).to_pylist()
        report = pull(out, endpoint=hub.url, page_size=PAGE)
    assert report.fetched == 0 and report.removed == 0
    assert table(out).to_pylist() == marked  # the date a repo was first seen gone stays


def test_interrupted_update_resumes_to_the_same_file(online, tmp_path):
    with FakeHub(3_000, 120) as hub:
        base = tmp_path / "base.parquet"
        pull(base, kind="both", endpoint=hub.url, page_size=250)
        _changes(hub)
        a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
        shutil.copy(base, a)
        shutil.copy(base, b)
        pull(a, kind="both", endpoint=hub.url, page_size=250)
        retry, _ = fast_retry(tries=2)
        hub.fail_always["models", 6] = 500  # in the id listing, after the changed rows
        with pytest.raises(PullError, match="page 6 of the models id listing"):
            pull(b, kind="both", endpoint=hub.url, page_size=250, retry=retry)
        del hub.fail_always["models", 6]
        with pytest.raises(PullError, match="is of both, not models"):
            pull(b, kind="models", endpoint=hub.url, page_size=250, resume=True)
        pull(b, kind="both", endpoint=hub.url, page_size=250, resume=True)
    ta, tb = table(a), table(b)
    deleted = tb.column("deleted_at").to_pylist()
    # Equal but for the date the removed rows were marked (each pull's own start).
    assert ta.drop_columns(["deleted_at"]).equals(tb.drop_columns(["deleted_at"]))
    assert [d is None for d in ta.column("deleted_at").to_pylist()] == [d is None for d in deleted]


def test_since_a_date_without_a_file(online, tmp_path):
    out = tmp_path / "recent.parquet"
    with FakeHub(3_000) as hub:
        cut = hub.records("models")[2_800]["lastModified"]
        since = datetime.fromisoformat(cut.replace("Z", "+00:00"))
        n0 = len(hub.requests)
        report = pull(out, since=since, endpoint=hub.url, page_size=PAGE)
        assert model_pages(hub, n0) == 1
    rows = table(out).to_pylist()
    assert report.mode == "since" and not report.merged
    assert [r["id"] for r in rows] == [model_id(i) for i in range(2_999, 2_799, -1)]
    assert all(r["lastModified"] >= cut for r in rows)
    # A date is that day's midnight, UTC.
    with FakeHub(500) as hub:
        day = datetime.fromisoformat(hub.records("models")[300]["lastModified"].replace("Z", "+00:00")).date()
        report = pull(tmp_path / "day.parquet", since=day, endpoint=hub.url)
    assert report.since == f"{day.isoformat()}T00:00:00.000Z"
    assert all(r["lastModified"] >= report.since for r in table(tmp_path / "day.parquet").to_pylist())


def test_update_of_another_tools_parquet(online, tmp_path):
    """An existing snapshot with other columns (cardData as a struct, no type, no deleted_at) is
    read, conformed and merged."""
    out = tmp_path / "hub.parquet"
    with FakeHub(800) as hub:
        recs = hub.records("models")
        pq.write_table(pa.Table.from_pylist([
            {"id": r["id"], "lastModified": r["lastModified"], "downloads": r["downloads"],
             "cardData": {"license": "mit"}, "extra": 1} for r in recs] + [
            {"id": "someone/gone", "lastModified": "2020-01-01T00:00:00.000Z", "downloads": 1,
             "cardData": None, "extra": 2}]), out)
        hub.touch("models", 3)
        report = pull(out, since=datetime.now(timezone.utc) - timedelta(minutes=5), endpoint=hub.url, page_size=PAGE)
    assert report.fetched == 1
    rows = {r["id"]: r for r in table(out).to_pylist()}
    assert report.merged and report.removed == 1 and rows["someone/gone"]["deleted_at"]
    assert json.loads(rows[recs[500]["id"]]["cardData"]) == {"license": "mit"}  # kept as it was
    assert rows[recs[3]["id"]]["sha"] == hub.listings["models"].record(3)["sha"]  # replaced
    assert table(out).schema.remove_metadata().equals(pq.read_schema(out).remove_metadata())


def test_full_pull_over_a_file_reads_everything_and_marks_what_is_gone(online, tmp_path):
    out = tmp_path / "hub.parquet"
    with FakeHub(1_200) as hub:
        pull(out, endpoint=hub.url, page_size=PAGE)
        hub.delete("models", 4)
        hub.touch("models", 9)
        n0 = len(hub.requests)
        report = pull(out, endpoint=hub.url, page_size=PAGE, full=True)
        assert model_pages(hub, n0) == 3 and all("sort=" not in p for p, _ in hub.requests[n0:])
        expected = hub.records("models")
    rows = table(out).to_pylist()
    assert report.mode == "full" and report.merged and report.fetched == 1_199 and report.removed == 1
    assert [r["id"] for r in rows[:1_199]] == [r["id"] for r in expected]
    assert rows[-1]["id"] == model_id(4) and rows[-1]["deleted_at"] == report_start(out)
    touched = next(r for r in expected if r["id"] == model_id(9))
    assert next(r for r in rows if r["id"] == model_id(9))["sha"] == touched["sha"]
