"""The history table: one row per change read from the operation log, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.history import HistoryEntry

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("When", "Who", "Record", "Field", "Change", "From", "To")


def _cells(entry: HistoryEntry) -> tuple[str, ...]:
    return (
        entry.when_text,
        entry.author,
        entry.record_label,
        entry.field_label,
        entry.kind_label,
        entry.old_text,
        entry.new_text,
    )


class HistoryTableModel(QAbstractTableModel):
    """Rows of `HistoryEntry`, newest first; long values are cut to one line with a tooltip."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        self._cells: list[tuple[str, ...]] = []

    def set_entries(self, entries: Sequence[HistoryEntry]) -> None:
        self.beginResetModel()
        self._entries = sorted(entries, key=lambda e: e.hlc, reverse=True)
        self._cells = [_cells(e) for e in self._entries]
        self.endResetModel()

    def entry_at(self, row: int) -> HistoryEntry:
        return self._entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(HEADERS)):  # fmt: skip
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._cells)):
            return None
        text = self._cells[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            first = text.splitlines()[0] if text else ""
            return first if len(first) <= 80 else first[:79] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and text:
            entry = self._entries[index.row()]
            return f"{text}\n\n{entry.batch_label} — device {entry.device}"
        return None
