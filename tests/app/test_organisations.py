"""Organisations and people: normalised names, validation, people per organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    find_organisation,
    get_organisation,
    list_organisations,
    list_people,
    normalise_name,
    update_organisation,
    update_person,
)
from app.register import Register
from tests.fast_keys import FAST_KDF


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("orgs") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        yield reg


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Kent County Council", "kent county council"),
        ("  Kent   &  Medway NHS  ", "kent and medway nhs"),
        ("St. Mary's Surgery", "st mary s surgery"),
        ("Fire & Rescue (East)", "fire and rescue east"),
        ("Tab\tand\nnewline", "tab and newline"),
    ],
)
def test_normalise_name(name: str, key: str) -> None:
    assert normalise_name(name) == key


def test_create_lists_and_matches_by_normalised_name(register: Register) -> None:
    org_id = create_organisation(
        register,
        {
            "name": "Norfolk & Waveney ICB",
            "org_type": "icb",
            "code": "QMM",
            "charter_endorsed": True,
            "charter_endorsed_on": dt.date(2024, 4, 1),
        },
    )
    org = get_organisation(register, org_id)
    assert org.name_key == "norfolk and waveney icb"
    assert org.type_label == "Integrated care board"
    assert org.charter_endorsed_on == dt.date(2024, 4, 1)
    assert find_organisation(register, "NORFOLK AND WAVENEY ICB.") == org_id
    assert org_id in [o.id for o in list_organisations(register)]
    with pytest.raises(ValidationError) as caught:
        create_organisation(register, {"name": "norfolk and waveney  icb"})
    assert caught.value.problems[0].field == "name"


def test_validation_names_each_field(register: Register) -> None:
    with pytest.raises(ValidationError) as caught:
        create_organisation(
            register,
            {"name": " ", "org_type": "bank", "dpo_email": "not an email"},
        )
    assert {p.field for p in caught.value.problems} == {"name", "org_type", "dpo_email"}


def test_rename_updates_the_name_key(register: Register) -> None:
    org_id = create_organisation(register, {"name": "Breckland Council"})
    assert update_organisation(register, org_id, {"name": "Breckland District Council"}) == 2
    assert get_organisation(register, org_id).name_key == "breckland district council"
    assert find_organisation(register, "Breckland Council") is None
    register.undo()
    assert find_organisation(register, "Breckland Council") == org_id


def test_people_belong_to_an_organisation_and_go_with_it(register: Register) -> None:
    org_id = create_organisation(register, {"name": "Suffolk Constabulary", "org_type": "police"})
    ann = create_person(register, org_id, {"name": "Ann Smith", "role": "DPO", "email": "a@x.uk"})
    bob = create_person(register, org_id, {"name": "Bob Jones"})
    assert [p.name for p in list_people(register, org_id)] == ["Ann Smith", "Bob Jones"]
    assert get_organisation(register, org_id).people_count == 2
    update_person(register, ann, {"phone": "01603 000000"})
    assert list_people(register, org_id)[0].phone == "01603 000000"
    with pytest.raises(ValidationError):
        update_person(register, bob, {"email": "bob at example"})
    delete_person(register, bob)
    assert [p.id for p in list_people(register, org_id)] == [ann]
    delete_organisation(register, org_id)
    assert list_people(register, org_id) == []
    assert org_id not in [o.id for o in list_organisations(register)]
