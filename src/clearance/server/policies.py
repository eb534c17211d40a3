"""Saved policies: clearance.toml text, validated exactly as `clearance check --policy` reads a
file (the same pydantic model and the same name checks), but from the request's text — it is
never written to the filesystem."""

from __future__ import annotations

import hashlib
import tomllib

from pydantic import ValidationError

from clearance.kb.loader import KnowledgeBase
from clearance.policy.load import MAX_POLICY_BYTES, PolicyError
from clearance.policy.load import (
    _check_names as check_names,  # the file loader's own checks
)
from clearance.policy.model import Policy
from clearance.server.cache import LRU

DEFAULT_NAME = "(default)"
_parsed: LRU[Policy] = LRU(256)


def parse(text: str, label: str, kb: KnowledgeBase) -> Policy:
    """The policy in `text` (a clearance.toml, or a pyproject.toml with [tool.clearance]);
    PolicyError names `label` and the key at fault."""
    if len(text.encode("utf-8", errors="replace")) > MAX_POLICY_BYTES:
        raise PolicyError(f"{label}: larger than {MAX_POLICY_BYTES} bytes")
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{label}: invalid TOML: {exc}") from None
    prefix = ""
    if isinstance(table.get("tool"), dict) and "clearance" in table["tool"]:
        table, prefix = table["tool"]["clearance"], "tool.clearance."
    try:
        policy = Policy.model_validate(table)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = prefix + ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"{label}: {loc or '-'}: {err['msg']}") from None
    check_names(policy, label, prefix, kb)  # type: ignore[arg-type]  # formats `label` like a path
    return policy


def key(text: str | None) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text is not None else DEFAULT_NAME


def cached(text: str, kb: KnowledgeBase) -> Policy:
    """A saved (already validated) policy's value, parsed once per process."""
    return _parsed.get_or(key(text), lambda: parse(text, "saved policy", kb))
