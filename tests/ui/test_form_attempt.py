"""A write from a list-and-form view meets a bug: logged, and said to be unexpected; no traceback.

`attempt` (a `ProblemLabel`'s, a `RecordForm`'s) sent only a refusal to its display; any other
exception left the button's slot as a bare traceback, nothing logged and nothing said.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.errors import NotFoundError
from app.organisations import create_organisation, list_organisations
from app.register import Register
from ui.errors import message_for
from ui.views import organisations
from ui.views.assessments import ASSESSMENT_FORM
from ui.widgets.record_form import ProblemLabel, RecordForm

from .conftest import Shown

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
BUG = KeyError("organisation_id")
REFUSAL = NotFoundError("That organisation no longer exists.")


def broken(*_: object) -> object:
    raise BUG


def refused(*_: object) -> object:
    raise REFUSAL


def bugs_logged(caplog: pytest.LogCaptureFixture) -> list[BaseException | None]:
    """The exceptions logged with a traceback by the one rule (`ui.workers`)."""
    return [r.exc_info[1] for r in caplog.records if r.name == "ui.workers" and r.exc_info]


def test_a_problem_label_logs_a_bug_and_says_it_was_unexpected(
    qtbot: QtBot, shown: Shown, caplog: pytest.LogCaptureFixture
) -> None:
    label = ProblemLabel("Problem")
    qtbot.addWidget(label)
    assert not label.attempt(refused)  # a refusal: said on the label, as before
    assert label.text() == REFUSAL.message and shown.errors == []
    with caplog.at_level(logging.ERROR, logger="ui.workers"):
        assert not label.attempt(broken)
    assert bugs_logged(caplog) == [BUG]
    assert shown.errors == [message_for(BUG)] and "did not expect" in shown.errors[0]
    assert label.text() == REFUSAL.message  # a bug is not passed off as a refusal, nor cleared
    assert label.attempt(lambda: None) and label.text() == ""


def test_a_form_logs_a_bug_in_its_save_and_says_it_was_unexpected(
    qtbot: QtBot, shown: Shown, caplog: pytest.LogCaptureFixture
) -> None:
    form = RecordForm(ASSESSMENT_FORM)
    qtbot.addWidget(form)
    with caplog.at_level(logging.ERROR, logger="ui.workers"):
        assert not form.submit(broken)
    assert bugs_logged(caplog) == [BUG]
    assert shown.errors == [message_for(BUG)]
    assert form.general_error.text() == ""  # the message box says it, not the form
    assert not form.attempt(refused) and form.general_error.text() == REFUSAL.message
    assert shown.errors == [message_for(BUG)]  # a refusal brings no message box


def test_delete_organisation_meeting_a_bug_is_logged_and_said_and_keeps_the_organisation(
    qtbot: QtBot, register: Register, shown: Shown, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(organisations, "WRITERS",
                        dataclasses.replace(organisations.WRITERS, delete=broken))  # fmt: skip
    view = organisations.OrganisationsView()
    qtbot.addWidget(view)
    view.show()
    free = create_organisation(register, {"name": "Suffolk Constabulary"})  # nothing refers to it
    view.set_register(register)
    view.select_record(free)
    before = view.current_id()
    assert before == free
    with caplog.at_level(logging.ERROR, logger="ui.workers"):
        qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert bugs_logged(caplog) == [BUG]
    assert shown.errors == [message_for(BUG)]
    assert view.current_id() == before
    assert before in {row.id for row in list_organisations(register)}
