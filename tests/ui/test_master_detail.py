"""List-and-detail views: a record shows as soon as the view opens; search hits select theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.assessments import create_assessment, list_assessments
from app.meetings import add_paper, create_body, create_meeting, list_papers
from app.organisations import list_organisations, list_people
from app.register import Register
from app.use_cases import list_use_cases
from ui.views import meetings, organisations
from ui.views.assessments import AssessmentsView
from ui.views.meetings import MeetingsView
from ui.views.organisations import OrganisationsView
from ui.views.use_cases import UseCasesView


def test_organisations_open_on_the_first_and_a_search_hit_selects_its_own(
    qtbot: QtBot, register: Register
) -> None:
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.set_register(register)
    first = list_organisations(register)[0]
    assert view.current_id() == first.id
    assert view.heading.text() == first.name
    assert view.people_box.title() == "People"  # the heading above names the organisation
    assert view.people_box.accessibleName() == f"People at {first.name}"
    trust = next(o.id for o in list_organisations(register) if o.id != first.id)
    view.select_record(trust)
    assert view.current_id() == trust
    assert view.table.currentIndex().row() == view.model.row_of(trust)
    view.new_organisation()  # a new one starts from an empty form
    assert view.current_id() is None and view.heading.text() == "New organisation"


def test_use_cases_open_on_the_earliest_stage_and_a_search_hit_selects_its_own(
    qtbot: QtBot, register: Register
) -> None:
    view = UseCasesView()
    qtbot.addWidget(view)
    view.set_register(register)
    by_title = {u.title: u.id for u in list_use_cases(register)}
    assert view.current_id() == by_title["Frailty register"]  # design comes before live
    assert view.columns["design"].currentItem().text() == "Frailty register"
    view.select_record(by_title["Hospital at home"])
    assert view.heading.text() == "Hospital at home"
    assert view.columns["live"].currentItem().text() == "Hospital at home"


def test_assessments_open_on_the_first_and_a_search_hit_selects_its_own(
    qtbot: QtBot, register: Register
) -> None:
    second = create_assessment(register, {"title": "Community safety strategic assessment"})
    view = AssessmentsView()
    qtbot.addWidget(view)
    view.set_register(register)
    assert view.current_id() == list_assessments(register)[0].id
    view.select_record(second)
    assert view.current_id() == second
    assert view.heading.text() == "Community safety strategic assessment"


def test_meetings_open_on_the_next_meeting_and_its_first_paper(
    qtbot: QtBot, register: Register
) -> None:
    board = create_body(register, {"name": "Information Sharing Board"})
    today = dt.date.today()
    create_meeting(register, board, {"meeting_date": today - dt.timedelta(days=150)})
    coming = create_meeting(register, board, {"meeting_date": today + dt.timedelta(days=30)})
    create_meeting(register, board, {"meeting_date": today + dt.timedelta(days=200)})
    paper = add_paper(register, coming, {"subject": "Agreements for approval"})
    add_paper(register, coming, {"subject": "Reviews due"})
    view = MeetingsView()
    qtbot.addWidget(view)
    view.set_register(register)
    assert view.current_id() == coming  # the next to come, not the latest nor the last held
    assert view.paper_form.isEnabled()
    assert view.paper_form.values()["subject"] == "Agreements for approval"
    assert view.papers.currentIndex().row() == view.paper_model.row_of(paper)


class Counted:
    """A register read standing in for a view's own, counting the view's calls of it."""

    def __init__(self, read: Callable[..., Any]) -> None:
        self.read = read
        self.calls = 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        return self.read(*args)


def test_a_refresh_of_organisations_reads_the_shown_ones_people_once(
    qtbot: QtBot, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read them twice: once as the refresh made the kept row current, once to show it."""
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.set_register(register)
    by_name = {o.name: o.id for o in list_organisations(register)}
    county, trust = by_name["Northshire County Council"], by_name["Northshire Hospitals NHS Trust"]
    view.select_record(county)
    people = Counted(list_people)
    monkeypatch.setattr(organisations, "list_people", people)
    view.refresh()
    assert people.calls == 1
    assert view.current_id() == county
    assert view.people_model.rowCount() == len(list_people(register, county)) == 1
    view.select_record(trust)  # a row the person picks is read, once
    assert people.calls == 2 and view.current_id() == trust


def test_a_refresh_of_meetings_reads_the_shown_ones_papers_once_and_keeps_the_paper(
    qtbot: QtBot, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read them twice, and kept the paper shown only by setting it back after the first."""
    board = create_body(register, {"name": "Information Sharing Board"})
    meeting = create_meeting(register, board, {"meeting_date": dt.date.today()})
    add_paper(register, meeting, {"subject": "Agreements for approval"})
    second = add_paper(register, meeting, {"subject": "Reviews due"})
    view = MeetingsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.papers.setCurrentIndex(view.paper_model.index(view.paper_model.row_of(second), 0))
    assert view.paper_form.values()["subject"] == "Reviews due"
    papers = Counted(list_papers)
    monkeypatch.setattr(meetings, "list_papers", papers)
    view.refresh()
    assert papers.calls == 1
    assert view.current_id() == meeting
    assert view.paper_form.values()["subject"] == "Reviews due"  # the paper shown stays
