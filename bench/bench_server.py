"""`clearance serve` under load, and a crash test of its store.

1. Load. Starts the server (uvicorn, a fresh SQLite store, data/hub-2025-sample.jsonl,
   offline) in a subprocess, waits until it is ready (health answers, Hub analytics loaded),
   then 50 concurrent clients (asyncio, one keep-alive connection each) send 20,000 mixed requests:
   clearance lookups of sample models for random uses, lineage graphs, license JSON and
   license pages, model pages, inventory reads (with policy status) and writes (with a token:
   add, change, delete), Hub stats and trends. The client warms nothing up: the models are
   drawn from all 1,532 of the sample. The SERVER does, at startup, before it reports ready
   (Settings.warm, default 2,000 most downloaded models — all of the sample): it computes their
   verdicts and asks itself, in-process, for their verdict per use, graph and page, so those
   answers are in its response cache (`prefetched` in /health, printed below). `--warm 0`
   turns that off: then every first lookup runs the engine cold. Latency is
   per request, from send to the last byte; an error is any exception or a status other
   than the one expected (2xx, and 409 for a deliberately duplicated add). The baseline, in
   the same run and under the same load, is GET /api/v1/health (no engine, no store).
   The client is a minimal HTTP/1.1 keep-alive client on asyncio (see `Connection`: httpx's
   async pool would be the bottleneck at 50 connections).
2. Crash. A fresh server; 8 clients add inventory items in a loop; after --crash-after
   seconds the server gets SIGKILL (kill -9) mid-way. It is restarted on the same store, and
   every add that got a 201 must be there. Adds in flight at the kill may or may not be.

    .venv/bin/python bench/bench_server.py [--requests 20000] [--clients 50] [--workers 1]
    .venv/bin/python bench/bench_server.py --crash-only

Client and server share the machine (the standard one has 2 cores), so the client's own CPU
time is in the figures too.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from clearance.server import Settings
from clearance.server.launch import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"


class Server:
    """`clearance serve` of the sample, offline, in a child process (clearance.server.launch), with
    an empty HF cache of its own; its log in tmp/server.log."""

    def __init__(self, db_url: str, tmp: Path, workers: int = 1, warm: int = 2000) -> None:
        self.tmp, self.workers = tmp, workers
        settings = Settings(db_url=db_url, snapshots=[SAMPLE], offline=True, hub_cache_dir=tmp / "hub-cache", warm=warm)
        self.process = ServerProcess(settings, workers, env={"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp / "hf-cache")},
                                     log=tmp / "server.log")
        self.port, self.base = self.process.port, self.process.url
        self.proc: subprocess.Popen | None = None

    def start(self, wait_hub: bool = True) -> float:
        t0 = time.perf_counter()
        deadline = time.monotonic() + 120
        self.process.start(timeout=120, poll=0.1)  # a LaunchError (with the log's end) when it does not answer
        self.proc = self.process.proc
        if wait_hub:  # until warmed up: Hub analytics loaded, popular verdicts computed (each worker)
            ready_since = 0
            while ready_since < self.workers * 4 and time.monotonic() < deadline:
                ready = httpx.get(f"{self.base}/api/v1/health", timeout=30).json()["ready"]
                ready_since = ready_since + 1 if ready else 0
                time.sleep(0 if ready else 0.2)
        return time.perf_counter() - t0

    def cpu_seconds(self) -> float:
        """User + system CPU of the server and its worker processes so far (Linux /proc)."""
        total, tick = 0.0, os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            pids += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            pass
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        return total

    def kill9(self) -> None:
        self.process.kill()

    def stop(self) -> None:
        self.process.stop(timeout=20)


def _self_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def sample_ids() -> list[str]:
    ids = []
    with SAMPLE.open(encoding="utf-8") as fh:
        for line in fh:
            ids.append(json.loads(line)["id"])
    return ids


LICENSES = ["llama2", "apache-2.0", "mit", "gemma", "cc-by-nc-4.0", "openrail", "llama3.1", "creativeml-openrail-m",
            "Apache-2.0", "bigscience-bloom-rail-1.0"]


def plan(n: int, ids: list[str], seed: int) -> list[tuple[str, str, str, dict | None]]:
    """(category, method, path, json body) for each request, in a seeded random mix."""
    rnd = random.Random(seed)
    mix = [("clearance", 34), ("graph", 14), ("license", 6), ("license_page", 3), ("model_page", 3),
           ("inventory_read", 14), ("inventory_write", 12), ("hub", 6), ("health", 8)]
    cats = [c for c, w in mix for _ in range(w)]
    out = []
    for i in range(n):
        cat = rnd.choice(cats)
        mid = rnd.choice(ids)
        if cat == "clearance":
            out.append((cat, "GET", f"/api/v1/models/{mid}/clearance?use={rnd.choice(['commercial', 'redistribution', 'research'])}", None))
        elif cat == "graph":
            out.append((cat, "GET", f"/api/v1/models/{mid}/graph", None))
        elif cat == "license":
            out.append((cat, "GET", f"/api/v1/licenses/{rnd.choice(LICENSES)}" if rnd.random() < 0.8 else "/api/v1/licenses", None))
        elif cat == "license_page":
            out.append((cat, "GET", f"/licenses/{rnd.choice(LICENSES[:8])}", None))
        elif cat == "model_page":
            out.append((cat, "GET", f"/models/{mid}", None))
        elif cat == "inventory_read":
            out.append((cat, "GET", f"/api/v1/inventory?project=bench-{rnd.randrange(10)}&limit=50", None))
        elif cat == "inventory_write":
            out.append((cat, "POST", "/api/v1/inventory", {"id": mid, "project": f"bench-{rnd.randrange(10)}", "note": f"bench {i}"}))
        elif cat == "hub":
            out.append((cat, "GET", rnd.choice(["/api/v1/hub/stats", "/api/v1/hub/trends?by=quarter", "/api/v1/hub/trends?by=year"]), None))
        else:
            out.append((cat, "GET", "/api/v1/health", None))
    return out


class Connection:
    """A minimal HTTP/1.1 keep-alive client connection on asyncio streams.

    Written here rather than using httpx for the load: httpx's async connection pool collapses
    at 50 concurrent connections (measured on the standard machine against a trivial ASGI
    app: 220 req/s with 5 connections, 80 req/s with 50), so the client, not the server, would
    be measured. This one only sends requests and reads Content-Length or chunked answers."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None,
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + (body or b""))
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            await self.close()
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if status in (204, 304) or method == "HEAD":
            data = b""
        elif chunked:
            parts = []
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await reader.readline()
                    break
                parts.append(await reader.readexactly(size))
                await reader.readline()
            data = b"".join(parts)
        elif length is not None:
            data = await reader.readexactly(length)
        else:
            data, close = await reader.read(), True
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


