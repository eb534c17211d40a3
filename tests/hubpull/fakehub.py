"""A stand-in for the Hub's listing API on 127.0.0.1: `GET /api/models` and `/api/datasets`,
paged as the Hub pages them (cursor-based: each answer's `Link: <...&cursor=...>; rel="next"`
names the page after it, keyed on the last row, so rows do not shift between pages).

What is served is generated, deterministic and cheap: model i is `org{i % 173}/model-{i:07d}`,
with tags (license:, base_model:, base_model:<relation>:, dataset:), a cardData whose shape
varies (no card, license as a string or a list, base_model as a string or a list, a custom
license with license_name / license_link, nested extras), siblings, sha and gated. Records
are made on request (and their JSON kept for the next pull, unless `cache=False`: the
benchmark's server then holds nothing per repository).

The query parameters the pull sends are honoured: `full` (without it, a short record),
`cardData` (models), `expand` (only those fields), `sort=lastModified` (newest first), `limit`
(the page size, at most `max_page`), `cursor`.

For tests: `touch`, `delete` and `add` change what the Hub lists; `fault(kind, page, ...)`
queues answers for one page (HTTP status with an optional Retry-After, or a body cut
mid-JSON with or without its Content-Length); `fail_always` makes a page fail for good;
`delay` slows every page; `served` counts pages answered whole, per listing.

Run on its own (the benchmark does): python tests/hubpull/fakehub.py --models 200000
"""

from __future__ import annotations

import base64
import bisect
import json
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlparse

BASE_TS = datetime(2021, 1, 1, tzinfo=timezone.utc).timestamp()
STEP = 600.0  # seconds between two generated repos' lastModified
LICENSES = ("apache-2.0", "mit", "llama2", "gemma", "cc-by-nc-4.0", "creativeml-openrail-m", "other", None)
RELATIONS = ("finetune", "quantized", "adapter", "merge")
PIPELINES = ("text-generation", "text-to-image", "text-classification", "automatic-speech-recognition")
DATASET_IDS = ("databricks/databricks-dolly-15k", "tatsu-lab/alpaca", "OpenAssistant/oasst1", "Anthropic/hh-rlhf")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def _h(i: int, version: int) -> int:
    h = ((i + 1) * 0x9E3779B1 + version * 0x7FEB352D) & 0xFFFFFFFF
    h ^= h >> 15
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    return h ^ (h >> 13)


def model_id(i: int) -> str:
    return f"org{i % 173}/model-{i:07d}"


def dataset_id(i: int) -> str:
    return f"dsorg{i % 61}/data-{i:06d}"


def model_record(i: int, version: int, modified: float) -> dict[str, Any]:
    h = _h(i, version)
    lic = LICENSES[h % len(LICENSES)]
    pipeline = PIPELINES[(h >> 3) % len(PIPELINES)]
    rid = model_id(i)
    tags = ["transformers", "safetensors", pipeline]
    card: dict[str, Any] | None = {}
    if lic:
        tags.append(f"license:{lic}")
        card["license"] = [lic, "mit"] if h % 7 == 0 else lic
    if lic == "other":
        card["license_name"] = f"custom-{h % 5}"
        card["license_link"] = "LICENSE"
    if i >= 20 and (h >> 7) % 3:
        rel = RELATIONS[(h >> 9) % len(RELATIONS)]
        parents = [model_id((h >> 11) % i)]
        if rel == "merge":
            parents.append(model_id((h >> 13) % i))
        for p in parents:
            tags.append(f"base_model:{p}")
            tags.append(f"base_model:{rel}:{p}")
        card["base_model"] = parents if len(parents) > 1 else parents[0]
        if (h >> 15) % 2:
            card["base_model_relation"] = rel
    if (h >> 17) % 4 == 0:
        ds = DATASET_IDS[(h >> 19) % len(DATASET_IDS)]
        tags.append(f"dataset:{ds}")
        card["datasets"] = [ds]
    if (h >> 21) % 6 == 0:
        card["model-index"] = [{"name": rid, "results": [{"task": {"type": pipeline}, "metrics": [{"type": "acc", "value": (h % 1000) / 1000}]}]}]
    if h % 5 == 0:
        card = None  # no card at all
    tags.append("region:us")
    siblings = [".gitattributes", "README.md", "config.json", "model.safetensors"]
    if (h >> 23) % 3 == 0:
        siblings.append("LICENSE")
    return {
        "_id": f"{i:024x}", "id": rid, "modelId": rid, "author": rid.split("/")[0],
        "sha": f"{h:08x}{i:016x}{version:016x}", "lastModified": iso(modified), "createdAt": iso(BASE_TS + i * STEP - 3600),
        "private": False, "disabled": False, "gated": (False, False, False, "auto", "manual")[(h >> 25) % 5],
        "downloads": h % 100_000, "likes": (h >> 4) % 500, "trendingScore": 0,
        "tags": tags, "pipeline_tag": pipeline, "library_name": "transformers" if pipeline != "text-to-image" else "diffusers",
        "cardData": card, "siblings": [{"rfilename": s} for s in siblings], "spaces": [],
    }


