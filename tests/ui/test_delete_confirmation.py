"""Deleting from the four list-and-form views asks first, and is refused while others refer to it.

The question names the record and what goes with it, offers Delete and Cancel (the default, and
Escape) and says the delete can be undone; Cancel changes nothing, Delete deletes and Edit › Undo
brings it all back. A delete that would leave other records referring to nothing is refused
before anything is asked, where the view says its refusals. Removing a person of an organisation,
or a paper or a decision of a meeting, asks and is refused the same way.
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

from app.agreement_editing import set_links
from app.agreements import find_agreement_id, update_agreement
from app.assessments import list_assessments
from app.meetings import (
    add_decision,
    add_paper,
    create_body,
    create_meeting,
    list_decisions,
    list_papers,
)
from app.organisations import (
    create_organisation,
    create_person,
    find_organisation,
    list_organisations,
    list_people,
)
from app.register import Register
from app.use_cases import (
    add_benefit,
    create_use_case,
    link_agreement,
    list_benefits,
    list_use_cases,
)
from tests.fast_keys import PASSPHRASE
from tests.register_helpers import operation_count
from ui.errors import chose_delete, delete_box, undo_hint
from ui.main_window import NAVIGATION
from ui.views.assessments import AssessmentsView
from ui.views.meetings import MeetingsView
from ui.views.organisations import OrganisationsView
from ui.views.use_cases import UseCasesView

from .conftest import Shown, open_window

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
LEFT = Qt.MouseButton.LeftButton


def add_kent_police(register: Register) -> str:
    """An organisation nothing refers to, with three people."""
    police = create_organisation(register, {"name": "Kent Police", "org_type": "police"})
    for name in ("Sam Patel", "Ann Smith", "Lee Jones"):
        create_person(register, police, {"name": name})
    return police


def organisation_names(view: OrganisationsView) -> list[str]:
    return [view.model.row_at(row).name for row in range(view.model.rowCount())]


def view_on(qtbot: QtBot, make: Callable[[], Any], register: Register) -> Any:
    """A view made by `make`, shown at 1,200 x 800 on `register`."""
    view = make()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.set_register(register)
    return view


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
    view: OrganisationsView = view_on(qtbot, OrganisationsView, register)
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
        "Frailty register is linked to 1 agreement (ISA-2026-001). Unlink it from that "
        "agreement first.",
        _problem_line,
    ),
    "assessments": Refusal(
        AssessmentsView, _linked_assessment,
        "Joint strategic needs assessment is linked to 1 agreement (ISA-2026-001). "
        "Unlink it from that agreement first.",
        _problem_line,
    ),
    "meetings": Refusal(
        MeetingsView, _approving_meeting,
        "Information Sharing Board, 14/04/2026 approved 1 agreement (ISA-2026-001). Change the "
        "approval meeting of that agreement first.",
        _problem_line, "select_meeting",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(REFUSALS))
def test_a_refused_delete_asks_nothing_says_why_and_changes_nothing(
    qtbot: QtBot, register: Register, shown: Shown, name: str
) -> None:
    case = REFUSALS[name]
    referred = case.refer(register)
    view = view_on(qtbot, case.make, register)
    getattr(view, case.select)(referred)
    assert view.current_id() == referred
    before = operation_count(register)

    qtbot.mouseClick(view.delete_button, LEFT)
    assert shown.asked == []
    assert case.where(view) == case.said
    assert operation_count(register) == before
    assert view.current_id() == referred
    assert shown.errors == []


# ---------------------------------------------------------------------- parts of a record


@dataclass(frozen=True)
class Removal:
    """A part of a record removed from beside its form: a person, a paper, a decision."""

    make: Callable[[], Any]
    kind: str
    add: Callable[[Register], tuple[str, str]]  # adds a record with parts: (its id, a part's)
    show: str  # the view's way to show the record by id
    table: str  # the view's table of the parts, its model, and its Remove button
    model: str
    button: str
    parts: Callable[[Register, str], list[str]]  # the ids of the record's parts
    where: Callable[[Any], str]  # the text of where the view says refusals
    asked: str  # the question, written out


def _police_and_sam(register: Register) -> tuple[str, str]:
    police = add_kent_police(register)
    return police, next(p.id for p in list_people(register, police) if p.name == "Sam Patel")


def _meeting(register: Register) -> str:
    board = create_body(register, {"name": "Information Sharing Board"})
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2026, 4, 14)})
    for subject in ("Agreements for approval", "Reviews due"):
        add_paper(register, meeting, {"subject": subject})
    return meeting


def _meeting_and_paper_a(register: Register) -> tuple[str, str]:
    meeting = _meeting(register)
    return meeting, list_papers(register, meeting)[0].id


def _meeting_and_a_decision(register: Register) -> tuple[str, str]:
    meeting = _meeting(register)
    for text in ("Approved the falls agreement", "Deferred the review"):
        add_decision(register, meeting, {"decision": text})
    return meeting, list_decisions(register, meeting)[0].id


def _use_case_and_a_benefit(register: Register) -> tuple[str, str]:
    use_case = create_use_case(register, {"title": "Frailty register"})
    for measure in ("Falls admissions", "Days in hospital"):
        add_benefit(register, use_case, {"measure": measure})
    return use_case, list_benefits(register, use_case)[0].id


def _people_problem(view: Any) -> str:
    return str(view.people_problem.text())


def _parts_of(lister: Callable[[Register, str], list[Any]]) -> Callable[[Register, str], list[str]]:
    return lambda register, record_id: [part.id for part in lister(register, record_id)]


REMOVALS = {
    "person": Removal(OrganisationsView, "person", _police_and_sam, "select_record", "people",
                      "people_model", "delete_person_button", _parts_of(list_people),
                      _people_problem, "Delete person “Sam Patel”?"),
    "paper": Removal(MeetingsView, "paper", _meeting_and_paper_a, "select_meeting", "papers",
                     "paper_model", "delete_paper_button", _parts_of(list_papers),
                     _problem_line, "Delete paper “Paper A: Agreements for approval”?"),
    "decision": Removal(MeetingsView, "decision", _meeting_and_a_decision, "select_meeting",
                        "decisions", "decision_model", "delete_decision_button",
                        _parts_of(list_decisions), _problem_line,
                        "Delete decision “Approved the falls agreement”?"),
    "benefit": Removal(UseCasesView, "benefit", _use_case_and_a_benefit, "select_use_case",
                       "benefits", "benefit_model", "delete_benefit_button",
                       _parts_of(list_benefits), _problem_line,
                       "Delete benefit “Days in hospital”?"),
}  # fmt: skip


def _removal_view(qtbot: QtBot, register: Register, case: Removal, record: str,
                  part: str) -> Any:  # fmt: skip
    """The case's view showing `record`, with `part` current in its table of parts."""
    view = view_on(qtbot, case.make, register)
    getattr(view, case.show)(record)
    assert view.current_id() == record
    model = getattr(view, case.model)
    getattr(view, case.table).setCurrentIndex(model.index(model.row_of(part), 0))
    return view


