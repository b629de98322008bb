"""The heading over a list-and-form view's form wraps a long title, even one word with no break.

A word-wrapped `QLabel` cannot break inside a word: a 103-character organisation name pasted
without spaces made the Organisations view's form pane (which is as wide as what it holds asks)
1,082 px wide at the least instead of 292 (measured with that label put back), and the fields
and the Save button were cut off on the right. The heading is now a `WrappedText`, which breaks
such a word over lines instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.assessments import create_assessment
from app.organisations import create_organisation
from app.register import Register
from app.use_cases import create_use_case
from tests.fast_keys import PASSPHRASE
from ui.main_window import NAVIGATION
from ui.views.agreement_editor import AgreementEditor
from ui.views.assessments import AssessmentsView
from ui.views.organisations import OrganisationsView
from ui.views.use_cases import UseCasesView
from ui.widgets.wrapped_text import WrappedText

from .conftest import open_window, settle

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
LONG_NAME = (
    "NorthshireAndSouthshireIntegratedCareBoard"
    "InformationGovernanceDataProtectionAndRecordsManagementOffice"
)  # one word of 103 characters: nowhere to break it between words


def form_pane(view: QWidget, inside: QWidget) -> QScrollArea:
    """The scroll area holding the form, `inside` it."""
    return next(area for area in view.findChildren(QScrollArea)
                if (inner := area.widget()) is not None and inner.isAncestorOf(inside))  # fmt: skip


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    """Where `widget` stands in `ancestor`."""
    return QRect(widget.mapTo(ancestor, QPoint(0, 0)), widget.size())


def assert_wrapped_whole(heading: WrappedText, text: str) -> None:
    """The heading shows `text` on as many lines as it needs, every line whole."""
    assert heading.text() == text
    assert heading.fontMetrics().horizontalAdvance(text) > heading.width()  # no room on a line
    assert heading.document().idealWidth() <= heading.viewport().width()  # broken, not cut
    assert heading.height() >= heading.heightForWidth(heading.width())  # every line shown
    assert heading.verticalScrollBar().maximum() == 0


def test_a_long_unbroken_name_leaves_the_organisation_form_whole_at_the_narrowest(
    qtbot: QtBot, register_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(LONG_NAME) == 103 and " " not in LONG_NAME
    with Register.open(register_folder, PASSPHRASE, author="Tester") as register:
        long_named = create_organisation(register, {"name": LONG_NAME})
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    row = NAVIGATION.index("Organisations")
    window.navigate(row)
    view = window.views[row].view
    assert isinstance(view, OrganisationsView)
    settle()
    pane = form_pane(view, view.save_button)
    assert view.heading.text() != LONG_NAME  # the first listed has a short name
    narrowest, pane_least = window.minimumSizeHint().width(), pane.minimumSizeHint().width()

    view.select_record(long_named)
    settle()
    assert pane.minimumSizeHint().width() == pane_least  # 1,082 px with a label, not 292
    assert window.minimumSizeHint().width() == narrowest
    window.resize(narrowest, 760)
    settle()
    assert window.width() == narrowest
    pane.ensureWidgetVisible(view.save_button)
    assert view.rect().contains(rect_in(view.save_button, view))
    assert pane.viewport().rect().contains(rect_in(view.save_button, pane.viewport()))
    for editor in view.form.editors.values():  # no field cut off on the right either
        assert rect_in(editor, pane.viewport()).right() < pane.viewport().width()
    assert_wrapped_whole(view.heading, LONG_NAME)
    # a box's title cannot wrap: the People box's is only that, a screen reader hears it whole
    assert view.people_box.title() == "People"
    assert view.people_box.accessibleName() == f"People at {LONG_NAME}"


@dataclass(frozen=True)
class Titled:
    """A view with a heading, and how to add a record of its kind with a title."""

    make: Callable[[], Any]
    add: Callable[[Register, str], str]


HEADED = {
    "organisations": Titled(OrganisationsView,
                            lambda register, name: create_organisation(register, {"name": name})),
    "assessments": Titled(AssessmentsView,
                          lambda register, title: create_assessment(register, {"title": title})),
    "use cases": Titled(UseCasesView, lambda register, title: create_use_case(
        register, {"title": title, "stage": "proposed"})),
}  # fmt: skip


@pytest.mark.parametrize("name", list(HEADED))
def test_a_long_unbroken_title_does_not_widen_the_view(
    qtbot: QtBot, register: Register, name: str
) -> None:
    case = HEADED[name]
    long_titled = case.add(register, LONG_NAME)
    view = case.make()
    qtbot.addWidget(view)
    view.set_register(register)
    view.select_record(long_titled)
    view.show()
    settle()
    widest = view.minimumSizeHint().width()
    view.new_button.click()  # the heading says "New …"
    settle()
    assert view.heading.text().startswith("New ")
    assert view.minimumSizeHint().width() == widest
    view.select_record(long_titled)
    view.resize(widest, 800)
    settle()
    assert_wrapped_whole(view.heading, LONG_NAME)


@pytest.mark.parametrize("name", list(HEADED))
def test_the_heading_is_bold_larger_named_and_no_tab_stop(qtbot: QtBot, name: str) -> None:
    view = HEADED[name].make()
    qtbot.addWidget(view)
    heading = view.heading
    assert isinstance(heading, WrappedText)
    assert heading.accessibleName().startswith("Selected ")
    assert heading.isReadOnly()
    assert heading.focusPolicy() == Qt.FocusPolicy.ClickFocus
    assert heading.font().bold()
    assert heading.font().pointSizeF() == pytest.approx(view.font().pointSizeF() * 1.3)
    assert heading.sizeHint().width() == 200


def test_the_agreement_editors_heading_is_a_record_heading_too(qtbot: QtBot) -> None:
    """It was built apart, 14 points whatever the person's font; now as the views' are."""
    editor = AgreementEditor()
    qtbot.addWidget(editor)
    heading = editor.heading
    assert isinstance(heading, WrappedText)
    assert heading.text() == "New agreement"
    assert heading.accessibleName() == "Agreement being edited"
    assert heading.isReadOnly() and heading.focusPolicy() == Qt.FocusPolicy.ClickFocus
    assert heading.font().bold()
    assert heading.font().pointSizeF() == pytest.approx(editor.font().pointSizeF() * 1.3)
    assert heading.sizeHint().width() == heading.minimumWidth() == 200
