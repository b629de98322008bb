"""Help → Keyboard shortcuts: every shortcut of the main window, listed from its actions."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

GENERAL = (
    ("Alt + underlined letter", "Go to the field or button with that letter"),
    ("Tab / Shift+Tab", "Move to the next / previous control"),
    ("Enter (in a table)", "Open the selected row"),
)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None, shortcuts: Sequence[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [*shortcuts, *GENERAL]
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, (keys, does) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(does))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The whole app works from the keyboard."))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(560, 520)

    @classmethod
    def ask(cls, parent: QWidget | None, shortcuts: Sequence[tuple[str, str]]) -> None:
        cls(parent, shortcuts).exec()