def _host_port(base: str) -> tuple[str, int]:
    host, _, port = base.removeprefix("http://").partition(":")
    return host, int(port)


async def load(base: str, token: str, requests: list, clients: int) -> tuple[dict, float, int]:
    queue: asyncio.Queue = asyncio.Queue()
    for r in requests:
        queue.put_nowait(r)
    lat: dict[str, list[float]] = collections.defaultdict(list)
    errors: collections.Counter = collections.Counter()
    created: list[int] = []
    auth = {"Authorization": f"Bearer {token}"}
    host, port = _host_port(base)
    rnd = random.Random(1)

    async def worker() -> None:
        conn = Connection(host, port)
        try:
            while True:
                try:
                    cat, method, path, body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                ok_extra = ()
                if cat == "inventory_write" and created and rnd.random() < 0.3:
                    # change or delete an item this run added (the write mix of a real team)
                    item = created.pop(rnd.randrange(len(created)))
                    if rnd.random() < 0.5:
                        method, path, body = "PATCH", f"/api/v1/inventory/{item}", {"note": "changed"}
                    else:
                        method, path, body = "DELETE", f"/api/v1/inventory/{item}", None
                elif cat == "inventory_write":
                    ok_extra = (409,)  # the same model drawn twice for one project
                payload = json.dumps(body).encode() if body is not None else None
                t0 = time.perf_counter()
                try:
                    status, data = await conn.request(method, path, payload, auth if method != "GET" else None)
                    dt = time.perf_counter() - t0
                    if 200 <= status < 300 or status in ok_extra:
                        lat[cat].append(dt)
                        if method == "POST" and status == 201:
                            created.append(json.loads(data)["item_id"])
                    else:
                        errors[f"{cat} HTTP {status}"] += 1
                except Exception as exc:  # noqa: BLE001 - counted, reported
                    errors[f"{cat} {type(exc).__name__}"] += 1
                    await conn.close()
        finally:
            await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - t0
    return lat, wall, errors


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k] * 1000


