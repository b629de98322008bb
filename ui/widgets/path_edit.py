"""A line edit for a folder's path that shows the path from its start.

`QLineEdit.setText` leaves the cursor at the end, so a long path in a narrow field shows only
its last folders and hides the drive and share it lives on, which is what a person checks.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QWidget


def show_start(edit: QLineEdit) -> None:
    """Scroll a line edit back to the start of its text (after text was put in it)."""
    edit.setCursorPosition(0)


class PathEdit(QLineEdit):
    """A folder's path: a path put in shows from its start; the tooltip holds the whole path."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.textChanged.connect(self.setToolTip)
        self.setText(text)

    def setText(self, text: str | None) -> None:
        super().setText(text)
        show_start(self)
