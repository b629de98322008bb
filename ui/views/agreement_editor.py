"""The agreement editor: overview, dates, parties, lawful basis, data items, links and history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.agreement_editing import ITEM_DATE_FIELDS as ITEM_DATE_NAMES
from app.agreement_editing import (
    Choice,
    ItemEdit,
    add_lawful_basis,
    assessment_choices,
    organisation_choices,
    remove_record,
    save_agreement,
    set_links,
    use_case_choices,
)
from app.agreements import add_party, get_agreement, set_party_signatory
from app.domain import (
    AGREEMENT_FIELD_LABELS,
    SPEC_FIELDS,
    Agreement,
    AgreementStatus,
    AgreementType,
    Category,
    ControllerRelationship,
    LawfulBasis,
    Party,
    PartyRole,
    format_uk_date,
)
from app.errors import FieldProblem, ValidationError
from app.history import HistoryEntry, field_label, record_history
from app.organisations import Person, list_people
from app.register import Register
from app.values import parse_uk_date
from ui.errors import ErrorMessage, Question
from ui.models.history import HistoryTableModel
from ui.settings import MARKINGS, PROTECTIVE_MARKING, Settings
from ui.widgets.master_detail import deletion_agreed
from ui.widgets.mnemonics import WINDOW_KEYS, give_mnemonics
from ui.widgets.record_form import ProblemLabel, attempt_said_in_a_message
from ui.widgets.tables import chars_wide, history_table, size_columns, style_table
from ui.widgets.wrapped_text import HEADING_WIDTH, heading_text
from ui.workers import TaskRunner, ViewWork

DATE_FIELDS = ("start_date", "approval_date", "review_date", "end_date")
TEXT_AREAS = ("summary", "retention", "rights_arrangements", "notes")
ITEM_TEXT_FIELDS = (("title", "Title"), *SPEC_FIELDS,
                    ("responsible_owner", "Responsible owner"),
                    ("refresh_schedule", "Refresh schedule"))  # fmt: skip
ITEM_DATE_FIELDS = tuple((name, field_label("data_item", name)) for name in ITEM_DATE_NAMES)
ITEM_LINE_FIELDS = ("title", "responsible_owner", "refresh_schedule")
NOT_SIGNED = "Not signed yet"
SIGN_NOTE = ("Choose one of the organisation's people, or type the name of someone new: they "
             "are added to the organisation's people.")  # fmt: skip
SELECT_PARTY_NOTE = "Select a party in the table to record who signed for it and when."
ARTICLE_6 = (
    "",
    "6(1)(a) consent",
    "6(1)(b) contract",
    "6(1)(c) legal obligation",
    "6(1)(d) vital interests",
    "6(1)(e) public task",
    "6(1)(f) legitimate interests",
)
ARTICLE_9 = ("", "9(2)(a) explicit consent", "9(2)(b) employment and social security",
             "9(2)(c) vital interests", "9(2)(g) substantial public interest",
             "9(2)(h) health or social care", "9(2)(i) public health",
             "9(2)(j) archiving, research and statistics")  # fmt: skip
BASIS_COLUMNS: tuple[tuple[str, Callable[[LawfulBasis], str]], ...] = (
    ("Party", lambda b: b.party or "All parties"),
    ("Purpose", lambda b: b.purpose),
    ("UK GDPR Article 6", lambda b: b.article_6),
    ("Conditions", lambda b: "; ".join(
        f"{name}: {value}" for name, value in (("Art 9", b.article_9), ("Art 10", b.article_10),
                                               ("DPA Sch 1", b.dpa_schedule_1)) if value)),
    ("Statutory gateway", lambda b: b.statutory_gateway),
    ("Common law duty", lambda b: b.common_law_duty),
)  # fmt: skip
HEADER_KEYS = WINDOW_KEYS | {"B", "R", "S"}  # Back to list, Revert and Save, beside every page
PROBLEM_LINES = 2
"""Lines a box of the Parties tab keeps for its refusal, shown or not: the longest fit at 800 px."""


def _norm(name: str, value: Any) -> Any:
    """Return None for every way of saying 'nothing' (empty text, an unticked box)."""
    if value is False and name == "publishable":
        return None
    return None if value == "" else value


def _label(enum_value: str) -> str:
    return enum_value.replace("_", " ").capitalize()


def _date_edit(accessible: str = "") -> QLineEdit:
    """A date field: written dd/mm/yyyy, twelve characters wide."""
    edit = QLineEdit()
    edit.setPlaceholderText("dd/mm/yyyy")
    edit.setMaximumWidth(chars_wide(edit, 12))
    if accessible:
        edit.setAccessibleName(accessible)
    return edit


def _signatory_choice(combo: QComboBox) -> tuple[str | None, str]:
    """Who a signatory box names: (id, "") for a person listed, (None, name) for a new name.

    (None, "") is nobody: "Not signed yet", or the box left empty.
    """
    text = combo.currentText().strip()
    index = combo.findText(text) if text else -1
    if index >= 0:
        return (str(combo.itemData(index) or "") or None), ""
    return None, " ".join(text.split())


@dataclass
class _EditorData:
    """What one load of the editor brings back from the worker."""

    agreement: Agreement | None
    organisations: list[Choice] = field(default_factory=list)
    use_cases: list[Choice] = field(default_factory=list)
    assessments: list[Choice] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _load(register: Register, agreement_id: str | None) -> _EditorData:
    """Everything the editor shows, read on the worker: the agreement and the choices."""
    agreement = None if agreement_id is None else get_agreement(register, agreement_id)
    history = [] if agreement_id is None else record_history(register, "agreement", agreement_id)
    return _EditorData(
        agreement,
        organisation_choices(register),
        use_case_choices(register),
        assessment_choices(register),
        history,
        list_people(register),
    )


class AgreementEditor(QWidget):
    """Edits one agreement; a save writes the overview, dates and data items as one batch."""

    saved = Signal(str)  # agreement id
    closed = Signal()
    loaded = Signal()
    changed = Signal()  # something was written (parties, bases, links)
    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None,
                 settings: Settings | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._work = ViewWork(self, runner, self.loaded.emit)
        self._settings = settings  # None: the app's stored settings, read when needed
        self._register: Register | None = None
        self.agreement: Agreement | None = None
        self._populating = False
        self._dirty = False
        self._items: list[dict[str, Any]] = []
        self._deleted_items: list[str] = []
        self._current_item = -1
        self._history: list[HistoryEntry] = []
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, ProblemLabel] = {}
        self.item_fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        self.item_errors: dict[str, ProblemLabel] = {}
        self._captions: list[QLabel | QAbstractButton] = []
        self._people: list[Person] = []
        self._parties: tuple[Party, ...] = ()

        self.heading = heading_text("Agreement being edited")
        self.heading.setText("New agreement")
        # its least too: the pages set the editor's width, the heading takes what the buttons
        # beside it leave
        self.heading.setMinimumWidth(HEADING_WIDTH)
        self.back_button = QPushButton("&Back to list")
        self.back_button.setAccessibleName("Back to the list of agreements")
        self.back_button.clicked.connect(self.request_close)
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save the agreement")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("&Revert")
        self.revert_button.setAccessibleName("Discard unsaved changes")
        self.revert_button.clicked.connect(self.revert)
        self.general_error = ProblemLabel("Problems with this agreement")
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.heading, 1, Qt.AlignmentFlag.AlignVCenter)
        header.addWidget(self.revert_button)
        header.addWidget(self.save_button)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Parts of the agreement")
        # no Alt+ letters on the tabs: each page needs its letters for its fields; Ctrl+Tab and
        # Ctrl+Shift+Tab move between the tabs
        for page, title in ((self._overview_page, "Overview"), (self._dates_page, "Dates"),
                            (self._parties_page, "Parties"), (self._bases_page, "Lawful basis"),
                            (self._items_page, "Data items"), (self._links_page, "Links"),
                            (self._history_page, "History")):  # fmt: skip
            self._captions = []
            self.tabs.addTab(page(), title)
            give_mnemonics(self._captions, HEADER_KEYS)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.general_error)
        layout.addWidget(self.tabs, 1)
        self._set_saved_parts_enabled(False)

    # ------------------------------------------------------------------ building the pages

    def _caption(self, text: str, buddy: QWidget) -> QLabel:
        """A field's label; its Alt+ letter is chosen with the rest of its page."""
        caption = QLabel(text)
        caption.setBuddy(buddy)
        self._captions.append(caption)
        return caption

    def _field(self, form: QFormLayout, name: str, widget: QWidget,
               label: str | None = None) -> None:  # fmt: skip
        text = label or AGREEMENT_FIELD_LABELS.get(name, _label(name))
        self.fields[name] = widget
        self.errors[name] = self._add_field_row(
            form, text, widget, lambda: self.show_field_history("agreement", name)
        )
        self._watch(widget)

    def _add_field_row(self, form: QFormLayout, text: str, widget: QWidget,
                       show_history: Callable[[], None]) -> ProblemLabel:  # fmt: skip
        """A captioned field with its problem under it and its history in its context menu."""
        widget.setAccessibleName(text)
        error = ProblemLabel(f"Problem with {text}")
        box = QWidget()
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(widget)
        inner.addWidget(error)
        form.addRow(self._caption(text, widget), box)
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        action = QAction("Show history of this field", widget)
        action.triggered.connect(show_history)
        widget.addAction(action)
        return error

    def _watch(self, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._mark_dirty)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._mark_dirty)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._mark_dirty)
            if widget.isEditable():
                widget.editTextChanged.connect(self._mark_dirty)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(self._mark_dirty)

    @staticmethod
    def _combo(options: list[tuple[str, str]], editable: bool = False) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(editable)
        for value, text in options:
            combo.addItem(text, value)
        return combo

    @staticmethod
    def _area(height: int = 70, lines: int = 0) -> QPlainTextEdit:
        """A multi-line field: at least `height` pixels, or exactly `lines` lines of text."""
        area = QPlainTextEdit()
        area.setTabChangesFocus(True)
        if lines:
            area.setFixedHeight(lines * area.fontMetrics().lineSpacing() + 14)
        else:
            area.setMinimumHeight(height)
        return area

    def _scroll(self, inner: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    def _overview_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self._field(form, "reference", QLineEdit())
        self._field(form, "title", QLineEdit())
        self._field(form, "category", self._combo([(c.value, c.label) for c in Category]))
        self._field(form, "status",
                    self._combo([(s.value, s.label) for s in AgreementStatus]))  # fmt: skip
        self._field(
            form,
            "agreement_type",
            self._combo(
                [("", "Not recorded")] + [(t.value, _label(t.value)) for t in AgreementType]
            ),
        )
        self._field(form, "controller_relationship", self._combo(
            [("", "Not recorded")] + [(c.value, _label(c.value)) for c in ControllerRelationship]
        ))  # fmt: skip
        self._field(form, "owner_id", self._combo([("", "Not recorded")]), "Owner")
        self._field(form, "summary", self._area(80))
        self._field(form, "protective_marking",
                    self._combo([(m, m) for m in MARKINGS], editable=True))  # fmt: skip
        yes_no = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]
        self._field(form, "dpia_needed", self._combo(yes_no))
        self._field(form, "dpia_done", self._combo(yes_no))
        self._field(form, "dpia_reference", QLineEdit())
        self._field(form, "retention", self._area())
        self._field(form, "rights_arrangements", self._area())
        publish = QCheckBox("Publish in the transparency register")
        self._field(form, "publishable", publish, "Publication")
        self._field(form, "notes", self._area())
        return self._scroll(page)

    def _dates_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        for name in DATE_FIELDS:
            self._field(form, name, _date_edit())
        note = QLabel("Dates are written dd/mm/yyyy. A new agreement's next review defaults to "
                      "a year after its start.")  # fmt: skip
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _needs_saving_note(self) -> QLabel:
        note = QLabel("Save the agreement first; these are then saved as you add them.")
        note.setWordWrap(True)
        return note

    def _parties_page(self) -> QWidget:
        page = QWidget()
        self.parties_table = QTableWidget(0, 4)
        self.parties_table.setHorizontalHeaderLabels(
            ["Organisation", "Role", "Signatory", "Signed on"]
        )
        self.parties_table.setAccessibleName("Parties to the agreement")
        self.parties_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parties_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.parties_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.parties_table.itemSelectionChanged.connect(self._party_selected)
        style_table(self.parties_table)
        size_columns(self.parties_table, {1: 12, 2: 30, 3: 12}, stretch=(0,))
        self.party_org = QComboBox()
        self.party_org.setAccessibleName("Organisation to add as a party")
        self.party_org.currentIndexChanged.connect(self._fill_signatories)
        self.party_role = self._combo([(r.value, r.value.capitalize()) for r in PartyRole])
        self.party_role.setAccessibleName("Role of the party")
        self.party_signatory = self._signatory_box("Signatory for the party")
        self.party_signed_on = _date_edit("Date the party signed")
        self.add_party_button = QPushButton("Add party")
        self.add_party_button.setAccessibleName("Add the organisation as a party")
        self.add_party_button.clicked.connect(self._add_party)
        self.remove_party_button = QPushButton("Remove party")
        self.remove_party_button.setAccessibleName("Remove the selected party")
        self.remove_party_button.clicked.connect(self._remove_party)
        self._captions.extend((self.add_party_button, self.remove_party_button))
        self.party_error = ProblemLabel("Problem adding the party", keep_lines=PROBLEM_LINES)
        sign_box = self._signature_box()
        add_box = QGroupBox("Add a party")
        grid = QGridLayout(add_box)
        grid.addWidget(self._caption("Organisation", self.party_org), 0, 0)
        grid.addWidget(self.party_org, 0, 1, 1, 3)
        grid.addWidget(self._caption("Role", self.party_role), 0, 4)
        grid.addWidget(self.party_role, 0, 5)
        grid.addWidget(self._caption("Signatory", self.party_signatory), 1, 0)
        grid.addWidget(self.party_signatory, 1, 1)
        grid.addWidget(self._caption("Signed on", self.party_signed_on), 1, 2)
        grid.addWidget(self.party_signed_on, 1, 3)
        grid.addWidget(self.add_party_button, 1, 5)
        grid.addWidget(self.party_error, 2, 0, 1, 6)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 1)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_party_button)
        self.parties_note = self._needs_saving_note()
        layout = QVBoxLayout(page)
        layout.addWidget(self.parties_table, 1)
        layout.addLayout(remove_row)
        layout.addWidget(sign_box)
        layout.addWidget(add_box)
        layout.addWidget(self.parties_note)
        return page

    @staticmethod
    def _signatory_box(accessible: str) -> QComboBox:
        """Who signed: one of the organisation's people, or a new name typed in."""
        combo = QComboBox()
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setAccessibleName(accessible)
        line = combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Choose one of its people, or type a new name")
        return combo

    def _signature_box(self) -> QGroupBox:
        """Who signed for the party selected in the table, and when: changed in place."""
        self.sign_signatory = self._signatory_box("Who signed for the selected party")
        self.sign_signed_on = _date_edit("Date the selected party signed")
        self.save_signature_button = QPushButton("Save signature")
        self.save_signature_button.setAccessibleName(
            "Save who signed for the selected party and when"
        )
        self.save_signature_button.clicked.connect(self._save_signature)
        self._captions.append(self.save_signature_button)
        self.sign_note = QLabel("")
        self.sign_note.setWordWrap(True)
        self.sign_note.setStyleSheet("color: #555555")
        self.sign_error = ProblemLabel("Problem with the signature", keep_lines=PROBLEM_LINES,
                                       note=self.sign_note)  # fmt: skip
        self.sign_box = QGroupBox("Signature of the selected party")
        grid = QGridLayout(self.sign_box)
        grid.addWidget(self._caption("Signed by", self.sign_signatory), 0, 0)
        grid.addWidget(self.sign_signatory, 0, 1)
        grid.addWidget(self._caption("Date signed", self.sign_signed_on), 0, 2)
        grid.addWidget(self.sign_signed_on, 0, 3)
        grid.addWidget(self.save_signature_button, 0, 4)
        grid.addWidget(self.sign_note, 1, 0, 1, 5)
        grid.addWidget(self.sign_error, 1, 0, 1, 5)  # in the note's place: the note gives way
        grid.setColumnStretch(1, 1)
        self._party_selected()
        return self.sign_box

    def _bases_page(self) -> QWidget:
        page = QWidget()
        self.bases_table = QTableWidget(0, len(BASIS_COLUMNS))
        self.bases_table.setHorizontalHeaderLabels([label for label, _ in BASIS_COLUMNS])
        self.bases_table.setAccessibleName("Lawful bases of the agreement")
        self.bases_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        style_table(self.bases_table)
        size_columns(self.bases_table, {0: 20, 2: 20, 3: 26, 4: 24, 5: 18}, stretch=(1,))
        form = QFormLayout()
        self.basis_party = QComboBox()
        self.basis_purpose = QLineEdit()
        self.basis_article_6 = self._combo([(a, a or "None") for a in ARTICLE_6], editable=True)
        self.basis_article_9 = self._combo([(a, a or "None") for a in ARTICLE_9], editable=True)
        self.basis_article_10 = QLineEdit()
        self.basis_article_10.setPlaceholderText("Criminal offence data: the official authority "
                                                 "or the Schedule 1 condition")  # fmt: skip
        self.basis_schedule_1 = QLineEdit()
        self.basis_schedule_1.setPlaceholderText("e.g. Part 2, paragraph 6: statutory and "
                                                 "government purposes")  # fmt: skip
        self.basis_gateway = QLineEdit()
        self.basis_gateway.setPlaceholderText("e.g. Crime and Disorder Act 1998, section 115")
        self.basis_common_law = QLineEdit()
        self.basis_common_law.setPlaceholderText(
            "How the duty of confidentiality is met, e.g. implied consent for direct care"
        )
        for text, widget in (
            ("For party", self.basis_party), ("Purpose", self.basis_purpose),
            ("UK GDPR Article 6 basis", self.basis_article_6),
            ("UK GDPR Article 9 condition", self.basis_article_9),
            ("UK GDPR Article 10", self.basis_article_10),
            ("DPA 2018 Schedule 1 condition", self.basis_schedule_1),
            ("Statutory gateway", self.basis_gateway),
            ("Common law duty of confidentiality", self.basis_common_law),
        ):  # fmt: skip
            widget.setAccessibleName(text)
            form.addRow(self._caption(text, widget), widget)
        # its one refusal (no basis given) fits a line at the editor's narrowest
        self.basis_error = ProblemLabel("Problem adding the lawful basis", keep_lines=1)
        self.add_basis_button = QPushButton("Add lawful basis")
        self.add_basis_button.setAccessibleName("Add this lawful basis")
        self.add_basis_button.clicked.connect(self._add_basis)
        self.remove_basis_button = QPushButton("Remove lawful basis")
        self.remove_basis_button.setAccessibleName("Remove the selected lawful basis")
        self.remove_basis_button.clicked.connect(self._remove_basis)
        self._captions.extend((self.add_basis_button, self.remove_basis_button))
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_basis_button)
        add_box = QGroupBox("Add a lawful basis")
        add_layout = QVBoxLayout(add_box)
        add_layout.addLayout(form)
        add_layout.addWidget(self.basis_error)
        add_layout.addWidget(self.add_basis_button, 0, Qt.AlignmentFlag.AlignRight)
        self.bases_note = self._needs_saving_note()
        layout = QVBoxLayout(page)
        layout.addWidget(self.bases_table, 1)
        layout.addLayout(remove_row)
        layout.addWidget(add_box)
        layout.addWidget(self.bases_note)
        return page

    def _items_page(self) -> QWidget:
        page = QWidget()
        self.items_list = QListWidget()
        self.items_list.setAccessibleName("Data items of the agreement")
        self.items_list.setWordWrap(True)
        self.items_list.setSpacing(2)
        self.items_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.items_list.currentRowChanged.connect(self._item_selected)
        self.add_item_button = QPushButton("New data item")
        self.add_item_button.setAccessibleName("Add a data item")
        self.add_item_button.clicked.connect(self.add_item)
        self.delete_item_button = QPushButton("Delete data item")
        self.delete_item_button.setAccessibleName("Delete the selected data item")
        self.delete_item_button.clicked.connect(self.delete_item)
        self._captions.extend((self.add_item_button, self.delete_item_button))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._caption("Data items", self.items_list))
        left_layout.addWidget(self.items_list, 1)
        left_layout.addWidget(self.add_item_button)
        left_layout.addWidget(self.delete_item_button)

        form_page = QWidget()
        form = QFormLayout(form_page)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        for name, text in ITEM_TEXT_FIELDS:
            widget: QLineEdit | QPlainTextEdit
            if name in ITEM_LINE_FIELDS:
                widget = QLineEdit()
                widget.textEdited.connect(self._item_edited)
            else:
                widget = self._area(lines=4)
                widget.textChanged.connect(self._item_edited)
            self._item_field(form, name, text, widget)
        for name, text in ITEM_DATE_FIELDS:
            date = _date_edit()
            date.textEdited.connect(self._item_edited)
            self._item_field(form, name, text, date)
        self.item_form = self._scroll(form_page)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.item_form)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([320, 860])
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        self._enable_item_form(False)
        return page

    def _item_field(self, form: QFormLayout, name: str, text: str,
                    widget: QLineEdit | QPlainTextEdit) -> None:  # fmt: skip
        """A data item's field in the form, with its problem under it and its history."""
        self.item_fields[name] = widget
        self.item_errors[name] = self._add_field_row(
            form, text, widget, lambda: self._show_item_field_history(name)
        )

    def _links_page(self) -> QWidget:
        page = QWidget()
        self.use_case_list = QListWidget()
        self.use_case_list.setAccessibleName("Linked use cases (tick to link)")
        self.assessment_list = QListWidget()
        self.assessment_list.setAccessibleName("Linked assessments (tick to link)")
        self.save_links_button = QPushButton("Save links")
        self.save_links_button.setAccessibleName("Save linked use cases and assessments")
        self.save_links_button.clicked.connect(self._save_links)
        self._captions.append(self.save_links_button)
        hint = QLabel("Tick the use cases this agreement serves and the assessments that need "
                      "its data, then save the links.")  # fmt: skip
        hint.setWordWrap(True)
        lists = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self._caption("Use cases", self.use_case_list))
        left.addWidget(self.use_case_list)
        right.addWidget(self._caption("Assessments", self.assessment_list))
        right.addWidget(self.assessment_list)
        lists.addLayout(left)
        lists.addLayout(right)
        save_row = QHBoxLayout()
        save_row.addWidget(hint, 1)
        save_row.addWidget(self.save_links_button)
        self.links_note = self._needs_saving_note()
        layout = QVBoxLayout(page)
        layout.addLayout(lists, 1)
        layout.addLayout(save_row)
        layout.addWidget(self.links_note)
        return page

    def _history_page(self) -> QWidget:
        page = QWidget()
        self.history_filter = QComboBox()
        self.history_filter.setAccessibleName("Show the history of")
        self.history_filter.currentIndexChanged.connect(self._filter_history)
        self.history_model = HistoryTableModel(self)
        self.history_table = history_table(self.history_model, "History of the agreement", self)
        hint = QLabel("Right-click a field on another tab to see its history here. Undo "
                      "(Ctrl+Z) takes back the last change.")  # fmt: skip
        hint.setStyleSheet("color: #555555")
        row = QHBoxLayout()
        row.addWidget(self._caption("Show the history of", self.history_filter))
        row.addWidget(self.history_filter, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.history_table, 1)
        layout.addWidget(hint)
        return page

    # ------------------------------------------------------------------ state

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def agreement_id(self) -> str | None:
        return None if self.agreement is None else self.agreement.id

    def _mark_dirty(self, *_: object) -> None:
        if self._populating or self._dirty:
            return
        self._dirty = True
        self.heading.setText(self.heading.text().rstrip(" *") + " *")
        self.dirty_changed.emit(True)

    def _set_clean(self) -> None:
        was = self._dirty
        self._dirty = False
        self.heading.setText(self.heading.text().rstrip(" *"))
        if was:
            self.dirty_changed.emit(False)

    def _set_saved_parts_enabled(self, enabled: bool) -> None:
        for widget in (
            self.add_party_button,
            self.remove_party_button,
            self.party_org,
            self.party_role,
            self.party_signatory,
            self.party_signed_on,
            self.add_basis_button,
            self.remove_basis_button,
            self.save_links_button,
            self.use_case_list,
            self.assessment_list,
        ):
            widget.setEnabled(enabled)  # fmt: skip
        for note in (self.parties_note, self.bases_note, self.links_note):
            note.setVisible(not enabled)

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        if register is None:
            self.agreement = None
            self._populate(_EditorData(None))
            self._set_clean()

    # ------------------------------------------------------------------ loading

    def open_agreement(self, agreement_id: str | None) -> None:
        """Load an agreement (or a blank new one when None); emits `loaded`."""
        register = self._register
        if register is None:
            return

        self._work.load(lambda: _load(register, agreement_id), self._show_loaded,
                        label="Opening the agreement…")  # fmt: skip

    def reload(self) -> None:
        """Load the agreement again from the register (after undo, redo or a side change)."""
        if self.agreement is None:
            self.loaded.emit()
            return
        register = self._register
        agreement_id = self.agreement.id
        if register is None:
            return
        from app.errors import NotFoundError

        def gone(exc: BaseException) -> None:
            if isinstance(exc, NotFoundError):
                self.agreement = None
                self._set_clean()
                self.closed.emit()
            else:
                ErrorMessage.show(self, exc)

        self._work.load(lambda: _load(register, agreement_id), self._show_loaded,
                        label="Opening the agreement…", failed=gone)  # fmt: skip

    def _show_loaded(self, data: _EditorData) -> None:
        self.agreement = data.agreement
        self._populate(data)
        self._set_clean()

    def _populate(self, data: _EditorData) -> None:
        agreement, organisations = data.agreement, data.organisations
        self._populating = True
        try:
            self._clear_errors()
            self._people = data.people
            owner = self.fields["owner_id"]
            assert isinstance(owner, QComboBox)
            owner.clear()
            owner.addItem("Not recorded", "")
            for person in data.people:
                where = f", {person.organisation}" if person.organisation else ""
                owner.addItem(f"{person.name}{where}", person.id)
            if agreement is None:
                self.heading.setText("New agreement" if self._register is not None else "")
            else:
                self.heading.setText(f"{agreement.reference} — {agreement.title}")
            values: dict[str, Any] = {} if agreement is None else agreement.__dict__
            for name, widget in self.fields.items():
                value = values.get(name)
                if isinstance(widget, QLineEdit):
                    if name in DATE_FIELDS:
                        widget.setText(format_uk_date(value))
                    else:
                        widget.setText("" if value is None else str(value))
                    widget.setCursorPosition(0)  # a long value shows from its start
                elif isinstance(widget, QPlainTextEdit):
                    widget.setPlainText("" if value is None else str(value))
                elif isinstance(widget, QCheckBox):
                    widget.setChecked(bool(value))
                elif isinstance(widget, QComboBox):
                    self._set_combo(widget, name, value)
            self._organisations = organisations
            self.party_org.clear()
            for choice in organisations:
                self.party_org.addItem(choice.label, choice.id)
            self._fill_parties(agreement)
            self._fill_bases(agreement)
            self._items = [
                {"item_id": i.id, **{k: getattr(i, k) for k, _ in ITEM_TEXT_FIELDS},
                 **{k: format_uk_date(getattr(i, k)) for k, _ in ITEM_DATE_FIELDS}}
                for i in (agreement.items if agreement else ())
            ]  # fmt: skip
            self._deleted_items = []
            self._current_item = -1
            self._fill_item_list()
            self._fill_links(agreement, data.use_cases, data.assessments)
            self._history = data.history
            self._fill_history_filter()
            self._set_saved_parts_enabled(agreement is not None)
            self.tabs.setEnabled(self._register is not None)
            self.save_button.setEnabled(self._register is not None)
        finally:
            self._populating = False

    def _set_combo(self, combo: QComboBox, name: str, value: Any) -> None:
        if name in ("dpia_needed", "dpia_done"):
            value = "" if value is None else ("yes" if value else "no")
        if name == "status" and value is None:
            value = AgreementStatus.DRAFT.value
        if name == "category" and value is None:
            value = Category.PERSONAL.value
        if name == "protective_marking" and not value:
            value = (self._settings or Settings()).get(PROTECTIVE_MARKING)
        index = combo.findData(value or "")
        if index >= 0:
            combo.setCurrentIndex(index)
        elif combo.isEditable():
            combo.setEditText(str(value or ""))
        else:
            combo.setCurrentIndex(0)

    def _fill_parties(self, agreement: Agreement | None) -> None:
        keep = self._selected_id(self.parties_table)
        parties = agreement.parties if agreement else ()
        self._parties = parties
        self.parties_table.blockSignals(True)
        self.parties_table.clearSelection()
        self.parties_table.setRowCount(len(parties))
        for row, party in enumerate(parties):
            for col, text in enumerate(
                (
                    party.organisation,
                    party.role.capitalize(),
                    party.signatory,
                    format_uk_date(party.signed_on),
                )
            ):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, party.id)
                item.setToolTip(text)
                self.parties_table.setItem(row, col, item)
        kept = [row for row, party in enumerate(parties) if party.id == keep]
        if kept:
            self.parties_table.selectRow(kept[0])
        self.parties_table.blockSignals(False)
        self._party_selected()
        self.basis_party.clear()
        self.basis_party.addItem("All parties", "")
        for party in parties:
            self.basis_party.addItem(party.organisation, party.id)
        self.party_signed_on.clear()
        self.party_error.clear()

    def _fill_signatories(self, *_: object) -> None:
        """The people of the organisation chosen to add, to pick its signatory from."""
        self._fill_people(self.party_signatory, self.party_org.currentData(), None)

    def _fill_people(self, combo: QComboBox, org_id: str | None, current: str | None) -> None:
        """'Not signed yet' and the organisation's people, and the `current` signatory (chosen)."""
        combo.clear()
        combo.addItem(NOT_SIGNED, "")
        for person in self._people:
            if person.organisation_id == org_id or (current and person.id == current):
                role = f", {person.role}" if person.role else ""
                combo.addItem(f"{person.name}{role}", person.id)
        combo.setCurrentIndex(max(combo.findData(current or ""), 0))

    def _selected_party(self) -> Party | None:
        party_id = self._selected_id(self.parties_table)
        return next((p for p in self._parties if p.id == party_id), None)

    def _party_selected(self) -> None:
        """Show who signed for the party selected in the table, ready to change."""
        party = self._selected_party()
        self.sign_box.setTitle("Signature of the selected party" if party is None
                               else f"Signature of {party.organisation}")  # fmt: skip
        self._fill_people(self.sign_signatory, party.organisation_id if party else None,
                          party.signatory_id if party else None)  # fmt: skip
        if party is None:
            self.sign_signatory.clear()
        self.sign_signed_on.setText(format_uk_date(party.signed_on) if party else "")
        self.sign_note.setText(SIGN_NOTE if party else SELECT_PARTY_NOTE)
        self.sign_error.clear()
        for widget in (self.sign_signatory, self.sign_signed_on, self.save_signature_button):
            widget.setEnabled(party is not None)

    def _fill_bases(self, agreement: Agreement | None) -> None:
        bases = agreement.lawful_bases if agreement else ()
        self.bases_table.setRowCount(len(bases))
        for row, basis in enumerate(bases):
            for col, (_, text_of) in enumerate(BASIS_COLUMNS):
                text = text_of(basis)
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, basis.id)
                item.setToolTip(text)
                self.bases_table.setItem(row, col, item)

    def _fill_links(self, agreement: Agreement | None, use_cases: list[Choice],
                    assessments: list[Choice]) -> None:  # fmt: skip
        for widget, choices, linked in (
            (self.use_case_list, use_cases, set(agreement.use_case_ids) if agreement else set()),
            (self.assessment_list, assessments,
             set(agreement.assessment_ids) if agreement else set()),
        ):  # fmt: skip
            widget.clear()
            for choice in choices:
                item = QListWidgetItem(choice.label)
                item.setData(Qt.ItemDataRole.UserRole, choice.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if choice.id in linked else Qt.CheckState.Unchecked
                )
                widget.addItem(item)

    # ------------------------------------------------------------------ data items

    def _item_name(self, n: int) -> str:
        title = str(self._items[n].get("title") or "").strip()
        return f"{n + 1}. {title or 'Untitled data item'}"

    def _fill_item_list(self) -> None:
        self.items_list.blockSignals(True)
        self.items_list.clear()
        for n in range(len(self._items)):
            self.items_list.addItem(self._item_name(n))
        self.items_list.blockSignals(False)
        self._current_item = -1
        if self._items:
            self.items_list.setCurrentRow(0)
            self._item_selected(0)
        else:
            self._load_item_form(None)

    def _enable_item_form(self, enabled: bool) -> None:
        for widget in self.item_fields.values():
            widget.setEnabled(enabled)
        self.delete_item_button.setEnabled(enabled)

    def _store_current_item(self) -> None:
        n = self._current_item
        if 0 <= n < len(self._items):
            for name, widget in self.item_fields.items():
                text = widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()
                self._items[n][name] = text

    def _load_item_form(self, item: dict[str, Any] | None) -> None:
        was = self._populating
        self._populating = True
        try:
            for name, widget in self.item_fields.items():
                text = "" if item is None else str(item.get(name) or "")
                if isinstance(widget, QLineEdit):
                    widget.setText(text)
                    widget.setCursorPosition(0)
                else:
                    widget.setPlainText(text)
                self.item_errors[name].clear()
            self._enable_item_form(item is not None)
        finally:
            self._populating = was

    def _item_selected(self, row: int) -> None:
        self._store_current_item()
        self._current_item = row
        self._load_item_form(self._items[row] if 0 <= row < len(self._items) else None)

    def _item_edited(self, *_: object) -> None:
        if self._populating:
            return
        self._store_current_item()
        n = self._current_item
        if 0 <= n < len(self._items):
            item = self.items_list.item(n)
            if item is not None:
                item.setText(self._item_name(n))
        self._mark_dirty()

    def add_item(self) -> None:
        self._store_current_item()
        self._items.append({"item_id": None})
        self.items_list.addItem(self._item_name(len(self._items) - 1))
        self.items_list.setCurrentRow(len(self._items) - 1)
        self.tabs.setCurrentIndex(4)
        self.item_fields["title"].setFocus()
        self._mark_dirty()

    def delete_item(self) -> None:
        n = self._current_item
        if not 0 <= n < len(self._items):
            return
        removed = self._items.pop(n)
        if removed.get("item_id"):
            self._deleted_items.append(str(removed["item_id"]))
        self._current_item = -1
        self._fill_item_list()
        self._mark_dirty()

    def item_count(self) -> int:
        return len(self._items)

    def set_item_field(self, row: int, name: str, text: str) -> None:
        """Select a data item and type into one of its fields (keyboard users and tests)."""
        self.items_list.setCurrentRow(row)
        widget = self.item_fields[name]
        if isinstance(widget, QLineEdit):
            widget.setText(text)
            self._item_edited()
        else:
            widget.setPlainText(text)

    # ------------------------------------------------------------------ saving

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), *self.item_errors.values(), self.general_error):
            label.clear()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Put each problem next to its field; others go above the tabs."""
        self._clear_errors()
        general: list[str] = []
        first: QWidget | None = None
        for problem in problems:
            label = self.errors.get(problem.field)
            if label is None:
                general.append(f"{field_label('agreement', problem.field)}: {problem.message}")
                continue
            label.setText((label.text() + "\n" if label.text() else "") + problem.message)
            if first is None:
                first = self.fields[problem.field]
        if general:
            self.general_error.setText("\n".join(general))
        if first is not None:
            page = 1 if any(p.field in DATE_FIELDS for p in problems
                            if self.errors.get(p.field)) and not any(
                p.field not in DATE_FIELDS for p in problems if self.errors.get(p.field)
            ) else 0  # fmt: skip
            self.tabs.setCurrentIndex(page)
            first.setFocus()

    def collect_values(self) -> tuple[dict[str, Any], list[FieldProblem]]:
        """The agreement's fields as typed, and the problems found reading them."""
        values: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        for name, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                text = widget.text().strip()
                if name in DATE_FIELDS:
                    if not text:
                        values[name] = None
                        continue
                    try:
                        values[name] = parse_uk_date(text)
                    except ValueError as exc:
                        problems.append(FieldProblem(name, str(exc)))
                else:
                    values[name] = text or None
            elif isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText().strip() or None
            elif isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                data = widget.currentData()
                if widget.isEditable() and widget.currentText() != widget.itemText(
                        widget.currentIndex()):  # fmt: skip
                    data = widget.currentText().strip()
                if name in ("dpia_needed", "dpia_done"):
                    values[name] = None if not data else data == "yes"
                else:
                    values[name] = data or None
        return values, problems

    def save(self) -> None:
        """Validate and save; emits `saved` (or shows the problems next to the fields)."""
        register = self._register
        if register is None:
            return
        self._store_current_item()
        values, problems = self.collect_values()
        if problems:
            self.show_problems(problems)
            self.loaded.emit()
            return
        if self.agreement is not None:
            # only what changed: the log records real changes, not every field on each save
            current = self.agreement.__dict__
            values = {k: v for k, v in values.items() if _norm(k, current.get(k)) != _norm(k, v)}
        items: list[ItemEdit] = []
        for n, item in enumerate(self._items):
            item_values, item_problems = self._item_values(item)
            if item_problems:
                self.show_item_problems(n, item_problems)
                self.loaded.emit()
                return
            items.append(ItemEdit(item.get("item_id"), item_values))
        agreement_id = self.agreement_id
        deleted = list(self._deleted_items)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                self.show_problems(exc.problems)
            else:
                ErrorMessage.show(self, exc)

        def done(saved_id: str) -> None:
            self._dirty = False
            self.saved.emit(saved_id)
            self._reload_after_save(saved_id)

        self._work.run(lambda: save_agreement(register, agreement_id, values, items, deleted),
                       done, label="Saving the agreement…", failed=failed)  # fmt: skip

    def _item_values(self, item: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
        """A data item's fields to save, its dates read, and the problems reading them."""
        values = {name: item.get(name, "") for name in self.item_fields}
        problems: list[FieldProblem] = []
        for name, _ in ITEM_DATE_FIELDS:
            text = str(values[name] or "").strip()
            try:
                values[name] = parse_uk_date(text) if text else None
            except ValueError as exc:
                problems.append(FieldProblem(name, str(exc)))
        return values, problems

    def show_item_problems(self, row: int, problems: list[FieldProblem]) -> None:
        """Show data item `row` with each problem under its field, the first one focused."""
        self._clear_errors()
        self.tabs.setCurrentIndex(4)
        self.items_list.setCurrentRow(row)
        for problem in problems:
            self.item_errors[problem.field].setText(problem.message)
        self.item_fields[problems[0].field].setFocus()
        error = self.item_errors[problems[0].field]
        # once the form has grown by the problem's line, scroll down to it
        QTimer.singleShot(0, self.item_form, lambda: self.item_form.ensureWidgetVisible(error))

    def _reload_after_save(self, agreement_id: str) -> None:
        if self.agreement is None:
            self.agreement = None
            self.open_agreement(agreement_id)
        else:
            self.reload()

    def revert(self) -> None:
        if self.agreement is None:
            self.open_agreement(None)
        else:
            self.reload()

    def request_close(self) -> bool:
        """Leave the editor; asks first when there are unsaved changes. True if it closed."""
        if not self.confirm_discard():
            return False
        self._set_clean()
        self.closed.emit()
        return True

    def confirm_discard(self) -> bool:
        """Return True when there is nothing unsaved or the person agrees to lose it."""
        if not self._dirty:
            return True
        answer = Question.ask(
            self, "Unsaved changes",
            "This agreement has changes that are not saved. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Discard:
            self._set_clean()
            return True
        return False

    # ------------------------------------------------------------------ side lists (saved)

    def _write(self, fn: Callable[[], Any], label: str, problems: ProblemLabel | None = None,
               written: Callable[[], None] | None = None) -> None:  # fmt: skip
        """Write a side list (saved at once); a refusal is shown in `problems` when given.

        `written` is called once the write went through, before the editor reloads.
        """

        def done(_: Any) -> None:
            if written is not None:
                written()
            self.changed.emit()
            self.reload()

        def failed(exc: BaseException) -> None:
            if problems is not None and isinstance(exc, ValidationError):
                problems.setText(" ".join(p.message for p in exc.problems))
            else:
                ErrorMessage.show(self, exc)

        self._work.run(fn, done, label=label, failed=failed)

    def _add_party(self) -> None:
        register, agreement = self._register, self.agreement
        org_id = self.party_org.currentData()
        if register is None or agreement is None or not org_id:
            return
        role = str(self.party_role.currentData())
        signatory, new_name = _signatory_choice(self.party_signatory)
        read, signed_on = self._read_date(self.party_signed_on, "Signed on", self.party_error)
        if not read:
            return
        self._write(lambda: add_party(register, agreement.id, org_id, role, signatory, signed_on,
                                      new_name), "Adding the party…",
                    problems=self.party_error)  # fmt: skip

    @staticmethod
    def _read_date(edit: QLineEdit, label: str,
                   problem: ProblemLabel) -> tuple[bool, dt.date | None]:  # fmt: skip
        """(read, the date typed in `edit` or None); not read, with the reason shown, if wrong."""
        text = edit.text().strip()
        try:
            value = parse_uk_date(text) if text else None
        except ValueError as exc:
            problem.setText(f"{label}: {exc}")
            edit.setFocus()
            return False, None
        problem.clear()
        return True, value

    def _save_signature(self) -> None:
        register, party = self._register, self._selected_party()
        if register is None or party is None:
            return
        signatory, new_name = _signatory_choice(self.sign_signatory)
        read, signed_on = self._read_date(self.sign_signed_on, "Date signed", self.sign_error)
        if not read:
            return
        self._write(lambda: set_party_signatory(register, party.id, signatory, signed_on,
                                                new_name), "Saving the signature…",
                    problems=self.sign_error)  # fmt: skip

    def _selected_id(self, table: QTableWidget) -> str | None:
        row = table.currentRow()
        item = table.item(row, 0) if row >= 0 else None
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _remove_party(self) -> None:
        register, party_id = self._register, self._selected_id(self.parties_table)
        if register is not None and party_id and self._removal_agreed(register, "party", party_id):
            self._write(lambda: remove_record(register, "party", party_id, "Remove party"),
                        "Removing the party…")  # fmt: skip

    def _removal_agreed(self, register: Register, kind: str, record_id: str) -> bool:
        """Whether to remove a party or a lawful basis: asked first, saying what goes with it.

        One that would be refused (a lawful basis names the party, or it is gone) is said at
        once and nothing is asked.
        """
        reference = self.agreement.reference if self.agreement is not None else "the agreement"
        return deletion_agreed(
            register, kind, record_id, parent=self, verb="Remove", where=f" from {reference}",
            attempt=lambda work: attempt_said_in_a_message(self, work),
        )  # fmt: skip

    def _add_basis(self) -> None:
        register, agreement = self._register, self.agreement
        if register is None or agreement is None:
            return
        values = {
            "party_id": self.basis_party.currentData() or None,
            "purpose": self.basis_purpose.text().strip(),
            "article_6": self.basis_article_6.currentText().strip(),
            "article_9": self.basis_article_9.currentText().strip(),
            "article_10": self.basis_article_10.text().strip(),
            "dpa_schedule_1": self.basis_schedule_1.text().strip(),
            "statutory_gateway": self.basis_gateway.text().strip(),
            "common_law_duty": self.basis_common_law.text().strip(),
        }
        values = {k: (None if v in ("None", "") else v) for k, v in values.items()}
        self.basis_error.clear()

        def written() -> None:
            for line in (self.basis_purpose, self.basis_article_10, self.basis_schedule_1,
                         self.basis_gateway, self.basis_common_law):  # fmt: skip
                line.clear()

        self._write(lambda: add_lawful_basis(register, agreement.id, values),
                    "Adding the lawful basis…", problems=self.basis_error,
                    written=written)  # fmt: skip

    def _remove_basis(self) -> None:
        register, basis_id = self._register, self._selected_id(self.bases_table)
        if register is not None and basis_id and self._removal_agreed(register, "lawful_basis",
                                                                      basis_id):  # fmt: skip
            self._write(lambda: remove_record(register, "lawful_basis", basis_id,
                                              "Remove lawful basis"), "Removing…")  # fmt: skip

    def _checked(self, widget: QListWidget) -> list[str]:
        out: list[str] = []
        for n in range(widget.count()):
            item = widget.item(n)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _save_links(self) -> None:
        register, agreement = self._register, self.agreement
        if register is None or agreement is None:
            return
        use_cases, assessments = self._checked(self.use_case_list), self._checked(
            self.assessment_list)  # fmt: skip
        self._write(lambda: set_links(register, agreement.id, use_cases, assessments),
                    "Saving the links…")  # fmt: skip

    # ------------------------------------------------------------------ history

    def _fill_history_filter(self) -> None:
        self.history_filter.blockSignals(True)
        self.history_filter.clear()
        self.history_filter.addItem("Every field", None)
        seen: set[tuple[str, str, str]] = set()
        for entry in self._history:
            key = (entry.entity, entry.record_id, entry.field)
            if key in seen:
                continue
            seen.add(key)
            prefix = "" if entry.entity == "agreement" else f"{entry.record_label} — "
            self.history_filter.addItem(f"{prefix}{entry.field_label}", key)
        self.history_filter.blockSignals(False)
        self._filter_history()

    def _filter_history(self, *_: object) -> None:
        key = self.history_filter.currentData()
        if key is None:
            self.history_model.set_entries(self._history)
        else:
            entity, record_id, name = key
            self.history_model.set_entries([
                e for e in self._history
                if (e.entity, e.record_id, e.field) == (entity, record_id, name)
            ])  # fmt: skip

    def show_field_history(self, entity: str, name: str, record_id: str | None = None) -> None:
        """Switch to the History tab showing one field."""
        record_id = record_id or self.agreement_id
        for n in range(self.history_filter.count()):
            data = self.history_filter.itemData(n)
            if data is not None and tuple(data) == (entity, record_id, name):
                self.history_filter.setCurrentIndex(n)
                break
        else:
            self.history_filter.setCurrentIndex(0)
        self.tabs.setCurrentIndex(6)

    def _show_item_field_history(self, name: str) -> None:
        n = self._current_item
        if 0 <= n < len(self._items) and self._items[n].get("item_id"):
            self.show_field_history("data_item", name, str(self._items[n]["item_id"]))