def run_load(args, tmp: Path) -> None:
    from clearance.server import create_token

    db_url = f"sqlite:///{tmp / 'load.db'}"
    token = create_token(db_url, "bench")
    server = Server(db_url, tmp, args.workers, args.warm)
    ready = server.start()
    health = httpx.get(f"{server.base}/api/v1/health", timeout=30).json()
    print(f"server ready in {ready:.1f} s (uvicorn, {args.workers} worker(s), SQLite, {SAMPLE.name}, offline, "
          f"server warm-up of the {args.warm} most downloaded models: verdicts computed for "
          f"{health['warmed']['done']}, answers prefetched {health.get('prefetched', 0)} (per worker; "
          f"the client warms nothing){' (none)' if not args.warm else ''})")
    try:
        ids = sample_ids()
        if args.warmup:  # not measured: first connections, first use of each statement and template
            asyncio.run(load(server.base, token, plan(args.warmup, ids, args.seed + 1000), args.clients))
        reqs = plan(args.requests, ids, args.seed)
        cpu0, self0, load0 = server.cpu_seconds(), _self_cpu(), os.getloadavg()[0]
        lat, wall, errors = asyncio.run(load(server.base, token, reqs, args.clients))
        server_cpu, client_cpu, load1 = server.cpu_seconds() - cpu0, _self_cpu() - self0, os.getloadavg()[0]
    finally:
        server.stop()
    total_ok = sum(len(v) for v in lat.values())
    n_err = sum(errors.values())
    every = [x for v in lat.values() for x in v]
    print(f"\n{args.requests:,} requests (after {args.warmup} unmeasured), {args.clients} concurrent clients: {wall:.1f} s, {args.requests / wall:,.0f} req/s, "
          f"{n_err} errors")
    print(f"CPU: server {server_cpu:.1f} s ({server_cpu / args.requests * 1000:.2f} ms per request), "
          f"client {client_cpu:.1f} s; load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores "
          f"(other processes of the machine count too)")
    print(f"{'category':<16} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    order = ["health", "clearance", "graph", "license", "license_page", "model_page", "inventory_read", "inventory_write", "hub"]
    for cat in order:
        v = lat.get(cat, [])
        print(f"{cat:<16} {len(v):>6} {pct(v, 50):>8.1f} {pct(v, 99):>8.1f} {max(v) * 1000 if v else float('nan'):>8.1f}")
    non_base = [x for c, v in lat.items() if c != "health" for x in v]
    print(f"{'all but health':<16} {len(non_base):>6} {pct(non_base, 50):>8.1f} {pct(non_base, 99):>8.1f} {max(non_base) * 1000:>8.1f}")
    print(f"{'all':<16} {total_ok:>6} {pct(every, 50):>8.1f} {pct(every, 99):>8.1f} {max(every) * 1000:>8.1f}")
    base50, base99 = pct(lat["health"], 50), pct(lat["health"], 99)
    print(f"\nbaseline (GET /health under the same load): p50 {base50:.1f} ms, p99 {base99:.1f} ms; "
          f"all requests: p50 x{pct(every, 50) / base50:.2f}, p99 x{pct(every, 99) / base99:.2f}")
    if errors:
        print("errors:", dict(errors))
    target = "MET" if pct(every, 99) < 100 and n_err == 0 else "MISSED"
    print(f"target p99 < 100 ms and 0 errors: {target}")


async def writer_loop(base: str, token: str, project: str, stop: asyncio.Event, acked: list, inflight: set, n: int) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        i = 0
        while not stop.is_set():
            mid = f"crash/item-{n}-{i}"
            inflight.add(mid)
            try:
                r = await client.post("/api/v1/inventory", json={"id": mid, "project": project}, headers=auth)
                if r.status_code == 201:
                    acked.append(mid)
                inflight.discard(mid)
            except httpx.TransportError:
                return  # the server is gone: this one stays "in flight"
            i += 1


def run_crash(args, tmp: Path) -> None:
    from clearance.server import create_token

    db_url = f"sqlite:///{tmp / 'crash.db'}"
    token = create_token(db_url, "crash")
    server = Server(db_url, tmp, 1)
    server.start(wait_hub=False)
    acked: list[str] = []
    inflight: set[str] = set()

    async def go() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(writer_loop(server.base, token, "crash", stop, acked, inflight, n)) for n in range(8)]
        await asyncio.sleep(args.crash_after)
        server.kill9()  # mid-way: writers are sending
        t_kill = time.perf_counter()
        await asyncio.gather(*tasks)
        print(f"kill -9 after {args.crash_after:.1f} s of writes; clients noticed within {time.perf_counter() - t_kill:.2f} s")

    asyncio.run(go())
    print(f"adds acknowledged (201) before the kill: {len(acked):,}; in flight at the kill: {len(inflight)}")
    restart = Server(db_url, tmp, 1)
    t = restart.start(wait_hub=False)
    try:
        first = httpx.get(f"{restart.base}/api/v1/inventory", params={"project": "crash", "limit": 1000}, timeout=120).json()
        present: set[str] = {i["id"] for i in first["items"]}
        for offset in range(1000, first["total"], 1000):  # the pages after the first
            page = httpx.get(f"{restart.base}/api/v1/inventory", params={"project": "crash", "limit": 1000, "offset": offset},
                             timeout=120).json()
            present |= {i["id"] for i in page["items"]}
        audit = httpx.get(f"{restart.base}/api/v1/audit", params={"action": "inventory.add", "limit": 1}, timeout=60).json()["total"]
    finally:
        restart.stop()
    missing = [m for m in acked if m not in present]
    extra = present - set(acked)
    print(f"restarted in {t:.1f} s; items in the store: {len(present):,} (audit entries: {audit:,})")
    print(f"acknowledged and present: {len(acked) - len(missing):,}; acknowledged but LOST: {len(missing)}; "
          f"present though unacknowledged (in flight at the kill): {len(extra)}")
    print("crash test:", "PASSED (nothing committed was lost)" if not missing and audit == len(present) else "FAILED")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=500,
                    help="unmeasured requests first (another draw of the same mix), from the same clients")
    ap.add_argument("--warm", type=int, default=2000,
                    help="the server's warm-up (Settings.warm; 0: every lookup of the run computes cold)")
    ap.add_argument("--crash-after", type=float, default=4.0, help="seconds of writes before kill -9")
    ap.add_argument("--crash-only", action="store_true")
    ap.add_argument("--load-only", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="clearance-bench-server-") as d:
        tmp = Path(d)
        if not args.crash_only:
            print("== load ==")
            run_load(args, tmp)
        if not args.load_only:
            print("\n== crash (kill -9 during inventory writes) ==")
            run_crash(args, tmp)


if __name__ == "__main__":
    main()
