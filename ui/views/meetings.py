"""Meetings and papers: governance bodies' meetings, their papers lettered A, B, C…, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.meetings import (
    DECISION_OUTCOME_LABELS,
    MEETING_STATUS_LABELS,
    PAPER_FIELD_LABELS,
    Meeting,
    add_decision,
    add_paper,
    agreement_choices,
    create_body,
    create_meeting,
    delete_decision,
    delete_meeting,
    delete_paper,
    list_bodies,
    list_decisions,
    list_meetings,
    list_papers,
    update_meeting,
    update_paper,
)
from app.register import Register
from ui.models.meeting_models import DecisionTableModel, MeetingTableModel, PaperTableModel
from ui.widgets.focus import tab_order
from ui.widgets.master_detail import (
    RecordWriters,
    ShownRecord,
    delete_asked,
    select_row,
    still_listed,
)
from ui.widgets.record_form import FormField, ProblemLabel, RecordForm
from ui.widgets.scroll import VerticalScroll
from ui.widgets.tables import record_table, size_columns

MEETING_FORM = (
    FormField("body_id", "&Body", "choice"),
    FormField("meeting_date", "&Date", "date"),
    FormField("start_time", "T&ime", placeholder="e.g. 14:00"),
    FormField("location", "L&ocation"),
    FormField("status", "Stat&us", "choice", tuple(MEETING_STATUS_LABELS.items())),
)
# Alt+letter for each paper field; letters the meeting form and buttons beside it do not use
# (the author contact and marking go without: every letter of their names is taken)
_TEXT_FIELDS = {"key_issues", "request", "resource_implications", "background"}
_MNEMONICS = {
    "subject": "Sub&ject",
    "discussion_minutes": "Time for discussion (&minutes)",
    "key_issues": "&Key issues",
    "request": "&What the Board is asked to do",
    "resource_implications": "Resour&ce implications",
    "author_name": "Au&thor",
    "background": "Back&ground",
}
PAPER_FORM = tuple(
    FormField(
        name,
        _MNEMONICS.get(name, label),
        "text" if name in _TEXT_FIELDS else "int" if name == "discussion_minutes" else "line",
    )
    for name, label in PAPER_FIELD_LABELS.items()
)


def _first_meeting(rows: list[Meeting], today: dt.date) -> str:
    """The meeting shown first: the next one to come, else the latest held."""
    coming = [m for m in rows if m.meeting_date is not None and m.meeting_date >= today]
    if coming:
        return min(coming, key=lambda m: m.meeting_date or today).id
    return rows[0].id


def _create_meeting(register: Register, values: dict[str, Any]) -> str:
    """Add the meeting the form describes, of the body chosen in it."""
    body_id = values.pop("body_id")
    return create_meeting(register, body_id if isinstance(body_id, str) else None, values)


WRITERS = RecordWriters(_create_meeting, update_meeting, delete_meeting, "meeting")


class MeetingsView(QWidget):
    """The meetings of the governance bodies, and the papers and decisions of the selected one."""

    agreement_requested = Signal(str)
    """The person opened the agreement a decision concerns (its id)."""
    meeting_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._paper: str | None = None

        # -- meetings
        self.model = MeetingTableModel(self)
        self.table = record_table(self.model, "Meetings", self)
        size_columns(self.table, {0: 11, 1: 6, 3: 30, 4: 9, 5: 7}, stretch=(2,))
        self.table.setColumnHidden(self.model.column_of("location"), True)  # in the form below
        self.new_button = QPushButton("&New meeting", self)
        self.new_button.setAccessibleName("New meeting")
        self.new_button.clicked.connect(self.new_meeting)
        self.delete_button = QPushButton("De&lete meeting", self)
        self.delete_button.setAccessibleName("Delete meeting")
        self.delete_button.clicked.connect(self.delete_current)
        self.body_name = QLineEdit(self)
        self.body_name.setPlaceholderText("Name of a new governance body")
        self.body_name.setAccessibleName("Name of a new governance body")
        self.add_body_button = QPushButton("Add bod&y", self)
        self.add_body_button.setAccessibleName("Add governance body")
        self.add_body_button.clicked.connect(self.add_body)
        self.meeting_form = RecordForm(MEETING_FORM, self)
        self.save_button = QPushButton("&Save meeting", self)
        self.save_button.setAccessibleName("Save meeting")
        self.save_button.clicked.connect(self.save_meeting)
        self.problem = ProblemLabel("Problem", self)
        # the meeting shown in the meeting form
        self.meeting = ShownRecord(self.meeting_form, WRITERS, refresh=self.refresh,
                                   saved=self.meeting_saved.emit,
                                   attempt=self.problem.attempt)  # fmt: skip
        self.meeting.follow(self.table, self._meeting_changed)

        # -- papers
        self.paper_model = PaperTableModel(self)
        self.papers = record_table(self.paper_model, "Papers of this meeting", self)
        size_columns(self.papers, {0: 6, 2: 8, 3: 18}, stretch=(1,))
        self.papers.selectionModel().currentRowChanged.connect(self._paper_changed)
        self.add_paper_button = QPushButton("Add &paper", self)
        self.add_paper_button.setAccessibleName("Add paper")
        self.add_paper_button.clicked.connect(self.add_paper)
        self.delete_paper_button = QPushButton("&Remove paper", self)
        self.delete_paper_button.setAccessibleName("Remove the selected paper")
        self.delete_paper_button.clicked.connect(self.remove_paper)
        self.paper_form = RecordForm(PAPER_FORM, self)
        self.save_paper_button = QPushButton("S&ave paper", self)
        self.save_paper_button.setAccessibleName("Save paper")
        self.save_paper_button.clicked.connect(self.save_paper)

        # -- decisions
        self.decision_model = DecisionTableModel(self)
        self.decision_model.problem_raised.connect(self.problem.setText)
        self.decisions = record_table(
            self.decision_model, "Decisions (Enter opens the agreement)", self, rows=False
        )
        self.decisions.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )  # fmt: skip
        size_columns(self.decisions, {0: 5, 1: 12, 3: 11, 4: 11}, stretch=(2,))
        self.decisions.activated.connect(self._decision_activated)
        self.decision_text = QLineEdit(self)
        self.decision_text.setPlaceholderText("What the Board decided")
        self.decision_text.setAccessibleName("Decision")
        self.decision_outcome = QComboBox(self)
        self.decision_outcome.setAccessibleName("Outcome")
        for value, label in DECISION_OUTCOME_LABELS.items():
            self.decision_outcome.addItem(label, value)
        self.decision_agreement = QComboBox(self)
        self.decision_agreement.setAccessibleName("Agreement the decision concerns")
        self.decision_agreement.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.decision_agreement.setMinimumContentsLength(24)
        self.decision_paper = QComboBox(self)
        self.decision_paper.setAccessibleName("Paper the decision was taken on")
        self.decision_paper.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.decision_paper.setMinimumContentsLength(24)
        self.add_decision_button = QPushButton("&Record decision", self)
        self.add_decision_button.setAccessibleName("Record decision")
        self.add_decision_button.clicked.connect(self.record_decision)
        self.delete_decision_button = QPushButton("Re&move decision", self)
        self.delete_decision_button.setAccessibleName("Remove the selected decision")
        self.delete_decision_button.clicked.connect(self.remove_decision)

        self._lay_out()
        self._show_meeting()

    def _lay_out(self) -> None:
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 1)
        meeting_box = QGroupBox("Meeting", self)
        meeting_layout = QVBoxLayout(meeting_box)
        meeting_layout.addWidget(self.meeting_form)
        meeting_layout.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        left_layout.addWidget(meeting_box)
        body_box = QGroupBox("Governance bodies", self)
        body_row = QHBoxLayout(body_box)
        body_row.addWidget(self.body_name, 1)
        body_row.addWidget(self.add_body_button)
        left_layout.addWidget(body_box)

        papers_page = QWidget(self)
        papers_layout = QVBoxLayout(papers_page)
        paper_buttons = QHBoxLayout()
        for widget in (self.add_paper_button, self.delete_paper_button):
            paper_buttons.addWidget(widget)
        paper_buttons.addStretch(1)
        papers_layout.addLayout(paper_buttons)
        papers_layout.addWidget(self.papers, 1)
        form_holder = QWidget(self)
        form_layout = QVBoxLayout(form_holder)
        form_layout.addWidget(self.paper_form)
        form_layout.addWidget(self.save_paper_button, 0, Qt.AlignmentFlag.AlignRight)
        scroll = VerticalScroll(form_holder, self)
        papers_layout.addWidget(scroll, 3)

        decisions_page = QWidget(self)
        decisions_layout = QVBoxLayout(decisions_page)
        decisions_layout.addWidget(self.decisions, 1)
        record_box = QGroupBox("Record a decision", self)
        record_form = QFormLayout(record_box)
        fields: tuple[tuple[str, QWidget], ...] = (
            ("De&cision", self.decision_text), ("Ou&tcome", self.decision_outcome),
            ("A&greement", self.decision_agreement), ("&Paper", self.decision_paper),
        )  # fmt: skip
        for text, field in fields:
            caption = QLabel(text, self)
            caption.setBuddy(field)
            record_form.addRow(caption, field)
        decision_buttons = QHBoxLayout()
        decision_buttons.addStretch(1)
        decision_buttons.addWidget(self.add_decision_button)
        decision_buttons.addWidget(self.delete_decision_button)
        record_form.addRow(decision_buttons)
        decisions_layout.addWidget(record_box)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Papers and decisions")
        self.tabs.addTab(papers_page, "Papers")
        self.tabs.addTab(decisions_page, "Decisions")
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([500, 690])
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(splitter, 1)
        tab_order((self.new_button, self.delete_button, self.table,
                   *self.meeting_form.editors.values(), self.save_button, self.body_name,
                   self.add_body_button, self.tabs, self.add_paper_button,
                   self.delete_paper_button, self.papers, *self.paper_form.editors.values(),
                   self.save_paper_button, self.decisions, self.decision_text,
                   self.decision_outcome, self.decision_agreement, self.decision_paper,
                   self.add_decision_button, self.delete_decision_button))  # fmt: skip

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.decision_model.register = register
        self.meeting.id = None
        self._paper = None
        self.refresh()

    def refresh(self) -> None:
        register = self._register
        rows = list_meetings(register) if register else []
        keep = self.meeting.keep_listed([row.id for row in rows],
                                        lambda: _first_meeting(rows, dt.date.today()))  # fmt: skip
        self.model.set_rows(rows)
        bodies = list_bodies(register) if register else []
        self.meeting_form.set_choices("body_id", [(b.id, b.name) for b in bodies])
        self.decision_agreement.clear()
        self.decision_agreement.addItem("No agreement", None)
        for choice in agreement_choices(register) if register else []:
            self.decision_agreement.addItem(f"{choice.reference}: {choice.title}", choice.id)
        if keep is not None:
            self.select_meeting(keep)
        self._show_meeting()

    # -- selection

    def current_id(self) -> str | None:
        return self.meeting.id

    def select_meeting(self, meeting_id: str) -> None:
        select_row(self.table, self.model.row_of(meeting_id))

    def _meeting_changed(self) -> None:
        self._paper = None  # another meeting: its first paper shows
        self._show_meeting()

    def _paper_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        self._paper = self.paper_model.row_at(row).id if row >= 0 else None
        self._show_paper()

    def _show_meeting(self) -> None:
        register, meeting_id = self._register, self.meeting.id
        row = self.model.row_of(meeting_id) if meeting_id else -1
        meeting = self.model.row_at(row) if row >= 0 else None
        self.meeting_form.set_values(meeting)
        papers = list_papers(register, meeting.id) if register and meeting else []
        self._paper = still_listed(self._paper, [paper.id for paper in papers])
        self.paper_model.set_rows(papers)
        if self._paper is not None:
            select_row(self.papers, self.paper_model.row_of(self._paper))
        self.decision_model.set_rows(
            list_decisions(register, meeting.id) if register and meeting else []
        )
        self.decision_paper.clear()
        self.decision_paper.addItem("No paper", None)
        for paper in papers:
            self.decision_paper.addItem(f"Paper {paper.letter}: {paper.subject}", paper.id)
        unlocked = register is not None
        controls: tuple[QWidget, ...] = (self.new_button, self.meeting_form, self.save_button,
                                         self.body_name, self.add_body_button)  # fmt: skip
        for widget in controls:
            widget.setEnabled(unlocked)
        for widget in (self.delete_button, self.add_paper_button, self.delete_paper_button,
                       self.decision_text, self.decision_outcome, self.decision_agreement,
                       self.decision_paper, self.add_decision_button,
                       self.delete_decision_button):  # fmt: skip
            widget.setEnabled(meeting is not None)
        self._show_paper()

    def _show_paper(self) -> None:
        row = self.paper_model.row_of(self._paper) if self._paper else -1
        paper = self.paper_model.row_at(row) if row >= 0 else None
        self.paper_form.set_values(paper)
        self.paper_form.setEnabled(paper is not None)
        self.save_paper_button.setEnabled(paper is not None)

    # -- actions

    def add_body(self) -> None:
        register, name = self._register, self.body_name.text().strip()
        if register is None:
            return
        if self.problem.attempt(lambda: create_body(register, {"name": name})):
            self.body_name.clear()
            self.refresh()

    def new_meeting(self) -> None:
        self.meeting.new(self.table, self._show_meeting, first="meeting_date")

    def save_meeting(self) -> bool:
        return self.meeting.save(self._register)

    def delete_current(self) -> None:
        self.meeting.delete(self._register)

    def add_paper(self) -> None:
        register, current = self._register, self.meeting.id
        if register is None or current is None:
            return
        created: list[str] = []
        if self.problem.attempt(
            lambda: created.append(add_paper(register, current, {"subject": "New paper"}))
        ):
            self._paper = created[0]
            self.refresh()
            self.tabs.setCurrentIndex(0)
            self.paper_form.editors["subject"].setFocus()

    def save_paper(self) -> bool:
        register, paper = self._register, self._paper
        if register is None or paper is None:
            return False
        if not self.paper_form.submit(lambda values: update_paper(register, paper, values)):
            return False
        self.refresh()
        return True

    def remove_paper(self) -> None:
        register, paper = self._register, self._paper
        if register is None or paper is None:
            self.problem.setText("Select the paper to remove first.")
            return
        if delete_asked(register, "paper", paper, delete=delete_paper,
                        attempt=self.problem.attempt, parent=self):  # fmt: skip
            self._paper = None
            self.refresh()

    def record_decision(self) -> None:
        register, current = self._register, self.meeting.id
        if register is None or current is None:
            return
        values = {
            "decision": self.decision_text.text().strip(),
            "outcome": self.decision_outcome.currentData(),
            "agreement_id": self.decision_agreement.currentData(),
            "paper_id": self.decision_paper.currentData(),
        }
        if self.problem.attempt(lambda: add_decision(register, current, values)):
            self.decision_text.clear()
            self.refresh()

    def remove_decision(self) -> None:
        register, row = self._register, self.decisions.currentIndex().row()
        if register is None or row < 0:
            self.problem.setText("Select the decision to remove first.")
            return
        decision_id = self.decision_model.row_at(row).id
        if delete_asked(register, "decision", decision_id, delete=delete_decision,
                        attempt=self.problem.attempt, parent=self):  # fmt: skip
            self.refresh()

    def _decision_activated(self, index: QModelIndex) -> None:
        agreement_id = self.decision_model.row_at(index.row()).agreement_id
        if agreement_id:
            self.agreement_requested.emit(agreement_id)
