"""New, save and delete of the record a list-and-form view shows: one way, in every such view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.assessments import create_assessment, list_assessments
from app.dependants import what_goes_with
from app.errors import InUseError, NotFoundError
from app.meetings import create_body, create_meeting, list_meetings
from app.organisations import create_organisation, list_organisations
from app.register import Register
from app.use_cases import list_use_cases
from tests.desktop_fixtures import Shown
from ui.errors import message_for
from ui.models.assessment_models import AssessmentTableModel
from ui.views import assessments, meetings, organisations, use_cases
from ui.widgets.master_detail import RecordWriters, ShownRecord, select_row, still_listed
from ui.widgets.record_form import ProblemLabel, RecordForm

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
LEFT = Qt.MouseButton.LeftButton


class Calls:
    """What a ShownRecord told its view, in order."""

    def __init__(self) -> None:
        self.seen: list[object] = []

    def refresh(self) -> None:
        self.seen.append("refresh")

    def saved(self, record_id: str) -> None:
        self.seen.append(("saved", record_id))

    def show(self, record_id: str | None) -> None:
        self.seen.append(("shown", record_id))


@dataclass
class Harness:
    """An assessment list and form on a window of its own, its ShownRecord and what that told
    the view."""

    host: QWidget
    shown: ShownRecord
    calls: Calls
    problem: ProblemLabel
    table: QTableView
    model: AssessmentTableModel


def _harness(qtbot: QtBot, problem_label: bool = False) -> Harness:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    model = AssessmentTableModel(host)
    table = QTableView(host)
    table.setModel(model)
    form = RecordForm(assessments.ASSESSMENT_FORM, host)
    problem = ProblemLabel("Problem", host)
    layout.addWidget(table)
    layout.addWidget(problem)
    layout.addWidget(form)
    calls = Calls()
    attempt = problem.attempt if problem_label else None
    shown = ShownRecord(form, assessments.WRITERS, refresh=calls.refresh, saved=calls.saved,
                        attempt=attempt)  # fmt: skip
    return Harness(host, shown, calls, problem, table, model)


def _type(form: RecordForm, name: str, text: str) -> None:
    editor = form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(text)


def _ids(register: Register) -> set[str]:
    return {a.id for a in list_assessments(register)}


def _title(register: Register, assessment_id: str) -> str:
    return next(a.title for a in list_assessments(register) if a.id == assessment_id)


# ---------------------------------------------------------------- the shared piece


def test_a_save_creates_the_record_then_updates_that_same_one(
    qtbot: QtBot, register: Register
) -> None:
    h = _harness(qtbot)
    before = _ids(register)
    _type(h.shown.form, "title", "Community safety strategic assessment")
    assert h.shown.save(register)
    (created,) = _ids(register) - before
    assert h.shown.id == created
    assert h.calls.seen == ["refresh", ("saved", created)]  # the list first, then the news

    _type(h.shown.form, "title", "Community safety strategic assessment 2026")
    assert h.shown.save(register)
    assert _ids(register) == before | {created}
    assert _title(register, created) == "Community safety strategic assessment 2026"
    assert h.calls.seen[2:] == ["refresh", ("saved", created)]


def test_a_refused_save_writes_nothing_and_says_why_under_the_field(
    qtbot: QtBot, register: Register
) -> None:
    h = _harness(qtbot)
    jsna = list_assessments(register)[0]
    h.shown.id = jsna.id
    h.shown.form.set_values(jsna)
    _type(h.shown.form, "title", "")
    assert not h.shown.save(register)
    assert h.shown.form.problem_text("title") == "Title is required."
    assert _title(register, jsna.id) == jsna.title
    assert h.shown.id == jsna.id and h.calls.seen == []


def test_without_a_register_nothing_is_saved_or_deleted(qtbot: QtBot, register: Register) -> None:
    h = _harness(qtbot)
    _type(h.shown.form, "title", "Never written")
    assert not h.shown.save(None)
    h.shown.id = list_assessments(register)[0].id
    h.shown.delete(None)
    assert h.shown.id is not None and h.calls.seen == []
    assert "Never written" not in {a.title for a in list_assessments(register)}


def test_a_delete_leaves_no_record_shown_and_refreshes(qtbot: QtBot, register: Register) -> None:
    h = _harness(qtbot)
    jsna = list_assessments(register)[0].id
    h.shown.id = jsna
    h.shown.delete(register)
    assert jsna not in _ids(register)
    assert h.shown.id is None and h.calls.seen == ["refresh"]


@pytest.mark.parametrize("problem_label", [True, False], ids=["in its label", "on the form"])
def test_a_refused_delete_is_said_where_the_view_says_it(
    qtbot: QtBot, register: Register, problem_label: bool
) -> None:
    h = _harness(qtbot, problem_label)
    jsna = list_assessments(register)[0].id
    assessments.WRITERS.delete(register, jsna)  # deleted elsewhere (a sync, say) meanwhile
    h.shown.id = jsna
    h.shown.delete(register)
    said = h.problem.text() if problem_label else h.shown.form.general_error.text()
    unsaid = h.shown.form.general_error.text() if problem_label else h.problem.text()
    assert said == "That assessment no longer exists (it may have been deleted)."
    assert unsaid == ""
    assert h.shown.id == jsna and h.calls.seen == []


def test_new_forgets_the_shown_record_and_puts_the_cursor_in_the_first_field(
    qtbot: QtBot, register: Register
) -> None:
    h = _harness(qtbot)
    form = h.shown.form
    with qtbot.waitActive(h.host):
        h.host.show()
        h.host.activateWindow()
    jsna = list_assessments(register)[0]
    h.model.set_rows(list_assessments(register))
    select_row(h.table, h.model.row_of(jsna.id))
    h.shown.id = jsna.id
    form.set_values(jsna)
    drawn: list[str | None] = []
    h.shown.new(h.table, lambda: (drawn.append(h.shown.id), form.set_values(None)))
    assert drawn == [None]  # the view drew its form with no record shown
    assert form.editors["title"].hasFocus()
    assert not h.table.currentIndex().isValid() and not h.table.selectionModel().hasSelection()
    h.shown.new(h.table, lambda: None, first="lead")
    assert form.editors["lead"].hasFocus()


def test_follow_shows_the_record_of_the_current_row_and_none_for_no_row(
    qtbot: QtBot, register: Register
) -> None:
    h = _harness(qtbot)
    second = create_assessment(register, {"title": "Community safety strategic assessment"})
    h.model.set_rows(list_assessments(register))
    h.shown.follow(h.table, lambda: h.calls.show(h.shown.id))
    select_row(h.table, h.model.row_of(second))
    assert h.shown.id == second and h.calls.seen == [("shown", second)]
    h.shown.new(h.table, lambda: h.calls.show(h.shown.id))  # no row current: none shown
    assert h.shown.id is None and h.calls.seen[1:] == [("shown", None)]  # once, not again
    h.shown.id = second  # as a view's refresh keeps it, then makes its row current
    select_row(h.table, h.model.row_of(second))
    assert h.calls.seen[2:] == []  # the view shows it itself: not shown twice


def test_keep_listed_keeps_the_shown_record_while_listed_else_shows_the_first(
    qtbot: QtBot,
) -> None:
    h = _harness(qtbot)
    asked: list[str] = []

    def first() -> str:
        asked.append("first")
        return "c"

    assert h.shown.keep_listed(["a", "b"]) == "a" and h.shown.id == "a"  # none shown: the first
    h.shown.id = "b"
    assert h.shown.keep_listed(["a", "b", "c"], first) == "b" and asked == []  # kept
    assert h.shown.keep_listed(["a", "c"], first) == "c" and asked == ["first"]  # b is gone
    assert h.shown.keep_listed([], first) is None and h.shown.id is None
    assert asked == ["first"]  # nothing listed: the first is not asked for
    assert still_listed("b", ("a", "b")) == "b" and still_listed("x", ("a", "b")) == "a"


def test_a_problem_label_says_a_refusal_until_a_write_goes_through(
    qtbot: QtBot, shown: Shown
) -> None:
    label = ProblemLabel("Problem")
    qtbot.addWidget(label)

    def refused() -> None:
        raise NotFoundError("That assessment no longer exists.")

    assert not label.attempt(refused)
    assert label.text() == "That assessment no longer exists." and not label.isHidden()
    assert label.attempt(lambda: None)
    assert label.text() == "" and label.isHidden()
    assert not label.attempt(lambda: 1 / 0)  # a bug is not passed off as a refusal: it is shown
    assert label.text() == "" and label.isHidden()
    assert shown.errors == [message_for(ZeroDivisionError("division by zero"))]


# ---------------------------------------------------------------- the four views


@dataclass(frozen=True)
class Case:
    """One list-and-form view, and what differs between them."""

    make: Callable[[], Any]
    writers: RecordWriters
    listed: Callable[[Register], list[str]]
    shown: str  # its ShownRecord
    select: str  # its way to select a record by id
    saved: str  # its signal
    field: str  # a line of its form to edit
    refusal: Callable[[Any], str]  # where it says a refused delete
    table_tab: Callable[[Any], None] = lambda view: None


def _problem_line(view: Any) -> str:
    return str(view.problem.text())


def _form_top(view: Any) -> str:  # the organisations view has no problem line of its own
    return str(view.form.general_error.text())


def _ids_of(lister: Callable[[Register], list[Any]]) -> Callable[[Register], list[str]]:
    return lambda register: [row.id for row in lister(register)]


def _as_table(view: Any) -> None:
    view.layouts.setCurrentIndex(1)


CASES = {  # view, writers, listed, ShownRecord, select, saved signal, a line field, refusal
    "assessments": Case(assessments.AssessmentsView, assessments.WRITERS,
                        _ids_of(list_assessments), "shown", "select_assessment",
                        "assessment_saved", "lead", _problem_line),
    "organisations": Case(organisations.OrganisationsView, organisations.WRITERS,
                          _ids_of(list_organisations), "shown", "select_organisation",
                          "organisation_saved", "dpo_name", _form_top),
    "use cases": Case(use_cases.UseCasesView, use_cases.WRITERS, _ids_of(list_use_cases),
                      "shown", "select_use_case", "use_case_saved", "owner", _problem_line,
                      table_tab=_as_table),
    "meetings": Case(meetings.MeetingsView, meetings.WRITERS, _ids_of(list_meetings),
                     "meeting", "select_meeting", "meeting_saved", "location", _problem_line),
}  # fmt: skip


@pytest.fixture()
def two_of_each(register: Register) -> Iterator[Register]:
    """The seeded register with at least two records of each kind the four views list.

    The seeded organisations are parties to agreements; one more is a party to nothing.
    """
    create_assessment(register, {"title": "Community safety strategic assessment"})
    create_organisation(register, {"name": "Suffolk Constabulary", "org_type": "police"})
    board = create_body(register, {"name": "Information Sharing Board"})
    today = dt.date.today()
    for days in (-60, 120):
        create_meeting(register, board, {"meeting_date": today + dt.timedelta(days=days)})
    yield register


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture()
def view(qtbot: QtBot, case: Case, two_of_each: Register) -> Any:
    """The case's view, shown, on the register (the use cases as a table)."""
    view = case.make()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.set_register(two_of_each)
    case.table_tab(view)
    assert len(case.listed(two_of_each)) >= 2
    return view


