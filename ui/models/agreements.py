"""The agreements table: rows prepared in `app.agreement_table`, filtered and sorted in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app.agreement_table import COLUMN_KEYS, COLUMNS, PreparedAgreements, review_state
from app.domain import AgreementSummary, format_uk_date

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
OVERDUE = QColor(176, 0, 32)  # the next review date of an overdue agreement
DUE = QColor(153, 90, 0)  # due within 90 days; both 5:1 or more on white


class AgreementTableModel(QAbstractTableModel):
    """Shows the result of a filter and a sort done over prepared rows; never a proxy."""

    sorted_by = Signal(str, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._prepared = PreparedAgreements([])
        self._rows: list[AgreementSummary] = []
        self._text = ""
        self._sort: tuple[str, bool] | None = None
        self.today = dt.date.today()

    # -- feeding

    def set_rows(self, rows: Sequence[AgreementSummary]) -> None:
        self._prepared = PreparedAgreements(rows)
        if self._sort is not None:
            self._prepared.sort(*self._sort)
        self._refilter()

    def set_filter_text(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self._rows = self._prepared.view(self._text)
        self.endResetModel()

    @property
    def total(self) -> int:
        return len(self._prepared)

    def row_at(self, row: int) -> AgreementSummary:
        return self._rows[row]

    def row_of(self, agreement_id: str) -> int:
        for n, row in enumerate(self._rows):
            if row.id == agreement_id:
                return n
        return -1

    # -- Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):  # fmt: skip
            return COLUMNS[section].label
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column.key == "item_count":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if column.key == "review_date":
            state = review_state(row, self.today)
            if role == Qt.ItemDataRole.ForegroundRole and state:
                return QBrush(OVERDUE if state == "overdue" else DUE)
            if role == Qt.ItemDataRole.ToolTipRole and state:
                when = format_uk_date(row.review_date)
                if state == "overdue":
                    return f"Review overdue since {when}"
                return f"Review due {when}"
        return None  # a cell cut short shows its whole text as a tip: see ui.widgets.tables

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMN_KEYS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        self._sort = (key, descending)
        self.layoutAboutToBeChanged.emit()
        self._prepared.sort(key, descending)
        self._rows = self._prepared.view(self._text)
        self.layoutChanged.emit()
        self.sorted_by.emit(key, descending)
