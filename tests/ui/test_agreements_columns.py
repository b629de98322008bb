"""The agreements list gives its room to the title, as an IG officer reads the list by title.

A register like the NHS Digital release register once grouped (hundreds of agreements, long
upper-case partner lists) used to leave the title a few characters wide in the main window at
its narrowest while the partners took the room. The columns are checked in the real window:
the title has the most room, the others their content within caps (a cut-short cell shows its
whole text as a tip), nothing scrolls sideways, and a column the person widens stays so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QHeaderView, QToolTip
from pytestqt.qtbot import QtBot

from app.agreement_table import COLUMN_KEYS
from app.register import Changes
from tests.desktop_helpers import resize_to, tip_at
from ui.main_window import NAVIGATION, MainWindow
from ui.views.agreements import COLUMN_RULES, TITLE_LEAST, AgreementsView
from ui.widgets.tables import CELL_PADDING, chars_wide

from .conftest import build_register, copy_register, open_window

# the offscreen platform cannot size or raise windows (a tip is one); nothing to do with us
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)

TITLE = COLUMN_KEYS.index("title")
ORGANISATIONS = COLUMN_KEYS.index("organisations")
PARTNERS = (
    "NHS Digital",
    "UK BIOBANK",
    "SOUTHAMPTON CITY COUNCIL",
    "CHESHIRE EAST BOROUGH COUNCIL",
    "UNIVERSITY HOSPITALS OF LEICESTER NHS TRUST",
    "NHS NORTH OF ENGLAND COMMISSIONING SUPPORT UNIT",
    "CAMBRIDGESHIRE COUNTY COUNCIL",
    "LONDON SCHOOL OF HYGIENE AND TROPICAL MEDICINE",
)
AGREEMENTS = 150


def build(changes: Changes) -> None:
    """Agreements with long titles, two to four partners each, the first one a short list."""
    partners = [changes.create("organisation", {"name": name, "org_type": "other"})
                for name in PARTNERS]  # fmt: skip
    owner = changes.create("person", {"name": "Priya Shah-Worthington"})
    for n in range(AGREEMENTS):
        agreement = changes.create("agreement", {
            "reference": f"DARS-NIC-{n:05d}-V2H1F-v2.2", "category": "aggregated",
            "title": f"Hospital episode statistics for the frailty register, release {n}",
            "status": "active", "owner_id": owner,
        })  # fmt: skip
        chosen = (0, 1) if n == 0 else [(n + k) % len(PARTNERS) for k in range(2 + n % 3)]
        for index in chosen:
            changes.create("party", {"agreement_id": agreement, "role": "recipient",
                                     "organisation_id": partners[index]})  # fmt: skip


@pytest.fixture(scope="module")
def built_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_register(tmp_path_factory.mktemp("partners") / "register", "Releases", build)


@pytest.fixture()
def window(qtbot: QtBot, built_folder: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # fmt: skip
    """The main window on the register, at the narrowest it allows, showing the agreements."""
    folder = copy_register(built_folder, tmp_path)
    win = open_window(qtbot, folder, tmp_path, monkeypatch)
    win.setProperty("empty_list_width", win.agreements.minimumSizeHint().width())
    view = win.agreements
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        win.navigate(NAVIGATION.index("Agreements"))
    assert view.model.rowCount() == AGREEMENTS
    resize_to(win, win.minimumSizeHint().width())
    yield win
    QToolTip.hideText()


def test_loading_agreements_does_not_widen_the_window(window: MainWindow) -> None:
    """The count of agreements shown must not push the filters wider than the list was."""
    assert window.agreements.count_label.text().startswith(str(AGREEMENTS))
    assert window.agreements.minimumSizeHint().width() <= window.property("empty_list_width")


def widths(view: AgreementsView) -> list[int]:
    header = view.table.horizontalHeader()
    return [header.sectionSize(c) for c in range(header.count())]


def test_title_has_the_most_room_at_the_narrowest_window(window: MainWindow) -> None:
    view = window.agreements
    sizes = widths(view)
    longest = max(view.table.fontMetrics().horizontalAdvance(r.title) for r in view.rows_shown())
    assert sizes[TITLE] < longest  # the window is narrow: the columns have to give way
    others = [w for c, w in enumerate(sizes) if c != TITLE]
    assert sizes[TITLE] >= max(others), sizes
    assert sizes[TITLE] >= chars_wide(view.table, TITLE_LEAST), sizes
    assert sum(sizes) <= view.table.viewport().width(), "the list scrolls sideways"
    assert sizes[ORGANISATIONS] <= chars_wide(view.table, COLUMN_RULES["organisations"].most)


def test_a_partner_list_cut_short_shows_whole_in_its_tip(window: MainWindow) -> None:
    view = window.agreements
    table = view.table
    width = table.columnWidth(ORGANISATIONS)
    cut = [n for n, row in enumerate(view.rows_shown())
           if table.fontMetrics().horizontalAdvance(row.organisations) > width]  # fmt: skip
    # the shortest list cut short (two partners) and the longest: a tip by width, not length
    lengths = {n: len(view.rows_shown()[n].organisations) for n in cut}
    short, long = min(cut, key=lengths.__getitem__), max(cut, key=lengths.__getitem__)
    for n in (short, long):
        assert tip_at(table, n, ORGANISATIONS) == view.rows_shown()[n].organisations


def test_a_long_title_shown_whole_has_no_tip(window: MainWindow) -> None:
    view = window.agreements
    resize_to(window, 1920)
    title = view.rows_shown()[0].title
    assert view.table.fontMetrics().horizontalAdvance(title) < view.table.columnWidth(TITLE)
    assert tip_at(view.table, 0, TITLE) == ""


def test_every_record_table_tips_what_it_cuts_short(qtbot: QtBot, window: MainWindow) -> None:
    """Organisations too: a name cut short, however short, has its tip; one shown whole has none."""
    window.navigate(NAVIGATION.index("Organisations"))
    table = window.views[NAVIGATION.index("Organisations")].view.table
    qtbot.waitUntil(table.isVisible)
    names = [table.model().index(n, 0).data() for n in range(table.model().rowCount())]
    advance = table.fontMetrics().horizontalAdvance
    cut = [n for n, name in enumerate(names) if advance(name) > table.columnWidth(0)]
    assert len(cut) >= 2
    assert [tip_at(table, n, 0) for n in cut] == [names[n] for n in cut]
    resize_to(window, 1920)
    whole = [n for n, name in enumerate(names)
             if advance(name) + CELL_PADDING <= table.columnWidth(0)]  # fmt: skip
    assert len(whole) == len(names)
    assert [tip_at(table, n, 0) for n in whole] == [""] * len(names)


def test_a_wider_window_gives_the_title_its_whole_text(window: MainWindow) -> None:
    view = window.agreements
    narrow = widths(view)
    resize_to(window, 1920)  # a desktop monitor
    wide = widths(view)
    assert wide[TITLE] > narrow[TITLE]
    longest = max(view.table.fontMetrics().horizontalAdvance(r.title) for r in view.rows_shown())
    assert wide[TITLE] > longest  # every title shown whole
    for key, rule in COLUMN_RULES.items():
        assert wide[COLUMN_KEYS.index(key)] <= max(
            chars_wide(view.table, rule.most),
            view.table.horizontalHeader().sectionSizeHint(COLUMN_KEYS.index(key)),
        )
    assert sum(wide) <= view.table.viewport().width()


def test_a_column_the_person_widens_keeps_its_width(qtbot: QtBot, window: MainWindow) -> None:
    view = window.agreements
    header = view.table.horizontalHeader()
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Interactive
               for c in range(header.count()))  # fmt: skip
    resize_to(window, 1200)  # room for the title to give: at the narrowest it is at its least
    chosen = header.sectionSize(ORGANISATIONS) + 60
    header.resizeSection(ORGANISATIONS, chosen)  # what dragging its edge does
    assert sum(widths(view)) <= view.table.viewport().width()  # the title gave the room
    resize_to(window, window.width() + 200)
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.refresh()
    assert header.sectionSize(ORGANISATIONS) == chosen
    sizes = widths(view)
    assert sum(sizes) == view.table.viewport().width()  # the title takes up the rest
    assert sizes[TITLE] >= chars_wide(view.table, TITLE_LEAST)


def test_choosing_a_filter_keeps_the_columns_as_they_were(qtbot: QtBot, window: MainWindow) -> None:
    """The columns are fitted to the register when it loads, not to each filter's rows."""
    view = window.agreements
    before = widths(view)
    draft = view.status_filter.findData("draft")  # no agreement of the register is a draft
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.status_filter.setCurrentIndex(draft)
    assert view.model.rowCount() == 0
    assert widths(view) == before