def _selected(view: Any) -> str | None:
    row = view.table.currentIndex().row()
    return view.model.row_at(row).id if row >= 0 else None


def test_after_new_a_click_on_the_row_shown_before_shows_it_again(qtbot: QtBot, view: Any) -> None:
    before = view.current_id()
    row = view.model.row_of(before)
    qtbot.mouseClick(view.new_button, LEFT)
    assert view.current_id() is None and _selected(view) is None
    qtbot.mouseClick(view.table.viewport(), LEFT,
                     pos=view.table.visualRect(view.model.index(row, 0)).center())  # fmt: skip
    assert view.current_id() == before


def test_save_through_the_button_keeps_the_record_shown_and_selected(
    qtbot: QtBot, case: Case, view: Any, two_of_each: Register
) -> None:
    other = next(i for i in case.listed(two_of_each) if i != view.current_id())
    getattr(view, case.select)(other)
    form = getattr(view, case.shown).form
    _type(form, case.field, "Endeavour House")
    with qtbot.waitSignal(getattr(view, case.saved)) as saved:
        qtbot.mouseClick(view.save_button, LEFT)
    assert saved.args == [other]
    assert view.current_id() == other and _selected(view) == other
    assert form.values()[case.field] == "Endeavour House"
    assert case.listed(two_of_each).count(other) == 1


