"""`clearance serve` under hostile requests while clients do lookups (issue 16).

Starts the server as bench_server.py does (uvicorn, a fresh SQLite store, the 2025 sample,
offline, warmed up), then:

1. Quiet: `--clients` clients (20) do lookups for `--seconds`: the verdict of a random sample
   model for a random use, or its lineage graph; one keep-alive connection each, back to back.
2. Hostile: the same lookups for as long again, while these are replayed, each in its own loop:
   - policy TOML of one dotted key of 400 KB (`a.a.a…`) to POST /api/v1/policies/validate
     (no token needed), and TOML of 50,000 nested arrays;
   - a request whose header is 100 MB, sent until the server hangs up;
   - 70 slow senders: connections that send their request a byte a second (reconnecting
     whenever the server closes one);
   - ids and offsets beyond signed 64-bit (GET/PATCH/DELETE /inventory/2**64, ?offset=2**64);
   - lookups with junk query parameters (`?use=research&junk=N`);
   - NUL bytes in a note (with a token) and in query parameters.
   Each hostile loop pauses `--pause` seconds between its requests (default 0.05). The
   hostile requests are sent from a process of their own, so that their senders' work does not
   delay the lookup clients' event loop (both still share the machine's cores with the server).

It prints: whether the server process survived (crashes), 5xx answers to hostile requests and
tracebacks in the server's log, the hostile answers by status, errors on the lookups (any
exception or non-200), the lookups' p50/p99 in each phase and their ratio (target: 0 crashes,
0 errors, p99 within 2x of quiet), and the server's resident memory (max in each phase).

    .venv/bin/python bench/bench_hostile.py [--seconds 15] [--clients 20] [--workers 1]

Client and server share the machine: the hostile senders' own CPU is in the figures too.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_server import Connection, Server, _host_port, pct, sample_ids  # noqa: E402 - the same server and client

INT64 = 2**63 - 1


def rss_mb(pid: int) -> float:
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)) / 1024
    except (OSError, AttributeError):
        return float("nan")


def server_pids(server: Server) -> list[int]:
    pids = [server.proc.pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text().split()]
    except OSError:
        pass
    return pids


async def lookups(base: str, ids: list[str], clients: int, seconds: float, seed: int):
    """Lookup clients for `seconds`: latencies (s) and errors."""
    host, port = _host_port(base)
    lat: list[float] = []
    errors: collections.Counter = collections.Counter()
    stop = time.monotonic() + seconds

    async def client(n: int) -> None:
        rnd = random.Random(seed * 1000 + n)
        conn = Connection(host, port)
        try:
            while time.monotonic() < stop:
                mid = rnd.choice(ids)
                path = (f"/api/v1/models/{mid}/clearance?use={rnd.choice(['commercial', 'redistribution', 'research'])}"
                        if rnd.random() < 0.7 else f"/api/v1/models/{mid}/graph")
                t0 = time.perf_counter()
                try:
                    status, _ = await conn.request("GET", path)
                    if status == 200:
                        lat.append(time.perf_counter() - t0)
                    else:
                        errors[f"HTTP {status}"] += 1
                except Exception as exc:  # noqa: BLE001 - counted, reported
                    errors[type(exc).__name__] += 1
                    await conn.close()
        finally:
            await conn.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return lat, errors


async def _status(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float) -> int:
    """The status of the answer waiting in `reader` (0: none), then close."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
        return int(line.split()[1]) if line else 0
    except (ConnectionError, OSError, asyncio.TimeoutError, IndexError, ValueError):
        return 0
    finally:
        writer.close()


