"""History: every change to an agreement and its parts, read from the operation log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import Signal
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
from ui.errors import ErrorMessage
from ui.models.history import HistoryTableModel
from ui.widgets.focus import tab_order
from ui.widgets.tables import history_table
from ui.workers import TaskRunner, ViewWork

LABEL = "Reading the history…"
T = TypeVar("T")


@dataclass(frozen=True)
class _HistoryRead:
    """The agreements to choose from, and the changes of the one shown (None: there are none)."""

    agreements: list[AgreementSummary]
    shown: str | None
    entries: list[HistoryEntry]


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
        self._loads = 0
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
        """Read the agreements again, and the history of the one chosen (else of the first)."""
        register = self._register
        if register is None:
            return
        wanted = self.agreement_choice.currentData()
        self._load(lambda: _read_history(register, wanted or None), self._show_read)

    def show_agreement(self, agreement_id: str) -> None:
        """Show the history of `agreement_id`; the drop-down says it at once."""
        register = self._register
        if register is None:
            return
        self._pick(agreement_id)
        self._load(lambda: (agreement_id, record_history(register, "agreement", agreement_id)),
                   self._show_history)  # fmt: skip

    def _load(self, work: Callable[[], T], show: Callable[[T, bool], None]) -> None:
        """Run a load; `show(result, newest)`. Only the newest may change the agreement shown.

        The person may have picked another agreement since an older load started; the newest
        load (one worker, first in first out: it ends last) is of their latest pick.
        """
        self._loads += 1
        number = self._loads

        def failed(exc: BaseException) -> None:
            if number == self._loads:  # the pick's history was not read: say whose is shown
                self._pick(self._shown)
            ErrorMessage.show(self, exc)

        self._work.load(work, lambda result: show(result, number == self._loads), label=LABEL,
                        failed=failed)  # fmt: skip

    def _show_read(self, read: _HistoryRead, newest: bool) -> None:
        picked = self.agreement_choice.currentData()  # the person's latest pick, read now
        self.agreement_choice.blockSignals(True)
        self.agreement_choice.clear()
        for row in read.agreements:
            self.agreement_choice.addItem(f"{row.reference} — {row.title}", row.id)
        self.agreement_choice.blockSignals(False)
        if not newest:  # a newer load, for the pick, follows and shows it
            self._pick(picked)
        elif read.shown is None:
            self._shown = None
            self.model.set_entries([])
            self.summary.setText("No agreements yet.")
        else:
            self._show(read.shown, read.entries)

    def _show_history(self, shown: tuple[str, list[HistoryEntry]], newest: bool) -> None:
        if newest:
            self._show(*shown)

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
            f"{len(entries)} changes by {', '.join(people) or 'nobody'}; newest first."
        )
