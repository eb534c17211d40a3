"""Hub analytics for the dashboard: `clearance.analytics.hub.HubAnalysis` over the configured
snapshots, loaded once per process (in the background from startup) and each answer cached."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clearance.analytics.periods import DEFAULT_PERIOD
from clearance.server.cache import LRU
from clearance.util.errors import ClearanceError


class NoSnapshots(ClearanceError):
    """404: the server was started without --snapshot."""


class HubStats:
    def __init__(self, snapshots: Sequence[Path]) -> None:
        self.snapshots = list(snapshots)
        self._analysis = None
        self._error: Exception | None = None
        self._load_lock = threading.Lock()
        self._query_lock = threading.Lock()  # one DuckDB connection: one query at a time
        self._answers: LRU[Any] = LRU(64)

    def warm(self) -> None:
        """Load in a background thread, so the first request does not wait for all of it."""
        if self.snapshots:
            threading.Thread(target=self._safe_load, name="clearance-hub-warm", daemon=True).start()

    @property
    def loaded(self) -> bool:
        """Nothing left to load: loaded, failed (requests say why), or no snapshot at all."""
        return not self.snapshots or self._analysis is not None or self._error is not None

    def _safe_load(self) -> None:
        try:
            self._load()
        except Exception:  # noqa: BLE001 - reported to the request that asks
            pass

    def _load(self):
        if not self.snapshots:
            raise NoSnapshots("no snapshot configured: start the server with --snapshot FILE for Hub analytics")
        with self._load_lock:
            if self._error is not None:
                raise self._error
            if self._analysis is None:
                from clearance.analytics.hub import HubAnalysis
                from clearance.analytics.tables import SnapshotError

                try:
                    self._analysis = HubAnalysis(self.snapshots)
                except Exception as exc:  # noqa: BLE001 - kept: every request reports it
                    self._error = exc if isinstance(exc, SnapshotError) else SnapshotError(f"Hub analytics failed: {exc}")
                    raise self._error from None
            return self._analysis

    def _answer(self, key: tuple, make):
        found = self._answers.get(key)
        if found is None:
            analysis = self._load()
            with self._query_lock:
                found = self._answers.get(key)
                if found is None:
                    found = self._answers.put(key, make(analysis))
        return found

    def stats(self, top: int = 20) -> dict[str, Any]:
        return self._answer(("stats", top), lambda a: a.stats(top=top))

    def trends(self, by: str = DEFAULT_PERIOD) -> list[dict[str, Any]]:
        return self._answer(("trends", by), lambda a: a.trends(by))

    def families(self, top: int = 20) -> list[dict[str, Any]]:
        return self._answer(("families", top), lambda a: a.families(top))
