"""The meetings view: add a meeting, add papers lettered A and B, edit a paper, decisions."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit  # noqa: E402
from pytestqt.modeltest import ModelTester  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.agreements import create_agreement  # noqa: E402
from app.meetings import list_decisions, list_meetings, list_papers  # noqa: E402
from app.register import Register  # noqa: E402
from tests.fast_keys import FAST_KDF
from ui.models.meeting_models import MeetingTableModel  # noqa: E402
from ui.views.meetings import MeetingsView  # noqa: E402


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("meetings-view") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        create_agreement(
            reg, {"reference": "ISA-2026-030", "title": "Schools data", "category": "aggregated"}
        )
        yield reg


def _line(view: MeetingsView, name: str) -> QLineEdit:
    editor = view.meeting_form.editors.get(name) or view.paper_form.editors[name]
    assert isinstance(editor, QLineEdit)
    return editor


def test_meeting_papers_and_decisions(
    qtbot: QtBot, qtmodeltester: ModelTester, register: Register
) -> None:
    view = MeetingsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.body_name.setText("Information Sharing Board")
    qtbot.mouseClick(view.add_body_button, Qt.MouseButton.LeftButton)
    assert view.meeting_form.combo("body_id").currentText() == "Information Sharing Board"

    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    _line(view, "meeting_date").setText("14/04/2026")
    _line(view, "start_time").setText("14:00")
    _line(view, "location").setText("Endeavour House, Ipswich")
    with qtbot.waitSignal(view.meeting_saved) as saved:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    meeting_id = saved.args[0]
    (meeting,) = list_meetings(register)
    assert (meeting.meeting_date, meeting.body) == (
        dt.date(2026, 4, 14),
        "Information Sharing Board",
    )
    assert view.model.index(0, 0).data() == "14/04/2026"
    qtmodeltester.check(view.model)

    view.add_paper_button.click()
    view.add_paper_button.click()
    letters = [view.paper_model.index(r, 0).data() for r in range(view.paper_model.rowCount())]
    assert letters == ["A", "B"]
    qtmodeltester.check(view.paper_model)

    _line(view, "subject").setText("Agreements for approval")
    _line(view, "discussion_minutes").setText("15")
    request = view.paper_form.editors["request"]
    assert isinstance(request, QPlainTextEdit)
    request.setPlainText("Approve the agreements listed in Appendix 1.")
    assert view.save_paper()
    paper_b = list_papers(register, meeting_id)[1]
    assert (paper_b.letter, paper_b.subject, paper_b.discussion_minutes) == (
        "B", "Agreements for approval", 15,
    )  # fmt: skip
    assert paper_b.request == "Approve the agreements listed in Appendix 1."
    _line(view, "discussion_minutes").setText("a while")
    assert not view.save_paper()
    assert "whole number" in view.paper_form.problem_text("discussion_minutes")

    view.decision_text.setText("Approved ISA-2026-030")
    view.decision_agreement.setCurrentIndex(1)
    view.decision_paper.setCurrentIndex(2)
    view.add_decision_button.click()
    (decision,) = list_decisions(register, meeting_id)
    assert (decision.paper_letter, decision.agreement_reference, decision.outcome) == (
        "B", "ISA-2026-030", "approved",
    )  # fmt: skip
    model = view.decision_model
    qtmodeltester.check(model)
    assert model.index(0, model.column_of("decided_on")).data() == "14/04/2026"
    with qtbot.waitSignal(view.agreement_requested) as opened:
        view.decisions.activated.emit(model.index(0, 0))
    assert opened.args == [decision.agreement_id]

    view.papers.selectRow(0)
    view.delete_paper_button.click()
    assert [(p.letter, p.subject) for p in list_papers(register, meeting_id)] == [
        ("A", "Agreements for approval")
    ]


def test_a_meeting_needs_a_date_and_locking_clears(
    qtbot: QtBot, qtmodeltester: ModelTester, register: Register
) -> None:
    qtmodeltester.check(MeetingTableModel())
    view = MeetingsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.new_meeting()
    _line(view, "meeting_date").setText("")
    assert not view.save_meeting()
    assert "Date is required" in view.meeting_form.problem_text("meeting_date")
    view.set_register(None)
    assert view.model.rowCount() == 0 and view.paper_model.rowCount() == 0
    assert not view.new_button.isEnabled()
