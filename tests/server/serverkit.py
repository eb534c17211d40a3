"""Shared values and helpers of the server tests (a module of its own: `conftest` is not
importable by name when several test folders have one). Servers in a child process are
clearance.server.launch's, as the benches start them."""

from __future__ import annotations

from pathlib import Path

from clearance.server.launch import ServerProcess, free_port  # noqa: F401 - free_port: for the tests

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "hub-2025-sample.jsonl"
LLAMA2_FINETUNE = "Vivian12300/llama-2-7b-chat-hf-mathqa-rationale-2"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def make_settings(db_url: str, tmp: Path, snapshots=(SAMPLE,), **kw):
    """Offline, on the sample; no warm-up unless asked (the tests compute what they ask for)."""
    from clearance.server import Settings

    kw.setdefault("warm", 0)
    return Settings(db_url=db_url, snapshots=list(snapshots), offline=True, hub_cache_dir=tmp / "hub-cache", **kw)


def server_process(db_url: str, tmp: Path, **settings) -> ServerProcess:
    """A server of the sample (make_settings: offline, no warm-up unless asked; `settings`: more
    Settings fields) with an empty HF cache of its own and its log in tmp/server.log; not started."""
    env = {"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp / "hf-cache")}
    return ServerProcess(make_settings(db_url, tmp, **settings), env=env, log=tmp / "server.log")
