"""The main window's own parts: views built when first shown, sync after the first screen,
the status bar, the idle timer and garbage collection on the GUI thread."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from ui import main_window
from ui.main_window import CONFLICTS_ROW, NAVIGATION, SHARING_ROW, DeferredView, MainWindow
from ui.settings import Settings

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    unlock_as_typed(monkeypatch)
    return show_window(qtbot, tmp_path / "settings.ini", (1400, 900))


def test_views_not_on_screen_are_built_when_first_shown(
    qtbot: QtBot, window: MainWindow, register_folder: Path
) -> None:
    open_in(qtbot, window, register_folder)
    stand_ins = [v for v in window.views if isinstance(v, DeferredView)]
    assert len(stand_ins) == len(NAVIGATION) - 1  # all but the dashboard, on screen
    assert all(v.built is None for v in stand_ins)

    window.navigate(CONFLICTS_ROW)
    conflicts = window.views[CONFLICTS_ROW]
    assert isinstance(conflicts, DeferredView) and conflicts.built is window.conflicts
    assert window.view_stack.currentWidget() is window.conflicts  # in its stand-in's place
    window.conflicts.conflicts_counted.emit(3)  # connected once built
    assert window.navigation.item(CONFLICTS_ROW).text() == "Conflicts (3)"

    window.navigate(SHARING_ROW)
    window.sharing.membership_changed.emit("Approved Sam's laptop.")
    assert window.statusBar().currentMessage() == "Approved Sam's laptop."

    agreements = window.views[NAVIGATION.index("Agreements")]
    assert isinstance(agreements, DeferredView) and agreements.built is None
    assert window.lock()  # nothing to ask about: the editor was never built
    assert agreements.built is None


def test_sync_on_open_waits_until_the_first_screen_has_loaded(
    qtbot: QtBot, window: MainWindow, register_folder: Path
) -> None:
    order: list[str] = []
    window.dashboard.loaded.connect(lambda: order.append("dashboard loaded"))
    window.sync_controller.round_started.connect(lambda: order.append("sync started"))
    with qtbot.waitSignal(window.register_opened, timeout=20_000):
        window.open_register(register_folder)
    assert not window.sync_controller.running
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
        pass
    assert order == ["dashboard loaded", "sync started"]


def test_a_register_locked_before_its_screen_loaded_is_not_synced(
    qtbot: QtBot, window: MainWindow, register_folder: Path
) -> None:
    started: list[int] = []
    window.sync_controller.round_started.connect(lambda: started.append(1))
    with qtbot.waitSignal(window.register_opened, timeout=20_000):
        window.open_register(register_folder)
    # locked at once: the dashboard's count, queued before the closing, ends after the lock
    with qtbot.waitSignals([window.dashboard.loaded, window.register_locked], timeout=20_000):
        assert window.lock()
    qtbot.wait(10)  # the start posted when the screen loaded has run by now
    assert started == [] and not window.sync_controller.running


def test_sync_on_open_starts_all_the_same_when_the_screen_never_says_it_loaded(
    qtbot: QtBot, window: MainWindow, register_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_window, "FIRST_SYNC_LATEST_MS", 50)
    monkeypatch.setattr(window.dashboard, "refresh", lambda: None)  # loads, never says so
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
        window.open_register(register_folder)
    assert window.sync_controller.rounds == 1


def test_status_bar_shows_each_part_that_says_something_with_a_line_between(
    qtbot: QtBot, window: MainWindow, register_folder: Path
) -> None:
    def shown() -> list[str]:
        return [part.text() if hasattr(part, "text") else "|"
                for separator, part in window._status_parts
                for part in (separator, part) if part.isVisibleTo(window)]  # fmt: skip

    assert shown() == []  # no register yet
    open_in(qtbot, window, register_folder)
    assert shown() == ["Northshire", "|", "Unlocked", "|", "Not shared"]
    with qtbot.waitSignal(window.register_locked, timeout=20_000):
        assert window.lock()
    assert shown() == [register_folder.name, "|", "Locked"]


def test_input_in_the_window_restarts_the_idle_timer(
    qtbot: QtBot, window: MainWindow, register_folder: Path
) -> None:
    open_in(qtbot, window, register_folder)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWindow() is window.windowHandle())
    hour = 3_600_000
    window.idle_timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may start late
    window.idle_timer.start(hour)
    qtbot.wait(50)
    before = window.idle_timer.remainingTime()
    assert before < hour
    handle = window.windowHandle()
    assert handle is not None
    press = QMouseEvent(QEvent.Type.MouseButtonPress, QPointF(5, 5), QPointF(5, 5),
                        Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(handle, press)
    assert window.idle_timer.remainingTime() > before


def test_the_window_collects_garbage_on_its_own_thread_while_open(
    qtbot: QtBot, tmp_path: Path
) -> None:
    gc.enable()  # as in the app before its window exists
    try:
        win = MainWindow(Settings(tmp_path / "settings.ini"))
        qtbot.addWidget(win)
        assert not gc.isenabled() and win.collector.timer.isActive()
        win.close()
        assert gc.isenabled() and not win.collector.timer.isActive()
    finally:
        gc.disable()  # as the GUI tests run (tests/conftest.py)