class Hostile:
    """The hostile loops; `answers[kind][status]` counts what came back (0: the server closed
    the connection without an answer, which is also a refusal)."""

    def __init__(self, base: str, token: str, pause: float, skip: set[str] = frozenset()) -> None:
        self.base, self.token, self.pause, self.skip = base, token, pause, skip
        # built once: the senders' own work should be sending, not encoding
        self.bodies = {"dotted": json.dumps({"toml": "a" + ".a" * 200_000 + " = 1"}).encode(),
                       "nested": json.dumps({"toml": "x = " + "[" * 50_000 + "]" * 50_000}).encode()}
        self.host, self.port = _host_port(base)
        self.answers: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.slow_seconds: list[float] = []  # how long the server held each slow sender
        self.stop = False

    async def _request(self, kind: str, method: str, path: str, body: bytes | None = None,
                       headers: dict[str, str] | None = None) -> None:
        conn = Connection(self.host, self.port)
        try:
            status, _ = await asyncio.wait_for(conn.request(method, path, body, headers), 30)
            self.answers[kind][status] += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            self.answers[kind][0] += 1
        except asyncio.TimeoutError:
            self.answers[kind]["timeout"] += 1
        finally:
            await conn.close()

    async def _loop(self, kind: str, make) -> None:
        i = 0
        while not self.stop:
            await make(i)
            i += 1
            await asyncio.sleep(self.pause)

    async def toml(self, i: int) -> None:
        dotted = i % 2 == 0 and "dotted" not in self.skip or "nested" in self.skip
        await self._request("toml: 400 KB dotted key" if dotted else "toml: 50,000 nested arrays", "POST",
                            "/api/v1/policies/validate", self.bodies["dotted" if dotted else "nested"])

    async def huge_header(self, i: int) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        answer = asyncio.ensure_future(reader.readline())  # read while sending, as an HTTP client does
        try:
            writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ")
            chunk = b"a" * 65536
            for _ in range(100 * 1024 * 1024 // len(chunk)):  # 100 MB, or until the server answers or hangs up
                if answer.done():
                    break
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        try:
            line = await asyncio.wait_for(answer, 10)
            status = int(line.split()[1]) if line else 0
        except (ConnectionError, OSError, asyncio.TimeoutError, IndexError, ValueError):
            status = 0
        writer.close()
        self.answers["header of 100 MB"][status] += 1

    async def slow_sender(self, n: int) -> None:
        request = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 200 + b"\r\n\r\n"
        while not self.stop:
            reader, writer = await asyncio.open_connection(self.host, self.port)
            t0 = time.monotonic()
            try:
                for byte in request:
                    if self.stop or reader.at_eof() or len(getattr(reader, "_buffer", b"")):
                        break  # stopping, or the server answered (and hung up)
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(1.0)
            except (ConnectionError, OSError):
                pass
            held = time.monotonic() - t0
            status = await _status(reader, writer, 0.5)
            if not self.stop:
                self.slow_seconds.append(held)
                self.answers["slow sender (1 byte/s)"][status] += 1

    async def int64(self, i: int) -> None:
        auth = {"Authorization": f"Bearer {self.token}"}
        method, path, body = [("GET", f"/api/v1/inventory/{2**64 + i}", None),
                              ("GET", f"/api/v1/inventory?offset={2**64}", None),
                              ("GET", f"/api/v1/audit?offset={INT64 + 1}", None),
                              ("PATCH", f"/api/v1/inventory/{2**64}", b'{"note": "x"}'),
                              ("DELETE", f"/api/v1/inventory/{2**70}", None)][i % 5]
        await self._request("ids and offsets > int64", method, path, body, auth if method != "GET" else None)

    async def junk(self, i: int) -> None:
        await self._request("junk query parameters", "GET",
                            f"/api/v1/models/meta-llama/Llama-2-7b-chat-hf/clearance?use=research&junk={i}&x{i}=1")

    async def nul(self, i: int) -> None:
        auth = {"Authorization": f"Bearer {self.token}"}
        if i % 2 == 0:
            body = json.dumps({"id": "org/nul-model", "project": "hostile", "note": "a\x00b"}).encode()
            await self._request("NUL bytes", "POST", "/api/v1/inventory", body, auth)
        else:
            await self._request("NUL bytes", "GET", "/api/v1/audit?actor=a%00b")

    async def run(self, seconds: float, slow: int) -> None:
        loops = {"toml": self.toml, "header": self.huge_header, "int64": self.int64, "junk": self.junk, "nul": self.nul}
        if {"dotted", "nested"} <= self.skip:
            self.skip = self.skip | {"toml"}
        tasks = [asyncio.ensure_future(self._loop(k, m)) for k, m in loops.items() if k not in self.skip]
        tasks += [asyncio.ensure_future(self.slow_sender(n)) for n in range(0 if "slow" in self.skip else slow)]
        await asyncio.sleep(seconds)
        self.stop = True
        await asyncio.gather(*tasks, return_exceptions=True)


def _hostile_process(base: str, token: str, pause: float, skip: set[str], seconds: float, slow: int, pipe) -> None:
    hostile = Hostile(base, token, pause, skip)
    asyncio.run(hostile.run(seconds, slow))
    pipe.send(({k: dict(v) for k, v in hostile.answers.items()}, hostile.slow_seconds))
    pipe.close()


async def phase(base: str, ids: list[str], args, seed: int, server: Server, hostile: Hostile | None):
    """The lookups for args.seconds; with `hostile`, its requests from another process at the
    same time (so that the lookups' latency is the server's, not this event loop's)."""
    peak = 0.0

    async def sample_memory() -> None:
        nonlocal peak
        while True:
            peak = max(peak, sum(rss_mb(p) for p in server_pids(server)))
            await asyncio.sleep(0.2)

    sampler = asyncio.ensure_future(sample_memory())
    proc = None
    if hostile is not None:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=_hostile_process, args=(hostile.base, hostile.token, hostile.pause, hostile.skip,
                                                           args.seconds, args.slow, theirs))
        proc.start()
        await asyncio.sleep(0.5)  # the child's interpreter starts before the lookups are measured
    lat, errors = await lookups(base, ids, args.clients, args.seconds, seed)
    if proc is not None:
        answers, hostile.slow_seconds = await asyncio.get_running_loop().run_in_executor(None, mine.recv)
        for kind, counts in answers.items():
            hostile.answers[kind].update(counts)
        proc.join()
    sampler.cancel()
    return lat, errors, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    ap.add_argument("--clients", type=int, default=20, help="lookup clients")
    ap.add_argument("--slow", type=int, default=70, help="slow senders during the hostile phase")
    ap.add_argument("--pause", type=float, default=0.05, help="seconds between the requests of each hostile loop")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--warm", type=int, default=2000)
    ap.add_argument("--skip", action="append", default=[], choices=["dotted", "nested", "header", "slow", "int64", "junk", "nul"],
                    help="leave out a kind of hostile request (repeatable); e.g. `--skip dotted` against a server "
                         "without the TOML guard, which the 400 KB key would take tens of GB from")
    args = ap.parse_args()

    from clearance.server import create_token

    with tempfile.TemporaryDirectory(prefix="clearance-hostile-") as tmp_name:
        tmp = Path(tmp_name)
        db_url = f"sqlite:///{tmp / 'hostile.db'}"
        token = create_token(db_url, "bench-hostile")
        server = Server(db_url, tmp, args.workers, args.warm)
        ready = server.start()
        print(f"server ready in {ready:.1f} s (uvicorn, {args.workers} worker(s), SQLite, offline, warm-up "
              f"{args.warm}); {args.clients} lookup clients, {args.seconds:g} s per phase")
        try:
            ids = sample_ids()
            asyncio.run(lookups(server.base, ids, args.clients, 2.0, 99))  # unmeasured: first connections
            quiet, quiet_errors, quiet_peak = asyncio.run(phase(server.base, ids, args, 1, server, None))
            hostile = Hostile(server.base, token, args.pause, set(args.skip))
            loud, loud_errors, loud_peak = asyncio.run(phase(server.base, ids, args, 2, server, hostile))
            alive = server.proc.poll() is None
            health = httpx.get(f"{server.base}/api/v1/health", timeout=10).status_code if alive else None
        finally:
            server.stop()
        log = (tmp / "server.log").read_text(errors="replace")

    fives = sum(n for c in hostile.answers.values() for s, n in c.items() if isinstance(s, int) and s >= 500)
    crashes = (0 if alive else 1)
    print(f"\ncrashes: {crashes} (server process {'alive' if alive else 'DEAD'}, /health after: {health}); "
          f"5xx answers to hostile requests: {fives}; tracebacks in the server log: {log.count('Traceback')}")
    print("\nhostile requests (status: count; 0 = closed without an answer):")
    for kind, counts in sorted(hostile.answers.items()):
        shown = ", ".join(f"{s}: {n}" for s, n in sorted(counts.items(), key=lambda kv: str(kv[0])))
        print(f"  {kind:<28} {sum(counts.values()):>6}  {shown}")
    if hostile.slow_seconds:
        print(f"  slow senders held for: median {pct(hostile.slow_seconds, 50) / 1000:.1f} s, "
              f"max {max(hostile.slow_seconds):.1f} s")
    print(f"\n{'lookups':<10} {'n':>7} {'errors':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'server RSS max':>15}")
    for name, lat, errs, peak in (("quiet", quiet, quiet_errors, quiet_peak), ("hostile", loud, loud_errors, loud_peak)):
        print(f"{name:<10} {len(lat):>7} {sum(errs.values()):>7} {len(lat) / args.seconds:>8.0f} {pct(lat, 50):>8.1f} "
              f"{pct(lat, 99):>8.1f} {max(lat) * 1000 if lat else float('nan'):>8.1f} {peak:>12.0f} MB"
              + (f"  ({dict(errs)})" if errs else ""))
    ratio = pct(loud, 99) / pct(quiet, 99)
    errors = sum(quiet_errors.values()) + sum(loud_errors.values())
    met = crashes == 0 and fives == 0 and errors == 0 and ratio <= 2
    print(f"\np99 hostile / quiet: {ratio:.2f}x; target (0 crashes, 0 errors, p99 within 2x): {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
