"""A small thread-safe LRU with an optional time to live, for verdicts and graphs.

Written here rather than taken from a library: functools.lru_cache has no TTL and cannot be
cleared per key, and the dozen lines below spare a dependency (cachetools) for one use.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LRU(Generic[V]):
    def __init__(self, size: int, ttl: float | None = None) -> None:
        self.size, self.ttl = size, ttl
        self._data: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> V | None:
        # No lock on the read path (every request reads several caches): OrderedDict's get and
        # move_to_end are single C calls under the GIL; a key evicted between the two is a miss.
        # The counters are statistics and may lose an increment under a race.
        entry = self._data.get(key)
        if entry is None or (self.ttl is not None and time.monotonic() - entry[0] > self.ttl):
            self.misses += 1
            return None
        try:
            self._data.move_to_end(key)
        except KeyError:
            self.misses += 1
            return None
        self.hits += 1
        return entry[1]

    def __contains__(self, key: Hashable) -> bool:
        """Present and fresh (without counting as a hit or moving it)."""
        entry = self._data.get(key)
        return entry is not None and (self.ttl is None or time.monotonic() - entry[0] <= self.ttl)

    def put(self, key: Hashable, value: V) -> V:
        if self.size <= 0:
            return value
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def get_or(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
