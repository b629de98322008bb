"""The Conflicts view with a record deleted on one device while another made records refer to it.

Ada Jones (the seeded register) and Sam Patel (a device joined to it) sync through a real shared
folder: Ada deletes Kent Police while Sam, before the deletion reaches him, makes it a party to
ISA-2026-014 (or links a use case Ada deleted, adds a data item to an agreement she deleted,
makes a person she deleted an agreement's owner). The view lists the conflict in words, tells
the story, and settles it with Keep or Remove; a removal the register refuses changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app import sync
from app.agreement_editing import add_lawful_basis
from app.agreements import (
    add_data_item_in,
    add_party,
    create_agreement,
    delete_agreement,
    get_agreement,
    update_agreement,
)
from app.conflicts import open_conflicts
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    list_organisations,
    list_people,
)
from app.register import Register
from app.use_cases import create_use_case, delete_use_case, link_agreement
from tests.fast_keys import FAST_KDF, PASSPHRASE
from tests.register_helpers import agreement_id, operation_count, organisation_names, party_names
from ui.main_window import CONFLICTS_ROW
from ui.models.sync_models import WRAP_ROLE
from ui.views.conflicts import NONE_TITLE, ConflictsView
from ui.widgets.wrapped_text import WrappedText
from ui.workers import TaskRunner

from .conftest import Shown, open_window
from .test_conflicts_view import LEFT, NBSP, load, sync_both
from .test_layout_fits import assert_fits_its_width, cards_shown

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
LONG_NAME = "Northshire and Wessex Combined Fire and Rescue Authority (Service Headquarters)"


@dataclass(frozen=True)
class Pair:
    """Ada's device (the seeded register) and Sam's, joined to it and synced."""

    ada: Register
    sam: Register


@pytest.fixture()
def pair(register: Register, tmp_path: Path) -> Iterator[Pair]:
    register.author = "Ada Jones"
    share = tmp_path / "share"
    sync.share(register, share, name="Ada Jones, laptop")
    joined = sync.join(share, tmp_path / "sam", PASSPHRASE, "Sam Patel, laptop",
                       author="Sam Patel", kdf=FAST_KDF)  # fmt: skip
    sync.approve(register, joined.device)
    create_agreement(register, {"reference": "ISA-2026-014", "title": "Youth offending cohort",
                                "category": "personal"})  # fmt: skip
    sync_both(register, joined.register)
    yield Pair(register, joined.register)
    joined.register.close()


@pytest.fixture()
def view(qtbot: QtBot, runner: TaskRunner) -> ConflictsView:
    widget = ConflictsView(runner=runner)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    return widget


def police_made_a_party(pair: Pair, name: str = "Kent Police", *,
                        person: bool = False) -> str:  # fmt: skip
    """Ada deletes Kent Police (and its one person) while Sam makes it a party to ISA-2026-014.

    With `person`, Sam also adds a person to it.
    """
    police = create_organisation(pair.ada, {"name": name})
    create_person(pair.ada, police, {"name": "Ann Smith"})
    sync_both(pair.ada, pair.sam)
    delete_organisation(pair.ada, police)
    add_party(pair.sam, agreement_id(pair.sam, "ISA-2026-014"), police, "provider")
    if person:
        create_person(pair.sam, police, {"name": "Bob Jones"})
    sync_both(pair.ada, pair.sam)
    return police


def police_made_a_party_and_given_a_person(pair: Pair) -> None:
    police_made_a_party(pair, person=True)


def officer_made_the_owner(pair: Pair) -> None:
    council = next(o.id for o in list_organisations(pair.ada)
                   if o.name == "Northshire County Council")  # fmt: skip
    officer = create_person(pair.ada, council, {"name": "Lyn Baran"})
    sync_both(pair.ada, pair.sam)
    delete_person(pair.ada, officer)
    update_agreement(pair.sam, agreement_id(pair.sam, "ISA-2026-014"), {"owner_id": officer})
    sync_both(pair.ada, pair.sam)


def use_case_linked(pair: Pair) -> None:
    frailty = create_use_case(pair.ada, {"title": "Falls and frailty"})
    sync_both(pair.ada, pair.sam)
    delete_use_case(pair.ada, frailty)
    link_agreement(pair.sam, frailty, agreement_id(pair.sam, "ISA-2026-014"))
    sync_both(pair.ada, pair.sam)


def data_item_added(pair: Pair) -> None:
    agreement = agreement_id(pair.ada, "ISA-2026-014")
    delete_agreement(pair.ada, agreement)
    pair.sam.write("Add data item", lambda c: add_data_item_in(
        c, agreement, {"title": "GP list", "source": "GP records"}))  # fmt: skip
    sync_both(pair.ada, pair.sam)


@dataclass(frozen=True)
class Case:
    """A conflict made by `make`, and the words the view must show for it."""

    make: Callable[[Pair], object]
    row: tuple[str, str, str]
    story: str
    references: list[tuple[str, str]]  # each reference and what removing it does
    buttons: tuple[str, str]


CASES = {
    "party": Case(
        police_made_a_party,
        ("Organisation Kent Police", "The whole record",
         "Deleted by Ada Jones, then made a party to ISA-2026-014 by Sam Patel"),
        "Ada Jones deleted Kent Police, and Sam Patel made it a party to ISA-2026-014 on another "
        "device before the deletion reached them. Keep Kent Police (it comes back with what its "
        "deletion took), or remove it from ISA-2026-014.",
        [("Party to agreement ISA-2026-014", "On removal, this party is removed.")],
        ("&Keep Kent Police", "&Remove it from ISA-2026-014"),
    ),
    "several": Case(
        police_made_a_party_and_given_a_person,
        ("Organisation Kent Police", "The whole record",
         "Deleted by Ada Jones, then referred to by 2 records by Sam Patel"),
        "Ada Jones deleted Kent Police, and Sam Patel made 2 records refer to it on another "
        "device before the deletion reached them. Keep Kent Police (it comes back with what its "
        "deletion took), or remove the references to it.",
        [("Party to agreement ISA-2026-014", "On removal, this party is removed."),
         ("Person Bob Jones", "On removal, this person is removed.")],
        ("&Keep Kent Police", "&Remove the references to it"),
    ),
    "owner": Case(
        officer_made_the_owner,
        ("Person Lyn Baran", "The whole record",
         "Deleted by Ada Jones, then set as Owner of ISA-2026-014 by Sam Patel"),
        "Ada Jones deleted Lyn Baran, and Sam Patel set them as Owner of ISA-2026-014 on another "
        "device before the deletion reached them. Keep Lyn Baran (they come back with what their "
        "deletion took), or remove them from ISA-2026-014.",
        [("Owner of agreement ISA-2026-014", "On removal, “Owner” is left empty.")],
        ("&Keep Lyn Baran", "&Remove them from ISA-2026-014"),
    ),
    "link": Case(
        use_case_linked,
        ("Use case Falls and frailty", "The whole record",
         "Deleted by Ada Jones, then linked to ISA-2026-014 by Sam Patel"),
        "Ada Jones deleted Falls and frailty, and Sam Patel linked it to ISA-2026-014 on another "
        "device before the deletion reached them. Keep Falls and frailty (it comes back with "
        "what its deletion took), or remove it from ISA-2026-014.",
        [("Linked use case of agreement ISA-2026-014", "On removal, this link is removed.")],
        ("&Keep Falls and frailty", "&Remove it from ISA-2026-014"),
    ),
    "data item": Case(
        data_item_added,
        ("Agreement ISA-2026-014", "The whole record",
         "Deleted by Ada Jones, then had 1 data item added by Sam Patel"),
        "Ada Jones deleted ISA-2026-014, and Sam Patel added 1 data item to it on another "
        "device before the deletion reached them. Keep ISA-2026-014 (it comes back with what "
        "its deletion took), or remove the data item.",
        [("Data item GP list", "On removal, this data item is removed.")],
        ("&Keep ISA-2026-014", "&Remove the data item"),
    ),
}  # fmt: skip


def buttons(view: ConflictsView) -> tuple[QPushButton, QPushButton]:
    keep, remove = (card.button for card in view.cards)
    return keep, remove


def lines(card: QWidget) -> list[str]:
    """Every line of text on a card, in order."""
    return [text.text() for text in card.findChildren(WrappedText)]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_conflict_is_listed_told_and_offered_in_words(
    qtbot: QtBot, view: ConflictsView, pair: Pair, case: Case
) -> None:
    case.make(pair)
    load(qtbot, view, pair.ada)
    assert view.model.rowCount() == 1
    assert tuple(view.model.index(0, column).data() for column in range(3)) == case.row
    assert view.model.index(0, 2).data(WRAP_ROLE) == case.row[2].replace(
        "Ada Jones", f"Ada{NBSP}Jones").replace("Sam Patel", f"Sam{NBSP}Patel")  # fmt: skip
    assert view.heading.accessibleName() == (
        f"Conflict shown: {case.row[0]} — deleted, then referred to"
    )
    assert view.help.text() == case.story

    deletion, references = view.cards
    assert (deletion.title(), references.title()) == ("Deleted", "Referred to after the deletion")
    assert [text for text in lines(deletion) if not text.startswith("When: ")] == [
        "Deleted", "Who: Ada Jones", f"Device: {pair.ada.device_id}",
    ]  # fmt: skip
    expected = []
    for reference, removal in case.references:
        expected += [reference, "Who: Sam Patel", f"Device: {pair.sam.device_id}", removal]
    assert [text for text in lines(references) if not text.startswith("When: ")] == expected
    assert [card.button.text() for card in view.cards] == list(case.buttons)
    keep, remove = buttons(view)
    assert keep.accessibleName() == f"{case.buttons[0][1:]}, with what its deletion took"
    assert remove.accessibleName() == case.buttons[1][1:]


def test_when_is_the_local_time_of_each_change(
    qtbot: QtBot, view: ConflictsView, pair: Pair
) -> None:
    before = dt.datetime.now().replace(second=0, microsecond=0)
    police_made_a_party(pair)
    load(qtbot, view, pair.ada)
    after = dt.datetime.now()
    for card in view.cards:
        [when] = [t for t in lines(card) if t.startswith("When: ")]
        shown = dt.datetime.strptime(when, "When: %d/%m/%Y %H:%M")
        assert before <= shown <= after


def test_keep_brings_kent_police_back_with_its_people(
    qtbot: QtBot, view: ConflictsView, pair: Pair
) -> None:
    police = police_made_a_party(pair)
    load(qtbot, view, pair.ada)
    keep, _ = buttons(view)
    with qtbot.waitSignal(view.resolved) as said, qtbot.waitSignal(view.conflicts_counted) as n:
        qtbot.mouseClick(keep, LEFT)
    assert said.args == ["Kept: Organisation Kent Police"] and n.args == [0]
    assert view.model.rowCount() == 0 and view.empty_title.text() == NONE_TITLE
    agreement = agreement_id(pair.ada, "ISA-2026-014")
    sync_both(pair.ada, pair.sam)
    for device in (pair.ada, pair.sam):
        assert "Kent Police" in organisation_names(device)
        assert [p.name for p in list_people(device, police)] == ["Ann Smith"]
        assert party_names(device, agreement) == ["Kent Police"]
        assert open_conflicts(device) == []


def test_remove_takes_kent_police_out_of_the_agreement(
    qtbot: QtBot, view: ConflictsView, pair: Pair
) -> None:
    police_made_a_party(pair)
    load(qtbot, view, pair.ada)
    _, remove = buttons(view)
    with qtbot.waitSignal(view.resolved) as said, qtbot.waitSignal(view.conflicts_counted) as n:
        qtbot.mouseClick(remove, LEFT)
    assert said.args == ["Removed the references to Organisation Kent Police"] and n.args == [0]
    assert view.model.rowCount() == 0 and view.empty_title.text() == NONE_TITLE
    agreement = agreement_id(pair.ada, "ISA-2026-014")
    sync_both(pair.ada, pair.sam)
    for device in (pair.ada, pair.sam):
        assert "Kent Police" not in organisation_names(device)
        assert party_names(device, agreement) == []
        assert open_conflicts(device) == []


def test_remove_empties_the_owner_and_keeps_the_agreement(
    qtbot: QtBot, view: ConflictsView, pair: Pair
) -> None:
    officer_made_the_owner(pair)
    load(qtbot, view, pair.ada)
    _, remove = buttons(view)
    with qtbot.waitSignal(view.conflicts_counted):
        qtbot.mouseClick(remove, LEFT)
    kept = get_agreement(pair.ada, agreement_id(pair.ada, "ISA-2026-014"))
    assert (kept.reference, kept.owner_id, kept.owner) == ("ISA-2026-014", None, "")


def test_a_refused_removal_says_why_and_leaves_both_choices(
    qtbot: QtBot, view: ConflictsView, pair: Pair, shown: Shown
) -> None:
    police_made_a_party(pair)
    agreement = agreement_id(pair.sam, "ISA-2026-014")
    [party] = get_agreement(pair.sam, agreement).parties
    add_lawful_basis(pair.sam, agreement, {"party_id": party.id, "article_6": "6(1)(e)"})
    sync_both(pair.ada, pair.sam)
    load(qtbot, view, pair.ada)
    before = operation_count(pair.ada)
    keep, remove = buttons(view)
    with qtbot.waitSignal(view.loaded):  # a refused change signals, as no refresh follows
        qtbot.mouseClick(remove, LEFT)
    assert shown.errors == [
        "Kent Police is named in 1 lawful basis (Article 6(1)(e)). Remove that lawful basis first."
    ]
    assert keep.isEnabled() and remove.isEnabled()
    assert operation_count(pair.ada) == before
    assert party_names(pair.ada, agreement) == ["Kent Police"]
    assert len(open_conflicts(pair.ada)) == 1 and view.model.rowCount() == 1

    with qtbot.waitSignal(view.conflicts_counted) as counted:  # keeping it is still open
        qtbot.mouseClick(keep, LEFT)
    assert counted.args == [0] and "Kent Police" in organisation_names(pair.ada)


def test_a_name_too_long_for_the_button_keeps_it_in_the_accessible_name(
    qtbot: QtBot, view: ConflictsView, pair: Pair
) -> None:
    police_made_a_party(pair, LONG_NAME)
    load(qtbot, view, pair.ada)
    keep, remove = buttons(view)
    assert keep.text() == "&Keep the record"
    assert keep.accessibleName() == f"Keep {LONG_NAME}, with what its deletion took"
    assert remove.text() == "&Remove it from ISA-2026-014"  # short enough for its card
    assert view.help.text().startswith(f"Ada Jones deleted {LONG_NAME}, and Sam Patel made it")


@pytest.mark.parametrize("width", [800, 1400])
def test_the_cards_fit_the_width(qtbot: QtBot, view: ConflictsView, pair: Pair, width: int) -> None:
    police_made_a_party_and_given_a_person(pair)
    view.resize(width, 600)
    load(qtbot, view, pair.ada)
    assert_fits_its_width(qtbot, view)
    deletion, references = view.cards
    side_by_side = references.x() > deletion.x()
    assert side_by_side == (width == 1400)
    cards_shown(qtbot, view)
    for card in view.cards:  # the button in full, inside its card
        assert card.button.width() >= card.button.sizeHint().width()
        assert card.button.geometry().right() < card.width()


@pytest.mark.parametrize("narrowest", [False, True], ids=["default size", "narrowest"])
def test_the_conflict_fits_the_main_window(
    qtbot: QtBot, pair: Pair, register_folder: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, narrowest: bool,
) -> None:  # fmt: skip
    police_made_a_party(pair, LONG_NAME, person=True)
    pair.ada.close()  # the window opens it
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    if narrowest:
        window.resize(window.minimumSizeHint().width(), 760)
    view = window.conflicts
    with qtbot.waitSignal(view.loaded):
        window.navigate(CONFLICTS_ROW)
    assert view.current_item() is not None and view.current_item().referred is not None
    assert_fits_its_width(qtbot, view)
    assert view.help.width() <= view.cards_area.width() + view.cards_area.x()
    for card in view.cards:
        assert card.button.width() >= card.button.sizeHint().width()
