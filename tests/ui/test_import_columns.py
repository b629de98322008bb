"""The import wizard's tables fit their columns with the house arithmetic (`MeasuredColumns`).

The wizard used to work its widths out a second way, capping the widest columns at an equal
share: the problems of a council register showed "Agreement titl" and "Purpose of shar", the
preview "Partner organisations (", and the NHS release register's headings were cut to 89 px.
Now a spreadsheet's columns are sized to what they hold within bounds, a heading is never cut
(the table scrolls sideways instead), the row number and outcome are kept whole, the models'
tips for cells with problems stay, and a cell cut short tips its whole text as in every house
table. Checked in the real wizard, and on a bare table where the arithmetic can be seen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.exporting import export_register
from app.register import Register
from tests.desktop_helpers import resize_to, tip_at
from tests.ui.wizard_helpers import (
    NEXT,
    NHS,
    messy_workbook,
    open_wizard,
    press,
    to_problems,
)
from ui.dialogs.import_wizard import COLUMN_MOST, HEADING_MOST, PROBLEMS_LEAST, ImportWizard
from ui.models.import_models import LONGEST_CELL, cell_tip
from ui.widgets.tables import (
    KEPT_WHOLE,
    MeasuredColumns,
    WholeTextTips,
    chars_wide,
    share_out,
    style_table,
)
from ui.workers import TaskRunner

from .conftest import settle

# the offscreen platform cannot size or raise windows (a tip is one); nothing to do with us
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)


@pytest.fixture()
def wizard(qtbot: QtBot, register: Register, runner: TaskRunner,
           tmp_path: Path) -> ImportWizard:  # fmt: skip
    """The wizard on a council's messy register, its reference column matched by hand."""
    shown = open_wizard(qtbot, register, runner, messy_workbook(tmp_path / "Northshire.xlsx"))
    press(qtbot, shown, NEXT)
    shown.mapping_page.set_target("Our ref", "agreement.reference")
    return shown


def headings(view: QTableView) -> list[str]:
    model = view.model()
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def cut_headings(view: QTableView) -> list[tuple[str, int, int]]:
    """The headings narrower than they need, with the column's width and the heading's."""
    header = view.horizontalHeader()
    return [(h, header.sectionSize(c), header.sectionSizeHint(c))
            for c, h in enumerate(headings(view))
            if header.sectionSize(c) < header.sectionSizeHint(c)]  # fmt: skip


def column(view: QTableView, heading: str) -> int:
    return headings(view).index(heading)


# ------------------------------------------------------------------ in the wizard


@pytest.mark.parametrize("width", [1040, 760])
def test_no_heading_is_cut_short(qtbot: QtBot, wizard: ImportWizard, width: int) -> None:
    """At the wizard's size (before: "Agreement titl" 89 px of 111) and narrower (it scrolls)."""
    resize_to(wizard, width, 720)
    preview = wizard.mapping_page.preview_view
    assert cut_headings(preview) == []
    to_problems(qtbot, wizard)
    problems = wizard.problems_page.view
    assert "Agreement title" in headings(problems) and "Comments" in headings(problems)
    assert cut_headings(problems) == []
    if width == 760:  # no room for every heading: the table scrolls instead of cutting them
        assert problems.horizontalScrollBar().maximum() > 0


def test_the_row_number_and_outcome_are_whole_and_the_problems_keep_their_room(
    qtbot: QtBot, wizard: ImportWizard
) -> None:
    resize_to(wizard, 760, 720)
    to_problems(qtbot, wizard)
    view = wizard.problems_page.view
    row, outcome, problems = (column(view, h) for h in ("Row", "Outcome", "Problems"))
    assert (row, outcome) == (0, 1)  # how a person finds the row in their file, first
    for whole in (row, outcome):
        assert view.columnWidth(whole) >= view.sizeHintForColumn(whole), headings(view)[whole]
    assert view.columnWidth(problems) >= chars_wide(view, PROBLEMS_LEAST)
    assert not view.verticalHeader().isVisibleTo(view)  # the row number is a column of its own
    preview = wizard.mapping_page.preview_view
    assert preview.verticalHeader().isVisibleTo(preview)  # there, each row's number in the file
    labels = [preview.model().headerData(r, Qt.Orientation.Vertical) for r in range(3)]
    assert labels == [5, 6, 7]  # the headings are on row 4 of the sheet


def test_columns_are_sized_to_their_content_within_bounds(wizard: ImportWizard) -> None:
    resize_to(wizard, 1900, 720)  # room for every column of the preview
    view = wizard.mapping_page.preview_view
    header = view.horizontalHeader()
    most = chars_wide(view, COLUMN_MOST)
    capped = 0
    for number, heading in enumerate(headings(view)):
        content = view.sizeHintForColumn(number)
        expected = max(header.sectionSizeHint(number), min(content, most))
        assert view.columnWidth(number) == expected, heading
        capped += content > most
    assert capped, "no column of the sheet is long enough to be capped"
    status = column(view, "Status")
    assert view.columnWidth(status) < most  # a short column is as wide as what it holds
    assert view.horizontalScrollBar().maximum() == 0


