"""A table model over rows of frozen dataclasses, optionally editable in place through the log.

Each `Column` names a field of the row's dataclass; the use case, organisation, assessment,
meeting, log and sync models build on `RecordTableModel`. An editable model writes a changed cell
through a service call (one batch of operations), then shows the row as written. A value the
service refuses is reported through `problem_raised`, never a traceback.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.domain import format_uk_date
from app.errors import FieldProblem, RegisterError, ValidationError
from app.values import parse_uk_date

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Column:
    """One column: the row field it shows, its heading, and how it is shown and edited."""

    name: str
    label: str
    kind: str = "text"  # text / date / int / bool / count
    editable: bool = False
    show: Callable[[Any], str] | None = None  # display text from the whole row
    tip: str = ""  # what the heading means, when its words are short

    def display(self, row: Any) -> str:
        if self.show is not None:
            return self.show(row)
        value = getattr(row, self.name)
        if self.kind == "date":
            return format_uk_date(value)
        if self.kind == "bool":
            return "" if value is None else ("Yes" if value else "No")
        return "" if value is None else str(value)

    def edit_text(self, row: Any) -> str:
        value = getattr(row, self.name)
        if self.kind == "date":
            return format_uk_date(value)
        return "" if value is None else str(value)

    def parse(self, text: str) -> Any:
        """The typed value of `text` typed into this column; raises ValidationError."""
        cleaned = text.strip()
        try:
            if self.kind == "date":
                return parse_uk_date(cleaned) if cleaned else None
            if self.kind == "int":
                return int(cleaned) if cleaned else None
        except ValueError as exc:
            message = str(exc) if self.kind == "date" else f"{text!r} is not a whole number."
            raise ValidationError([FieldProblem(self.name, message)]) from None
        return text


Writer = Callable[[str, str, Any], object]
"""Writes one field of one record: (record id, field name, typed value)."""


class RecordTableModel(QAbstractTableModel):
    """Rows of frozen dataclasses (each with an `id`), optionally editable through a writer."""

    problem_raised = Signal(str)
    """A write was refused: the message says why, for the person to act on."""
    cell_written = Signal(str, str)
    """A cell was written through the log: (record id, field name)."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self._rows: list[Any] = []
        self.writer: Writer | None = None

    # -- feeding

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def row_of(self, record_id: str) -> int:
        for n, row in enumerate(self._rows):
            if self.row_id(row) == record_id:
                return n
        return -1

    def column_of(self, name: str) -> int:
        for n, column in enumerate(self.columns):
            if column.name == name:
                return n
        raise KeyError(name)

    # -- hooks for subclasses

    def row_id(self, row: Any) -> str:
        """The record id of a row (its `id` field unless a subclass says otherwise)."""
        return str(row.id)

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        """Colours, fonts and tips of a cell; nothing by default."""
        return None

    # -- Qt

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip or column.label
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.writer is not None and self.columns[index.column()].editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.display(row)
        if role == Qt.ItemDataRole.EditRole:
            return column.edit_text(row)
        if role == ID_ROLE:
            return self.row_id(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind in ("count", "int"):
            return NUMBER_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole and column.kind == "date" and column.editable:
            return "Write dates as dd/mm/yyyy"
        # a cell cut short shows its whole text as a tip: see ui.widgets.tables
        return self.decorate(row, column, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or not index.isValid() or self.writer is None
                or not self.columns[index.column()].editable):  # fmt: skip
            return False
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        try:
            typed = column.parse("" if value is None else str(value))
            if typed == getattr(row, column.name):
                return True
            self.writer(self.row_id(row), column.name, typed)
        except ValidationError as exc:
            self.problem_raised.emit(_problem_text(exc, self.columns))
            return False
        except RegisterError as exc:
            self.problem_raised.emit(exc.message)
            return False
        self._rows[index.row()] = dataclasses.replace(row, **{column.name: typed})
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])
        self.cell_written.emit(self.row_id(row), column.name)
        return True


def _problem_text(exc: ValidationError, columns: Sequence[Column]) -> str:
    labels = {c.name: c.label for c in columns}
    return " ".join(f"{labels.get(p.field, p.field)}: {p.message}" for p in exc.problems)