def dataset_record(i: int, version: int, modified: float) -> dict[str, Any]:
    h = _h(i, version)
    lic = ("cc-by-4.0", "mit", "cc-by-nc-4.0", "odc-by", None)[h % 5]
    rid = dataset_id(i)
    tags = ["task_categories:text-generation", "size_categories:1K<n<10K", "format:parquet"]
    card: dict[str, Any] | None = {"pretty_name": f"Data {i}"}
    if lic:
        tags.append(f"license:{lic}")
        card["license"] = lic
    if h % 9 == 0:
        card = None
    return {
        "_id": f"d{i:023x}", "id": rid, "author": rid.split("/")[0], "sha": f"{h:08x}{i:032x}",
        "lastModified": iso(modified), "createdAt": iso(BASE_TS + i * STEP - 7200), "private": False,
        "gated": False, "disabled": False, "downloads": h % 50_000, "likes": (h >> 4) % 100, "tags": tags,
        "cardData": card, "siblings": [{"rfilename": "README.md"}, {"rfilename": "data/train.parquet"}],
        "description": f"generated dataset {i}", "trendingScore": 0,
    }


class _Listing:
    """One kind's repositories: count, changes, deletions, and the sorted orders the listing pages through."""

    def __init__(self, count: int, make) -> None:
        self.count = count
        self.make = make
        self.mods: dict[int, tuple[int, float]] = {}  # i -> (version, lastModified)
        self.deleted: set[int] = set()
        self._orders: dict[str, list] = {}
        self.cache: dict[tuple[int, int], bytes] | None = None  # (i, version) -> the full record's JSON

    def full_json(self, i: int) -> bytes:
        version, modified = self.state(i)
        if self.cache is None:
            return json.dumps(self.make(i, version, modified)).encode()
        data = self.cache.get((i, version))
        if data is None:
            data = self.cache[i, version] = json.dumps(self.make(i, version, modified)).encode()
        return data

    def state(self, i: int) -> tuple[int, float]:
        return self.mods.get(i) or (0, BASE_TS + i * STEP)

    def record(self, i: int) -> dict[str, Any]:
        version, modified = self.state(i)
        return self.make(i, version, modified)

    def changed(self) -> None:
        self._orders.clear()

    def order(self, sort: str | None) -> list:
        """Sorted keys: ints (default order, like the Hub's _id) or (-lastModified, -i) (newest first)."""
        key = "lastModified" if sort == "lastModified" else "_id"
        if key not in self._orders:
            live = (i for i in range(self.count) if i not in self.deleted)
            if key == "_id":
                self._orders[key] = list(live)
            else:
                self._orders[key] = sorted((-self.state(i)[1], -i) for i in live)
        return self._orders[key]


