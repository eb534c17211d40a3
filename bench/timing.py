"""The timer the benchmarks share: the best of `repeat` runs of a function (the least disturbed
by other work on the machine), with a garbage collection before each so runs start equal."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_of(fn: Callable[[], T], repeat: int, *, collect: bool = True) -> tuple[float, T]:
    """(fastest wall time in seconds, the last run's result)."""
    best, result = float("inf"), None
    for _ in range(max(repeat, 1)):
        if collect:
            gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result  # type: ignore[return-value]
