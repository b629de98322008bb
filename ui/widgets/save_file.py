"""Asking where to save an Excel workbook: one way for every "Save as…" of the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

WORKBOOK_FILTER = "Excel workbook (*.xlsx)"


def ask_workbook_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """Where the person wants a workbook saved, ending in .xlsx; None if they cancelled.

    The suffix is added when the name typed has none (not every file dialog adds it).
    """
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), WORKBOOK_FILTER)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def documents_folder() -> Path:
    """The person's Documents folder (their home folder where the system names none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()
