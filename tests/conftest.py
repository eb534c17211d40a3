"""Shared test fixtures: paths to the project's bundled data and the shared real data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "data"
SHARED = ROOT.parent / "shared" / "data"


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
