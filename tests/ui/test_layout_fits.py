"""Layouts that must fit a window 800 px wide, and must not move when a refusal is shown.

The Conflicts view with real conflicts between two devices (one of them a long title holding a
network path and an e-mail address) must never scroll sideways; the Parties and Lawful basis tabs
of the editor keep their table's height when what is being added is refused; the editor's heading
wraps a long title, even a word too long for a line, instead of widening the editor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea
from pytestqt.qtbot import QtBot

from app import sync
from app.agreements import get_agreement, update_agreement
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.main_window import NAVIGATION, DeferredView
from ui.settings import Settings
from ui.views.agreement_editor import AgreementEditor
from ui.views.conflicts import ConflictsView
from ui.widgets.wrapped_text import WrappedText
from ui.workers import TaskRunner

from .conftest import open_window, settle
from .test_agreement_editor import (
    BASES,
    COUNTY,
    PARTIES,
    open_agreement,
    save_signature,
    select_party,
)
from .test_conflicts_view import sync_both

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
PATH = r"\\northshire-fs01\ig\registers\falls\2026\extracts\monthly-falls-extract-final-v3.xlsx"
EMAIL = "priya.shah.information.governance@northshire-county.gov.uk"
LONG_TITLE = f"Falls prevention and frailty for the over sixty-fives, from {PATH} to {EMAIL}"
TRUST = "Northshire Hospitals NHS Trust"


# ---------------------------------------------------------------------------- conflicts


@pytest.fixture()
def conflicted(register: Register, tmp_path: Path) -> Iterator[Register]:
    """The seeded register with two conflicts made with Sam Patel's device: a long title, and
    an organisation deleted on one device and renamed on the other."""
    share = tmp_path / "share"
    sync.share(register, share, name="Tester, laptop")
    joined = sync.join(share, tmp_path / "other", PASSPHRASE, "Sam Patel, laptop",
                       author="Sam Patel", kdf=FAST_KDF)  # fmt: skip
    other = joined.register
    try:
        sync.approve(register, joined.device)
        sync_both(register, other)
        agreement = get_agreement(register, "ISA-2026-002")
        update_agreement(register, agreement.id, {"title": "Falls prevention (county)"})
        update_agreement(other, agreement.id, {"title": LONG_TITLE})
        organisation = next(p.organisation_id for p in agreement.parties if p.role == "recipient")
        register.write("Delete", lambda c: c.delete("organisation", organisation))
        other.write(
            "Rename",
            lambda c: c.set(
                "organisation", organisation, "name", f"Northshire Hospitals Trust ({EMAIL})"
            ),
        )
        sync_both(register, other)
        yield register
    finally:
        other.close()


def conflicts_at(qtbot: QtBot, runner: TaskRunner, register: Register,
                 width: int) -> ConflictsView:  # fmt: skip
    view = ConflictsView(runner=runner)
    qtbot.addWidget(view)
    view.resize(width, 600)
    view.show()
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    assert view.model.rowCount() == 2
    return view


def cards_shown(qtbot: QtBot, view: ConflictsView) -> None:
    """Wait for the cards of the conflict selected to be shown (a layout shows them queued)."""
    qtbot.waitUntil(lambda: bool(view.cards) and all(card.isVisible() for card in view.cards))
    settle()


def assert_fits_its_width(qtbot: QtBot, view: ConflictsView) -> None:
    """Nothing of the conflict shown is wider than its pane, and every value is read whole."""
    cards_shown(qtbot, view)
    area = view.cards_area
    assert area.horizontalScrollBar().maximum() == 0
    assert area.widget().width() <= area.viewport().width()
    for card in view.cards:
        assert card.geometry().right() < area.widget().width()
        texts = card.findChildren(WrappedText)
        assert card.value in texts and len(texts) >= 4  # the value, who, device, when
        for text in texts:
            assert text.verticalScrollBar().maximum() == 0  # as tall as its wrapped text
            assert text.height() >= text.heightForWidth(text.width())
    assert view.table.horizontalScrollBar().maximum() == 0


@pytest.mark.parametrize("width", [800, 1024, 1400])
def test_version_cards_fit_the_width_and_wrap_long_words(
    qtbot: QtBot, runner: TaskRunner, conflicted: Register, width: int
) -> None:
    view = conflicts_at(qtbot, runner, conflicted, width)
    for row in range(2):
        view.table.selectRow(row)
        assert_fits_its_width(qtbot, view)
    view.table.selectRow(0)
    cards_shown(qtbot, view)
    values = sorted(card.value.text() for card in view.cards)
    assert values == sorted([LONG_TITLE, "Falls prevention (county)"])  # wrapped, not changed
    long_one = next(card.value for card in view.cards if card.value.text() == LONG_TITLE)
    assert long_one.width() < long_one.fontMetrics().horizontalAdvance(PATH)  # broken, not cut


def test_cards_stand_side_by_side_where_there_is_room_and_stack_where_not(
    qtbot: QtBot, runner: TaskRunner, conflicted: Register
) -> None:
    view = conflicts_at(qtbot, runner, conflicted, 800)
    cards_shown(qtbot, view)
    first, second = view.cards
    assert second.y() > first.y() + first.height() - 1 and second.x() == first.x()

    view.resize(1400, 600)
    settle()
    first, second = view.cards
    assert second.x() > first.x() + first.width() - 1 and second.y() == first.y()
    assert first.button.y() == second.button.y()  # the buttons side by side line up
    assert_fits_its_width(qtbot, view)


# ---------------------------------------------------------------------------- parties tab


@pytest.fixture()
def editor(qtbot: QtBot, runner: TaskRunner, register: Register,
           settings_file: Path) -> AgreementEditor:  # fmt: skip
    widget = AgreementEditor(None, runner, Settings(settings_file))
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.set_register(register)
    open_agreement(qtbot, widget, "ISA-2026-002")
    widget.tabs.setCurrentIndex(PARTIES)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def heights(editor: AgreementEditor) -> tuple[int, int, int]:
    """The table's, the signature box's and the add box's heights, once laid out."""
    settle()
    add_box = editor.add_party_button.parentWidget()
    assert add_box is not None
    return editor.parties_table.height(), editor.sign_box.height(), add_box.height()


def tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")


def test_a_refused_signature_leaves_the_parties_table_its_height(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    select_party(editor, COUNTY)
    before = heights(editor)
    assert editor.sign_note.isVisible() and not editor.sign_error.isVisible()

    save_signature(qtbot, editor, "Priya Shah", tomorrow())
    assert "in the future" in editor.sign_error.text() and editor.sign_error.isVisible()
    assert heights(editor) == before
    assert not editor.sign_note.isVisible()  # the refusal is shown in the note's place

    # the longest refusal there is: a signatory who has moved to another organisation (after
    # the list was filled) and a date in the future, both at once
    priya = editor.sign_signatory.findText("Priya Shah")
    trust = next(p.organisation_id for p in get_agreement(register, "ISA-2026-002").parties
                 if p.organisation == TRUST)  # fmt: skip
    person = editor.sign_signatory.itemData(priya)
    register.write("Move", lambda c: c.set("person", person, "organisation_id", trust))
    editor.sign_signatory.setCurrentIndex(priya)
    editor.sign_signed_on.setText(tomorrow())
    with qtbot.waitSignal(editor.loaded):
        editor.save_signature_button.click()
    message = editor.sign_error.text()
    assert "is not one of the people of" in message and "in the future" in message
    assert heights(editor) == before
    assert editor.sign_error.height() >= editor.sign_error.heightForWidth(
        editor.sign_error.width())  # read whole, not cut  # fmt: skip

    select_party(editor, TRUST)  # another party: its note is back, and nothing moved
    assert editor.sign_note.isVisible() and not editor.sign_error.isVisible()
    assert heights(editor) == before


def test_a_refused_party_leaves_the_parties_table_its_height(
    qtbot: QtBot, editor: AgreementEditor
) -> None:
    before = heights(editor)
    editor.party_signatory.setEditText("Jo Bloggs")
    editor.party_signed_on.setText("31/02/2026")
    editor.add_party_button.click()  # refused at once, before any write
    assert editor.party_error.text().startswith("Signed on: '31/02/2026' is not a date")
    assert heights(editor) == before

    editor.party_signed_on.setText(tomorrow())
    with qtbot.waitSignal(editor.loaded):
        editor.add_party_button.click()
    assert "in the future" in editor.party_error.text() and editor.party_error.isVisible()
    assert heights(editor) == before


# ---------------------------------------------------------------------------- lawful basis tab


def test_a_refused_lawful_basis_leaves_the_bases_table_its_height(
    qtbot: QtBot, editor: AgreementEditor
) -> None:
    editor.tabs.setCurrentIndex(BASES)
    settle()
    before = editor.bases_table.height()
    assert not editor.basis_error.isVisible()

    with qtbot.waitSignal(editor.loaded):
        editor.add_basis_button.click()  # nothing filled in: refused
    assert "Article 6" in editor.basis_error.text() and editor.basis_error.isVisible()
    settle()
    assert editor.bases_table.height() == before
    assert editor.basis_error.height() >= editor.basis_error.heightForWidth(
        editor.basis_error.width())  # read whole, not cut  # fmt: skip


# ---------------------------------------------------------------------------- editor heading


def test_a_long_title_wraps_in_the_heading_instead_of_widening_the_editor(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    title = "Joint falls prevention, frailty and hospital discharge data sharing " * 3
    agreement = get_agreement(register, "ISA-2026-002")
    register.write("Retitle", lambda c: c.set("agreement", agreement.id, "title", title.strip()))
    open_agreement(qtbot, editor, "ISA-2026-002")
    settle()
    assert title.strip() in editor.heading.text()
    assert editor.minimumSizeHint().width() <= 800, editor.minimumSizeHint()
    assert editor.sizeHint().width() <= 1000, editor.sizeHint()
    assert editor.width() == 800
    assert editor.heading.height() >= 2 * editor.heading.fontMetrics().height()  # it wrapped


def test_a_word_too_long_for_a_line_of_the_heading_is_broken_not_cut_off(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    token = "FallsPreventionFrailtyAndHospitalDischargeExtractVersion3"  # a file name: no break
    narrowest = editor.minimumSizeHint().width()
    editor.resize(narrowest, 600)
    agreement = get_agreement(register, "ISA-2026-002")
    register.write("Retitle", lambda c: c.set("agreement", agreement.id, "title", token))
    open_agreement(qtbot, editor, "ISA-2026-002")
    settle()
    heading = editor.heading
    assert heading.text().endswith(token)
    assert heading.fontMetrics().horizontalAdvance(token) > heading.width()  # it cannot fit
    assert heading.document().idealWidth() <= heading.viewport().width()  # broken, not cut
    assert heading.height() >= heading.heightForWidth(heading.width())  # every line shown
    assert heading.verticalScrollBar().maximum() == 0
    assert editor.minimumSizeHint().width() <= narrowest  # the editor did not widen
    assert editor.width() == narrowest


@pytest.mark.parametrize("name", ["Organisations", "Meetings and papers"])
def test_a_side_form_is_never_cut_off_at_the_narrowest_window(
    qtbot: QtBot, register_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:  # fmt: skip
    """A form beside a list scrolls up and down only: the window must leave it its width."""
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    window.navigate(NAVIGATION.index(name))
    window.resize(window.minimumSizeHint().width(), 760)
    settle()
    stand_in = window.views[NAVIGATION.index(name)]
    assert isinstance(stand_in, DeferredView)
    view = stand_in.view
    areas = [a for a in view.findChildren(QScrollArea)
             if a.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff]  # fmt: skip
    assert areas
    for area in areas:
        inner = area.widget()
        assert inner is not None
        assert area.viewport().width() >= inner.minimumSizeHint().width(), name
