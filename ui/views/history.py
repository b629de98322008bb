"""History: every change to an agreement and its parts, read from the operation log."""

from __future__ import annotations

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
from ui.workers import TaskRunner


class HistoryView(QWidget):
    """Pick an agreement; see who changed which field, when, from what to what."""

    loaded = Signal()

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._runner = runner
        self._generation = 0
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
        self._generation += 1
        self.agreement_choice.clear()
        self.model.set_entries([])
        self.summary.setText("")
        if register is not None:
            self.refresh()

    def refresh(self) -> None:
        register = self._register
        if register is None:
            return
        generation = self._generation
        current = self.agreement_choice.currentData()

        def load() -> list[AgreementSummary]:
            return list_agreements(register, AgreementQuery())

        def done(rows: list[AgreementSummary]) -> None:
            if generation != self._generation:
                return
            self.agreement_choice.blockSignals(True)
            self.agreement_choice.clear()
            for row in rows:
                self.agreement_choice.addItem(f"{row.reference} — {row.title}", row.id)
            index = self.agreement_choice.findData(current) if current else 0
            self.agreement_choice.setCurrentIndex(max(index, 0))
            self.agreement_choice.blockSignals(False)
            if rows:
                self.show_agreement(str(self.agreement_choice.currentData()))
            else:
                self.model.set_entries([])
                self.summary.setText("No agreements yet.")
                self.loaded.emit()

        self._run(load, done)

    def _run(self, load: object, done: object) -> None:
        assert callable(load) and callable(done)

        def failed(exc: BaseException) -> None:
            ErrorMessage.show(self, exc)
            self.loaded.emit()

        if self._runner is None:
            done(load())
        else:
            self._runner.run(load, done, failed, label="Reading the history…")

    def _chosen(self, index: int) -> None:
        data = self.agreement_choice.itemData(index)
        if data:
            self.show_agreement(str(data))

    def show_agreement(self, agreement_id: str) -> None:
        register = self._register
        if register is None:
            return
        index = self.agreement_choice.findData(agreement_id)
        if index >= 0:
            self.agreement_choice.setCurrentIndex(index)

        def done(entries: list[HistoryEntry]) -> None:
            self.model.set_entries(entries)
            people = sorted({e.author for e in entries})
            self.summary.setText(
                f"{len(entries)} changes by {', '.join(people) or 'nobody'}; newest first."
            )
            self.loaded.emit()

        self._run(lambda: record_history(register, "agreement", agreement_id), done)
