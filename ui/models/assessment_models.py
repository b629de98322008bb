"""Table models of assessments and of the data items the selected one needs (shared ones marked)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.models.record_table import Column, RecordTableModel

SHARED_BACKGROUND = QColor(255, 243, 205)

ASSESSMENT_COLUMNS = (
    Column("title", "Title"),
    Column("kind", "Kind"),
    Column("lead", "Lead"),
    Column("statutory", "Statutory", kind="bool"),
    Column("item_count", "Data items", kind="count"),
    Column("shared_item_count", "Shared items", kind="count"),
)

NEEDED_ITEM_COLUMNS = (
    Column("title", "Data item"),
    Column("agreement_reference", "Agreement"),
    Column("agreement_title", "Agreement title"),
    Column(
        "also_needed_by",
        "Shared with",
        show=lambda row: "; ".join(row.also_needed_by) if row.shared else "Only this assessment",
    ),
)


class AssessmentTableModel(RecordTableModel):
    """The assessments (needs analyses), read only."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ASSESSMENT_COLUMNS, parent)


class NeededItemTableModel(RecordTableModel):
    """The data items one assessment needs; an item other assessments also need is marked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(NEEDED_ITEM_COLUMNS, parent)

    def row_id(self, row: Any) -> str:
        return str(row.data_item_id)

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column.name == "agreement_reference":
            return f"{row.agreement_reference}: {row.agreement_title}" if row.agreement_id else None
        if not row.shared:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(SHARED_BACKGROUND)
        if role == Qt.ItemDataRole.FontRole and column.name == "also_needed_by":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Also needed by: " + "; ".join(row.also_needed_by)
        return None
