"""Organisations and their people: the partner list, a form for the selected one, its people."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import RegisterError
from app.organisations import (
    ORGANISATION_TYPE_LABELS,
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    list_organisations,
    list_people,
    update_organisation,
)
from app.register import Register
from ui.models.organisation_models import (
    FormField,
    OrganisationTableModel,
    PersonTableModel,
    ProblemLabel,
    RecordForm,
)

ORGANISATION_FORM = (
    FormField("name", "&Name"),
    FormField("org_type", "&Type", "choice", tuple(ORGANISATION_TYPE_LABELS.items())),
    FormField("code", "&ODS code"),
    FormField("ico_registration", "&ICO registration"),
    FormField("dpo_name", "&DPO name"),
    FormField("dpo_email", "DPO &email"),
    FormField("dpo_phone", "DPO p&hone"),
    FormField("charter_endorsed", "&Charter endorsed", "bool"),
    FormField("charter_endorsed_on", "Charter endorsed o&n", "date"),
    FormField("protocol_signed", "&Protocol signed", "bool"),
    FormField("protocol_signed_on", "Protocol si&gned on", "date"),
    FormField("assurance_notes", "Assurance no&tes", "text"),
)


class OrganisationsView(QWidget):
    """Partner organisations: list, add, edit, delete; the people of the selected one."""

    organisation_saved = Signal(str)
    """An organisation was added or edited (its id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._current: str | None = None

        self.model = OrganisationTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Organisations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        self.table.setColumnWidth(1, 160)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.new_button = QPushButton("Ne&w organisation", self)
        self.new_button.setAccessibleName("New organisation")
        self.new_button.clicked.connect(self.new_organisation)
        self.delete_button = QPushButton("De&lete organisation", self)
        self.delete_button.setAccessibleName("Delete organisation")
        self.delete_button.clicked.connect(self.delete_current)

        self.form = RecordForm(ORGANISATION_FORM, self)
        self.save_button = QPushButton("&Save organisation", self)
        self.save_button.setAccessibleName("Save organisation")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.heading = QLabel(self)
        self.heading.setAccessibleName("Selected organisation")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)

        self.people_model = PersonTableModel(self)
        self.people_model.problem_raised.connect(self._people_problem)
        self.people = QTableView(self)
        self.people.setModel(self.people_model)
        self.people.setAccessibleName("People at this organisation")
        self.people.horizontalHeader().setStretchLastSection(True)
        self.people.setColumnWidth(0, 160)
        self.people.setColumnWidth(2, 200)
        self.add_person_button = QPushButton("Add &person", self)
        self.add_person_button.setAccessibleName("Add person")
        self.add_person_button.clicked.connect(self.add_person)
        self.delete_person_button = QPushButton("Remove person", self)
        self.delete_person_button.setAccessibleName("Remove the selected person")
        self.delete_person_button.clicked.connect(self.remove_person)
        self.people_problem = ProblemLabel("Problem with people", self)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self.table, 1)

        people_box = QGroupBox("People", self)
        people_layout = QVBoxLayout(people_box)
        people_buttons = QHBoxLayout()
        people_buttons.addWidget(self.add_person_button)
        people_buttons.addWidget(self.delete_person_button)
        people_buttons.addStretch(1)
        people_layout.addLayout(people_buttons)
        people_layout.addWidget(self.people_problem)
        people_layout.addWidget(self.people)

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        detail_layout.addLayout(save_row)
        detail_layout.addWidget(people_box, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([850, 650])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._show_current()

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.people_model.register = register
        self._current = None
        self.refresh()

    def refresh(self) -> None:
        rows = list_organisations(self._register) if self._register else []
        keep = self._current
        self.model.set_rows(rows)
        if keep is not None and self.model.row_of(keep) < 0:
            keep = None
        self._current = keep
        if keep is not None:
            self.select_organisation(keep)
        self._show_current()

    # -- selection

    def current_id(self) -> str | None:
        return self._current

    def select_organisation(self, organisation_id: str) -> None:
        row = self.model.row_of(organisation_id)
        if row < 0:
            return
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _row_changed(self, current: object, _previous: object) -> None:
        row = self.table.currentIndex().row()
        self._current = self.model.row_at(row).id if row >= 0 else None
        self._show_current()

    def _show_current(self) -> None:
        unlocked = self._register is not None
        row = self.model.row_of(self._current) if self._current else -1
        organisation = self.model.row_at(row) if row >= 0 else None
        self.form.set_values(organisation)
        self.heading.setText(organisation.name if organisation else "New organisation")
        self.people_model.set_rows(
            list_people(self._register, organisation.id) if organisation and self._register else []
        )
        self.people_problem.clear()
        self.new_button.setEnabled(unlocked)
        self.form.setEnabled(unlocked)
        self.save_button.setEnabled(unlocked)
        self.delete_button.setEnabled(organisation is not None)
        self.add_person_button.setEnabled(organisation is not None)
        self.delete_person_button.setEnabled(organisation is not None)

    # -- actions

    def new_organisation(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._current = None
        self._show_current()
        self.form.editors["name"].setFocus()

    def save(self) -> bool:
        register = self._register
        if register is None:
            return False
        current = self._current

        def write(values: dict[str, object]) -> None:
            nonlocal current
            if current is None:
                current = create_organisation(register, values)
            else:
                update_organisation(register, current, values)

        if not self.form.submit(write):
            return False
        assert current is not None
        self._current = current
        self.refresh()
        self.organisation_saved.emit(current)
        return True

    def delete_current(self) -> None:
        if self._register is None or self._current is None:
            return
        try:
            delete_organisation(self._register, self._current)
        except RegisterError as exc:
            self.form.show_error(exc)
            return
        self._current = None
        self.refresh()

    def add_person(self) -> None:
        if self._register is None or self._current is None:
            return
        try:
            person_id = create_person(self._register, self._current, {"name": "New person"})
        except RegisterError as exc:
            self._people_problem(exc.message)
            return
        self.refresh()
        row = self.people_model.row_of(person_id)
        index = self.people_model.index(row, 0)
        self.people.setCurrentIndex(index)
        self.people.setFocus()
        self.people.edit(index)

    def remove_person(self) -> None:
        row = self.people.currentIndex().row()
        if self._register is None or row < 0:
            self._people_problem("Select the person to remove first.")
            return
        try:
            delete_person(self._register, self.people_model.row_at(row).id)
        except RegisterError as exc:
            self._people_problem(exc.message)
            return
        self.refresh()

    def _people_problem(self, message: str) -> None:
        self.people_problem.setText(message)
