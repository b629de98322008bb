"""Agreements: the whole register in a table with filters, and the editor for one agreement."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.agreement_editing import Choice, organisation_choices
from app.agreement_table import COLUMN_KEYS
from app.agreements import AgreementQuery, list_agreements
from app.domain import AgreementStatus, AgreementSummary, Category
from app.register import Register
from ui.models.agreements import DUE, OVERDUE, AgreementTableModel
from ui.settings import Settings
from ui.views.agreement_editor import AgreementEditor
from ui.widgets.fitted_columns import ColumnRule, TitleFirstColumns
from ui.widgets.tables import record_table
from ui.workers import TaskRunner, ViewWork

REVIEW_CHOICES = (("", "Any review date"), ("due", "Review due in 90 days"),
                  ("overdue", "Review overdue"))  # fmt: skip
# How wide each column grows by itself; the title takes the rest.
COLUMN_RULES: dict[str, ColumnRule] = {
    "reference": ColumnRule(most=20, share=0.2),
    "status": ColumnRule(most=18),
    "category": ColumnRule(most=12),
    "organisations": ColumnRule(most=30, share=0.25),
    "owner": ColumnRule(most=20, share=0.15),
    "review_date": ColumnRule(most=12),
    "end_date": ColumnRule(most=12),
    "item_count": ColumnRule(most=10),
}
TITLE_LEAST = 20  # characters: the title is never squeezed below this; the table scrolls instead


class AgreementsView(QWidget):
    """The list of agreements (filters in SQL, typing and sorting over prepared rows)."""

    loaded = Signal()
    editing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None,
                 settings: Settings | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._register: Register | None = None
        self._runner = runner
        self._work = ViewWork(self, runner, self.loaded.emit)
        self._query = AgreementQuery()
        self._filling = False

        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("Type to filter by reference, title, partner, owner")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setAccessibleName("Filter agreements")
        self.text_filter.textChanged.connect(self._text_changed)
        filter_label = QLabel("Fi&lter")
        filter_label.setBuddy(self.text_filter)

        self.status_filter = QComboBox()
        self.status_filter.addItem("Any status", "")
        for status in AgreementStatus:
            self.status_filter.addItem(status.label, status.value)
        self.status_filter.setAccessibleName("Status")
        self.category_filter = QComboBox()
        self.category_filter.addItem("Any category", "")
        for category in Category:
            self.category_filter.addItem(category.value.capitalize(), category.value)
            self.category_filter.setItemData(self.category_filter.count() - 1, category.label,
                                             Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        self.category_filter.setAccessibleName("Category")
        self.organisation_filter = QComboBox()
        self.organisation_filter.addItem("Any organisation", "")
        self.organisation_filter.setAccessibleName("Organisation")
        self.organisation_filter.setMinimumContentsLength(18)
        self.review_filter = QComboBox()
        for value, text in REVIEW_CHOICES:
            self.review_filter.addItem(text, value)
        self.review_filter.setAccessibleName("Review")
        for combo in (self.status_filter, self.category_filter, self.organisation_filter,
                      self.review_filter):  # fmt: skip
            combo.currentIndexChanged.connect(self._filters_changed)
        status_label = QLabel("&Status")
        status_label.setBuddy(self.status_filter)
        category_label = QLabel("&Category")
        category_label.setBuddy(self.category_filter)
        org_label = QLabel("&Organisation")
        org_label.setBuddy(self.organisation_filter)
        review_label = QLabel("&Review")
        review_label.setBuddy(self.review_filter)

        self.new_button = QPushButton("&New agreement")
        self.new_button.setAccessibleName("New agreement")
        self.new_button.setToolTip("New agreement (Ctrl+N)")
        self.new_button.clicked.connect(self.new_agreement)
        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Number of agreements shown")

        self.model = AgreementTableModel(self)
        self.table = record_table(self.model, "Agreements", self)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.columns = TitleFirstColumns(
            self.table, {COLUMN_KEYS.index(key): rule for key, rule in COLUMN_RULES.items()},
            title=COLUMN_KEYS.index("title"), least=TITLE_LEAST,
        )  # fmt: skip
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.legend = QLabel(
            f"Next review <span style='color:{OVERDUE.name()}'>in red: overdue</span>; "
            f"<span style='color:{DUE.name()}'>in amber: due within 90 days</span>. "
            "Enter or double-click opens an agreement."
        )
        self.legend.setAccessibleName("What the colours of the next review date mean")

        row1 = QHBoxLayout()
        row1.addWidget(filter_label)
        row1.addWidget(self.text_filter, 1)
        row1.addWidget(self.count_label)
        row1.addWidget(self.new_button)
        row2 = QHBoxLayout()
        for label, combo in ((status_label, self.status_filter),
                             (category_label, self.category_filter),
                             (org_label, self.organisation_filter),
                             (review_label, self.review_filter)):  # fmt: skip
            row2.addWidget(label)
            row2.addWidget(combo)
        row2.addStretch(1)

        list_page = QWidget()
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(row1)
        list_layout.addLayout(row2)
        list_layout.addWidget(self.table, 1)
        list_layout.addWidget(self.legend)

        self.editor = AgreementEditor(self, runner, settings)
        self.editor.closed.connect(self.show_list)
        self.editor.saved.connect(lambda _id: self._reload_rows())
        self.editor.changed.connect(self._reload_rows)

        self.stack = QStackedWidget()
        self.stack.addWidget(list_page)
        self.stack.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        self.editor.set_register(register)
        self.stack.setCurrentIndex(0)
        if register is None:
            self.model.set_rows([])
            self.columns.measure()
            self._fill_organisations([])
            self._update_count()
        else:
            self.refresh()

    def refresh(self) -> None:
        """Reload the list (and the open agreement, when it has no unsaved changes)."""
        if self._register is None:
            return
        if self.is_editing and not self.editor.is_dirty:
            self.editor.reload()
        self._reload_rows(refreshing=True)

    # -- state

    @property
    def is_editing(self) -> bool:
        return self.stack.currentIndex() == 1

    @property
    def query(self) -> AgreementQuery:
        return self._query

    def rows_shown(self) -> list[AgreementSummary]:
        return [self.model.row_at(n) for n in range(self.model.rowCount())]

    def confirm_leave(self) -> bool:
        """Whether it is all right to leave (asks when the editor has unsaved changes)."""
        return not self.is_editing or self.editor.confirm_discard()

    # -- loading

    def _reload_rows(self, refreshing: bool = False) -> None:
        """Load the rows the filters choose.

        When `refreshing` (the register opened or changed), also the organisations to filter by,
        and the columns are fitted afresh; a filter or an edit keeps them as they are, so that
        nothing jumps and 100,000 rows are not measured again on the GUI thread.
        """
        register = self._register
        if register is None:
            return
        query = dataclasses.replace(self._query, text="", today=dt.date.today())

        def load() -> tuple[list[AgreementSummary], list[Choice] | None]:
            rows = list_agreements(register, query)
            return rows, organisation_choices(register) if refreshing else None

        def show(result: tuple[list[AgreementSummary], list[Choice] | None]) -> None:
            rows, organisations = result
            if organisations is not None:
                self._fill_organisations(organisations)
            self.model.today = query.today
            self.model.set_rows(rows)
            if refreshing:
                self.columns.measure()
            self._update_count()

        self._work.load(load, show, label="Loading agreements…")

    def _fill_organisations(self, organisations: list[Choice]) -> None:
        current = self._query.organisation_id or ""
        self._filling = True
        try:
            self.organisation_filter.clear()
            self.organisation_filter.addItem("Any organisation", "")
            for choice in organisations:
                self.organisation_filter.addItem(choice.label, choice.id)
            index = self.organisation_filter.findData(current)
            self.organisation_filter.setCurrentIndex(max(index, 0))
        finally:
            self._filling = False

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        text = f"{shown:,} agreements" if shown == total else f"{shown:,} of {total:,} agreements"
        self.count_label.setText(text)

    # -- filters

    def _text_changed(self, text: str) -> None:
        self.model.set_filter_text(text)
        self._update_count()

    def _filters_changed(self, *_: object) -> None:
        if self._filling:
            return
        status = self.status_filter.currentData() or ""
        self._query = dataclasses.replace(
            self._query,
            statuses=(status,) if status else (),
            category=self.category_filter.currentData() or None,
            organisation_id=self.organisation_filter.currentData() or None,
            review=self.review_filter.currentData() or None,
        )
        self._reload_rows()

    def apply_filter(self, query: AgreementQuery) -> None:
        """Show the list filtered as `query` says (the dashboard's numbers call this)."""
        if self.is_editing and not self.editor.request_close():
            return
        self._filling = True
        try:
            status = query.statuses[0] if len(query.statuses) == 1 else ""
            for combo, value in ((self.status_filter, status),
                                 (self.category_filter, query.category or ""),
                                 (self.organisation_filter, query.organisation_id or ""),
                                 (self.review_filter, query.review or "")):  # fmt: skip
                combo.setCurrentIndex(max(combo.findData(value), 0))
            self.text_filter.setText(query.text)
        finally:
            self._filling = False
        self._query = dataclasses.replace(query, text="")
        self.stack.setCurrentIndex(0)
        self._reload_rows()

    # -- editing

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_agreement(self.model.row_at(index.row()).id)

    def open_agreement(self, agreement_id: str) -> None:
        if self.is_editing and not self.editor.request_close():
            return
        self.stack.setCurrentIndex(1)
        self.editing_changed.emit(True)
        self.editor.open_agreement(agreement_id)

    def new_agreement(self) -> None:
        if self._register is None:
            return
        if self.is_editing and not self.editor.request_close():
            return
        self.stack.setCurrentIndex(1)
        self.editing_changed.emit(True)
        self.editor.open_agreement(None)
        self.editor.tabs.setCurrentIndex(0)
        self.editor.fields["reference"].setFocus()

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.editing_changed.emit(False)
        self.table.setFocus()
