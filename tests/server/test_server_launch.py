"""clearance.server.launch: a server in a child process, as the tests and the benches start it."""

from __future__ import annotations

import httpx
import pytest
from serverkit import server_process

from clearance.server.launch import LaunchError


def test_a_server_starts_answers_and_stops_with_its_settings(tmp_path):
    server = server_process(f"sqlite:///{tmp_path / 'l.db'}", tmp_path, max_body_bytes=1000)
    with server.start(timeout=60):
        health = httpx.get(f"{server.url}/api/v1/health", timeout=10).json()
        assert health["store"] == "sqlite" and health["artifacts"] == 1532
        too_big = httpx.post(f"{server.url}/api/v1/policies/validate", content=b"x" * 2000, timeout=10)
        assert too_big.status_code == 413  # a setting `clearance serve` has no option for reached the child
    assert not server.running
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.url}/api/v1/health", timeout=2)


def test_a_server_that_cannot_start_is_a_launch_error_with_its_log(tmp_path):
    server = server_process(f"sqlite:///{tmp_path / 'no-such-folder' / 'l.db'}", tmp_path)
    with pytest.raises(LaunchError, match="exited with status") as err:
        server.start(timeout=60)
    assert "does not exist" in str(err.value) and not server.running
