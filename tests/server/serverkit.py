"""Shared values and helpers of the server tests (a module of its own: `conftest` is not
importable by name when several test folders have one)."""

from __future__ import annotations

import socket
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
