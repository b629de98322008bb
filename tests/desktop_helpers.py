"""Desktop test pieces shared by tests/ui and tests/e2e: a shown window, unlocked as if typed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QTableView, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from tests.fast_keys import PASSPHRASE
from ui.dialogs.unlock import UnlockAnswer, UnlockDialog
from ui.main_window import MainWindow
from ui.settings import Settings

OPEN_TIMEOUT_MS = 20_000  # opening derives a key and loads the first screen


@dataclass(frozen=True)
class UnlockAsked:
    """One question the unlock dialog was asked: which register, and the problem it showed."""

    path: Path
    error: str


def unlock_as_typed(monkeypatch: pytest.MonkeyPatch, *passphrases: str) -> list[UnlockAsked]:
    """Answer the unlock dialog as a person typing each passphrase in turn, then the last again.

    With none given, the test passphrase; "remember on this device" is left unticked. Returns the
    list of what the dialog was asked, one entry each time, filled in as the app asks.
    """
    typed = passphrases or (PASSPHRASE,)
    asked: list[UnlockAsked] = []

    def ask(cls: type[UnlockDialog], parent: QWidget | None, register_path: Path,
            error: str = "") -> UnlockAnswer:  # fmt: skip
        asked.append(UnlockAsked(register_path, error))
        return UnlockAnswer(typed[min(len(asked), len(typed)) - 1], False)

    monkeypatch.setattr(UnlockDialog, "ask", classmethod(ask))
    return asked


def show_window(qtbot: QtBot, settings_file: Path,
                size: tuple[int, int] | None = None) -> MainWindow:  # fmt: skip
    """A main window keeping its settings in `settings_file`, shown at `size` (else its own)."""
    window = MainWindow(Settings(settings_file))
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    return window


def open_in(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """Open the register at `folder` in `window`; returns once its first sync round is over."""
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=OPEN_TIMEOUT_MS):
        window.open_register(folder)


def settle() -> None:
    """Carry out what waits (layouts, counts to show), as the event loop does before it paints."""
    for _ in range(10):
        QApplication.sendPostedEvents(None, 0)


def resize_to(widget: QWidget, width: int, height: int = 760) -> None:
    """Resize `widget` and carry out the layouts waiting, as the event loop would."""
    widget.resize(width, height)
    settle()


def tip_at(table: QTableView, row: int, column: int) -> str:
    """The tip hovering over a cell shows ("" for none)."""
    centre = table.visualRect(table.model().index(row, column)).center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, table.viewport().mapToGlobal(centre))
    QApplication.sendEvent(table.viewport(), event)
    tip = QToolTip.text() if event.isAccepted() else ""  # a tip hidden lingers a moment
    QToolTip.hideText()
    return tip
