"""The walk shared by every structured config reader (YAML, JSON, TOML): which scalar, under
which key, holds an id.

A reader reports each scalar with the key it sits under and the *context* kind (the kind of
the nearest model or dataset key above it); `Context.value` decides. A key in the vocabulary of
`keys.py` gives its kind (`dataset: org/d`, `datasets: [org/a, org/b]`); a generic key such as
`path` or `name` counts only under a model or dataset key (axolotl's `datasets: [{path: org/d}]`),
and so does a mapping key that is itself an org/name id (alignment-handbook's
`dataset_mixer: {org/d: 1.0}`). Any scalar that is a whole Hub URL counts, whatever its key.

A value written as an environment placeholder with a default, `${VAR:default}` (the syntax of
private-gpt's and many apps' settings loaders) or `${VAR:-default}` (shell's, docker-compose's),
counts as its default: that is what the project runs with when nothing is set.

Under a key that names a hosted service with its own model catalogue (`watsonx:`, `ollama:`;
`keys.service_scoped`), model names are that service's, so nothing below it counts by its key;
Hub URLs still do.
"""

from __future__ import annotations

import re

from clearance.scan.collect import Collector
from clearance.scan.hubid import mentions_url
from clearance.scan.keys import (
    TRIGGERS,
    context_kind,
    is_subkey,
    key_kind,
    lists_ids_as_keys,
    service_scoped,
    subkey_takes_bare,
)
from clearance.scan.model import RANK_KEY, RANK_URL

SERVICE = "service"  # the context below a hosted service's key: its names are not Hub ids
_PLACEHOLDER = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_.,]*:-?(.*)\}$", re.DOTALL)


def env_default(text: str) -> str:
    """`${VAR:default}` / `${VAR:-default}` -> `default`; any other text as it is."""
    if text.startswith("${"):
        match = _PLACEHOLDER.match(text.strip())
        if match:
            return match.group(1).strip()
    return text


def could_hold_ids(text: str) -> bool:
    """Cheap, before a config is parsed: does it mention a model/dataset-ish word or a Hub URL at all?"""
    lower = text.lower()
    return any(t in lower for t in TRIGGERS) or mentions_url(lower)


class Context:
    def __init__(self, col: Collector, label: str) -> None:
        self.col = col
        self.label = label  # "config key", "TOML key", ...

    def child_context(self, key: str | None, inherited: str | None) -> str | None:
        """The context kind of a container found under `key`."""
        if inherited == SERVICE or (key is not None and service_scoped(key)):
            return SERVICE
        if key is not None:
            found = context_kind(key)
            if found:
                return found
        return inherited

    def key(self, key: object, inherited: str | None, line: int, parent: str | None) -> None:
        """A key of the mapping found under `parent`: an org/name id counts when `parent` lists ids
        (`dataset_mixer: {org/d: 0.5}`)."""
        if (inherited and inherited != SERVICE and parent is not None and isinstance(key, str) and "/" in key
                and len(key) < 200 and lists_ids_as_keys(parent)):
            self.col.add(key, line, f"{self.label} (an id as key)", kind=inherited, rank=RANK_KEY)

    def value(self, key: str | None, inherited: str | None, text: str, line: int) -> None:
        if not text or len(text) > 400:
            return
        text = env_default(text)
        if key is not None and inherited != SERVICE:
            found = None if inherited and is_subkey(key) else key_kind(key)  # `datasets: [{repo_id: org/d}]`
            if found:
                self.col.add(text, line, f"{self.label} {key}", kind=found.kind, bare=found.bare, rank=RANK_KEY,
                             strict=found.strict, role=found.role)
                return
            if inherited and is_subkey(key):
                self.col.add(text, line, f"{self.label} {key}", kind=inherited, rank=RANK_KEY,
                             bare=subkey_takes_bare(key, inherited))
                return
        if mentions_url(text):
            self.col.add(text, line, f"{self.label} huggingface.co URL", rank=RANK_URL)
