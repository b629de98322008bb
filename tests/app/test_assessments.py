"""Assessments: the data items each needs, and which items several assessments share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.agreements import add_data_item, create_agreement, delete_data_item
from app.assessments import (
    create_assessment,
    data_item_choices,
    delete_assessment,
    link_data_item,
    list_assessments,
    needed_items,
    unlink_data_item,
    update_assessment,
)
from app.errors import InUseError, NotFoundError, ValidationError
from app.register import Register
from tests.fast_keys import FAST_KDF


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("assessments") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        yield reg


def test_items_needed_by_two_assessments_are_shared(register: Register) -> None:
    agreement = create_agreement(
        register,
        {"reference": "ISA-2026-100", "title": "Population data", "category": "aggregated"},
    )
    demography = add_data_item(register, agreement, {"title": "Demographic estimates"})
    deprivation = add_data_item(register, agreement, {"title": "Deprivation indices"})
    schools = add_data_item(register, agreement, {"title": "School census"})
    jsna = create_assessment(
        register, {"title": "JSNA", "kind": "Joint strategic needs assessment (JSNA)"}
    )
    children = create_assessment(register, {"title": "Children's needs analysis"})
    for item in (demography, deprivation):
        link_data_item(register, jsna, item)
        link_data_item(register, children, item)
    link_data_item(register, children, schools)

    items = {i.title: i for i in needed_items(register, children)}
    assert set(items) == {"Demographic estimates", "Deprivation indices", "School census"}
    assert items["Demographic estimates"].shared
    assert items["Demographic estimates"].also_needed_by == ("JSNA",)
    assert items["Demographic estimates"].agreement_reference == "ISA-2026-100"
    assert not items["School census"].shared

    listed = {a.title: a for a in list_assessments(register)}
    assert (listed["JSNA"].item_count, listed["JSNA"].shared_item_count) == (2, 2)
    assert (listed["Children's needs analysis"].item_count,
            listed["Children's needs analysis"].shared_item_count) == (3, 2)  # fmt: skip

    unlink_data_item(register, jsna, demography)
    items = {i.title: i for i in needed_items(register, children)}
    assert not items["Demographic estimates"].shared
    # a data item an assessment needs is not deleted; once none needs it, it is
    with pytest.raises(InUseError, match="Deprivation indices is needed by 2 assessments"):
        delete_data_item(register, deprivation)
    for assessment in (jsna, children):
        unlink_data_item(register, assessment, deprivation)
    delete_data_item(register, deprivation)
    assert [i.title for i in needed_items(register, jsna)] == []
    assert "Deprivation indices" not in [c.title for c in data_item_choices(register)]
    assert "ISA-2026-100: School census" in [c.label for c in data_item_choices(register)]


def test_validation_update_and_delete(register: Register) -> None:
    with pytest.raises(ValidationError):
        create_assessment(register, {"title": "  "})
    with pytest.raises(ValidationError):
        create_assessment(register, {"title": "x", "colour": "red"})
    profile = create_assessment(register, {"title": "Neighbourhood profile"})
    assert update_assessment(register, profile, {"lead": "Public health", "statutory": False}) == 2
    assert next(a for a in list_assessments(register) if a.id == profile).lead == "Public health"
    delete_assessment(register, profile)
    assert profile not in [a.id for a in list_assessments(register)]
    with pytest.raises(NotFoundError):
        link_data_item(register, profile, "no-such-item")
