"""Composition root of the desktop app: `isr` and `isr open REGISTER` end up in `run()`."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow
from ui.settings import APPLICATION, ORGANISATION, Settings

log = logging.getLogger(__name__)


def application() -> QApplication:
    """Return the QApplication, made once with the names QSettings files its data under."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Information Sharing Register")
    return app


def start(window: MainWindow, register_path: Path | None) -> None:
    """What the window does first: open the given or last register, else the first-run screen."""
    path = register_path or window.settings.last_register()
    if path is not None and path.exists():
        window.open_register(path)
    else:
        window.first_run()


def run(register_path: Path | None) -> int:
    """Show the main window (on `register_path` when given) and run until it closes."""
    app = application()
    window = MainWindow(Settings())  # it collects cyclic garbage on this thread itself
    window.show()
    QTimer.singleShot(0, lambda: start(window, register_path))
    return app.exec()