def test_tips_problems_from_the_model_and_whole_text_where_a_cell_is_cut(
    qtbot: QtBot, wizard: ImportWizard
) -> None:
    resize_to(wizard, 1040, 720)
    to_problems(qtbot, wizard)
    view = wizard.problems_page.view
    model = wizard.problems_page.rows
    rows = {model.planned_row(r).row: r for r in range(model.rowCount())}
    status = column(view, "Status")
    view.scrollTo(model.index(rows[7], status))
    settle()
    assert "not one of" in tip_at(view, rows[7], status)  # the model's tip, with the problem
    partners = column(view, "Partner organisations")
    whole = "Northshire Police & Northshire Fire and Rescue Service"
    view.setColumnWidth(partners, chars_wide(view, 10))  # as a person might narrow it
    view.scrollTo(model.index(rows[6], partners))
    settle()
    assert model.index(rows[6], partners).data(Qt.ItemDataRole.ToolTipRole) is None
    assert tip_at(view, rows[6], partners) == whole  # the table tips what it cut short
    view.scrollTo(model.index(rows[6], 0))
    settle()
    assert tip_at(view, rows[6], 0) == ""  # a row number shown whole needs no tip


def test_a_column_the_person_widens_stays_so_when_the_rows_change(
    qtbot: QtBot, wizard: ImportWizard
) -> None:
    to_problems(qtbot, wizard)
    page = wizard.problems_page
    view = page.view
    title = column(view, "Agreement title")
    chosen = view.columnWidth(title) + 60
    view.horizontalHeader().resizeSection(title, chosen)  # what dragging its edge does
    qtbot.mouseClick(page.only_problems, Qt.MouseButton.LeftButton)  # every row now
    assert not page.rows.only_problems
    resize_to(wizard, 900, 720)
    assert view.columnWidth(title) == chosen
    assert cut_headings(view) == []


