"""Assessments: the needs analyses, and the data items each needs, with overlaps marked."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.assessments import (
    ASSESSMENT_KINDS,
    create_assessment,
    data_item_choices,
    delete_assessment,
    link_data_item,
    list_assessments,
    needed_items,
    unlink_data_item,
    update_assessment,
)
from app.register import Register
from ui.models.assessment_models import AssessmentTableModel, NeededItemTableModel
from ui.widgets.focus import tab_order
from ui.widgets.master_detail import RecordWriters, ShownRecord, select_row
from ui.widgets.record_form import FormField, ProblemLabel, RecordForm
from ui.widgets.tables import record_table, size_columns
from ui.widgets.wrapped_text import heading_text

ASSESSMENT_FORM = (
    FormField("title", "T&itle"),
    FormField(
        "kind",
        "&Kind",
        "choice",
        tuple((k, k) for k in ASSESSMENT_KINDS),
        True,
        placeholder="Choose a kind or type your own",
    ),
    FormField("description", "Descri&ption", "text"),
    FormField("lead", "&Lead", placeholder="Name and role of the lead"),
    FormField("statutory", "Stat&utory", "bool", tip="Required by law (the JSNA, for one)"),
    FormField("refresh", "&Refresh cycle", placeholder="e.g. Annual, with topic chapters"),
)
# columns of the list; the kind, lead and whether it is statutory show in the form beside it
HIDDEN_COLUMNS = ("kind", "lead", "statutory")
WRITERS = RecordWriters(create_assessment, update_assessment, delete_assessment, "assessment")


class AssessmentsView(QWidget):
    """Needs analyses and their data items; an item needed by several is marked as shared."""

    agreement_requested = Signal(str)
    """The person opened the agreement a needed data item comes under (its id)."""
    assessment_saved = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None

        self.model = AssessmentTableModel(self)
        self.table = record_table(self.model, "Assessments", self)
        size_columns(self.table, {4: 10, 5: 12}, stretch=(0,))
        for name in HIDDEN_COLUMNS:
            self.table.setColumnHidden(self.model.column_of(name), True)
        self.new_button = QPushButton("&New assessment", self)
        self.new_button.setAccessibleName("New assessment")
        self.new_button.clicked.connect(self.new_assessment)
        self.delete_button = QPushButton("&Delete assessment", self)
        self.delete_button.setAccessibleName("Delete assessment")
        self.delete_button.clicked.connect(self.delete_current)

        self.heading = heading_text("Selected assessment", self)
        self.form = RecordForm(ASSESSMENT_FORM, self)
        self.save_button = QPushButton("&Save assessment", self)
        self.save_button.setAccessibleName("Save assessment")
        self.save_button.clicked.connect(self.save)

        self.items_model = NeededItemTableModel(self)
        self.items = record_table(
            self.items_model, "Data items this assessment needs (Enter opens the agreement)", self
        )
        size_columns(self.items, {1: 13, 3: 30}, stretch=(0,))
        self.items.setColumnHidden(self.items_model.column_of("agreement_title"), True)
        self.items.setToolTip("Double-click or press Enter to open the agreement")
        self.items.activated.connect(self._item_activated)
        self.item_choice = QComboBox(self)
        self.item_choice.setAccessibleName("Data item to add")
        self.item_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.item_choice.setMinimumContentsLength(24)
        self.add_item_button = QPushButton("&Add data item", self)
        self.add_item_button.setAccessibleName("Add data item")
        self.add_item_button.clicked.connect(self.add_chosen_item)
        self.remove_item_button = QPushButton("Re&move data item", self)
        self.remove_item_button.setAccessibleName("Remove the selected data item")
        self.remove_item_button.clicked.connect(self.remove_selected_item)
        self.overlap = QLabel(self)
        self.overlap.setAccessibleName("Shared data items")
        self.overlap.setWordWrap(True)
        self.problem = ProblemLabel("Problem", self)
        self.shown = ShownRecord(self.form, WRITERS, refresh=self.refresh,
                                 saved=self.assessment_saved.emit,
                                 attempt=self.problem.attempt)  # fmt: skip
        self.shown.follow(self.table, self._show_current)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 4, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 1)

        items_box = QGroupBox("Data items needed", self)
        items_layout = QVBoxLayout(items_box)
        items_layout.addWidget(self.overlap)
        items_layout.addWidget(self.items, 1)
        add_row = QHBoxLayout()
        add_row.addWidget(self.item_choice, 1)
        add_row.addWidget(self.add_item_button)
        add_row.addWidget(self.remove_item_button)
        items_layout.addLayout(add_row)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(4, 0, 0, 0)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.problem)
        detail_layout.addWidget(self.form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        detail_layout.addLayout(save_row)
        detail_layout.addWidget(items_box, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([470, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        tab_order((self.new_button, self.delete_button, self.table, *self.form.editors.values(),
                   self.save_button, self.items, self.item_choice, self.add_item_button,
                   self.remove_item_button))  # fmt: skip
        self._show_current()

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.shown.id = None
        self.refresh()

    def refresh(self) -> None:
        register = self._register
        rows = list_assessments(register) if register else []
        keep = self.shown.keep_listed([row.id for row in rows])
        self.model.set_rows(rows)
        self.item_choice.clear()
        for choice in data_item_choices(register) if register else []:
            self.item_choice.addItem(choice.label, choice.id)
        if keep is not None:
            self.select_assessment(keep)
        self._show_current()

    # -- selection

    def current_id(self) -> str | None:
        return self.shown.id

    def select_assessment(self, assessment_id: str) -> None:
        select_row(self.table, self.model.row_of(assessment_id))

    def select_record(self, record_id: str) -> None:
        """Show an assessment found by the search box."""
        self.select_assessment(record_id)

    def _show_current(self) -> None:
        register = self._register
        row = self.model.row_of(self.shown.id) if self.shown.id else -1
        assessment = self.model.row_at(row) if row >= 0 else None
        self.form.set_values(assessment)
        self.heading.setText(assessment.title if assessment else "New assessment")
        items = needed_items(register, assessment.id) if register and assessment else []
        self.items_model.set_rows(items)
        shared = sum(item.shared for item in items)
        if assessment is None:
            self.overlap.setText("Save the assessment, then add the data items it needs.")
        elif shared:
            self.overlap.setText(
                f"{shared} of {len(items)} data items are also needed by other assessments "
                "(highlighted): one agreement can serve them all."
            )
        else:
            self.overlap.setText(f"{len(items)} data items; none shared with other assessments.")
        unlocked = register is not None
        self.new_button.setEnabled(unlocked)
        self.form.setEnabled(unlocked)
        self.save_button.setEnabled(unlocked)
        for widget in (self.delete_button, self.item_choice, self.add_item_button,
                       self.remove_item_button):  # fmt: skip
            widget.setEnabled(assessment is not None)

    # -- actions

    def new_assessment(self) -> None:
        self.shown.new(self.table, self._show_current)

    def save(self) -> bool:
        return self.shown.save(self._register)

    def delete_current(self) -> None:
        self.shown.delete(self._register)

    def add_chosen_item(self) -> None:
        register, current = self._register, self.shown.id
        item_id = self.item_choice.currentData()
        if register is None or current is None or item_id is None:
            return
        if self.problem.attempt(lambda: link_data_item(register, current, item_id)):
            self.refresh()

    def remove_selected_item(self) -> None:
        register, current = self._register, self.shown.id
        row = self.items.currentIndex().row()
        if register is None or current is None or row < 0:
            self.problem.setText("Select the data item to remove first.")
            return
        item_id = self.items_model.row_at(row).data_item_id
        if self.problem.attempt(lambda: unlink_data_item(register, current, item_id)):
            self.refresh()

    def _item_activated(self, index: QModelIndex) -> None:
        agreement_id = self.items_model.row_at(index.row()).agreement_id
        if agreement_id:
            self.agreement_requested.emit(agreement_id)
