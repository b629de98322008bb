"""The GUI-thread garbage collector: collects cycles when idle, never while work runs."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from ui.collector import GarbageCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_collects_cycles_only_when_the_worker_is_idle(qtbot: QtBot) -> None:
    busy = [True]
    collector = GarbageCollector(lambda: busy[0])
    collector.start()
    try:
        assert not gc.isenabled()
        gc.collect()
        for _ in range(2000):  # past the youngest generation's threshold
            _Cycle()
        assert collector.collect() == 0  # busy: nothing collected
        busy[0] = False
        assert collector.collect() >= 2000
        with qtbot.waitSignal(collector.timer.timeout, timeout=5_000):
            pass  # and the timer keeps ticking on the GUI thread
    finally:
        collector.stop()
    assert gc.isenabled()
