"""Deleting from the four list-and-form views asks first, and is refused while others refer to it.

The question names the record and what goes with it, offers Delete and Cancel (the default, and
Escape) and says the delete can be undone; Cancel changes nothing, Delete deletes and Edit › Undo
brings it all back. A delete that would leave other records referring to nothing is refused
before anything is asked, where the view says its refusals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.agreement_editing import set_links
from app.agreements import find_agreement_id, update_agreement
from app.assessments import list_assessments
from app.meetings import create_body, create_meeting
from app.organisations import (
    create_organisation,
    create_person,
    find_organisation,
    list_organisations,
    list_people,
)
from app.register import Register
from app.use_cases import link_agreement, list_use_cases
from db.models import OperationRecord
from tests.fast_keys import PASSPHRASE
from ui.errors import chose_delete, delete_box, undo_hint
from ui.main_window import NAVIGATION
from ui.views.assessments import AssessmentsView
from ui.views.meetings import MeetingsView
from ui.views.organisations import OrganisationsView
from ui.views.use_cases import UseCasesView

from .conftest import Shown, open_window

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
LEFT = Qt.MouseButton.LeftButton


def operation_count(register: Register) -> int:
    with register.session() as session:
        return int(session.scalar(select(func.count()).select_from(OperationRecord)) or 0)


def add_kent_police(register: Register) -> str:
    """An organisation nothing refers to, with three people."""
    police = create_organisation(register, {"name": "Kent Police", "org_type": "police"})
    for name in ("Sam Patel", "Ann Smith", "Lee Jones"):
        create_person(register, police, {"name": name})
    return police


def organisation_names(view: OrganisationsView) -> list[str]:
    return [view.model.row_at(row).name for row in range(view.model.rowCount())]


# ---------------------------------------------------------------------- the question


def test_the_question_offers_delete_and_cancel_and_cancels_by_default(qtbot: QtBot) -> None:
    def shown_box() -> QMessageBox:
        box = delete_box(None, "Delete organisation", "Delete organisation “Kent Police”?")
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        return box

    box = shown_box()
    assert box.informativeText() == undo_hint()
    assert sorted(b.text() for b in box.buttons()) == ["&Delete", "Cancel"]
    assert box.defaultButton() is box.escapeButton()
    assert box.buttonRole(box.defaultButton()) == QMessageBox.ButtonRole.RejectRole
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible() and not chose_delete(box)

    box = shown_box()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: Cancel
    assert not box.isVisible() and not chose_delete(box)

    box = shown_box()
    delete = next(b for b in box.buttons() if b.text() == "&Delete")
    qtbot.mouseClick(delete, LEFT)
    assert not box.isVisible() and chose_delete(box)


def test_the_hint_names_the_windows_undo(qtbot: QtBot, register_folder: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    undo = window.undo_action
    menu = next(a for a in window.menuBar().actions() if undo in a.menu().actions())
    keys = undo.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    words = f"{menu.text()} › {undo.text()} ({keys})".replace("&", "")
    assert words == "Edit › Undo (Ctrl+Z)"  # the native text, here on Linux
    assert f"You can undo this with {words}." == undo_hint()


# ---------------------------------------------------------------------- asked, cancelled, done


@pytest.fixture()
def organisations(qtbot: QtBot, register: Register) -> OrganisationsView:
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.set_register(register)
    return view


def test_cancel_changes_nothing(
    qtbot: QtBot, register: Register, organisations: OrganisationsView, shown: Shown
) -> None:
    police = add_kent_police(register)
    organisations.refresh()
    organisations.select_record(police)
    before = (operation_count(register), organisation_names(organisations))
    shown.delete = False
    qtbot.mouseClick(organisations.delete_button, LEFT)
    assert shown.asked == ["Delete organisation “Kent Police” and its 3 people?"]
    assert (operation_count(register), organisation_names(organisations)) == before
    assert organisations.current_id() == police and len(list_people(register, police)) == 3
    assert organisations.form.general_error.text() == ""


def test_a_record_with_nothing_going_with_it_is_asked_about_alone(
    qtbot: QtBot, register: Register, organisations: OrganisationsView, shown: Shown
) -> None:
    lonely = create_organisation(register, {"name": "Breckland Council"})
    organisations.refresh()
    organisations.select_record(lonely)
    qtbot.mouseClick(organisations.delete_button, LEFT)
    assert shown.asked == ["Delete organisation “Breckland Council”?"]
    assert find_organisation(register, "Breckland Council") is None


def test_delete_deletes_and_edit_undo_brings_it_back(
    qtbot: QtBot, register_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    shown: Shown,
) -> None:  # fmt: skip
    with Register.open(register_folder, PASSPHRASE, author="Tester") as register:
        police = add_kent_police(register)
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    row = NAVIGATION.index("Organisations")
    window.navigate(row)
    view = window.views[row].view
    assert isinstance(view, OrganisationsView)
    view.select_record(police)
    listed = organisation_names(view)

    qtbot.mouseClick(view.delete_button, LEFT)
    assert shown.asked == ["Delete organisation “Kent Police” and its 3 people?"]
    assert "Kent Police" not in organisation_names(view)
    assert window.register is not None
    assert list_people(window.register, police) == []

    with qtbot.waitSignal(window.undo_done) as undone:
        window.undo_action.trigger()
    assert undone.args == ["Delete organisation"]
    assert organisation_names(view) == listed
    assert [p.name for p in list_people(window.register, police)] == [
        "Ann Smith", "Lee Jones", "Sam Patel",
    ]  # fmt: skip


# ---------------------------------------------------------------------- refused


@dataclass(frozen=True)
class Refusal:
    """A view, a record of its kind that another refers to, and what the refusal says."""

    make: Callable[[], Any]
    refer: Callable[[Register], str]  # makes another record refer to one; returns its id
    said: str
    where: Callable[[Any], str]  # the text of where the view says refusals
    select: str = "select_record"  # the view's way to show a record by id


def _form_top(view: Any) -> str:
    return str(view.form.general_error.text())


def _problem_line(view: Any) -> str:
    return str(view.problem.text())


def _isa(register: Register) -> str:
    with register.session() as session:
        return find_agreement_id(session, "ISA-2026-001")


def _party_to_agreements(register: Register) -> str:
    # a party to all five seeded agreements, and its person owns them
    return next(o.id for o in list_organisations(register) if o.name.startswith("Northshire C"))


def _linked_use_case(register: Register) -> str:
    frailty = next(u.id for u in list_use_cases(register) if u.title == "Frailty register")
    link_agreement(register, frailty, _isa(register))
    return frailty


def _linked_assessment(register: Register) -> str:
    jsna = list_assessments(register)[0].id
    set_links(register, _isa(register), [], [jsna])
    return jsna


def _approving_meeting(register: Register) -> str:
    board = create_body(register, {"name": "Information Sharing Board"})
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2026, 4, 14)})
    update_agreement(register, _isa(register), {"approval_meeting_id": meeting})
    return meeting


REFUSALS = {
    "organisations": Refusal(
        OrganisationsView, _party_to_agreements,
        "Northshire County Council is a party to 5 agreements (ISA-2025-010, ISA-2026-001, "
        "ISA-2026-002 and 2 more). Remove it from them first. Priya Shah, one of the people of "
        "Northshire County Council, is the owner of 5 agreements (ISA-2025-010, ISA-2026-001, "
        "ISA-2026-002 and 2 more). Choose another owner for them first.",
        _form_top,
    ),
    "use cases": Refusal(
        UseCasesView, _linked_use_case,
        "Frailty register is linked to 1 agreement (ISA-2026-001). Unlink it from them first.",
        _problem_line,
    ),
    "assessments": Refusal(
        AssessmentsView, _linked_assessment,
        "Joint strategic needs assessment is linked to 1 agreement (ISA-2026-001). "
        "Unlink it from them first.",
        _problem_line,
    ),
    "meetings": Refusal(
        MeetingsView, _approving_meeting,
        "Information Sharing Board, 14/04/2026 approved 1 agreement (ISA-2026-001). Change the "
        "approval meeting of those agreements first.",
        _problem_line, "select_meeting",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_delete_asks_nothing_says_why_and_changes_nothing(
    qtbot: QtBot, register: Register, shown: Shown, name: str
) -> None:
    case = REFUSALS[name]
    referred = case.refer(register)
    view = case.make()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.set_register(register)
    getattr(view, case.select)(referred)
    assert view.current_id() == referred
    before = operation_count(register)

    qtbot.mouseClick(view.delete_button, LEFT)
    assert shown.asked == []
    assert case.where(view) == case.said
    assert operation_count(register) == before
    assert view.current_id() == referred
    assert shown.errors == []
