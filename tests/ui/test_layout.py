"""Layout at the window's usual size: nothing clipped, the window keeps its size, cards readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView, QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from app.register import Register
from app.use_cases import create_use_case
from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from ui.main_window import NAVIGATION, MainWindow
from ui.views.use_cases import ID_ROLE, UseCasesView
from ui.widgets.cards import BADGE_ROLE, SUBTITLE_ROLE, TITLE_LINES, _title_lines
from ui.widgets.tables import chars_wide

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
SIZES = ((1400, 900), (1280, 800))  # the screenshots' size; a common laptop screen
MY_VIEWS = ("Agreements", "Use cases", "Organisations", "Assessments", "Logs",
            "Meetings and papers", "History")  # fmt: skip


@pytest.fixture(params=SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def window(request: pytest.FixtureRequest, qtbot: QtBot, tmp_path: Path, register_folder: Path,
           monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # fmt: skip
    unlock_as_typed(monkeypatch)
    win = show_window(qtbot, tmp_path / "settings.ini", request.param)
    open_in(qtbot, win, register_folder)
    return win


def _tab_pages(root: QWidget) -> list[tuple[QTabWidget, int]]:
    return [(tabs, n) for tabs in root.findChildren(QTabWidget) for n in range(tabs.count())]


def _scrolling_tables(root: QWidget, window: QWidget) -> list[str]:
    """Tables shown under `root` whose columns do not fit their width."""
    return [
        table.accessibleName()
        for table in root.findChildren(QTableView)
        if table.isVisibleTo(window) and table.horizontalScrollBar().maximum() > 0
    ]


@pytest.mark.parametrize("name", MY_VIEWS)
def test_each_view_fits_the_window_without_clipped_columns(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    size = window.size()
    window.navigate(NAVIGATION.index(name))
    view = window.views[NAVIGATION.index(name)]
    inner = getattr(view, "view", view)
    window.runner.wait_idle()
    qtbot.waitUntil(inner.isVisible)
    roots = [inner]
    if name == "Agreements":
        qtbot.waitUntil(lambda: window.agreements.model.rowCount() > 0)
        assert _scrolling_tables(inner, window) == []
        with qtbot.waitSignal(window.agreements.editor.loaded):
            window.agreements.open_agreement(window.agreements.model.row_at(0).id)
        roots = [window.agreements.editor]
    for root in roots:
        for tabs, n in [(None, 0), *_tab_pages(root)]:
            if tabs is not None:
                tabs.setCurrentIndex(n)
            qtbot.wait(1)  # the layout settles on the next turn of the event loop
            assert _scrolling_tables(root, window) == [], tabs and tabs.tabText(n)
    assert window.size() == size  # no view asks for more room than the window has


def test_board_cards_keep_long_titles_to_three_lines(qtbot: QtBot, register: Register) -> None:
    long_title = ("Integrated neighbourhood teams: shared care records for frail older people "
                  "across primary, community and social care in the northern locality")  # fmt: skip
    create_use_case(register, {"title": long_title, "stage": "proposed"})
    create_use_case(register, {"title": "Falls", "stage": "proposed"})
    view = UseCasesView()
    qtbot.addWidget(view)
    view.resize(1180, 760)
    view.show()
    view.set_register(register)
    cards = view.columns["proposed"]
    qtbot.waitUntil(lambda: cards.viewport().width() > 0)
    item = next(cards.item(n) for n in range(cards.count()) if cards.item(n).text() == long_title)
    assert item.data(SUBTITLE_ROLE) == "No lead organisation"
    assert item.data(BADGE_ROLE) == "RAG not set"
    assert cards.width() >= chars_wide(cards, 12)  # seven stages side by side, none cramped
    delegate = cards.itemDelegate()
    option = QStyleOptionViewItem()
    option.font = cards.font()
    index = cards.indexFromItem(item)
    lines = _title_lines(long_title, QFont(cards.font()), cards.viewport().width() - 30)
    assert len(lines) == TITLE_LINES and lines[-1].endswith("…")
    short = cards.indexFromItem(
        next(
            cards.item(n)
            for n in range(cards.count())
            if cards.item(n).data(ID_ROLE) != item.data(ID_ROLE)
        )
    )
    assert delegate.sizeHint(option, index).height() > delegate.sizeHint(option, short).height()


def test_title_lines_wrap_words_and_elide_the_last() -> None:
    font = QFont()
    assert _title_lines("Short", font, 400) == ["Short"]
    lines = _title_lines("one two three four five six seven eight nine ten eleven", font, 60)
    assert len(lines) == TITLE_LINES
    assert lines[0].startswith("one") and lines[-1].endswith("…")
