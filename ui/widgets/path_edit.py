"""A line edit for a folder's path: shown from its start, read one way.

`QLineEdit.setText` leaves the cursor at the end, so a long path in a narrow field shows only
its last folders and hides the drive and share it lives on, which is what a person checks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QWidget

from app.errors import RegisterError
from app.paths import LOCAL_EXAMPLE, path_from_text


def show_start(edit: QLineEdit) -> None:
    """Scroll a line edit back to the start of its text (after text was put in it)."""
    edit.setCursorPosition(0)


class PathEdit(QLineEdit):
    """A folder's path: a path put in shows from its start; the tooltip holds the whole path."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 example: str = LOCAL_EXAMPLE) -> None:  # fmt: skip
        super().__init__(parent)
        self._example = example  # how a whole path is written, for a refusal
        self.textChanged.connect(self.setToolTip)
        self.setText(text)

    def setText(self, text: str | None) -> None:
        super().setText(text)
        show_start(self)

    def path(self) -> Path:
        """The folder typed, as a whole path (`~` expanded).

        Raises `FolderError` (a `RegisterError`) saying what is wrong with what is typed.
        """
        return path_from_text(self.text(), self._example)

    def start_folder(self) -> str:
        """Where a folder picker opens: the folder typed, or '' (its own choice) if none is."""
        try:
            return str(self.path())
        except RegisterError:
            return ""
