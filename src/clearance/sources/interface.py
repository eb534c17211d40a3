"""The one seam every source of artifacts sits behind (as pip-audit's dependency sources).

A source answers one question: what do you know about this reference? It returns a `Record`
(the artifact and the edges to its parents that its metadata states), or None when it does not
know it. Errors meant for the user are `SourceError`s with a message that names the file, line
or id at fault; they never carry a traceback to the user.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from clearance.artifacts.ids import Ref
from clearance.artifacts.model import Artifact, Edge
from clearance.util.errors import ClearanceError
from clearance.util.lean import value


class SourceError(ClearanceError):
    """A problem the user can act on (a missing or unreadable snapshot, an invalid target).

    The message is complete and meant to be printed as it is."""


class LookupFailed(SourceError):
    """One lookup failed (the Hub did not answer): the walk goes on and reports it."""


@value(slots=False)  # made a few times per run
class Record:
    """What a source knows about one repository: its metadata as the Hub would give it."""

    artifact: Artifact
    edges: tuple[Edge, ...] = ()  # to the artifact's parents (bases and training datasets)


class Source(ABC):
    """Where artifacts come from: a local folder, the HF cache, the Hub API, a snapshot file."""

    name: str = "source"
    answers_ids: bool = True  # Hub ids (org/name)
    answers_paths: bool = False  # paths on this machine

    @abstractmethod
    def lookup(self, ref: Ref) -> Record | None:
        """The record for `ref`, or None when this source does not know it.

        Raise LookupFailed when the source could not answer (the walk goes on)."""
