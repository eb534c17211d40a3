"""Strict validation of what a request names: model and dataset ids, license ids, project and
policy names. Everything a request names is checked here before it reaches the library, and
nothing a request names is ever a path: ids are parsed as Hub ids only (never a local folder).
"""

from __future__ import annotations

import re

from clearance.artifacts.ids import Ref
from clearance.util.errors import ClearanceError

# One id segment as the Hub serves it: ASCII letters, digits, '_', '.', '-'; not starting with
# '.' or '-'. Up to 255 characters: older repositories have names longer than today's 96.
_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}"
_HUB_ID = re.compile(rf"^(?:{_SEGMENT}/)?{_SEGMENT}$")
_LICENSE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
KINDS = ("model", "dataset")


class InvalidInput(ClearanceError, ValueError):
    """400: the message names the value and says what is expected."""


def hub_id(text: str, what: str = "model id") -> str:
    """`org/name` (or a legacy `name` without org, like `gpt2`), ASCII, as the Hub spells ids."""
    if not isinstance(text, str) or not text:
        raise InvalidInput(f"{what} is empty: expected org/name")
    if len(text) > 400:
        raise InvalidInput(f"{what} is {len(text)} characters: too long for a Hub id")
    if not _HUB_ID.match(text) or ".." in text:
        shown = text if len(text) <= 80 else text[:80] + "…"
        raise InvalidInput(f"{what} {shown!r} is not a Hub id: expected org/name with letters, digits, "
                           "'-', '_' or '.' (no URL, path, revision or spaces)")
    return text


def hub_ref(text: str, kind: str = "model") -> Ref:
    """A validated id as the engine's reference: always a Hub id, never a local path."""
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of: model, dataset")
    return Ref(hub_id(text, f"{kind} id"), kind)  # type: ignore[arg-type]


def license_id(text: str) -> str:
    if not _LICENSE_ID.match(text or ""):
        raise InvalidInput(f"license id {text[:80]!r} is not a license id: letters, digits, '.', '+', '_' or '-'")
    return text


def name(text: str, what: str) -> str:
    if not isinstance(text, str) or not _NAME.match(text):
        raise InvalidInput(f"{what} {str(text)[:80]!r}: 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return text
