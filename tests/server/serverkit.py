"""Shared values and helpers of the server tests (a module of its own: `conftest` is not
importable by name when several test folders have one); bench/bench_server.py uses them too."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
LLAMA2_FINETUNE = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def make_settings(db_url: str, tmp: Path, snapshots=(SAMPLE,), **kw):
    """Offline, on the sample; no warm-up unless asked (the tests compute what they ask for)."""
    from clearance.server import Settings

    kw.setdefault("warm", 0)
    return Settings(db_url=db_url, snapshots=list(snapshots), offline=True, hub_cache_dir=tmp / "hub-cache", **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `serve` of one snapshot, offline, in a subprocess; argv: db_url snapshot hub_cache port workers warm [settings JSON]
SERVER_SCRIPT = """
import json, sys
from pathlib import Path
from clearance.server import Settings, serve
db_url, snapshot, hub_cache, port, workers, warm = sys.argv[1:7]
extra = json.loads(sys.argv[7]) if len(sys.argv) > 7 else {}
serve(Settings(db_url=db_url, snapshots=[Path(snapshot)], offline=True, hub_cache_dir=Path(hub_cache), warm=int(warm), **extra),
      host="127.0.0.1", port=int(port), workers=int(workers))
"""


def server_command(db_url: str, tmp: Path, port: int, workers: int = 1, warm: int = 0, snapshot: Path = SAMPLE,
                   **settings) -> list[str]:
    """The command line of a server on `port` (its Hub cache in tmp/hub-cache); `settings`:
    more Settings fields (max_header_bytes=..., header_timeout=...)."""
    import json

    return [sys.executable, "-c", SERVER_SCRIPT, db_url, str(snapshot), str(tmp / "hub-cache"), str(port), str(workers), str(warm),
            *([json.dumps(settings)] if settings else [])]


def server_env(tmp: Path) -> dict[str, str]:
    """The server's environment: offline, an empty HF cache of its own."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp / "hf-cache")}


def wait_for_health(base: str, proc, deadline: float, timeout: float = 2.0, every: float = 0.2) -> bool:
    """Poll GET /api/v1/health until it answers 200 (True); False once `proc` has exited or
    time.monotonic() passes `deadline`."""
    import httpx

    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=timeout).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(every)
