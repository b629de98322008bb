"""Use cases: a board of stage columns with cards (or a table), and the selected use case below."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.agreement_table import status_label
from app.agreements import list_agreements
from app.organisations import list_organisations
from app.register import Register
from app.use_cases import (
    RAG_LABELS,
    STAGE_LABELS,
    STAGE_ORDER,
    UseCase,
    UseCaseSummary,
    add_benefit,
    create_use_case,
    delete_benefit,
    delete_use_case,
    get_use_case,
    link_agreement,
    list_use_cases,
    move_stage,
    move_to_next_stage,
    move_to_previous_stage,
    set_partners,
    unlink_agreement,
    update_use_case,
)
from ui.models.use_case_models import RAG_COLOURS, BenefitTableModel, UseCaseTableModel
from ui.widgets.cards import BADGE_ROLE, COLOUR_ROLE, SUBTITLE_ROLE, CardDelegate
from ui.widgets.focus import tab_order
from ui.widgets.master_detail import (
    RecordWriters,
    ShownRecord,
    clear_current,
    delete_asked,
    select_row,
)
from ui.widgets.record_form import FormField, ProblemLabel, RecordForm
from ui.widgets.tables import record_table, size_columns
from ui.widgets.view_keys import NEXT_STAGE_KEYS, PREVIOUS_STAGE_KEYS
from ui.widgets.wrapped_text import heading_text

ID_ROLE = Qt.ItemDataRole.UserRole + 1
BOARD_STAGES = (*(s.value for s in STAGE_ORDER), "closed")
USE_CASE_FORM = (
    FormField("title", "T&itle"),
    FormField("lead_organisation_id", "Lead or&ganisation", "choice"),
    FormField("stage", "St&age", "choice", tuple(STAGE_LABELS.items())),
    FormField(
        "rag",
        "RAG stat&us",
        "choice",
        ((None, "Not set"), *RAG_LABELS.items()),
        tip="Red, amber or green: how the use case is going",
    ),
    FormField("owner", "O&wner", placeholder="Name and role of the person leading it"),
    FormField("summary", "Summar&y", "text"),
    FormField("risks", "Ris&ks", "text"),
    FormField("next_steps", "Next ste&ps", "text"),
)
COLUMN_MIN_WIDTH = 110
WRITERS = RecordWriters(create_use_case, update_use_case, delete_use_case, "use_case")


def _board_column(stage: str, parent: QWidget) -> tuple[QWidget, QLabel, QListWidget]:
    """One stage of the board: its title with the count, and its cards."""
    column = QWidget(parent)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    title = QLabel(STAGE_LABELS[stage], column)
    title.setStyleSheet("font-weight: bold; padding: 2px 4px")
    cards = QListWidget(column)
    cards.setAccessibleName(f"{STAGE_LABELS[stage]} use cases")
    cards.setMinimumWidth(COLUMN_MIN_WIDTH)
    cards.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    cards.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    cards.setResizeMode(QListView.ResizeMode.Adjust)
    cards.setItemDelegate(CardDelegate(cards))
    cards.setStyleSheet("QListWidget { background: #eef1f4; border: 1px solid #d3d7dc; }")
    layout.addWidget(title)
    layout.addWidget(cards, 1)
    return column, title, cards


def _card(row: UseCaseSummary) -> QListWidgetItem:
    """A card of the board: title, lead organisation, RAG (in words beside its colour)."""
    lead = row.lead_organisation or "No lead organisation"
    rag = RAG_LABELS.get(row.rag, "RAG not set")
    item = QListWidgetItem(row.title)
    item.setData(ID_ROLE, row.id)
    item.setData(SUBTITLE_ROLE, lead)
    item.setData(BADGE_ROLE, rag)
    item.setData(COLOUR_ROLE, RAG_COLOURS.get(row.rag))
    counts = f"{row.partner_count} partners, {row.agreement_count} linked agreements"
    item.setToolTip(
        f"{row.title}\nLead: {lead}\nRAG: {rag}\nOwner: {row.owner or 'not recorded'}\n{counts}"
    )
    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{row.title}, {lead}, RAG {rag}")
    return item


class UseCasesView(QWidget):
    """The use-case tracker: move cards between stages, edit benefits, partners and links."""

    agreement_requested = Signal(str)
    """The person opened a linked agreement (its id)."""
    use_case_saved = Signal(str)
    """A use case was added, edited or moved (its id)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._detail: UseCase | None = None
        self._organisations: list[tuple[str, str]] = []
        self._build_actions()
        self._build_board()
        self._build_detail()
        self._lay_out()
        self._show_detail()

    def _build_actions(self) -> None:
        self.new_button = QPushButton("&New use case", self)
        self.new_button.setAccessibleName("New use case")
        self.new_button.clicked.connect(self.new_use_case)
        self.previous_button = QPushButton("Move to p&revious stage", self)
        self.previous_button.setAccessibleName("Move to previous stage")
        self.previous_button.setToolTip(
            f"Move the selected use case one stage back ({PREVIOUS_STAGE_KEYS})"
        )
        self.previous_button.clicked.connect(self.move_previous)
        self.next_button = QPushButton("Move to ne&xt stage", self)
        self.next_button.setAccessibleName("Move to next stage")
        self.next_button.setToolTip(f"Move the selected use case one stage on ({NEXT_STAGE_KEYS})")
        self.next_button.clicked.connect(self.move_next)
        self.close_button = QPushButton("Cl&ose use case", self)
        self.close_button.setAccessibleName("Close use case")
        self.close_button.setToolTip("Move the selected use case to Closed, whatever its stage")
        self.close_button.clicked.connect(self.close_use_case)
        self.delete_button = QPushButton("&Delete use case", self)
        self.delete_button.setAccessibleName("Delete use case")
        self.delete_button.clicked.connect(self.delete_current)
        self.next_shortcut = QShortcut(QKeySequence(NEXT_STAGE_KEYS), self, self.move_next)
        self.previous_shortcut = QShortcut(
            QKeySequence(PREVIOUS_STAGE_KEYS), self, self.move_previous
        )
        self.problem = ProblemLabel("Problem", self)

    def _build_board(self) -> None:
        self.columns: dict[str, QListWidget] = {}
        self.column_titles: dict[str, QLabel] = {}
        board = QWidget(self)
        board_layout = QHBoxLayout(board)
        board_layout.setContentsMargins(4, 4, 4, 4)
        board_layout.setSpacing(6)
        for stage in BOARD_STAGES:
            column, title, cards = _board_column(stage, board)
            cards.currentItemChanged.connect(self._card_changed)
            board_layout.addWidget(column, 1)
            self.columns[stage] = cards
            self.column_titles[stage] = title

        self.model = UseCaseTableModel(self)
        self.table = record_table(self.model, "Use cases", self)
        size_columns(self.table, {1: 15, 2: 10, 3: 34, 4: 30, 5: 9, 6: 11}, stretch=(0,))

        self.layouts = QTabWidget(self)
        self.layouts.setAccessibleName("Board or table")
        self.layouts.addTab(board, "&Board")
        self.layouts.addTab(self.table, "&Table")

    def _build_detail(self) -> None:
        self.heading = heading_text("Selected use case", self)
        self.form = RecordForm(USE_CASE_FORM, self, side_by_side=True)
        self.shown = ShownRecord(self.form, WRITERS, refresh=self.refresh,
                                 saved=self.use_case_saved.emit,
                                 attempt=self.problem.attempt)  # fmt: skip
        self.shown.follow(self.table, self._show_detail)
        self.save_button = QPushButton("&Save use case", self)
        self.save_button.setAccessibleName("Save use case")
        self.save_button.clicked.connect(self.save)
        details = QWidget(self)
        details_layout = QVBoxLayout(details)
        details_layout.addWidget(self.form, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        details_layout.addLayout(save_row)

        self.benefit_model = BenefitTableModel(self)
        self.benefit_model.problem_raised.connect(self._show_problem)
        self.benefits = record_table(self.benefit_model, "Benefits", self, rows=False)
        self.benefits.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        size_columns(self.benefits, {1: 20, 2: 11, 3: 11, 4: 11, 5: 12}, stretch=(0,))
        self.add_benefit_button = QPushButton("&Add benefit", self)
        self.add_benefit_button.setAccessibleName("Add benefit")
        self.add_benefit_button.clicked.connect(self.add_benefit)
        self.delete_benefit_button = QPushButton("Re&move benefit", self)
        self.delete_benefit_button.setAccessibleName("Remove the selected benefit")
        self.delete_benefit_button.clicked.connect(self.remove_benefit)
        benefits_hint = QLabel(
            "Each benefit: the measure, its baseline, the target and the latest actual, with the "
            "date it was measured (dd/mm/yyyy). Double-click or start typing in a cell to edit it.",
            self,
        )
        benefits_hint.setWordWrap(True)
        benefits_page = QWidget(self)
        benefits_layout = QVBoxLayout(benefits_page)
        benefit_buttons = QHBoxLayout()
        benefit_buttons.addWidget(self.add_benefit_button)
        benefit_buttons.addWidget(self.delete_benefit_button)
        benefit_buttons.addWidget(benefits_hint, 1)
        benefits_layout.addLayout(benefit_buttons)
        benefits_layout.addWidget(self.benefits, 1)

        self.partners = QListWidget(self)
        self.partners.setAccessibleName("Partner organisations (tick each partner)")
        self.save_partners_button = QPushButton("Save &partners", self)
        self.save_partners_button.setAccessibleName("Save partners")
        self.save_partners_button.clicked.connect(self.save_partners)
        self.agreements = QListWidget(self)
        self.agreements.setAccessibleName("Linked agreements (press Enter to open)")
        self.agreements.setToolTip("Double-click or press Enter to open the agreement")
        self.agreements.itemActivated.connect(self._agreement_activated)
        self.agreement_choice = QComboBox(self)
        self.agreement_choice.setAccessibleName("Agreement to link")
        self.agreement_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.agreement_choice.setMinimumContentsLength(20)
        self.link_button = QPushButton("Lin&k agreement", self)
        self.link_button.setAccessibleName("Link agreement")
        self.link_button.clicked.connect(self.link_chosen_agreement)
        self.unlink_button = QPushButton("&Unlink agreement", self)
        self.unlink_button.setAccessibleName("Unlink the selected agreement")
        self.unlink_button.clicked.connect(self.unlink_selected_agreement)
        links_page = QWidget(self)
        links_layout = QHBoxLayout(links_page)
        partners_box = QGroupBox("Partner organisations", self)
        partners_layout = QVBoxLayout(partners_box)
        partners_layout.addWidget(self.partners)
        partners_layout.addWidget(self.save_partners_button, 0, Qt.AlignmentFlag.AlignRight)
        agreements_box = QGroupBox("Linked agreements", self)
        agreements_layout = QVBoxLayout(agreements_box)
        agreements_layout.addWidget(self.agreements)
        link_row = QHBoxLayout()
        link_row.addWidget(self.agreement_choice, 1)
        link_row.addWidget(self.link_button)
        link_row.addWidget(self.unlink_button)
        agreements_layout.addLayout(link_row)
        links_layout.addWidget(partners_box, 2)
        links_layout.addWidget(agreements_box, 3)

        self.detail_tabs = QTabWidget(self)
        self.detail_tabs.setAccessibleName("Use case details")
        self.detail_tabs.addTab(details, "Details")
        self.detail_tabs.addTab(benefits_page, "Benefits")
        self.detail_tabs.addTab(links_page, "Partners and agreements")

    def _lay_out(self) -> None:
        actions = QHBoxLayout()
        for button in (self.new_button, self.previous_button, self.next_button,
                       self.close_button, self.delete_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 4, 0, 0)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.detail_tabs, 1)
        # the board takes the width (seven stages side by side); the use case shows below it
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.layouts)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 470])
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addWidget(self.problem)
        layout.addWidget(splitter, 1)
        tab_order((self.new_button, self.previous_button, self.next_button, self.close_button,
                   self.delete_button, self.layouts, *self.columns.values(), self.table,
                   self.detail_tabs, *self.form.editors.values(), self.save_button,
                   self.add_benefit_button, self.delete_benefit_button, self.benefits,
                   self.partners, self.save_partners_button, self.agreements,
                   self.agreement_choice, self.link_button, self.unlink_button))  # fmt: skip

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self.benefit_model.register = register
        self.shown.id = None
        self.refresh()

    def refresh(self) -> None:
        register = self._register
        rows = list_use_cases(register) if register else []
        self.shown.keep_listed([row.id for row in rows], lambda: self._first_on_board(rows))
        self._fill_board(rows)
        self.model.set_rows(rows)
        organisations = list_organisations(register) if register else []
        self.form.set_choices(
            "lead_organisation_id", [(None, "None"), *((o.id, o.name) for o in organisations)]
        )
        self._organisations = [(o.id, o.name) for o in organisations]
        self.agreement_choice.clear()
        for agreement in list_agreements(register) if register else []:
            self.agreement_choice.addItem(f"{agreement.reference}: {agreement.title}", agreement.id)
        self._show_detail()

    @staticmethod
    def _first_on_board(rows: list[UseCaseSummary]) -> str:
        """The use case shown first: the first card of the earliest stage that has one."""
        return min(rows, key=lambda r: BOARD_STAGES.index(r.stage)
                   if r.stage in BOARD_STAGES else len(BOARD_STAGES)).id  # fmt: skip

    def _fill_board(self, rows: list[UseCaseSummary]) -> None:
        for stage, cards in self.columns.items():
            with QSignalBlocker(cards):
                cards.clear()
                mine = [r for r in rows if r.stage == stage]
                for row in mine:
                    cards.addItem(_card(row))
                self.column_titles[stage].setText(f"{STAGE_LABELS[stage]} ({len(mine)})")

    # -- selection

    def current_id(self) -> str | None:
        return self.shown.id

    def select_use_case(self, use_case_id: str | None) -> None:
        self.shown.id = use_case_id
        self._show_detail()

    def select_record(self, record_id: str) -> None:
        """Show a use case found by the search box."""
        self.select_use_case(record_id)

    def _card_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.select_use_case(current.data(ID_ROLE))

    def _highlight(self) -> None:
        for cards in self.columns.values():
            with QSignalBlocker(cards):
                cards.setCurrentRow(-1)
                for n in range(cards.count()):
                    item = cards.item(n)
                    if item.data(ID_ROLE) == self.shown.id:
                        cards.setCurrentItem(item)
        row = self.model.row_of(self.shown.id) if self.shown.id else -1
        with QSignalBlocker(self.table.selectionModel()):
            if row >= 0:
                select_row(self.table, row)
            else:
                clear_current(self.table)

    def _show_detail(self) -> None:
        register = self._register
        self._detail = get_use_case(register, self.shown.id) if register and self.shown.id else None
        detail = self._detail
        self._highlight()
        self.form.set_values(detail)
        self.heading.setText(detail.title if detail else "New use case")
        self.benefit_model.set_rows(detail.benefits if detail else [])
        partner_ids = {p.id for p in detail.partners} if detail else set()
        self.partners.clear()
        for org_id, name in self._organisations:
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, org_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = org_id in partner_ids
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.partners.addItem(item)
        self.agreements.clear()
        for agreement in detail.agreements if detail else ():
            status = status_label(agreement.status)
            item = QListWidgetItem(f"{agreement.reference}: {agreement.title} ({status})")
            item.setData(ID_ROLE, agreement.id)
            self.agreements.addItem(item)
        unlocked = register is not None
        selected = detail is not None
        self.new_button.setEnabled(unlocked)
        self.form.setEnabled(unlocked)
        self.save_button.setEnabled(unlocked)
        for widget in (self.next_button, self.previous_button, self.close_button,
                       self.delete_button, self.add_benefit_button, self.delete_benefit_button,
                       self.save_partners_button, self.link_button, self.unlink_button,
                       self.partners, self.agreements, self.agreement_choice):  # fmt: skip
            widget.setEnabled(selected)

    # -- actions

    def new_use_case(self) -> None:
        self.detail_tabs.setCurrentIndex(0)
        self.shown.new(self.table, self._show_detail)

    def save(self) -> bool:
        return self.shown.save(self._register)

    def _move(self, mover: Callable[[Register, str], object]) -> None:
        register, current = self._register, self.shown.id
        if register is None or current is None:
            return
        if self.problem.attempt(lambda: mover(register, current)):
            self.refresh()
            self.use_case_saved.emit(current)

    def move_next(self) -> None:
        self._move(move_to_next_stage)

    def move_previous(self) -> None:
        self._move(move_to_previous_stage)

    def close_use_case(self) -> None:
        self._move(lambda register, current: move_stage(register, current, "closed"))

    def delete_current(self) -> None:
        self.shown.delete(self._register)

    def add_benefit(self) -> None:
        register, current = self._register, self.shown.id
        if register is None or current is None:
            return
        created: list[str] = []
        if self.problem.attempt(
            lambda: created.append(add_benefit(register, current, {"measure": "New measure"}))
        ):
            self._show_detail()
            self.detail_tabs.setCurrentIndex(1)
            index = self.benefit_model.index(self.benefit_model.row_of(created[0]), 0)
            self.benefits.setCurrentIndex(index)
            self.benefits.setFocus()
            self.benefits.edit(index)

    def remove_benefit(self) -> None:
        register, row = self._register, self.benefits.currentIndex().row()
        if register is None or row < 0:
            self._show_problem("Select the benefit to remove first.")
            return
        benefit_id = self.benefit_model.row_at(row).id
        if delete_asked(register, "benefit", benefit_id, delete=delete_benefit,
                        attempt=self.problem.attempt, parent=self):  # fmt: skip
            self._show_detail()

    def save_partners(self) -> None:
        register, current = self._register, self.shown.id
        if register is None or current is None:
            return
        ticked = [
            self.partners.item(n).data(ID_ROLE)
            for n in range(self.partners.count())
            if self.partners.item(n).checkState() == Qt.CheckState.Checked
        ]
        if self.problem.attempt(lambda: set_partners(register, current, ticked)):
            self.refresh()

    def link_chosen_agreement(self) -> None:
        register, current = self._register, self.shown.id
        agreement_id = self.agreement_choice.currentData()
        if register is None or current is None or agreement_id is None:
            return
        if self.problem.attempt(lambda: link_agreement(register, current, agreement_id)):
            self.refresh()

    def unlink_selected_agreement(self) -> None:
        register, current = self._register, self.shown.id
        item = self.agreements.currentItem()
        if register is None or current is None or item is None:
            self._show_problem("Select the agreement to unlink first.")
            return
        agreement_id = item.data(ID_ROLE)
        if self.problem.attempt(lambda: unlink_agreement(register, current, agreement_id)):
            self.refresh()

    def _agreement_activated(self, item: QListWidgetItem) -> None:
        self.agreement_requested.emit(item.data(ID_ROLE))

    def _show_problem(self, message: str) -> None:
        self.problem.setText(message)
