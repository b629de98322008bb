"""History: every change to an agreement and its parts, read from the operation log."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.agreements import AgreementQuery, list_agreements
from app.domain import AgreementSummary
from app.history import HistoryEntry, record_history
from app.register import Register
from app.wording import plural
from ui.errors import ErrorMessage
from ui.models.history import HistoryTableModel
from ui.widgets.focus import tab_order
from ui.widgets.tables import history_table
from ui.workers import TaskRunner, ViewWork

LABEL = "Reading the history…"


@dataclass(frozen=True)
class _HistoryRead:
    """The agreements to choose from, and the changes of the one shown (None: there are none)."""

    agreements: list[AgreementSummary]
    shown: str | None
    entries: list[HistoryEntry]


def _overtaken(_: object) -> None:
    """A load's result that a newer load overtook: the newer shows the person's latest pick."""


def _read_history(register: Register, wanted: str | None) -> _HistoryRead:
    """The agreements, and the history of `wanted` if it is one of them, else of the first."""
    rows = list_agreements(register, AgreementQuery())
    ids = [row.id for row in rows]
    shown = wanted if wanted in ids else next(iter(ids), None)
    entries = [] if shown is None else record_history(register, "agreement", shown)
    return _HistoryRead(rows, shown, entries)


class HistoryView(QWidget):
    """Pick an agreement; see who changed which field, when, from what to what."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._work = ViewWork(self, runner, self.loaded.emit)
        self._shown: str | None = None  # the agreement whose history the table shows
        self.agreement_choice = QComboBox()
        self.agreement_choice.setEditable(True)
        self.agreement_choice.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.agreement_choice.setAccessibleName("Agreement whose history is shown")
        self.agreement_choice.setMinimumContentsLength(40)
        self.agreement_choice.activated.connect(self._chosen)
        caption = QLabel("&Agreement")
        caption.setBuddy(self.agreement_choice)
        self.summary = QLabel("")
        self.summary.setAccessibleName("Summary of the history shown")
        self.model = HistoryTableModel(self)
        self.table = history_table(self.model, "History of changes", self)
        row = QHBoxLayout()
        row.addWidget(caption)
        row.addWidget(self.agreement_choice, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        tab_order((self.agreement_choice, self.table))

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        self.agreement_choice.clear()
        self.model.set_entries([])
        self.summary.setText("")
        self._shown = None
        if register is not None:
            self.refresh()

    def refresh(self) -> None:
        """Read the agreements again, and the history of the one chosen (else of the first).

        Overtaken by a newer load (the person picked another agreement meanwhile, whose history
        that load reads), it only fills the drop-down again, still saying the pick.
        """
        register = self._register
        if register is None:
            return
        wanted = self.agreement_choice.currentData()
        self._work.load(lambda: _read_history(register, wanted or None), self._show_read,
                        label=LABEL, failed=self._failed, stale=self._list)  # fmt: skip

    def show_agreement(self, agreement_id: str) -> None:
        """Show the history of `agreement_id`; the drop-down says it at once.

        Overtaken by a newer load (a later pick, a refresh), its history is not shown: the
        newer load shows the person's latest pick.
        """
        register = self._register
        if register is None:
            return
        self._pick(agreement_id)
        self._work.load(lambda: record_history(register, "agreement", agreement_id),
                        lambda entries: self._show(agreement_id, entries), label=LABEL,
                        failed=self._failed, stale=_overtaken)  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        """The pick's history was not read: say whose history the table still shows.

        Where a newer load is under way, it says its own when it ends (after this one).
        """
        self._pick(self._shown)
        ErrorMessage.show(self, exc)

    def _list(self, read: _HistoryRead) -> None:
        """Fill the drop-down with the agreements read, still saying the person's latest pick."""
        picked = self.agreement_choice.currentData()  # read now, not when the load started
        with QSignalBlocker(self.agreement_choice):
            self.agreement_choice.clear()
            for row in read.agreements:
                self.agreement_choice.addItem(f"{row.reference} — {row.title}", row.id)
        self._pick(picked)

    def _show_read(self, read: _HistoryRead) -> None:
        self._list(read)
        if read.shown is None:
            self._shown = None
            self.model.set_entries([])
            self.summary.setText("No agreements yet.")
        else:
            self._show(read.shown, read.entries)

    def _chosen(self, index: int) -> None:
        data = self.agreement_choice.itemData(index)
        if data:
            self.show_agreement(str(data))

    def _pick(self, agreement_id: str | None) -> None:
        """Say `agreement_id` in the drop-down (blank where it is not listed).

        Only a person's choice signals `activated`: this loads nothing.
        """
        self.agreement_choice.setCurrentIndex(self.agreement_choice.findData(agreement_id))

    def _show(self, agreement_id: str, entries: list[HistoryEntry]) -> None:
        """Show the history of `agreement_id`, the drop-down saying which it is."""
        self._shown = agreement_id
        self._pick(agreement_id)
        self.model.set_entries(entries)
        people = sorted({e.author for e in entries})
        self.summary.setText(
            f"{plural(len(entries), 'change')} by {', '.join(people) or 'nobody'}; newest first."
        )
