"""The Conflicts view with real conflicts between two devices: its words, and its empty states.

A seeded register is shared in `tmp_path`, a second device joins and is approved, and both edit
the same records before syncing through the real folder.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app import sync
from app.agreements import add_party, get_agreement, update_agreement
from app.conflicts import open_conflicts, resolve_conflict
from app.dependants import what_goes_with
from app.errors import InUseError, StorageError
from app.meetings import create_body, create_meeting, delete_meeting, update_meeting
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    list_people,
)
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.models.sync_models import WRAP_ROLE, names
from ui.views import conflicts
from ui.views.conflicts import (
    LOADING_TITLE,
    NO_CONFLICTS,
    NONE_TEXT,
    NONE_TITLE,
    UNSELECTED_TITLE,
    ConflictsView,
    VersionCard,
)
from ui.workers import TaskRunner

from .conftest import Shown

NBSP = "\u00a0"
FIRE = "Northshire Fire and Rescue"
"""The name the other device gives the organisation after it was deleted here."""
LEFT = Qt.MouseButton.LeftButton
BUSY = StorageError(
    "The register is busy with another task; nothing was saved. Try again in a moment."
)
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def other(register: Register, tmp_path: Path) -> Iterator[Register]:
    """Sam Patel's device, joined to the seeded register (Tester's) and synced with it."""
    share = tmp_path / "share"
    sync.share(register, share, name="Tester, laptop")
    joined = sync.join(share, tmp_path / "other", PASSPHRASE, "Sam Patel, laptop",
                       author="Sam Patel", kdf=FAST_KDF)  # fmt: skip
    sync.approve(register, joined.device)
    sync_both(register, joined.register)
    yield joined.register
    joined.register.close()


def busy(*_: object) -> Any:
    raise BUSY


def sync_both(first: Register, second: Register) -> None:
    for device in (first, second, first):
        assert sync.sync(device).ok


def make_conflicts(register: Register, other: Register, *, party: bool = False) -> str:
    """A title changed on both devices, and an organisation deleted on one, renamed on the other.

    With `party`, the other device also made the organisation a party to ISA-2026-003.
    Returns the organisation's id.
    """
    agreement = get_agreement(register, "ISA-2026-002")
    organisation = create_organisation(register, {"name": "Northshire Fire and Rescue Service"})
    create_person(register, organisation, {"name": "Chris Moyo"})
    sync_both(register, other)
    update_agreement(register, agreement.id, {"title": "Falls prevention (county)"})
    update_agreement(other, agreement.id, {"title": "Falls prevention and frailty (trust)"})
    delete_organisation(register, organisation)
    other.write("Rename", lambda c: c.set("organisation", organisation, "name", FIRE))
    if party:
        add_party(other, get_agreement(other, "ISA-2026-003").id, organisation, "recipient")
    sync_both(register, other)
    assert len(open_conflicts(register)) == 2
    return organisation


@pytest.fixture()
def view(qtbot: QtBot, runner: TaskRunner) -> ConflictsView:
    widget = ConflictsView(runner=runner)
    qtbot.addWidget(widget)
    widget.resize(1200, 560)
    widget.show()
    return widget


def load(qtbot: QtBot, view: ConflictsView, register: Register) -> None:
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
        assert view.empty_title.text() == LOADING_TITLE  # not "no conflicts" before it knows


def test_what_happened_reads_as_a_sentence_and_never_splits_a_name(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    make_conflicts(register, other)
    load(qtbot, view, register)
    model = view.model
    title, organisation = (model.index(r, 2) for r in range(2))
    assert title.data() in ("Changed by Tester and Sam Patel", "Changed by Sam Patel and Tester")
    assert organisation.data() == "Deleted by Tester, then edited by Sam Patel"

    # drawn with each name held together, so a wrapped line breaks between names
    delegate = view.table.itemDelegateForColumn(2)
    for index in (title, organisation):
        option = QStyleOptionViewItem()
        delegate.initStyleOption(option, index)
        assert f"Sam{NBSP}Patel" in option.text  # type: ignore[attr-defined]
        assert option.text.replace(NBSP, " ") == index.data()  # type: ignore[attr-defined]
        assert index.data(WRAP_ROLE) == option.text  # type: ignore[attr-defined]

    # narrowed, the rows grow to hold their wrapped lines instead of cutting them short
    view.resize(760, 560)
    qtbot.waitUntil(lambda: all(view.table.rowHeight(r) >= view.table.sizeHintForRow(r)
                                for r in range(model.rowCount())))  # fmt: skip
    assert view.table.rowHeight(0) > view.table.fontMetrics().lineSpacing() * 2


def test_the_conflict_shown_says_who_did_what_in_sentences(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    make_conflicts(register, other)
    load(qtbot, view, register)
    assert view.detail_pane.currentIndex() == 1  # the first conflict is shown at once
    authors = [card.byline.text().split(" (")[0].removeprefix("by ") for card in view.cards]
    assert sorted(authors) == ["Sam Patel", "Tester"]
    assert view.help.text().startswith(f"{names(authors)} each changed this field before they "
                                       "synced.")  # fmt: skip
    assert "version 1" in view.help.text()

    view.table.selectRow(1)
    assert view.help.text().startswith("Tester deleted this record, and Sam Patel edited it")
    assert [card.title() for card in view.cards] == ["Deleted", "Edited after the deletion"]


def test_cards_of_the_conflict_shown_before_are_gone_at_once(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    make_conflicts(register, other)
    load(qtbot, view, register)
    view.table.selectRow(1)
    qtbot.waitUntil(lambda: all(card.isVisible() for card in view.cards))
    before = list(view.cards)
    view.table.selectRow(0)
    # the replaced cards wait for the event loop to delete them: meanwhile none is drawn
    assert before and all(card.isHidden() for card in before)
    assert not set(before) & set(view.cards)
    qtbot.waitUntil(lambda: [c for c in view.findChildren(VersionCard) if c.isVisible()]
                    == view.cards)  # fmt: skip


def test_no_conflict_selected_says_so_and_how_to_choose_one(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    make_conflicts(register, other)
    load(qtbot, view, register)
    view.table.setCurrentIndex(QModelIndex())
    assert view.detail_pane.currentIndex() == 0 and view.cards == []
    assert view.empty_title.text() == UNSELECTED_TITLE
    assert "Choose a conflict in the list" in view.empty_text.text()
    assert view.empty_title.isVisible() and view.empty_text.isVisible()


def test_no_conflicts_says_every_change_merged_cleanly(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    update_agreement(other, get_agreement(other, "ISA-2026-002").id, {"title": "Falls (trust)"})
    sync_both(register, other)  # a change from the other device, merged without a conflict
    load(qtbot, view, register)
    assert view.model.rowCount() == 0 and view.summary.text() == NO_CONFLICTS
    assert view.detail_pane.currentIndex() == 0
    assert view.empty_title.text() == NONE_TITLE == "No conflicts: every change merged cleanly"
    assert view.empty_text.text() == NONE_TEXT and view.empty_text.isVisible()

    # the last conflict settled: the same words
    make_conflicts(register, other)
    with qtbot.waitSignal(view.loaded):
        view.refresh()
    assert view.detail_pane.currentIndex() == 1
    for _ in range(2):
        with qtbot.waitSignal(view.conflicts_counted):
            view.cards[0].button.click()
    assert view.empty_title.text() == NONE_TITLE and view.detail_pane.currentIndex() == 0


def test_a_refused_settlement_leaves_both_versions_to_choose_again(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register, shown: Shown,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    make_conflicts(register, other)
    load(qtbot, view, register)
    monkeypatch.setattr(conflicts, "resolve_conflict", busy)
    buttons = [card.button for card in view.cards]
    with qtbot.waitSignal(view.loaded):  # a refused change signals, as no refresh follows
        qtbot.mouseClick(buttons[0], LEFT)
    assert shown.errors == [BUSY.message]
    assert all(button.isEnabled() for button in buttons)  # "Try again in a moment": one can

    monkeypatch.setattr(conflicts, "resolve_conflict", resolve_conflict)
    with qtbot.waitSignal(view.conflicts_counted) as counted:
        qtbot.mouseClick(buttons[1], LEFT)
    assert counted.args == [1] and len(open_conflicts(register)) == 1


def test_a_conflict_chosen_while_the_list_is_read_again_stays_shown(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register, runner: TaskRunner
) -> None:
    make_conflicts(register, other)
    load(qtbot, view, register)
    assert view.table.currentIndex().row() == 0
    chosen = view.model.item_at(1).key
    hold = threading.Event()
    runner.run(lambda: hold.wait(10))
    view.refresh()  # a sync's refresh, under way
    qtbot.mouseClick(view.table.viewport(), LEFT,
                     pos=view.table.visualRect(view.model.index(1, 0)).center())  # fmt: skip
    clicked = view.current_item()
    assert clicked is not None and clicked.key == chosen
    with qtbot.waitSignal(view.loaded):
        hold.set()
    current = view.current_item()
    assert current is not None and current.key == chosen  # not the one shown when it started
    assert [card.title() for card in view.cards] == ["Deleted", "Edited after the deletion"]


def test_delete_again_refused_says_what_refers_to_the_record_and_both_choices_stay(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register, shown: Shown
) -> None:
    fire = make_conflicts(register, other, party=True)
    load(qtbot, view, register)
    view.table.selectRow(1)
    delete_again, keep = (card.button for card in view.cards)
    assert (delete_again.text(), keep.text()) == ("&Delete again", "&Keep the record")
    with qtbot.waitSignal(view.loaded):  # a refused change signals, as no refresh follows
        qtbot.mouseClick(delete_again, LEFT)
    with pytest.raises(InUseError) as as_any_delete:
        what_goes_with(register, "organisation", fire)
    assert shown.errors == [as_any_delete.value.message]
    assert shown.errors[0] == (
        f"{FIRE} is a party to 1 agreement (ISA-2026-003). Remove it from that agreement first."
    )
    assert delete_again.isEnabled() and keep.isEnabled()
    assert len(open_conflicts(register)) == 2

    with qtbot.waitSignal(view.conflicts_counted) as counted:
        qtbot.mouseClick(keep, LEFT)
    assert counted.args == [1]
    assert [p.name for p in list_people(register, fire)] == ["Chris Moyo"]


def test_a_meeting_is_named_after_its_body_and_date_not_called_meeting_first(
    qtbot: QtBot, view: ConflictsView, register: Register, other: Register
) -> None:
    board = create_body(register, {"name": "Information Sharing Board"})
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2026, 6, 26)})
    sync_both(register, other)
    delete_meeting(register, meeting)
    update_meeting(other, meeting, {"location": "County Hall, Room 3"})
    sync_both(register, other)
    load(qtbot, view, register)
    assert [view.model.index(0, column).data() for column in range(3)] == [
        "Information Sharing Board, 26/06/2026",
        "The whole record",
        "Deleted by Tester, then edited by Sam Patel",
    ]
    assert view.heading.accessibleName() == (
        "Conflict shown: Information Sharing Board, 26/06/2026 — deleted, then edited"
    )
    # a record whose name does not say what it is still is called by its kind first
    update_agreement(register, get_agreement(register, "ISA-2026-002").id, {"title": "Falls A"})
    update_agreement(other, get_agreement(other, "ISA-2026-002").id, {"title": "Falls B"})
    sync_both(register, other)
    with qtbot.waitSignal(view.loaded):
        view.refresh()
    records = sorted(view.model.index(row, 0).data() for row in range(view.model.rowCount()))
    assert records == ["Agreement ISA-2026-002", "Information Sharing Board, 26/06/2026"]
