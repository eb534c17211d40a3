"""References to artifacts, matched as the Hub matches them.

A reference is a Hub id (`org/name`, or a legacy `name`), optionally `@revision`, a Hub URL
(`https://huggingface.co/org/name`, `/datasets/org/name`, `/tree/<rev>`), or — only where a
local file gave it, or for the user's own target — a path on this machine. Ids compare
case-insensitively: `key()` is the lower-cased form, prefixed by the kind, because a model and
a dataset may share an id.
"""

from __future__ import annotations

import os
import re
from dataclasses import field
from urllib.parse import unquote

from clearance.util import TYPE_CHECKING
from clearance.util.errors import ClearanceError
from clearance.util.lean import value

if TYPE_CHECKING:
    from clearance.artifacts.model import Kind


MAX_REF_CHARS = 400
_URL = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?P<rest>[^?#]*)", re.IGNORECASE
)
_HF_URI = re.compile(r"^hf://(?P<rest>.*)$", re.IGNORECASE)
# Not huggingface_hub's validate_repo_id: that enforces today's rules for *new* repositories
# (at most 96 characters, no `.git` ending), and the Hub still hosts older ones that break them
# (79 of the 29,432 models of Feb 2022, names up to 250 characters). Ids here must match what the Hub actually serves.
_HUB_ID = re.compile(r"^(?:[\w][\w.-]{0,254}/)?[\w][\w.-]{0,254}$")


class InvalidRef(ClearanceError, ValueError):
    """Text that is neither a Hub id, a Hub URL nor (where allowed) a local path."""


@value
class Ref:
    """A parsed reference to a Hub repository (or a local path): kind, id, revision."""

    id: str  # as written (without URL parts or @revision); for a path, the absolute path
    kind: Kind = "model"
    revision: str | None = None
    is_path: bool = False
    key: str = field(init=False, repr=False, compare=False)  # what matching compares

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", path_key(self.id) if self.is_path else key(self.kind, self.id))


def key(kind: str, artifact_id: str) -> str:
    return f"{kind}:{artifact_id.lower()}"


# Dataset names that are no Hub dataset: TRL's trainers write `generator` in a card's
# `datasets:` when the training data was built in memory (Dataset.from_generator).
NOT_DATASETS = frozenset({"generator"})


def path_key(path: str) -> str:
    return f"path:{path}"


def looks_like_path(text: str) -> bool:
    first = text[:1]
    if first in ("/", "~", "\\"):
        return True
    if first == ".":
        return text in (".", "..") or text.startswith(("./", "../", ".\\", "..\\"))
    return len(text) > 2 and text[1] == ":" and text[2] in "\\/" and text[0].isalpha()


def edge_parent_key(parent: str, kind: str) -> str:
    """The key of an edge's parent: edges hold ids (or absolute paths) as text."""
    return path_key(parent) if looks_like_path(parent) else key(kind, parent)


def parse_ref(text: object, kind: Kind = "model", *, allow_path: bool = False) -> Ref:
    """Parse one reference; raise InvalidRef with the reason when it is none."""
    if not isinstance(text, str):
        raise InvalidRef(f"not a string but {type(text).__name__}")
    raw = text
    text = text.strip()
    if not text:
        raise InvalidRef("empty reference")
    if len(text) > MAX_REF_CHARS:
        raise InvalidRef(f"{len(text)} characters: too long for a Hub id")
    if looks_like_path(text):
        if not allow_path:
            raise InvalidRef(f"{raw!r} is a local path, and local paths are only followed from local files")
        return Ref(os.path.abspath(os.path.expanduser(text)), kind, None, True)
    revision = None
    match = _URL.match(text) or _HF_URI.match(text)
    if match:
        text, kind, revision = _from_url(unquote(match.group("rest")), kind)
    else:
        if text.lower().startswith("datasets/"):
            kind, text = "dataset", text[len("datasets/"):]
        elif text.lower().startswith("models/"):
            text = text[len("models/"):]
        if "@" in text:
            text, _, revision = text.partition("@")
            revision = revision.strip() or None
    text = text.strip().strip("/")
    if not _HUB_ID.match(text):
        raise InvalidRef(f"{raw!r} is not a Hub id (org/name, letters, digits, '-', '_', '.')")
    return Ref(text, kind, revision, False)


def _from_url(rest: str, kind: Kind) -> tuple[str, Kind, str | None]:
    parts = [p for p in rest.split("/") if p]
    if parts and parts[0].lower() in ("datasets", "models", "spaces"):
        if parts[0].lower() == "spaces":
            raise InvalidRef("a Space is not a model or a dataset")
        kind = "dataset" if parts[0].lower() == "datasets" else "model"
        parts = parts[1:]
    revision = None
    # org/name[/tree|blob|resolve/<rev>/...]; a legacy id has no org: name/tree/<rev>
    for i, part in enumerate(parts[:3]):
        if part in ("tree", "blob", "resolve", "commit") and i in (1, 2):
            revision = parts[i + 1] if len(parts) > i + 1 else None
            parts = parts[:i]
            break
    else:
        parts = parts[:2]
    text = "/".join(parts)
    if "@" in text:
        text, _, revision = text.partition("@")
    return text, kind, revision or None
