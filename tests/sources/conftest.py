"""Fixtures for the sources' tests: a stand-in Hub on 127.0.0.1 and an isolated environment."""

from __future__ import annotations

import pytest
from hubserver import HubServer
from huggingface_hub import constants
from huggingface_hub.utils import close_session


@pytest.fixture()
def hub(monkeypatch, tmp_path):
    """The recorded Hub, with HF_ENDPOINT pointing at it and a fresh Clearance cache.

    `make test` runs with HF_HUB_OFFLINE=1, which huggingface_hub reads once at import; the
    tests that talk to the stand-in Hub turn it off for their duration, nothing else."""
    with HubServer() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
        monkeypatch.setenv("HF_TOKEN", "hf_test_token_not_a_secret")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("CLEARANCE_CACHE_DIR", str(tmp_path / "clearance-cache"))
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        close_session()  # a client made before the env changed must not be reused
        yield server
        close_session()
