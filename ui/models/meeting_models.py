"""Table models of meetings, the papers of a meeting (lettered A, B, C…) and its decisions."""

from __future__ import annotations

from typing import Any

from app.errors import RegisterError
from app.meetings import DECISION_OUTCOME_LABELS, MEETING_STATUS_LABELS, update_decision
from app.register import Register
from ui.models.record_table import Column, RecordTableModel

MEETING_COLUMNS = (
    Column("meeting_date", "Date", kind="date"),
    Column("start_time", "Time"),
    Column("body", "Body"),
    Column("location", "Location"),
    Column("status", "Status", show=lambda row: MEETING_STATUS_LABELS.get(row.status, row.status)),
    Column("paper_count", "Papers", kind="count"),
)

PAPER_COLUMNS = (
    Column("letter", "Paper"),
    Column("subject", "Subject"),
    Column("discussion_minutes", "Minutes", kind="int"),
    Column("author_name", "Author"),
)

DECISION_COLUMNS = (
    Column("paper_letter", "Paper"),
    Column("agreement_reference", "Agreement"),
    Column("decision", "Decision", editable=True),
    Column(
        "outcome", "Outcome", show=lambda row: DECISION_OUTCOME_LABELS.get(row.outcome, row.outcome)
    ),
    Column("decided_on", "Decided on", kind="date", editable=True),
)


class MeetingTableModel(RecordTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(MEETING_COLUMNS, parent)


class PaperTableModel(RecordTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(PAPER_COLUMNS, parent)


class DecisionTableModel(RecordTableModel):
    """The decisions of a meeting; the wording and date are editable in place."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(DECISION_COLUMNS, parent)
        self.register: Register | None = None
        self.writer = self._write

    def _write(self, decision_id: str, name: str, value: Any) -> None:
        if self.register is None:
            raise RegisterError("The register is locked; unlock it to edit decisions.")
        update_decision(self.register, decision_id, {name: value})