def _deletable(case: Case, register: Register) -> str:
    """A record of the case's kind whose delete is not refused (nothing refers to it)."""
    for record_id in case.listed(register):
        try:
            what_goes_with(register, case.writers.kind, record_id)
        except InUseError:
            continue
        return record_id
    raise AssertionError("every record is referred to")


def _show(case: Case, view: Any, record_id: str) -> None:
    getattr(view, case.select)(record_id)
    assert view.current_id() == record_id


def test_delete_through_the_button_shows_a_record_still_listed(
    qtbot: QtBot, case: Case, view: Any, two_of_each: Register
) -> None:
    doomed = _deletable(case, two_of_each)
    _show(case, view, doomed)
    qtbot.mouseClick(view.delete_button, LEFT)
    listed = case.listed(two_of_each)
    assert doomed not in listed
    assert view.current_id() in listed and _selected(view) == view.current_id()
    assert case.refusal(view) == ""


def test_a_refused_delete_is_said_and_keeps_the_record_shown(
    qtbot: QtBot, case: Case, view: Any, two_of_each: Register
) -> None:
    gone = _deletable(case, two_of_each)
    _show(case, view, gone)
    case.writers.delete(two_of_each, gone)  # deleted elsewhere; the view has not refreshed
    qtbot.mouseClick(view.delete_button, LEFT)
    assert "no longer exists (it may have been deleted)" in case.refusal(view)
    assert view.current_id() == gone
