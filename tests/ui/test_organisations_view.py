"""The organisations view: add an organisation, see a problem next to its field, add a person."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QLineEdit  # noqa: E402
from pytestqt.modeltest import ModelTester  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.organisations import (  # noqa: E402
    create_organisation,
    create_person,
    find_organisation,
    get_organisation,
    list_organisations,
    list_people,
)
from app.register import Register  # noqa: E402
from tests.fast_keys import FAST_KDF
from ui.models.organisation_models import OrganisationTableModel, PersonTableModel  # noqa: E402
from ui.views.organisations import OrganisationsView  # noqa: E402


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("orgs-view") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        org = create_organisation(
            reg,
            {"name": "Suffolk County Council", "org_type": "county_council", "code": "SCC",
             "charter_endorsed": True, "charter_endorsed_on": dt.date(2023, 5, 2)},
        )  # fmt: skip
        create_person(reg, org, {"name": "Dana Officer", "role": "DPO", "email": "d@s.gov.uk"})
        yield reg


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, register: Register) -> None:
    model = OrganisationTableModel()
    model.set_rows(list_organisations(register))
    qtmodeltester.check(model)
    row = model.row_of(find_organisation(register, "Suffolk County Council") or "")
    assert model.index(row, 1).data() == "County council"
    assert model.index(row, model.column_of("charter_endorsed")).data() == "Yes, 02/05/2023"
    people = PersonTableModel()
    people.register = register
    people.set_rows(list_people(register))
    qtmodeltester.check(people)


def _type(view: OrganisationsView, name: str, text: str) -> None:
    editor = view.form.editors[name]
    assert isinstance(editor, QLineEdit)
    editor.setText(text)


def test_add_an_organisation_and_a_person(qtbot: QtBot, register: Register) -> None:
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.set_register(register)
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    _type(view, "name", "East Suffolk & North Essex NHS FT")
    view.form.combo("org_type").setCurrentIndex(view.form.combo("org_type").findData("nhs_trust"))
    _type(view, "dpo_email", "dpo@esneft.nhs.uk")
    checkbox = view.form.editors["protocol_signed"]
    assert isinstance(checkbox, QCheckBox)
    checkbox.setChecked(True)
    _type(view, "protocol_signed_on", "01/04/2025")
    with qtbot.waitSignal(view.organisation_saved) as saved:
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    org_id = saved.args[0]
    org = get_organisation(register, org_id)
    assert (org.org_type, org.protocol_signed_on) == ("nhs_trust", dt.date(2025, 4, 1))
    assert org.name_key == "east suffolk and north essex nhs ft"
    assert view.current_id() == org_id

    qtbot.mouseClick(view.add_person_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in list_people(register, org_id)] == ["New person"]
    model = view.people_model
    assert model.setData(model.index(0, 0), "Priya Shah")
    assert model.setData(model.index(0, 1), "Caldicott Guardian")
    person = list_people(register, org_id)[0]
    assert (person.name, person.role) == ("Priya Shah", "Caldicott Guardian")
    assert not model.setData(model.index(0, 2), "not-an-email")
    assert "not an email address" in view.people_problem.text()


def test_problems_are_shown_next_to_the_field(qtbot: QtBot, register: Register) -> None:
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.new_organisation()
    _type(view, "name", "suffolk county council.")
    _type(view, "charter_endorsed_on", "31/02/2024")
    assert not view.save()
    assert "dd/mm/yyyy" in view.form.problem_text("charter_endorsed_on")
    _type(view, "charter_endorsed_on", "")
    assert not view.save()
    assert "already in the register" in view.form.problem_text("name")
    assert view.form.errors["name"].isVisibleTo(view)


def test_locking_clears_the_view(qtbot: QtBot, register: Register) -> None:
    view = OrganisationsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.select_organisation(find_organisation(register, "Suffolk County Council") or "")
    assert view.people_model.rowCount() == 1
    view.set_register(None)
    assert view.model.rowCount() == 0 and view.people_model.rowCount() == 0
    assert not view.save_button.isEnabled()
