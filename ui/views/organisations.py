"""Organisations and their people: the partner list and its people, the selected one's form."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

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
from ui.models.organisation_models import OrganisationTableModel, PersonTableModel
from ui.widgets.focus import tab_order
from ui.widgets.master_detail import (
    RecordWriters,
    ShownRecord,
    delete_asked,
    select_row,
)
from ui.widgets.record_form import FormField, ProblemLabel, RecordForm
from ui.widgets.scroll import VerticalScroll
from ui.widgets.tables import record_table, size_columns
from ui.widgets.wrapped_text import heading_text

ORGANISATION_FORM = (
    FormField("name", "&Name"),
    FormField("org_type", "&Type", "choice", tuple(ORGANISATION_TYPE_LABELS.items())),
    FormField("code", "&ODS code", placeholder="NHS organisations: e.g. RGT"),
    FormField("ico_registration", "&ICO registration", placeholder="e.g. Z5624180"),
    FormField("dpo_name", "&DPO name", tip="The organisation's data protection officer"),
    FormField("dpo_email", "DPO em&ail"),
    FormField("dpo_phone", "DPO &phone"),
    FormField(
        "charter_endorsed",
        "&Charter endorsed",
        "bool",
        tip="The organisation endorsed the data sharing charter",
    ),
    FormField("charter_endorsed_on", "on", "date", beside="charter_endorsed"),
    FormField(
        "protocol_signed",
        "Protocol si&gned",
        "bool",
        tip="The organisation signed the information sharing protocol",
    ),
    FormField("protocol_signed_on", "on", "date", beside="protocol_signed"),
    FormField(
        "assurance_notes",
        "Ass&urance notes",
        "text",
        placeholder="DSP Toolkit status, Cyber Essentials, audits…",
    ),
)
# columns of the list; the ODS code and DPO show in the form beside it
HIDDEN_COLUMNS = ("code", "dpo_name")
WRITERS = RecordWriters(create_organisation, update_organisation, delete_organisation,
                        "organisation")  # fmt: skip


class OrganisationsView(QWidget):
    """Partner organisations: list, add, edit, delete; the people of the selected one."""

    organisation_saved = Signal(str)
    """An organisation was added or edited (its id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None

        self.model = OrganisationTableModel(self)
        self.table = record_table(self.model, "Organisations", self)
        size_columns(self.table, {3: 11, 5: 14, 6: 14, 7: 6}, stretch=(0, 1))
        for name in HIDDEN_COLUMNS:
            self.table.setColumnHidden(self.model.column_of(name), True)

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
        self.heading = heading_text("Selected organisation", self)
        # a refused delete shows on the form, as a refused save does
        self.shown = ShownRecord(self.form, WRITERS, refresh=self.refresh,
                                 saved=self.organisation_saved.emit)  # fmt: skip
        self.shown.follow(self.table, self._show_current)

        self.people_model = PersonTableModel(self)
        self.people_model.problem_raised.connect(self._people_problem)
        self.people = record_table(self.people_model, "People at this organisation", self,
                                   rows=False)  # fmt: skip
        self.people.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        size_columns(self.people, {0: 22, 3: 15}, stretch=(1, 2))
        self.add_person_button = QPushButton("Add pe&rson", self)
        self.add_person_button.setAccessibleName("Add person")
        self.add_person_button.clicked.connect(self.add_person)
        self.delete_person_button = QPushButton("Re&move person", self)
        self.delete_person_button.setAccessibleName("Remove the selected person")
        self.delete_person_button.clicked.connect(self.remove_person)
        self.people_problem = ProblemLabel("Problem with people", self)
        self._lay_out()
        self._show_current()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        organisations = QWidget(self)
        organisations_layout = QVBoxLayout(organisations)
        organisations_layout.setContentsMargins(0, 0, 0, 0)
        organisations_layout.addLayout(buttons)
        organisations_layout.addWidget(self.table, 1)

        self.people_box = QGroupBox("People", self)
        people_layout = QVBoxLayout(self.people_box)
        people_buttons = QHBoxLayout()
        people_buttons.addWidget(self.add_person_button)
        people_buttons.addWidget(self.delete_person_button)
        hint = QLabel("Double-click or start typing in a cell to edit it.", self)
        hint.setStyleSheet("color: #555555")
        people_buttons.addWidget(hint, 1)
        people_layout.addLayout(people_buttons)
        people_layout.addWidget(self.people_problem)
        people_layout.addWidget(self.people, 1)

        left = QSplitter(Qt.Orientation.Vertical, self)
        left.setChildrenCollapsible(False)
        left.addWidget(organisations)
        left.addWidget(self.people_box)
        left.setSizes([520, 260])

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.form)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        detail_layout.addLayout(save_row)
        detail_layout.addStretch(1)
        scroll = VerticalScroll(detail, self)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([820, 370])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        tab_order((self.new_button, self.delete_button, self.table, self.add_person_button,
                   self.delete_person_button, self.people, *self.form.editors.values(),
                   self.save_button))  # fmt: skip

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.people_model.register = register
        self.shown.id = None
        self.refresh()

    def refresh(self) -> None:
        rows = list_organisations(self._register) if self._register else []
        keep = self.shown.keep_listed([row.id for row in rows])
        self.model.set_rows(rows)
        if keep is not None:
            self.select_organisation(keep)
        self._show_current()

    # -- selection

    def current_id(self) -> str | None:
        return self.shown.id

    def select_organisation(self, organisation_id: str) -> None:
        select_row(self.table, self.model.row_of(organisation_id))

    def select_record(self, record_id: str) -> None:
        """Show an organisation found by the search box."""
        self.select_organisation(record_id)

    def _show_current(self) -> None:
        unlocked = self._register is not None
        row = self.model.row_of(self.shown.id) if self.shown.id else -1
        organisation = self.model.row_at(row) if row >= 0 else None
        self.form.set_values(organisation)
        self.heading.setText(organisation.name if organisation else "New organisation")
        # titled "People" only: a title cannot wrap, and the heading names the organisation
        self.people_box.setAccessibleName(f"People at {organisation.name}" if organisation
                                          else "People")  # fmt: skip
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
        self.shown.new(self.table, self._show_current)

    def save(self) -> bool:
        return self.shown.save(self._register)

    def delete_current(self) -> None:
        self.shown.delete(self._register)

    def add_person(self) -> None:
        register, current = self._register, self.shown.id
        if register is None or current is None:
            return
        created: list[str] = []
        if not self.people_problem.attempt(
            lambda: created.append(create_person(register, current, {"name": "New person"}))
        ):
            return
        self.refresh()
        index = self.people_model.index(self.people_model.row_of(created[0]), 0)
        self.people.setCurrentIndex(index)
        self.people.setFocus()
        self.people.edit(index)

    def remove_person(self) -> None:
        register, row = self._register, self.people.currentIndex().row()
        if register is None or row < 0:
            self._people_problem("Select the person to remove first.")
            return
        person_id = self.people_model.row_at(row).id
        if delete_asked(register, "person", person_id, delete=delete_person,
                        attempt=self.people_problem.attempt, parent=self):  # fmt: skip
            self.refresh()

    def _people_problem(self, message: str) -> None:
        self.people_problem.setText(message)