def test_the_nhs_register_headings_whole_up_to_their_bound(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    """Before, every heading of the sheet was cut to 89 px ("Organisation N", 135 px wanted)."""
    wizard = open_wizard(qtbot, register, runner, NHS)
    press(qtbot, wizard, NEXT)
    assert cut_headings(wizard.mapping_page.preview_view) == []
    to_problems(qtbot, wizard)
    view = wizard.problems_page.view
    bound = chars_wide(view, HEADING_MOST)
    cut = cut_headings(view)
    assert all(width == bound < wanted for _, width, wanted in cut), cut
    assert {h.split()[0] for h, _, _ in cut} == {"Data", "Patient"}  # 687 and 837 px long
    model = view.model()
    for heading, _, _ in cut:  # the heading's tip has it whole
        number = headings(view).index(heading)
        assert model.headerData(number, Qt.Orientation.Horizontal,
                                Qt.ItemDataRole.ToolTipRole) == heading  # fmt: skip
    organisation = column(view, "Organisation Name")  # a heading shorter than the bound: whole
    assert view.columnWidth(organisation) >= view.horizontalHeader().sectionSizeHint(organisation)


def test_the_problems_fill_the_table_after_its_scroll_bar_goes(
    qtbot: QtBot, register: Register, empty_register: Register, runner: TaskRunner, tmp_path: Path
) -> None:
    """A whole register export: only the rejected rows are shown, so the vertical scroll bar
    goes while the page is being shown, and Qt sends the table no resize (before: 14 px short).

    The rows rejected are answers whose checklist someone emptied in the workbook.
    """
    exported = tmp_path / "register.xlsx"
    export_register(register, exported)
    book = load_workbook(exported)
    answers = book["Checklist answers"]
    checklist = [c.value for c in answers[1]].index("Checklist") + 1
    for row in range(2, answers.max_row + 1):
        answers.cell(row, checklist).value = None
    book.save(exported)
    wizard = open_wizard(qtbot, empty_register, runner, exported)
    to_problems(qtbot, wizard)
    view = wizard.problems_page.view
    assert headings(view) == ["Sheet", "Row", "Outcome", "Problems"]
    assert not view.verticalScrollBar().isVisible()
    widths = [view.columnWidth(c) for c in range(4)]
    assert sum(widths) == view.viewport().width(), widths
    wizard.reject()


def test_the_sheets_have_the_house_look_and_what_happens_takes_the_rest(
    wizard: ImportWizard,
) -> None:
    view = wizard.file_page.sheet_view
    assert isinstance(view.itemDelegate(), WholeTextTips)
    assert view.horizontalHeader().defaultAlignment() & Qt.AlignmentFlag.AlignLeft
    assert cut_headings(view) == []
    assert sum(view.columnWidth(c) for c in range(4)) == view.viewport().width()
    status = column(view, "What happens")
    assert view.columnWidth(status) > view.columnWidth(0)


def test_a_cells_own_tip_says_what_is_wrong_or_what_the_table_cannot_show() -> None:
    assert cell_tip([], "Live") is None  # cut short or not, the table knows: its tip
    assert cell_tip(["Error: not one of the statuses"], "Sort of") == (
        "Error: not one of the statuses\nSort of"
    )
    assert cell_tip([], "Northshire Police\nRefuge") == "Northshire Police\nRefuge"
    long = "word " * LONGEST_CELL
    assert cell_tip([], long) == long  # the cell shows it shortened
    assert cell_tip(["Warning: no reference"], "") == "Warning: no reference"


@pytest.fixture()
def real_registers() -> Path:
    if not NHS.is_file():
        pytest.skip("the shared registers folder is not beside this checkout")
    return NHS.parent


# ------------------------------------------------------------------ on a bare table

HEADINGS = ["Row", "Description", "Date", "Code", "A long heading for a column of codes"]
CELLS = ["12", "A description of the data shared " * 3, "01/04/2026", "NCC-ISA-041", "Y"]
ROW, DESCRIPTION, DATE, CODE, LONG = range(5)


@pytest.fixture()
def bare(qtbot: QtBot) -> tuple[QWidget, QTableView]:
    """A measured table: the row number kept whole, a description that stretches."""
    host = QWidget()
    qtbot.addWidget(host)
    model = QStandardItemModel(0, len(HEADINGS), host)
    model.setHorizontalHeaderLabels(HEADINGS)
    for _ in range(3):
        model.appendRow([QStandardItem(text) for text in CELLS])
    table = QTableView()
    table.setModel(model)
    style_table(table)
    QVBoxLayout(host).addWidget(table)
    MeasuredColumns(table, most=30, whole=(ROW,)).measure()
    host.resize(1600, 300)
    host.show()
    settle()
    return host, table


def fit_to(host: QWidget, table: QTableView, room: int) -> None:
    host.resize(host.width() - table.viewport().width() + room, 300)
    settle()
    assert table.viewport().width() == room


def floor(table: QTableView, number: int) -> int:
    """How far a column gives way: its heading, and its content up to `KEPT_WHOLE` characters."""
    content = min(table.sizeHintForColumn(number), chars_wide(table, KEPT_WHOLE))
    return max(table.horizontalHeader().sectionSizeHint(number), content)


def wanted(table: QTableView, number: int) -> int:
    content = min(table.sizeHintForColumn(number), chars_wide(table, 30))
    return max(table.horizontalHeader().sectionSizeHint(number), content)


def test_measured_columns_give_way_down_to_their_headings_then_the_table_scrolls(
    bare: tuple[QWidget, QTableView],
) -> None:
    host, table = bare
    full = [wanted(table, c) for c in range(len(HEADINGS))]
    assert [table.columnWidth(c) for c in range(len(HEADINGS))] == full
    assert full[DESCRIPTION] == chars_wide(table, 30)  # capped: the tip has the rest

    room = sum(full) - 60
    fit_to(host, table, room)
    widths = [table.columnWidth(c) for c in range(len(HEADINGS))]
    assert sum(widths) == room
    assert widths[ROW] == full[ROW]  # kept whole
    assert widths[DATE] == full[DATE]  # a date is shorter than what is kept whole
    assert widths[DESCRIPTION] < full[DESCRIPTION]  # the long text gave the most
    assert all(widths[c] >= floor(table, c) for c in range(len(HEADINGS))), widths

    floors = [full[ROW], *(floor(table, c) for c in range(1, len(HEADINGS)))]
    fit_to(host, table, sum(floors) - 40)
    assert [table.columnWidth(c) for c in range(len(HEADINGS))] == floors
    assert table.horizontalScrollBar().maximum() > 0  # rather than a heading cut
    header = table.horizontalHeader()
    assert all(header.sectionSize(c) >= header.sectionSizeHint(c) for c in range(len(HEADINGS)))


def test_share_out_takes_each_columns_own_smallest() -> None:
    """One least for every column (as the house tables have), or each its own (measured ones)."""
    wanted_ = {0: 100, 1: 300}
    assert share_out(150, wanted_, {0: 50, 1: 50}, 100, 100, 40) == ({0: 40, 1: 40}, 100)
    assert share_out(150, wanted_, {0: 50, 1: 50}, 100, 100, {0: 45, 1: 50}) == (
        {0: 45, 1: 50},
        100,
    )
