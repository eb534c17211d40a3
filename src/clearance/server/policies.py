"""Saved policies: clearance.toml text, validated exactly as `clearance check --policy` reads a
file (the same pydantic model and the same name checks), but from the request's text — it is
never written to the filesystem."""

from __future__ import annotations

import hashlib

from clearance.kb.loader import KnowledgeBase
from clearance.policy.load import parse_text
from clearance.policy.model import Policy
from clearance.server.cache import LRU

DEFAULT_NAME = "(default)"
_parsed: LRU[Policy] = LRU(256)


def key(text: str | None) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text is not None else DEFAULT_NAME


def cached(text: str, kb: KnowledgeBase) -> Policy:
    """A saved (already validated) policy's value, parsed once per process."""
    return _parsed.get_or(key(text), lambda: parse_text(text, "saved policy", kb))
