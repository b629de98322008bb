"""Fixtures for the desktop tests: offscreen Qt, a seeded register copied per test, settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from tests.desktop_fixtures import (  # noqa: E402, F401  (fixtures and names the tests share)
    TODAY,
    Shown,
    build_register,
    copy_register,
    empty_register,
    register,
    register_folder,
    seed,
    seeded_folder,
    settings_file,
    shown,
)
from tests.desktop_helpers import (  # noqa: E402, F401
    open_in,
    settle,
    show_window,
    unlock_as_typed,
)
from ui.main_window import MainWindow  # noqa: E402
from ui.workers import TaskRunner  # noqa: E402


def open_window(qtbot: QtBot, folder: Path, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # fmt: skip
    """The main window, shown at 1,085 x 760, on the register at `folder` (unlocked as if typed).

    Returns once the register is open and its first sync round is over.
    """
    unlock_as_typed(monkeypatch)
    window = show_window(qtbot, tmp_path / "settings.ini", (1085, 760))
    open_in(qtbot, window, folder)
    return window


@pytest.fixture()
def runner(qtbot: QtBot) -> TaskRunner:
    """A task runner whose host widget the test closes: its worker thread ends with it."""
    host = QWidget()
    qtbot.addWidget(host)
    return TaskRunner(host)
