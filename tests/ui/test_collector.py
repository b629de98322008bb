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
    gc.enable()  # as in a process that has not turned it off yet
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


def test_stopping_puts_automatic_collection_back_as_it_was(qtbot: QtBot) -> None:
    outer = GarbageCollector(lambda: False)
    inner = GarbageCollector(lambda: False)
    gc.enable()
    try:
        outer.start()
        inner.start()  # a second window, say: found collection already off
        inner.stop()
        assert not gc.isenabled()  # the outer one still needs it off
        outer.stop()
        assert gc.isenabled()
        gc.disable()  # a test (or the app) that turned it off keeps it off
        inner.start()
        inner.stop()
        assert not gc.isenabled()
    finally:
        gc.disable()  # as the GUI tests run (tests/conftest.py)
