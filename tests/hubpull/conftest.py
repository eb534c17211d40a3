"""Fixtures of the pull's tests: a fake listing Hub with 20,000 models (pages of 500), the
uninterrupted pull of it that every interrupted one is compared with, and no offline flag
(the suite runs with HF_HUB_OFFLINE=1; the pull refuses to start under it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from clearance.hubpull import PullProgress, PullReport, Retry, pull
from tests.hubpull.fakehub import FakeHub

MODELS = 20_000
PAGE = 500
PAGES = MODELS // PAGE
OFFLINE_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT", "HF_TOKEN")


class Waits(list):
    """A Retry's sleep that records the waits and does not sleep."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_retry(tries: int = 6) -> tuple[Retry, Waits]:
    waits = Waits()
    return Retry(tries=tries, base=0.001, cap=0.01, sleep=waits), waits


@pytest.fixture(autouse=True, scope="session")
def no_fsync():
    """fsync only matters across a power cut, which no test makes; the kill -9 test's
    subprocess keeps it on."""
    from clearance.hubpull import state

    state.DURABLE = False
    yield
    state.DURABLE = True


@pytest.fixture
def online(monkeypatch):
    for name in OFFLINE_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def hub20k():
    with FakeHub(MODELS, page_size=1000) as hub:
        yield hub


@dataclass
class Reference:
    path: Path
    report: PullReport
    progress: list[PullProgress]
    asked: list[str]  # the request paths, in order


@pytest.fixture(scope="module")
def reference(hub20k, tmp_path_factory) -> Reference:
    """The uninterrupted pull of hub20k."""
    out = tmp_path_factory.mktemp("reference") / "hub.parquet"
    seen: list[PullProgress] = []
    n0 = len(hub20k.requests)
    with pytest.MonkeyPatch.context() as mp:
        for name in OFFLINE_VARS:
            mp.delenv(name, raising=False)
        report = pull(out, endpoint=hub20k.url, page_size=PAGE, progress=seen.append)
    return Reference(out, report, seen, [p for p, _ in hub20k.requests[n0:]])
