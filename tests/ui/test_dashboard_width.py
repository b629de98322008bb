"""The dashboard of a large register asks for no more width than the agreements list.

The NHS Digital release register grouped by reference (568 agreements) made the dashboard 932 px
at its narrowest, 72 px more than the agreements list: the big numbers kept their captions on
one line, and the counts under the two charts stood four a row in two boxes side by side. The
main window grew 41 px wider on loading it. Here a register with agreements in every status and
use cases in every stage, with counts of three digits, is counted in the real window: the
dashboard must be no wider than the list at its narrowest, and every count must still be shown
whole, in the window at its narrowest and in the dashboard at its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QGraphicsTextItem, QGridLayout, QPushButton
from pytestqt.qtbot import QtBot

from app.agreement_table import status_label
from app.dashboard import Dashboard
from app.domain import AgreementStatus, UseCaseStage
from app.register import Changes, Register
from tests.fast_keys import PASSPHRASE
from ui.main_window import NAVIGATION, MainWindow
from ui.views.dashboard import NUMBER_TEXT_FLAGS, DashboardView

from .conftest import TODAY, build_register, copy_register, open_window, settle

# the offscreen platform cannot size windows; nothing to do with us
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

PER_STATUS = {status: 104 + 9 * n for n, status in enumerate(AgreementStatus)}
PER_STAGE = {stage: 11 + 3 * n for n, stage in enumerate(UseCaseStage)}
AGREEMENTS = sum(PER_STATUS.values())


def build(changes: Changes) -> None:
    """Agreements in every status (reviews past, due and later), use cases in every stage."""
    n = 0
    for status, count in PER_STATUS.items():
        for _ in range(count):
            review = TODAY + dt.timedelta(days=(-30, 45, 400)[n % 3])
            changes.create("agreement", {
                "reference": f"DARS-NIC-{n:05d}-V2H1F-v2.2", "category": "aggregated",
                "title": f"Hospital episode statistics, release {n}", "status": status.value,
                "review_date": review,
            })  # fmt: skip
            n += 1
    for stage, count in PER_STAGE.items():
        for k in range(count):
            changes.create("use_case", {"title": f"{stage.value} {k}", "stage": stage.value})


@pytest.fixture(scope="module")
def built_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_register(tmp_path_factory.mktemp("statuses") / "register", "Releases", build)


@pytest.fixture()
def window(qtbot: QtBot, built_folder: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # fmt: skip
    """The main window on the register, its dashboard counted and its agreements listed once."""
    # the dashboard counts before the first sync round ends
    win = open_window(qtbot, copy_register(built_folder, tmp_path), tmp_path, monkeypatch)
    assert_counted(win.dashboard)
    with qtbot.waitSignal(win.agreements.loaded, timeout=20_000):
        win.navigate(NAVIGATION.index("Agreements"))
    assert win.agreements.model.rowCount() == AGREEMENTS
    win.navigate(NAVIGATION.index("Dashboard"))
    settle()
    yield win


def assert_counted(view: DashboardView) -> Dashboard:
    board = view.dashboard
    assert board is not None and board.total_agreements == AGREEMENTS
    assert board.reviews_due > 0 and board.reviews_overdue > 0
    return board


def test_a_large_register_does_not_make_the_dashboard_wider_than_the_list(
    window: MainWindow,
) -> None:
    dashboard = window.dashboard.minimumSizeHint()
    agreements = window.agreements.minimumSizeHint()
    assert agreements.width() > 0
    assert dashboard.width() <= agreements.width()


def test_every_count_and_name_is_shown_in_the_window_at_its_smallest(window: MainWindow) -> None:
    window.resize(window.minimumSizeHint())
    settle()
    view = window.dashboard
    assert window.view_stack.currentWidget() is view
    assert_counts_shown(view)
    # QtCharts writes "..." for a name taller than its bar's share of the chart's height
    for chart, names in ((view.status_bars, [s.label for s in PER_STATUS]),
                         (view.stage_bars, [s.value.capitalize() for s in PER_STAGE])):  # fmt: skip
        assert chart.view is not None
        texts = {i.toPlainText() for i in chart.view.scene().items()
                 if isinstance(i, QGraphicsTextItem) and i.isVisible()}  # fmt: skip
        assert set(names) <= texts, texts


def test_every_count_is_shown_whole_in_the_dashboard_at_its_narrowest(
    qtbot: QtBot, built_folder: Path, tmp_path: Path
) -> None:
    view = DashboardView()
    qtbot.addWidget(view)
    view.show()
    folder = copy_register(built_folder, tmp_path)
    with Register.open(folder, PASSPHRASE, author="Tester") as register:
        with qtbot.waitSignal(view.loaded):
            view.set_register(register)
        view.resize(view.minimumSizeHint())
        settle()
        assert_counts_shown(view)
        caption = view.due.fontMetrics().horizontalAdvance(view.due.caption)
        assert view.due.text_rect().width() < caption  # too narrow for it on one line:
        assert view.due.shown_text().count("\n") == 2  # the caption is on two
        view.set_register(None)


def assert_counts_shown(view: DashboardView) -> None:
    """Each big number and each count under the charts is on screen with its whole text."""
    board = assert_counted(view)
    numbers = {view.total: board.total_agreements, view.due: board.reviews_due,
               view.overdue: board.reviews_overdue,
               view.active: PER_STATUS[AgreementStatus.ACTIVE]}  # fmt: skip
    for button, count in numbers.items():
        assert button.isVisible() and button.text() == f"{count}\n{button.caption}"
        rect = button.text_rect()
        shown = button.shown_text()
        assert shown.split() == button.text().split()  # every word, none cut
        needed = button.fontMetrics().boundingRect(rect, NUMBER_TEXT_FLAGS, shown)
        assert rect.contains(needed), (button.caption, rect, needed)
        assert button.rect().contains(rect)
    status_texts = [f"{status_label(s)}: {n}" for s, n in board.by_status]
    assert status_texts == [f"{s.label}: {n}" for s, n in PER_STATUS.items()]
    stage_texts = [f"{s.value.capitalize()}: {n}" for s, n in PER_STAGE.items()]
    assert_buttons_whole(view.status_buttons, status_texts)
    assert_buttons_whole(view.stage_buttons, stage_texts)


def assert_buttons_whole(grid: QGridLayout, texts: list[str]) -> None:
    buttons = [button_at(grid, n) for n in range(grid.count())]
    assert [b.text() for b in buttons] == texts
    box = grid.parentWidget()
    assert box is not None
    inside = box.contentsRect()
    for button in buttons:
        assert button.isVisible() and button.width() >= button.sizeHint().width(), button.text()
        shown = QRect(button.mapTo(box, button.rect().topLeft()), button.size())
        assert inside.contains(shown), button.text()


def button_at(grid: QGridLayout, n: int) -> QPushButton:
    item = grid.itemAt(n)
    button = None if item is None else item.widget()
    assert isinstance(button, QPushButton)
    return button
