"""Every house table fits its columns to its width, as the agreements list does.

The sized columns of a table (dates, codes, counts) used to keep their whole width in a narrow
window while the columns that stretch (a name, a body, a description) were squeezed to a few
letters and the list scrolled sideways. Now a stretching column keeps at least its least width
and the sized columns give way in proportion first; a column the person resizes stays so. Checked
in the real window, and on a bare table where the arithmetic can be seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHeaderView,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.desktop_helpers import resize_to, tip_at
from ui.main_window import NAVIGATION, MainWindow
from ui.widgets.tables import (
    STRETCH_LEAST,
    FittedColumns,
    WholeTextTips,
    chars_wide,
    size_columns,
    style_table,
)

from .conftest import open_window, settle

# the offscreen platform cannot size or raise windows (a tip is one); nothing to do with us
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)

# the Organisations list: Name and Type stretch; these are sized (characters), as the view says
NAME, TYPE = 0, 1
SIZED = {3: 11, 5: 14, 6: 14, 7: 6}  # ICO registration, Charter, Protocol, People


@pytest.fixture()
def window(qtbot: QtBot, register_folder: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # fmt: skip
    win = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    yield win
    QToolTip.hideText()


def organisations_table(window: MainWindow) -> QTableView:
    window.navigate(NAVIGATION.index("Organisations"))
    view = window.views[NAVIGATION.index("Organisations")].view
    assert view.model.rowCount() > 0
    table = view.table
    assert isinstance(table, QTableView)
    return table


def shown_widths(table: QTableView) -> dict[int, int]:
    header = table.horizontalHeader()
    return {c: header.sectionSize(c) for c in range(header.count())
            if not header.isSectionHidden(c)}  # fmt: skip


def least(table: QTableView, column: int) -> int:
    """The least width of a stretching column: its heading, and `STRETCH_LEAST` characters."""
    hint = table.horizontalHeader().sectionSizeHint(column)
    return max(hint, chars_wide(table, STRETCH_LEAST))


def test_the_name_keeps_its_least_width_at_the_narrowest_window(window: MainWindow) -> None:
    table = organisations_table(window)
    resize_to(window, window.minimumSizeHint().width())
    assert window.width() == window.minimumSizeHint().width()
    sizes = shown_widths(table)
    full = {c: chars_wide(table, n) for c, n in SIZED.items()}
    room = table.viewport().width()
    # the window really is narrow: the sized columns whole leave the names less than their least
    assert room - sum(full.values()) < least(table, NAME) + least(table, TYPE)
    assert sizes[NAME] >= least(table, NAME), sizes
    assert sizes[TYPE] >= least(table, TYPE), sizes
    for column, width in full.items():  # every sized column gave way, none below the smallest
        assert table.horizontalHeader().minimumSectionSize() <= sizes[column] < width, sizes
    assert sum(sizes.values()) <= room, "the list scrolls sideways"
    assert table.horizontalScrollBar().maximum() == 0


def test_in_a_wide_window_sized_columns_are_whole_and_the_names_share_the_rest(
    window: MainWindow,
) -> None:
    table = organisations_table(window)
    resize_to(window, 1920)
    sizes = shown_widths(table)
    for column, chars in SIZED.items():
        assert sizes[column] == chars_wide(table, chars), (column, sizes)
    assert sizes[NAME] > least(table, NAME)
    assert abs(sizes[NAME] - sizes[TYPE]) <= 1  # shared alike, as stretching columns are
    assert sum(sizes.values()) == table.viewport().width()  # the names take up the rest
    assert table.horizontalScrollBar().maximum() == 0


def test_a_column_the_person_resizes_keeps_its_width(window: MainWindow) -> None:
    table = organisations_table(window)
    header = table.horizontalHeader()
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Interactive
               for c in range(header.count()))  # fmt: skip
    resize_to(window, 1600)
    charter = 5
    chosen = header.sectionSize(charter) + 50
    header.resizeSection(charter, chosen)  # what dragging its edge does
    sizes = shown_widths(table)
    assert sum(sizes.values()) == table.viewport().width()  # the names gave the room
    for width in (1300, window.minimumSizeHint().width(), 1900):
        resize_to(window, width)
        assert header.sectionSize(charter) == chosen, width
    view = window.views[NAVIGATION.index("Organisations")].view
    view.refresh()  # the rows read again, the model reset: the widths stay
    settle()
    assert header.sectionSize(charter) == chosen
    assert sum(shown_widths(table).values()) == table.viewport().width()


@pytest.mark.parametrize("name", ["Organisations", "Meetings and papers", "Logs", "History"])
def test_no_list_scrolls_sideways_at_the_narrowest_window(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    """Before, the meetings list, the logs and the history scrolled sideways here.

    The window is as narrow as it goes once the agreements list is built (as it is in use).
    """
    with qtbot.waitSignal(window.agreements.loaded, timeout=20_000):
        window.navigate(NAVIGATION.index("Agreements"))
    window.navigate(NAVIGATION.index(name))
    resize_to(window, window.minimumSizeHint().width())
    assert window.width() < 1100
    tables = [t for t in window.view_stack.currentWidget().findChildren(QTableView)
              if t.isVisible()]  # fmt: skip
    assert tables
    for table in tables:
        assert table.horizontalScrollBar().maximum() == 0, table.accessibleName()


def test_the_members_tables_have_the_house_look(window: MainWindow) -> None:
    window.navigate(NAVIGATION.index("Sharing"))
    view = window.sharing
    for table in (view.members_table, view.requests_table):
        assert isinstance(table.itemDelegate(), WholeTextTips), table.accessibleName()
        assert not table.verticalHeader().isVisible()
        assert table.alternatingRowColors()
        assert not table.wordWrap()
        assert len(table.findChildren(FittedColumns)) == 1
    resize_to(window, window.minimumSizeHint().width())
    members = view.members_table
    assert members.columnWidth(0) >= least(members, 0)  # the name
    assert members.horizontalScrollBar().maximum() == 0


# ------------------------------------------------------------------ on a bare table


@pytest.fixture()
def bare(qtbot: QtBot) -> tuple[QWidget, QTableView]:
    """A table of three columns in a window: a stretching name, then 10 and 30 characters."""
    host = QWidget()
    qtbot.addWidget(host)
    model = QStandardItemModel(3, 3, host)
    model.setHorizontalHeaderLabels(["Name", "Code", "Description"])
    table = QTableView()
    table.setModel(model)
    style_table(table)
    size_columns(table, {1: 10, 2: 30}, stretch=(0,))
    QVBoxLayout(host).addWidget(table)
    host.resize(900, 300)
    host.show()
    settle()
    return host, table


def test_sized_columns_give_way_in_proportion_then_the_table_scrolls(
    bare: tuple[QWidget, QTableView],
) -> None:
    host, table = bare
    header = table.horizontalHeader()
    smallest = header.minimumSectionSize()
    code, description = chars_wide(table, 10), chars_wide(table, 30)
    room = least(table, 0) + code + description - 100  # 100 pixels short of all they want
    host.resize(host.width() - table.viewport().width() + room, 300)
    settle()
    assert table.viewport().width() == room
    assert table.columnWidth(0) == least(table, 0)
    gave = (code - table.columnWidth(1), description - table.columnWidth(2))
    assert sum(gave) == 100
    # each in proportion to how far it could give way
    assert abs(gave[0] / (code - smallest) - gave[1] / (description - smallest)) < 0.02, gave
    assert table.horizontalScrollBar().maximum() == 0

    host.resize(host.width() - table.viewport().width() + least(table, 0), 300)
    settle()  # room for the name alone: the others are at their smallest and the table scrolls
    assert [table.columnWidth(c) for c in range(3)] == [least(table, 0), smallest, smallest]
    assert table.horizontalScrollBar().maximum() > 0


def test_a_column_shown_again_is_fitted_again(bare: tuple[QWidget, QTableView]) -> None:
    """Hiding then showing a column is not the person sizing it: it still follows the table."""
    host, table = bare
    room = least(table, 0) + chars_wide(table, 10) + chars_wide(table, 30) - 100
    host.resize(host.width() - table.viewport().width() + room, 300)
    settle()
    assert table.columnWidth(1) < chars_wide(table, 10)  # it gave way
    table.setColumnHidden(1, True)
    table.setColumnHidden(1, False)
    host.resize(1200, 300)
    settle()
    assert table.columnWidth(1) == chars_wide(table, 10)
    assert sum(table.columnWidth(c) for c in range(3)) == table.viewport().width()


def test_fitting_a_table_again_replaces_its_fitter(bare: tuple[QWidget, QTableView]) -> None:
    host, table = bare
    size_columns(table, {1: 20}, stretch=(0, 2))
    assert len(table.findChildren(FittedColumns)) == 1
    host.resize(1200, 300)
    settle()
    assert table.columnWidth(1) == chars_wide(table, 20)
    assert abs(table.columnWidth(0) - table.columnWidth(2)) <= 1


@pytest.mark.qt_log_ignore("does not support raise")
def test_wrapped_text_has_a_tip_only_where_its_row_cuts_it_short(qtbot: QtBot) -> None:
    """The conflicts list wraps its text: a cell wholly shown on two lines needs no tip."""
    text = "Changed by Sam Patel and Priya Shah on two devices before they synced"
    model = QStandardItemModel(1, 1)
    model.setItem(0, 0, QStandardItem(text))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    style_table(table)
    table.setWordWrap(True)
    table.setColumnWidth(0, table.fontMetrics().horizontalAdvance(text) // 2 + 40)
    table.resize(600, 300)
    table.show()
    table.resizeRowsToContents()
    settle()
    assert table.rowHeight(0) > table.fontMetrics().lineSpacing() * 2  # two lines or more
    assert tip_at(table, 0, 0) == ""
    table.setRowHeight(0, table.fontMetrics().lineSpacing() + 4)  # room for one line only
    assert tip_at(table, 0, 0) == text
