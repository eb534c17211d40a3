"""Which source answers for a reference: the first, in the order given.

The usual order (see `api.default_sources`): a local path, then each snapshot, then the HF
cache, then the Hub API unless offline. Answers are remembered per reference, so a walk asks
each source at most once per artifact.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from clearance.artifacts.ids import InvalidRef, Ref, parse_ref
from clearance.sources.interface import LookupFailed, Record, Source, SourceError
from clearance.util.lean import value


@value
class Answer:
    """What the sources said about one reference: its record, or why there is none."""

    record: Record | None
    notes: tuple[str, ...] = ()  # lookups that failed on the way (the walk reports them)


class Resolver:
    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = list(sources)
        self._memo: dict[tuple[str, str | None], Answer] = {}

    def resolve(self, ref: Ref) -> Answer:
        memo_key = (ref.key, ref.revision)
        found = self._memo.get(memo_key)
        if found is None:
            notes: list[str] = []
            record = None
            for source in self.sources:
                try:
                    record = source.lookup(ref)
                except LookupFailed as exc:
                    notes.append(f"{source.name}: {exc}")
                    continue
                if record is not None:
                    break
            found = self._memo[memo_key] = Answer(record, tuple(notes))
        return found

    def tried(self, ref: Ref) -> str:
        names = [s.name for s in self.sources if (s.answers_paths if ref.is_path else s.answers_ids)]
        return ", ".join(names) or "no source"


def target_ref(target: str | Ref) -> Ref:
    """The user's target: an existing local path, else a Hub id or URL (`datasets/` for a dataset)."""
    if isinstance(target, Ref):
        return target
    if not isinstance(target, str) or not target.strip():
        raise SourceError("no target given: name a Hub id (org/name), a Hub URL or a local model folder")
    text = target.strip()
    if os.path.exists(os.path.expanduser(text)):
        return parse_ref(text if text.startswith(("/", ".", "~")) else "./" + text, allow_path=True)
    try:
        return parse_ref(text)
    except InvalidRef as exc:
        raise SourceError(f"{target!r} is neither an existing path nor a Hub id: {exc}") from None
