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

from starlette.concurrency import run_in_threadpool

V = TypeVar("V")


class LRU(Generic[V]):
    """At most `size` entries and, with `weigh`, at most `max_bytes` of them by that measure
    (the least recently used go first)."""

    def __init__(self, size: int, ttl: float | None = None, max_bytes: int | None = None,
                 weigh: Callable[[V], int] | None = None) -> None:
        self.size, self.ttl = size, ttl
        self.max_bytes, self._weigh = (max_bytes, weigh) if weigh is not None else (None, None)
        self._data: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.bytes = 0  # the weight held, with `weigh`

    def __len__(self) -> int:
        return len(self._data)

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
        weigh = self._weigh
        with self._lock:
            old = self._data.get(key)
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            if weigh is not None:
                self.bytes += weigh(value) - (weigh(old[1]) if old is not None else 0)
            while len(self._data) > self.size or (weigh is not None and self.bytes > self.max_bytes and self._data):
                _, (_, gone) = self._data.popitem(last=False)
                if weigh is not None:
                    self.bytes -= weigh(gone)
        return value

    def get_or(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


async def get_or_compute(cache: LRU[V], key: Hashable, make: Callable[[], V | None]) -> V | None:
    """For a request handler: the cached value, from one lookup; on a miss, `make` runs on the
    thread pool (off the event loop) and what it returns is kept (None: nothing is kept).
    Requests that miss together each compute it, as they would have with get_or."""
    found = cache.get(key)
    if found is None:
        found = await run_in_threadpool(make)
        if found is not None:
            cache.put(key, found)
    return found
