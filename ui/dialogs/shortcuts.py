"""Help → Keyboard shortcuts: the main window's shortcuts, each view's, and the keys that move."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.modal import run_modal
from ui.widgets.view_keys import MOVING_AROUND, VIEW_SHORTCUTS

SECTION_BACKGROUND = QColor(232, 236, 240)

Rows = list[tuple[str, str] | str]  # a (keys, does) row, or the heading of a section


def shortcut_rows(window_shortcuts: Sequence[tuple[str, str]]) -> Rows:
    """Every row the dialog lists: the window's shortcuts, each view's, then moving around.

    A window action without a key on this platform is left out rather than listed blank.
    """
    rows: Rows = ["Everywhere", *((k, d) for k, d in window_shortcuts if k.strip())]
    for view, keys in VIEW_SHORTCUTS:
        rows.append(f"In {view}")
        rows.extend(keys)
    rows.append("Moving around")
    rows.extend(MOVING_AROUND)
    return rows


class ShortcutsDialog(QDialog):
    """The keyboard shortcuts, by where they work."""

    def __init__(self, parent: QWidget | None, shortcuts: Sequence[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(shortcuts)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "Does"])
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)  # read only
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        bold = QFont(self.table.font())
        bold.setBold(True)
        for row, entry in enumerate(rows):
            if isinstance(entry, str):
                heading = QTableWidgetItem(entry)
                heading.setFont(bold)
                heading.setBackground(QBrush(SECTION_BACKGROUND))
                heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, 0, heading)
                self.table.setSpan(row, 0, 1, 2)
                continue
            keys, does = entry
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(does))
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(0, self.table.columnWidth(0) + 24)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        intro = QLabel("The whole app works from the keyboard. Menus open with Alt and the "
                       "underlined letter (Alt+F for File).")  # fmt: skip
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(640, 680)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.close_button.setFocus()  # Enter or Escape closes; Shift+Tab reaches the list

    def rows(self) -> list[tuple[str, str]]:
        """The (keys, does) rows shown, headings left out."""
        out = []
        for row in range(self.table.rowCount()):
            keys, does = self.table.item(row, 0), self.table.item(row, 1)
            if keys is not None and does is not None:
                out.append((keys.text(), does.text()))
        return out

    @classmethod
    def ask(cls, parent: QWidget | None, shortcuts: Sequence[tuple[str, str]]) -> None:
        run_modal(cls(parent, shortcuts))
