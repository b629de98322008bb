"""Use cases: stages through the log, benefits, partners and linked agreements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.agreements import create_agreement
from app.errors import NotFoundError, ValidationError
from app.organisations import create_organisation
from app.register import Register
from app.use_cases import (
    add_benefit,
    create_use_case,
    delete_benefit,
    delete_use_case,
    get_use_case,
    link_agreement,
    list_benefits,
    list_use_cases,
    move_stage,
    move_to_next_stage,
    move_to_previous_stage,
    next_stage,
    previous_stage,
    set_partners,
    unlink_agreement,
    update_benefit,
    update_use_case,
)
from tests.fast_keys import FAST_KDF


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("use-cases") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        yield reg


def test_stage_path() -> None:
    assert next_stage("proposed") == "prioritised"
    assert next_stage("live") == "evaluated"
    assert next_stage("evaluated") is None
    assert next_stage("closed") is None
    assert previous_stage("prioritised") == "proposed"
    assert previous_stage("proposed") is None


def test_new_use_case_is_proposed_and_moves_on_through_the_log(register: Register) -> None:
    lead = create_organisation(register, {"name": "Norfolk County Council"})
    uc = create_use_case(
        register, {"title": "Falls prevention", "lead_organisation_id": lead, "rag": "amber"}
    )
    summary = next(s for s in list_use_cases(register) if s.id == uc)
    assert (summary.stage, summary.rag, summary.lead_organisation) == (
        "proposed",
        "amber",
        "Norfolk County Council",
    )
    assert move_to_next_stage(register, uc) == "prioritised"
    assert get_use_case(register, uc).stage == "prioritised"
    assert move_to_previous_stage(register, uc) == "proposed"
    move_stage(register, uc, "evaluated")
    with pytest.raises(ValidationError, match="no next stage"):
        move_to_next_stage(register, uc)
    register.undo()
    assert get_use_case(register, uc).stage == "proposed"
    with register.session() as session:
        from db.models import BatchRecord

        labels = [b.label for b in session.query(BatchRecord).all()]
    assert "Move Falls prevention to prioritised" in labels


def test_validation(register: Register) -> None:
    with pytest.raises(ValidationError) as caught:
        create_use_case(register, {"title": "", "stage": "dreaming", "rag": "blue"})
    assert {p.field for p in caught.value.problems} == {"title", "stage", "rag"}
    with pytest.raises(ValidationError):
        create_use_case(register, {"title": "x", "colour": "red"})


def test_benefits_partners_and_agreements(register: Register) -> None:
    uc = create_use_case(register, {"title": "Hospital discharge"})
    a = create_organisation(register, {"name": "Partner A"})
    b = create_organisation(register, {"name": "Partner B"})
    set_partners(register, uc, [a, b])
    set_partners(register, uc, [b])
    assert [p.name for p in get_use_case(register, uc).partners] == ["Partner B"]
    agreement = create_agreement(
        register, {"reference": "ISA-2026-001", "title": "Discharge data", "category": "personal"}
    )
    link_agreement(register, uc, agreement)
    full = get_use_case(register, uc)
    assert [(g.reference, g.status) for g in full.agreements] == [("ISA-2026-001", "draft")]
    summary = next(s for s in list_use_cases(register) if s.id == uc)
    assert (summary.partner_count, summary.agreement_count) == (1, 1)
    unlink_agreement(register, uc, agreement)
    assert get_use_case(register, uc).agreements == ()

    benefit = add_benefit(
        register, uc, {"measure": "Delayed discharges", "unit": "days", "baseline": "12"}
    )
    update_benefit(register, benefit, {"actual": "8", "measured_on": dt.date(2026, 3, 31)})
    (got,) = list_benefits(register, uc)
    assert (got.baseline, got.actual, got.measured_on) == ("12", "8", dt.date(2026, 3, 31))
    with pytest.raises(ValidationError):
        update_benefit(register, benefit, {"measure": " "})
    delete_benefit(register, benefit)
    assert list_benefits(register, uc) == []


def test_update_and_delete(register: Register) -> None:
    uc = create_use_case(register, {"title": "Temporary"})
    add_benefit(register, uc, {"measure": "m"})
    assert update_use_case(register, uc, {"risks": "Data quality", "rag": "red"}) == 2
    assert get_use_case(register, uc).risks == "Data quality"
    delete_use_case(register, uc)
    assert uc not in [s.id for s in list_use_cases(register)]
    with pytest.raises(NotFoundError):
        get_use_case(register, uc)
    with pytest.raises(NotFoundError):
        move_stage(register, uc, "live")


def test_list_is_in_stage_order(register: Register) -> None:
    create_use_case(register, {"title": "Closed one", "stage": "closed"})
    create_use_case(register, {"title": "Live one", "stage": "live"})
    stages = [s.stage for s in list_use_cases(register)]
    order = ["proposed", "prioritised", "design", "implementation", "live", "evaluated", "closed"]
    assert stages == sorted(stages, key=order.index)
