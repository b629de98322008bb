"""Asking where to save an Excel workbook: one way for every "Save as…" of the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.widgets.modal import run_modal

WORKBOOK_FILTER = "Excel workbook (*.xlsx)"
WORKBOOK_SUFFIX = "xlsx"


def workbook_dialog(parent: QWidget | None, title: str, suggested: Path) -> QFileDialog:
    """The "Save as" dialog for a workbook, opened on the `suggested` file.

    The dialog itself adds .xlsx to a name typed without a suffix, before it asks whether to
    replace a file of that name: the question is about the file that will be written.
    """
    dialog = QFileDialog(parent, title, str(suggested), WORKBOOK_FILTER)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(WORKBOOK_SUFFIX)
    return dialog


def ask_workbook_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """Where the person wants a workbook saved; None if they cancelled.

    A name typed without a suffix ends in .xlsx; a name with another suffix is kept as typed,
    and the export or report refuses it with words (nothing replaced unasked).
    """
    dialog = workbook_dialog(parent, title, suggested)
    if not run_modal(dialog):
        return None
    chosen = dialog.selectedFiles()
    return Path(chosen[0]) if chosen else None


def documents_folder() -> Path:
    """The person's Documents folder (their home folder where the system names none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()
