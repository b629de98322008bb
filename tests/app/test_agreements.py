"""Agreements service: validated writes, SQL filters and sorting, whole reads and JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import agreements as ag
from app.domain import SPEC_KEYS
from app.errors import NotFoundError, ValidationError
from app.register import Register

PASS = "correct horse battery staple"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    with Register.create(tmp_path / "reg", PASS) as reg:
        yield reg


def _full_item(n: int) -> dict[str, str]:
    return {key: f"{key} text for item {n}" for key in SPEC_KEYS} | {"title": f"Item {n}"}


def test_create_defaults_status_and_annual_review(register: Register) -> None:
    ag.create_agreement(
        register,
        {"reference": "ISA-2026-001", "title": "JSNA", "category": "aggregated",
         "start_date": dt.date(2026, 4, 1)},
    )  # fmt: skip
    got = ag.get_agreement(register, "ISA-2026-001")
    assert got.status == "draft"
    assert got.review_date == dt.date(2027, 4, 1)


def test_validation_messages_name_the_field_and_save_nothing(register: Register) -> None:
    with pytest.raises(ValidationError) as info:
        ag.create_agreement(
            register,
            {"reference": "bad ref!", "title": "", "category": "secret",
             "start_date": dt.date(2026, 5, 1), "end_date": dt.date(2026, 1, 1)},
        )  # fmt: skip
    fields = {p.field for p in info.value.problems}
    assert fields == {"reference", "title", "category", "end_date"}
    assert ag.list_agreements(register) == []


def test_reference_must_be_unique_among_live_agreements(register: Register) -> None:
    first = ag.create_agreement(
        register, {"reference": "ISA-1", "title": "One", "category": "personal"}
    )
    with pytest.raises(ValidationError, match="already used"):
        ag.create_agreement(
            register, {"reference": "ISA-1", "title": "Two", "category": "personal"}
        )
    ag.delete_agreement(register, first)
    ag.create_agreement(register, {"reference": "ISA-1", "title": "Two", "category": "personal"})
    assert [a.title for a in ag.list_agreements(register)] == ["Two"]


def test_status_transitions_and_complete_items_rule(register: Register) -> None:
    aid = ag.create_agreement(
        register, {"reference": "ISA-2", "title": "T", "category": "personal"}
    )
    with pytest.raises(ValidationError, match="cannot go from draft to active"):
        ag.update_agreement(register, aid, {"status": "active"})
    ag.update_agreement(register, aid, {"status": "negotiation"})
    item = ag.add_data_item(register, aid, {"title": "Half", "source": "Police system"})
    with pytest.raises(ValidationError, match="every data item needs all seven"):
        ag.update_agreement(register, aid, {"status": "awaiting_approval"})
    ag.update_data_item(register, item, _full_item(1))
    ag.update_agreement(register, aid, {"status": "awaiting_approval"})
    assert ag.get_agreement(register, "ISA-2").status == "awaiting_approval"


def test_filters_and_sorting_happen_in_sql(register: Register) -> None:
    def build(changes: ag.Changes) -> None:
        for n, (status, review) in enumerate(
            [("active", -10), ("active", 30), ("draft", 200), ("terminated", -50), ("active", None)]
        ):
            changes.create("agreement", {
                "reference": f"ISA-{n}", "title": f"Title {4 - n}", "category": "aggregated",
                "status": status,
                "review_date": None if review is None else TODAY + dt.timedelta(days=review),
            })  # fmt: skip

    register.write("seed", build)
    refs = lambda q: [a.reference for a in ag.list_agreements(register, q)]  # noqa: E731
    assert refs(ag.AgreementQuery(review="overdue", today=TODAY)) == ["ISA-0"]
    assert refs(ag.AgreementQuery(review="due", today=TODAY)) == ["ISA-1"]
    assert refs(ag.AgreementQuery(due_within_days=90, today=TODAY)) == ["ISA-0", "ISA-1"]
    assert refs(ag.AgreementQuery(statuses=("draft", "terminated"))) == ["ISA-2", "ISA-3"]
    assert refs(ag.AgreementQuery(sort="title")) == ["ISA-4", "ISA-3", "ISA-2", "ISA-1", "ISA-0"]
    assert refs(ag.AgreementQuery(sort="review_date", descending=True))[-1] == "ISA-4"  # nulls last
    assert refs(ag.AgreementQuery(text="title 4")) == ["ISA-0"]


def test_json_has_the_design_keys(register: Register) -> None:
    aid = ag.create_agreement(
        register, {"reference": "ISA-3", "title": "Youth offending", "category": "personal"}
    )
    ag.add_data_item(register, aid, _full_item(1))
    data = ag.agreement_json(ag.get_agreement(register, "ISA-3"))
    for key in ("reference", "title", "status", "category", "parties", "lawful_basis",
                "start_date", "review_date", "end_date", "owner", "items"):  # fmt: skip
        assert key in data
    assert set(SPEC_KEYS) <= set(data["items"][0])
    assert data["items"][0]["purpose"] == "purpose text for item 1"


def test_unknown_reference_is_a_clear_error(register: Register) -> None:
    with pytest.raises(NotFoundError, match="No agreement with reference ISA-404"):
        ag.get_agreement(register, "ISA-404")


def test_undo_and_redo_of_an_edit(register: Register) -> None:
    aid = ag.create_agreement(
        register, {"reference": "ISA-5", "title": "Before", "category": "aggregated"}
    )
    ag.update_agreement(register, aid, {"title": "After"})
    assert register.undo().startswith("Edit ISA-5")
    assert ag.get_agreement(register, aid).title == "Before"
    register.redo()
    assert ag.get_agreement(register, aid).title == "After"


def test_deleting_an_agreement_takes_its_parts_with_it_and_undo_brings_them_back(
    register: Register,
) -> None:
    from sqlalchemy import select

    from app.organisations import create_organisation
    from db.models import DataItemRecord, PartyRecord

    aid = ag.create_agreement(
        register, {"reference": "ISA-9", "title": "T", "category": "personal"}
    )
    ag.add_data_item(register, aid, _full_item(1))
    ag.add_party(register, aid, create_organisation(register, {"name": "Kent Police"}), "provider")

    def live_parts() -> tuple[int, int]:
        with register.session() as session:
            return tuple(  # type: ignore[return-value]
                len(session.scalars(select(model.id).where(
                    model.agreement_id == aid, model.is_live.is_(True))).all())
                for model in (PartyRecord, DataItemRecord)
            )  # fmt: skip

    assert live_parts() == (1, 1)
    ag.delete_agreement(register, aid)
    assert live_parts() == (0, 0)  # nothing left referring to a deleted agreement
    register.undo()
    assert live_parts() == (1, 1)
    assert [a.reference for a in ag.list_agreements(register)] == ["ISA-9"]