class FakeHub:
    def __init__(self, models: int = 20_000, datasets: int = 0, *, page_size: int = 1000, max_page: int = 1000,
                 delay: float = 0.0, total_header: bool = False, cache: bool = True, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.listings = {"models": _Listing(models, model_record), "datasets": _Listing(datasets, dataset_record)}
        if cache:  # answers made once: a test pulls the same Hub several times
            for lst in self.listings.values():
                lst.cache = {}
        self.page_size = page_size
        self.max_page = max_page
        self.delay = delay
        self.total_header = total_header
        self.faults: dict[tuple[str, int], list[tuple]] = defaultdict(list)
        self.fail_always: dict[tuple[str, int], int] = {}
        self.served: dict[str, int] = defaultdict(int)  # whole pages answered, per listing
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization header)
        self.lock = threading.Lock()
        self._clock = time.time()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                hub._answer(self)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- changes, for tests ------------------------------------------------------------------
    def _now(self) -> float:
        self._clock = max(time.time(), self._clock + 0.001)  # strictly increasing, so orders are total
        return self._clock

    def touch(self, kind: str, i: int) -> None:
        lst = self.listings[kind]
        with self.lock:
            version, _ = lst.state(i)
            lst.mods[i] = (version + 1, self._now())
            lst.changed()

    def delete(self, kind: str, i: int) -> None:
        with self.lock:
            self.listings[kind].deleted.add(i)
            self.listings[kind].changed()

    def add(self, kind: str, n: int) -> list[int]:
        lst = self.listings[kind]
        with self.lock:
            new = list(range(lst.count, lst.count + n))
            for i in new:
                lst.mods[i] = (0, self._now())
            lst.count += n
            lst.changed()
        return new

    def fault(self, kind: str, page: int, *answers: tuple) -> None:
        """Queue answers for page `page` (1-based) of a listing: ("status", code[, retry_after]),
        ("truncate",) (Content-Length says more than is sent) or ("truncate-nolength",)."""
        self.faults[kind, page].extend(answers)

    def records(self, kind: str = "models", sort: str | None = None) -> list[dict[str, Any]]:
        """Every repository listed now, in the listing's order (what a full pull should hold)."""
        lst = self.listings[kind]
        with self.lock:
            order = list(lst.order(sort))
        return [lst.record(k if isinstance(k, int) else -k[1]) for k in order]

    # -- the API -----------------------------------------------------------------------------
    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        url = urlparse(h.path)
        kind = url.path.strip("/").split("/")[-1]
        with self.lock:
            self.requests.append((h.path, h.headers.get("Authorization")))
        if url.path not in ("/api/models", "/api/datasets"):
            return self._send(h, 404, b'{"error":"not found"}')
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        expand = parse_qs(url.query).get("expand")
        sort = q.get("sort")
        lst = self.listings[kind]
        size = min(int(q.get("limit") or self.page_size), self.max_page)
        with self.lock:
            order = lst.order(sort)
            start = 0
            if "cursor" in q:
                last = json.loads(base64.urlsafe_b64decode(q["cursor"]))
                start = bisect.bisect_right(order, last if isinstance(last, int) else tuple(last))
            keys = order[start:start + size]
            more = start + size < len(order)
            total = len(order)
            page_no = start // size + 1
            if (kind, page_no) in self.fail_always:
                fault = ("status", self.fail_always[kind, page_no])
            else:
                queue = self.faults.get((kind, page_no))
                fault = queue.pop(0) if queue else None
            ids = [k if isinstance(k, int) else -k[1] for k in keys]
            plain = not expand and q.get("full") in ("true", "True", "1") and (kind == "datasets" or q.get("cardData") in ("true", "True", "1"))
            if plain:
                body = b"[" + b",".join(lst.full_json(i) for i in ids) + b"]"
            else:
                body = json.dumps([self._shape(lst.record(i), kind, q, expand) for i in ids]).encode()
        if self.delay:
            time.sleep(self.delay)
        if fault and fault[0] == "status":
            headers = {"Retry-After": str(fault[2])} if len(fault) > 2 else {}
            return self._send(h, fault[1], b'{"error":"injected"}', headers)
        headers = {}
        if more:
            nxt = {k: v for k, v in q.items() if k not in ("cursor", "expand")}
            params = list(nxt.items()) + [("expand", e) for e in expand or ()]
            cursor = base64.urlsafe_b64encode(json.dumps(keys[-1]).encode()).decode()
            headers["Link"] = f'<{self.url}{url.path}?{urlencode(params + [("cursor", cursor)])}>; rel="next"'
        if self.total_header:
            headers["X-Total-Count"] = str(total)
        if fault and fault[0] == "truncate":
            return self._send(h, 200, body, headers, cut=True)
        if fault and fault[0] == "truncate-nolength":
            return self._send(h, 200, body, headers, cut=True, length=False)
        with self.lock:
            self.served[kind + ("-ids" if expand else "")] += 1
        self._send(h, 200, body, headers)

    @staticmethod
    def _shape(r: dict[str, Any], kind: str, q: dict[str, str], expand: list[str] | None) -> dict[str, Any]:
        if expand:
            return {"_id": r["_id"], "id": r["id"], **{e: r[e] for e in expand if e in r}}
        if q.get("full") not in ("true", "True", "1"):
            return {k: r[k] for k in ("_id", "id", "likes", "downloads", "tags", "pipeline_tag", "library_name",
                                      "createdAt", "private") if k in r}
        if kind == "models" and q.get("cardData") not in ("true", "True", "1"):
            return {k: v for k, v in r.items() if k != "cardData"}
        return r

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None,
              cut: bool = False, length: bool = True) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        if length:
            h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if cut or not length:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        h.wfile.write(body[: len(body) // 2] if cut else body)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=20_000)
    ap.add_argument("--datasets", type=int, default=0)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with FakeHub(args.models, args.datasets, port=args.port) as hub:
        print(hub.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
