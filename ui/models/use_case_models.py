"""Table models of use cases (the table alternative to the board) and of their benefits."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.errors import RegisterError
from app.register import Register
from app.use_cases import RAG_LABELS, STAGE_LABELS, update_benefit
from ui.models.record_table import Column, RecordTableModel

RAG_COLOURS: dict[str, QColor] = {
    "red": QColor(192, 0, 0),
    "amber": QColor(230, 145, 0),
    "green": QColor(0, 128, 60),
}

USE_CASE_COLUMNS = (
    Column("title", "Title"),
    Column("stage", "Stage", show=lambda row: STAGE_LABELS.get(row.stage, row.stage)),
    Column("rag", "RAG", show=lambda row: RAG_LABELS.get(row.rag, row.rag)),
    Column("lead_organisation", "Lead organisation"),
    Column("owner", "Owner"),
    Column("partner_count", "Partners", kind="count"),
    Column("agreement_count", "Agreements", kind="count"),
)

BENEFIT_COLUMNS = (
    Column("measure", "Measure", editable=True),
    Column("unit", "Unit", editable=True),
    Column("baseline", "Baseline", editable=True),
    Column("target", "Target", editable=True),
    Column("actual", "Actual", editable=True),
    Column("measured_on", "Measured on", kind="date", editable=True),
)


class UseCaseTableModel(RecordTableModel):
    """Use cases as a table, the RAG cell in its colour."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(USE_CASE_COLUMNS, parent)

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        if column.name == "rag" and row.rag in RAG_COLOURS:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(RAG_COLOURS[row.rag])
            if role == Qt.ItemDataRole.DecorationRole:
                return RAG_COLOURS[row.rag]
        return None


class BenefitTableModel(RecordTableModel):
    """The benefits of one use case, editable in place through the log."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(BENEFIT_COLUMNS, parent)
        self.register: Register | None = None
        self.writer = self._write

    def _write(self, benefit_id: str, name: str, value: Any) -> None:
        if self.register is None:
            raise RegisterError("The register is locked; unlock it to edit benefits.")
        update_benefit(self.register, benefit_id, {name: value})
