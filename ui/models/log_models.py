"""The Intelligence Network's logs (gaps, planned reviews, research, barriers) as tables."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from app.errors import RegisterError
from app.logs import LOG_FIELDS, LogEntry, update_log_entry
from app.register import Register
from ui.models.record_table import Column, RecordTableModel

# Column and RecordTableModel live in ui.models.record_table; named here only until
# ui/models/sync_models.py imports them from there.
__all__ = ["LOG_COLUMNS", "LogTableModel"]

_LOG_KINDS = {"raised_on": "date", "due_on": "date"}
LOG_COLUMNS: tuple[Column, ...] = tuple(
    Column(name, label, kind=_LOG_KINDS.get(name, "text"), editable=True)
    for name, label in LOG_FIELDS
)


class LogTableModel(RecordTableModel):
    """One of the Intelligence Network's logs, every cell editable through the log."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(LOG_COLUMNS, parent)
        self.register: Register | None = None
        self.writer = self._write

    def set_entries(self, register: Register | None, entries: Sequence[LogEntry]) -> None:
        self.register = register
        self.set_rows(entries)

    def _write(self, entry_id: str, name: str, value: Any) -> None:
        if self.register is None:
            raise RegisterError("The register is locked; unlock it to edit the log.")
        update_log_entry(self.register, entry_id, {name: value})

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and column.name == "description"
                and row.description):  # fmt: skip
            return row.description
        return None
