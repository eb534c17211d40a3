"""Shared test fixtures: paths to the project's bundled data and the shared real data."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"


def pytest_configure(config):
    # The compiled KB, validated policies and parsed cards go to a cache of the test runs' own,
    # never the user's (tests that check the cache itself set their own directory).
    os.environ.setdefault("CLEARANCE_CACHE_DIR", str(Path(tempfile.gettempdir()) / f"clearance-test-cache-{os.getuid()}"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}: it sits beside the clone in CI and on dev machines")
    return SHARED


@pytest.fixture(scope="session")
def kb():
    from clearance.kb import default_kb

    return default_kb()


def pytest_terminal_summary(terminalreporter):
    shots = ROOT / "test-artifacts" / "screenshots"
    if shots.is_dir() and any(shots.glob("*.png")):
        terminalreporter.write_line(f"server screenshots: {shots}")