@pytest.mark.parametrize("name", list(REMOVALS))
def test_removing_a_part_asks_cancel_keeps_it_and_delete_removes_it(
    qtbot: QtBot, register: Register, shown: Shown, name: str
) -> None:
    case = REMOVALS[name]
    record, part = case.add(register)
    question = case.asked
    view = _removal_view(qtbot, register, case, record, part)
    before = (operation_count(register), case.parts(register, record))
    assert part in before[1] and len(before[1]) >= 2

    shown.delete = False
    qtbot.mouseClick(getattr(view, case.button), LEFT)
    assert shown.asked == [question]
    assert (operation_count(register), case.parts(register, record)) == before
    assert getattr(view, case.model).row_of(part) >= 0 and case.where(view) == ""

    shown.delete = True
    qtbot.mouseClick(getattr(view, case.button), LEFT)
    assert shown.asked == [question, question]
    left = case.parts(register, record)
    assert part not in left and len(left) == len(before[1]) - 1
    assert getattr(view, case.model).row_of(part) < 0 and case.where(view) == ""
    assert view.current_id() == record and shown.errors == []


def _owner_priya(register: Register) -> tuple[str, str]:
    county = _party_to_agreements(register)
    return county, next(p.id for p in list_people(register, county) if p.name == "Priya Shah")


def _cited_paper(register: Register) -> tuple[str, str]:
    meeting, paper = _meeting_and_paper_a(register)
    add_decision(register, meeting, {"decision": "Approved", "paper_id": paper})
    return meeting, paper


REFUSED_REMOVALS = {  # the part others refer to, and what the refusal says
    "person": (_owner_priya, "Priya Shah is the owner of 5 agreements (ISA-2025-010, "
               "ISA-2026-001, ISA-2026-002 and 2 more). Choose another owner for them first."),
    "paper": (_cited_paper, "Paper A is cited by 1 decision (Approved). Change or remove that "
              "decision first."),
}  # fmt: skip


@pytest.mark.parametrize("name", list(REFUSED_REMOVALS))
def test_a_refused_removal_asks_nothing_says_why_and_changes_nothing(
    qtbot: QtBot, register: Register, shown: Shown, name: str
) -> None:
    case = REMOVALS[name]
    add, said = REFUSED_REMOVALS[name]
    record, part = add(register)
    view = _removal_view(qtbot, register, case, record, part)
    before = (operation_count(register), case.parts(register, record))

    qtbot.mouseClick(getattr(view, case.button), LEFT)
    assert shown.asked == []
    assert case.where(view) == said
    assert (operation_count(register), case.parts(register, record)) == before
    assert shown.errors == []
