"""The use cases view: add a use case, move its card along the board, benefits, links."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLineEdit  # noqa: E402
from pytestqt.modeltest import ModelTester  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.agreements import create_agreement  # noqa: E402
from app.organisations import create_organisation  # noqa: E402
from app.register import Register  # noqa: E402
from app.use_cases import add_benefit, create_use_case, get_use_case, list_use_cases  # noqa: E402
from tests.fast_keys import FAST_KDF
from ui.models.use_case_models import BenefitTableModel, UseCaseTableModel  # noqa: E402
from ui.views.use_cases import ID_ROLE, UseCasesView  # noqa: E402


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("use-cases-view") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        lead = create_organisation(reg, {"name": "Worcestershire County Council"})
        uc = create_use_case(
            reg, {"title": "Frailty register", "lead_organisation_id": lead, "rag": "green"}
        )
        add_benefit(reg, uc, {"measure": "Admissions avoided", "baseline": "0", "target": "50"})
        create_agreement(
            reg, {"reference": "ISA-2026-007", "title": "Frailty data", "category": "personal"}
        )
        yield reg


def _view(qtbot: QtBot, register: Register) -> UseCasesView:
    view = UseCasesView()
    qtbot.addWidget(view)
    view.set_register(register)
    return view


def _card_ids(view: UseCasesView, stage: str) -> list[str]:
    cards = view.columns[stage]
    return [cards.item(n).data(ID_ROLE) for n in range(cards.count())]


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, register: Register) -> None:
    model = UseCaseTableModel()
    model.set_rows(list_use_cases(register))
    qtmodeltester.check(model)
    assert model.index(0, model.column_of("rag")).data() == "Green"
    benefits = BenefitTableModel()
    benefits.register = register
    uc = list_use_cases(register)[0].id
    benefits.set_rows(get_use_case(register, uc).benefits)
    qtmodeltester.check(benefits)


def test_add_a_use_case_and_move_its_stage(qtbot: QtBot, register: Register) -> None:
    view = _view(qtbot, register)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    title = view.form.editors["title"]
    assert isinstance(title, QLineEdit)
    title.setText("Hospital discharge dashboard")
    with qtbot.waitSignal(view.use_case_saved) as saved:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    uc = saved.args[0]
    assert uc in _card_ids(view, "proposed")
    assert view.column_titles["proposed"].text().startswith("Proposed (")

    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert get_use_case(register, uc).stage == "prioritised"
    assert uc in _card_ids(view, "prioritised") and uc not in _card_ids(view, "proposed")
    assert view.columns["prioritised"].currentItem().data(ID_ROLE) == uc

    assert view.next_shortcut.key().toString() == "Ctrl+]"
    view.next_shortcut.activated.emit()
    assert get_use_case(register, uc).stage == "design"
    qtbot.mouseClick(view.previous_button, Qt.MouseButton.LeftButton)
    assert get_use_case(register, uc).stage == "prioritised"
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert uc in _card_ids(view, "closed")
    qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert "no next stage" in view.problem.text()


def test_a_missing_title_is_shown_next_to_the_field(qtbot: QtBot, register: Register) -> None:
    view = _view(qtbot, register)
    view.new_use_case()
    assert not view.save()
    assert view.form.problem_text("title") == "Title is required."


def test_benefits_partners_and_agreements(qtbot: QtBot, register: Register) -> None:
    view = _view(qtbot, register)
    uc = next(s.id for s in list_use_cases(register) if s.title == "Frailty register")
    view.select_use_case(uc)
    assert view.benefit_model.rowCount() == 1
    column = view.benefit_model.column_of("measured_on")
    assert view.benefit_model.setData(view.benefit_model.index(0, column), "31/03/2026")
    assert get_use_case(register, uc).benefits[0].measured_on == dt.date(2026, 3, 31)
    qtbot.mouseClick(view.add_benefit_button, Qt.MouseButton.LeftButton)
    assert len(get_use_case(register, uc).benefits) == 2

    item = view.partners.item(0)
    item.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(view.save_partners_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in get_use_case(register, uc).partners] == [
        "Worcestershire County Council"
    ]

    qtbot.mouseClick(view.link_button, Qt.MouseButton.LeftButton)
    (linked,) = get_use_case(register, uc).agreements
    assert linked.reference == "ISA-2026-007"
    assert view.agreements.item(0).text().startswith("ISA-2026-007: Frailty data")
    with qtbot.waitSignal(view.agreement_requested) as opened:
        view.agreements.itemActivated.emit(view.agreements.item(0))
    assert opened.args == [linked.id]


def test_table_and_locking(qtbot: QtBot, register: Register) -> None:
    view = _view(qtbot, register)
    view.layouts.setCurrentIndex(1)
    view.table.selectRow(0)
    assert view.current_id() == view.model.row_at(0).id
    view.set_register(None)
    assert view.model.rowCount() == 0
    assert all(cards.count() == 0 for cards in view.columns.values())
    assert not view.new_button.isEnabled() and view.current_id() is None


def test_a_long_unbroken_title_is_broken_on_its_card_not_cut_off(qtbot: QtBot) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from ui.widgets.cards import TITLE_LINES, _title_lines

    font = QFont()
    width = 200
    lines = _title_lines("Frailty" * 30, font, width)  # 210 letters, no space
    assert len(lines) == TITLE_LINES
    assert all(QFontMetrics(font).horizontalAdvance(line) <= width for line in lines)
    assert lines[0].startswith("FrailtyFrailty") and lines[-1].endswith("…")
