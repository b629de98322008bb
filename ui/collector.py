"""Garbage collection on the GUI thread only, and only while no register work is under way.

Python's cyclic collector runs whenever allocations cross a threshold, on whichever thread is
allocating, and may then destroy Qt wrappers or database handles while the worker thread is in
the middle of its own work with them. As qutebrowser does, the app turns automatic collection
off and collects from a timer on the GUI thread, skipping a tick while the worker is busy.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1_000


class GarbageCollector(QObject):
    """Collects young objects every second and older generations as often as Python would.

    `stop()` puts automatic collection back as `start()` found it, so that collectors started
    one inside another (two windows, a test that turned it off) leave it off until the last stops.
    """

    def __init__(self, busy: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = busy
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.collect)

    def start(self) -> None:
        if not self.timer.isActive():
            self._was_enabled = gc.isenabled()
        gc.disable()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._was_enabled:
            gc.enable()

    def collect(self) -> int:
        """One tick: the generations whose counts passed their thresholds; 0 while busy."""
        if self._busy():
            return 0
        counts = gc.get_count()
        generation = -1
        for n, (count, threshold) in enumerate(zip(counts, self._thresholds, strict=True)):
            if count > threshold:
                generation = n
        return gc.collect(generation) if generation >= 0 else 0
