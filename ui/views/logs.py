"""The Intelligence Network's logs: one editable table per log, cells written through the log."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import RegisterError
from app.logs import LOG_KIND_LABELS, add_log_entry, delete_log_entries, list_log_entries
from app.register import Register
from ui.models.log_models import LogTableModel
from ui.widgets.master_detail import select_row
from ui.widgets.record_form import ProblemLabel
from ui.widgets.tables import record_table, size_columns
from ui.widgets.view_keys import ADD_LOG_ENTRY_KEYS

NEW_TITLES = {
    "gap": "New data gap",
    "planned_review": "New planned review",
    "research": "New research",
    "barrier": "New barrier",
}


class LogsView(QWidget):
    """Tabs for the gaps, planned reviews, research and barriers logs, edited in place."""

    log_changed = Signal()
    """An entry was added, edited or deleted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Logs")
        self.models: dict[str, LogTableModel] = {}
        self.tables: dict[str, QTableView] = {}
        for kind, label in LOG_KIND_LABELS.items():
            model = LogTableModel(self)
            model.problem_raised.connect(self._show_problem)
            model.cell_written.connect(self._written)
            table = record_table(model, label, self, rows=False)
            table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            table.setEditTriggers(
                QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.AnyKeyPressed
            )
            size_columns(table, {0: 32, 2: 16, 3: 11, 4: 16, 5: 11, 6: 11}, stretch=(1,))
            self.models[kind] = model
            self.tables[kind] = table
            self.tabs.addTab(table, label)

        self.add_button = QPushButton("&Add entry", self)
        self.add_button.setAccessibleName("Add entry to this log")
        self.add_button.setToolTip(
            f"Add a row to this log ({ADD_LOG_ENTRY_KEYS}); type over its title"
        )
        self.add_button.clicked.connect(self.add_entry)
        self.delete_button = QPushButton("&Delete entries", self)
        self.delete_button.setAccessibleName("Delete the selected entries")
        self.delete_button.clicked.connect(self.delete_selected)
        self.problem = ProblemLabel("Problem with the last edit", self)
        self.hint = QLabel(
            "Double-click or start typing in a cell to edit it; dates as dd/mm/yyyy. "
            f"{ADD_LOG_ENTRY_KEYS} adds a row.",
            self,
        )
        self.hint.setStyleSheet("color: #555555")
        self.hint.setWordWrap(True)
        QShortcut(QKeySequence(ADD_LOG_ENTRY_KEYS), self, self.add_entry)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.hint, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.tabs, 1)
        self.setTabOrder(self.add_button, self.delete_button)
        self.setTabOrder(self.delete_button, self.tabs)
        self._update_enabled()

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.refresh()

    def refresh(self) -> None:
        self.problem.clear()
        for kind, model in self.models.items():
            entries = list_log_entries(self._register, kind) if self._register else []
            model.set_entries(self._register, entries)
        self._update_enabled()

    # -- actions

    def current_kind(self) -> str:
        return list(self.models)[self.tabs.currentIndex()]

    def add_entry(self) -> None:
        if self._register is None:
            return
        kind = self.current_kind()
        try:
            entry_id = add_log_entry(
                self._register,
                kind,
                {"title": NEW_TITLES[kind], "raised_on": dt.date.today(), "status": "Open"},
            )
        except RegisterError as exc:
            self._show_problem(exc.message)
            return
        self.refresh()
        self.log_changed.emit()
        model, table = self.models[kind], self.tables[kind]
        index = model.index(model.row_of(entry_id), model.column_of("title"))
        table.setCurrentIndex(index)
        table.setFocus()
        table.edit(index)

    def delete_selected(self) -> None:
        if self._register is None:
            return
        kind = self.current_kind()
        model, table = self.models[kind], self.tables[kind]
        rows = sorted({i.row() for i in table.selectionModel().selectedIndexes()})
        if not rows and table.currentIndex().isValid():
            rows = [table.currentIndex().row()]
        ids = [model.row_at(r).id for r in rows]
        if not ids:
            self._show_problem("Select the entries to delete first.")
            return
        try:
            delete_log_entries(self._register, ids)
        except RegisterError as exc:
            self._show_problem(exc.message)
            return
        self.refresh()
        self.log_changed.emit()

    def select_entry(self, kind: str, entry_id: str) -> None:
        self.tabs.setCurrentIndex(list(self.models).index(kind))
        select_row(self.tables[kind], self.models[kind].row_of(entry_id))

    # -- feedback

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)

    def _written(self, _entry_id: str, _name: str) -> None:
        self.problem.clear()
        self.log_changed.emit()

    def _update_enabled(self) -> None:
        unlocked = self._register is not None
        self.add_button.setEnabled(unlocked)
        self.delete_button.setEnabled(unlocked)
        for table in self.tables.values():
            table.setEnabled(unlocked)
