"""The assessments view: link a data item to two assessments and see it marked as shared."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from pytestqt.modeltest import ModelTester  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.agreements import add_data_item, create_agreement  # noqa: E402
from app.assessments import (  # noqa: E402
    create_assessment,
    list_assessments,
    needed_items,
)
from app.register import Register  # noqa: E402
from tests.fast_keys import FAST_KDF
from ui.models.assessment_models import AssessmentTableModel, NeededItemTableModel  # noqa: E402
from ui.views.assessments import AssessmentsView  # noqa: E402


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("assessments-view") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        agreement = create_agreement(
            reg, {"reference": "ISA-2026-020", "title": "Population", "category": "aggregated"}
        )
        add_data_item(reg, agreement, {"title": "Demographic estimates"})
        add_data_item(reg, agreement, {"title": "Deprivation indices"})
        create_assessment(reg, {"title": "JSNA"})
        yield reg


def _select_choice(view: AssessmentsView, title: str) -> None:
    index = next(
        n for n in range(view.item_choice.count()) if view.item_choice.itemText(n).endswith(title)
    )
    view.item_choice.setCurrentIndex(index)


def test_link_one_item_to_two_assessments_marks_it_shared(
    qtbot: QtBot, qtmodeltester: ModelTester, register: Register
) -> None:
    view = AssessmentsView()
    qtbot.addWidget(view)
    view.set_register(register)
    jsna = next(a.id for a in list_assessments(register) if a.title == "JSNA")
    view.select_assessment(jsna)
    _select_choice(view, "Demographic estimates")
    qtbot.mouseClick(view.add_item_button, Qt.MouseButton.LeftButton)
    _select_choice(view, "Deprivation indices")
    qtbot.mouseClick(view.add_item_button, Qt.MouseButton.LeftButton)
    assert view.items_model.rowCount() == 2
    assert "none shared" in view.overlap.text()

    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    title = view.form.editors["title"]
    assert isinstance(title, QLineEdit)
    title.setText("Children and young people's needs analysis")
    view.form.combo("kind").setCurrentIndex(1)
    with qtbot.waitSignal(view.assessment_saved) as saved:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    children = saved.args[0]
    assert view.current_id() == children
    _select_choice(view, "Demographic estimates")
    qtbot.mouseClick(view.add_item_button, Qt.MouseButton.LeftButton)

    model = view.items_model
    assert model.rowCount() == 1
    shared_with = model.index(0, model.column_of("also_needed_by"))
    assert shared_with.data() == "JSNA"
    assert shared_with.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert "1 of 1 data items are also needed" in view.overlap.text()
    qtmodeltester.check(model)

    view.select_assessment(jsna)
    marks = {
        model.index(r, 0).data(): model.index(r, model.column_of("also_needed_by")).data()
        for r in range(model.rowCount())
    }
    assert marks == {
        "Demographic estimates": "Children and young people's needs analysis",
        "Deprivation indices": "Only this assessment",
    }
    listed = AssessmentTableModel()
    listed.set_rows(list_assessments(register))
    qtmodeltester.check(listed)
    row = listed.row_of(jsna)
    assert listed.index(row, listed.column_of("shared_item_count")).data() == "1"

    with qtbot.waitSignal(view.agreement_requested) as opened:
        view.items.activated.emit(model.index(0, 0))
    assert opened.args[0] == needed_items(register, jsna)[0].agreement_id

    view.items.setCurrentIndex(model.index(0, 0))
    qtbot.mouseClick(view.remove_item_button, Qt.MouseButton.LeftButton)
    assert [i.title for i in needed_items(register, jsna)] == ["Deprivation indices"]


def test_empty_model_and_locking(
    qtbot: QtBot, qtmodeltester: ModelTester, register: Register
) -> None:
    qtmodeltester.check(NeededItemTableModel())
    view = AssessmentsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.new_assessment()
    assert not view.save()
    assert view.form.problem_text("title") == "Title is required."
    view.set_register(None)
    assert view.model.rowCount() == 0 and view.item_choice.count() == 0
