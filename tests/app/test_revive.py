"""Settling a record edited on one device after another deleted it, with what the delete took.

A delete takes a record's parts (an organisation's people, an agreement's data items and
parties) and its own links with it. Keep brings back what that delete took, and nothing else;
Delete again deletes the record as any delete does: with its parts, and refused while a record
added elsewhere refers to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.agreements import (
    add_data_item_in,
    add_party,
    create_agreement,
    delete_agreement,
    get_agreement,
    update_agreement,
)
from app.conflicts import RevivedRecord, open_conflicts, resolve_conflict
from app.dependants import delete_in, what_goes_with
from app.errors import InUseError
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    list_people,
    update_organisation,
)
from app.register import Register
from app.use_cases import create_use_case, get_use_case, link_agreement
from db.models import EntityRecord, OrganisationRecord, PersonRecord, SignOffRecord
from tests.register_helpers import operation_count

from .sync.conftest import make_group
from .test_conflicts import Pair, dump, sync_round


@pytest.fixture()
def pair(tmp_path: Path) -> Iterator[Pair]:
    """Two synced devices of one register: Ada's (the admin) and Sam's."""
    group = make_group(tmp_path, 2)
    ada, sam = group.devices
    sam.author = "Sam Patel"
    yield ada, sam
    group.close()


def the_revived(register: Register, record_id: str) -> RevivedRecord:
    """The one open conflict: that record, edited after its deletion."""
    [conflict] = open_conflicts(register)
    assert isinstance(conflict, RevivedRecord) and conflict.record_id == record_id
    return conflict


def people_of(register: Register, organisation_id: str) -> list[str]:
    return [p.name for p in list_people(register, organisation_id)]


def live(register: Register, model: type[EntityRecord], id_: str) -> bool:
    with register.session() as session:
        row = session.get(model, id_)
        assert row is not None
        return row.is_live


def settled_alike(pair: Pair) -> None:
    """After a sync both devices hold the same register, with nothing left to settle."""
    sync_round(pair)
    for device in pair:
        assert open_conflicts(device) == []
    assert dump(pair[0]) == dump(pair[1])


@pytest.mark.parametrize("resolver", [0, 1])
def test_keep_brings_an_organisation_back_with_its_people(pair: Pair, resolver: int) -> None:
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    create_person(ada, police, {"name": "Sam Okafor"})
    create_person(ada, police, {"name": "Ann Smith"})
    sync_round(pair)
    delete_organisation(ada, police)
    update_organisation(sam, police, {"name": "Kent Police (edited elsewhere)"})
    sync_round(pair)
    assert people_of(ada, police) == people_of(sam, police) == []

    resolve_conflict(pair[resolver], the_revived(pair[resolver], police), True)
    settled_alike(pair)
    for device in pair:
        assert people_of(device, police) == ["Ann Smith", "Sam Okafor"]
        assert live(device, OrganisationRecord, police)


def test_keep_brings_an_agreement_back_with_its_items_parties_and_links(pair: Pair) -> None:
    ada, sam = pair
    trust = create_organisation(ada, {"name": "Northshire Hospitals NHS Trust"})
    agreement = create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending",
                                       "category": "personal"})  # fmt: skip
    ada.write("items", lambda c: [add_data_item_in(c, agreement, {"source": source})
                                  for source in ("GP records", "A&E attendances")])  # fmt: skip
    add_party(ada, agreement, trust, "provider")
    use_case = create_use_case(ada, {"title": "Frailty"})
    link_agreement(ada, use_case, agreement)
    sync_round(pair)
    delete_agreement(ada, agreement)
    update_agreement(sam, agreement, {"title": "Youth offending cohort"})
    sync_round(pair)
    assert get_agreement(sam, agreement).items == ()

    resolve_conflict(ada, the_revived(ada, agreement), True)
    settled_alike(pair)
    for device in pair:
        kept = get_agreement(device, agreement)
        assert kept.title == "Youth offending cohort"
        assert [i.source for i in kept.items] == ["GP records", "A&E attendances"]
        assert [(p.organisation_id, p.role) for p in kept.parties] == [(trust, "provider")]
        assert [a.id for a in get_use_case(device, use_case).agreements] == [agreement]


def test_keep_brings_back_only_what_the_deletion_took(pair: Pair) -> None:
    """Not a person deleted before, nor another record deleted in the same batch."""
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    fire = create_organisation(ada, {"name": "Kent Fire and Rescue"})
    create_person(ada, police, {"name": "Ann Smith"})
    gone_before = create_person(ada, police, {"name": "Left in 2025"})
    firefighter = create_person(ada, fire, {"name": "Joe Bloggs"})
    sync_round(pair)
    delete_person(ada, gone_before)
    ada.write("Delete both", lambda c: [delete_in(c, "organisation", o) for o in (police, fire)])
    update_organisation(sam, police, {"name": "Kent Police (edited elsewhere)"})
    sync_round(pair)

    resolve_conflict(ada, the_revived(ada, police), True)
    settled_alike(pair)
    for device in pair:
        assert people_of(device, police) == ["Ann Smith"]
        assert not live(device, PersonRecord, gone_before)
        assert not live(device, OrganisationRecord, fire)
        assert not live(device, PersonRecord, firefighter)


def test_delete_again_is_refused_while_a_record_added_elsewhere_refers_to_it(pair: Pair) -> None:
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    create_person(ada, police, {"name": "Ann Smith"})
    agreement = create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending",
                                       "category": "personal"})  # fmt: skip
    sync_round(pair)
    delete_organisation(ada, police)
    update_organisation(sam, police, {"name": "Kent Police (edited elsewhere)"})
    add_party(sam, agreement, police, "provider")  # on Sam's device it is still there
    sync_round(pair)
    conflict = the_revived(ada, police)
    before = operation_count(ada)

    with pytest.raises(InUseError) as refused:
        resolve_conflict(ada, conflict, False)
    with pytest.raises(InUseError) as as_any_delete:
        what_goes_with(ada, "organisation", police)
    assert refused.value.message == as_any_delete.value.message
    assert refused.value.message == (
        "Kent Police (edited elsewhere) is a party to 1 agreement (ISA-2026-014). "
        "Remove it from that agreement first."
    )
    assert operation_count(ada) == before
    assert open_conflicts(ada) == [conflict]
    assert live(ada, OrganisationRecord, police)
    assert [p.organisation_id for p in get_agreement(ada, agreement).parties] == [police]


def test_delete_again_deletes_the_record_with_the_parts_added_elsewhere(pair: Pair) -> None:
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    create_person(ada, police, {"name": "Ann Smith"})
    sync_round(pair)
    delete_organisation(ada, police)
    update_organisation(sam, police, {"name": "Kent Police (edited elsewhere)"})
    newcomer = create_person(sam, police, {"name": "Joined after the deletion"})
    sync_round(pair)
    assert people_of(ada, police) == ["Joined after the deletion"]

    resolve_conflict(ada, the_revived(ada, police), False)
    settled_alike(pair)
    for device in pair:
        assert not live(device, OrganisationRecord, police)
        assert not live(device, PersonRecord, newcomer)
        assert people_of(device, police) == []


def test_keep_brings_a_party_back_with_its_sign_off(pair: Pair) -> None:
    """A sign-off is part of its agreement and of its party: it goes and comes back with either."""
    ada, sam = pair
    trust = create_organisation(ada, {"name": "Northshire Hospitals NHS Trust"})
    agreement = create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending",
                                       "category": "personal"})  # fmt: skip
    party = add_party(ada, agreement, trust, "provider")
    sign_off = ada.write("sign-off", lambda c: c.create("sign_off", {
        "agreement_id": agreement, "party_id": party, "text_version": "v1"}))  # fmt: skip
    sync_round(pair)
    ada.write("Remove party", lambda c: delete_in(c, "party", party))
    sam.write("role", lambda c: c.set("party", party, "role", "recipient"))
    sync_round(pair)
    assert not live(ada, SignOffRecord, sign_off)

    resolve_conflict(ada, the_revived(ada, party), True)
    settled_alike(pair)
    for device in pair:
        assert [(p.id, p.role) for p in get_agreement(device, agreement).parties] == [
            (party, "recipient")
        ]
        assert live(device, SignOffRecord, sign_off)
