"""Hybrid logical clock: wall-clock milliseconds with a logical counter, packed in one integer.

A stamp is ``(milliseconds << 16) | counter``. Every stamp a device issues is greater than every
stamp it has issued or seen, so an edit made after seeing another edit always sorts after it,
whatever the laptops' wall clocks say.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def stamp_ms(stamp: int) -> int:
    return stamp >> COUNTER_BITS


def stamp_datetime(stamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp_ms(stamp) / 1000, tz=dt.UTC)


class HybridClock:
    """Issues stamps; `observe` folds in stamps received from other devices."""

    def __init__(self, last: int = 0, now_ms: Callable[[], int] = wall_ms) -> None:
        self._last = last
        self._now_ms = now_ms

    @property
    def last(self) -> int:
        return self._last

    def tick(self) -> int:
        physical = self._now_ms() << COUNTER_BITS
        self._last = physical if physical > self._last else self._last + 1
        return self._last

    def observe(self, stamp: int) -> None:
        self._last = max(self._last, stamp)

    def too_far_ahead(self, stamp: int, tolerance_ms: int) -> bool:
        """A stamp more than `tolerance_ms` ahead of this machine's wall clock."""
        return stamp_ms(stamp) > self._now_ms() + tolerance_ms
