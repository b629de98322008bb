"""A record deleted on one device while another made records refer to it.

A delete is refused while anything refers to the record, so this happens only when two devices
work at once: Ada deletes Kent Police while Sam, offline, makes it a party to an agreement. Merging
keeps both changes; the reference is an open conflict until someone keeps the deleted record (with
what its deletion took) or removes the references to it. Either way, after a sync both devices
hold the same register with nothing left to settle.
"""

from __future__ import annotations

import pytest

from app.agreement_editing import add_lawful_basis
from app.agreements import (
    add_data_item,
    add_data_item_in,
    add_party,
    delete_agreement,
    get_agreement,
    update_agreement,
    update_data_item,
)
from app.conflicts import (
    ReferredAfterDeletion,
    RevivedRecord,
    open_conflicts,
    resolve_conflict,
)
from app.dependants import delete_in
from app.errors import InUseError
from app.oplog import operations_for
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    list_people,
)
from app.register import Register
from app.use_cases import create_use_case, delete_use_case, link_agreement
from tests.register_helpers import (
    agreement_id,
    operation_count,
    organisation_names,
    party_names,
)

from .test_conflicts import Pair, dump, sync_round


def the_conflict(register: Register) -> ReferredAfterDeletion:
    [conflict] = open_conflicts(register)
    assert isinstance(conflict, ReferredAfterDeletion)
    return conflict


def settled_alike(pair: Pair) -> None:
    sync_round(pair)
    for device in pair:
        assert open_conflicts(device) == []
    assert dump(pair[0]) == dump(pair[1])


def police_made_a_party_while_deleted(pair: Pair) -> tuple[str, str]:
    """Kent Police (with one person) deleted by Ada while Sam makes it a party; both synced."""
    ada, sam = pair
    agreement = agreement_id(ada, "ISA-2026-014")
    police = create_organisation(ada, {"name": "Kent Police"})
    create_person(ada, police, {"name": "Ann Smith"})
    sync_round(pair)
    delete_organisation(ada, police)
    add_party(sam, agreement, police, "provider")
    sync_round(pair)
    return agreement, police


def test_a_party_made_of_an_organisation_deleted_elsewhere_is_an_open_conflict(
    isa_pair: Pair,
) -> None:
    agreement, police = police_made_a_party_while_deleted(isa_pair)
    for device in isa_pair:
        conflict = the_conflict(device)
        assert (conflict.entity, conflict.record_id, conflict.name) == (
            "organisation",
            police,
            "Kent Police",
        )
        assert conflict.deletion.author == "Ada Jones"
        [referrer] = conflict.referrers
        assert (referrer.entity, referrer.field) == ("party", "organisation_id")
        assert (referrer.kind, referrer.record_id, referrer.name) == (
            "agreement",
            agreement,
            "ISA-2026-014",
        )
        assert referrer.removed  # a party means nothing without its organisation
        assert referrer.made.author == "Sam Patel"
        assert referrer.made.device == isa_pair[1].device_id
    assert dump(isa_pair[0]) == dump(isa_pair[1])


@pytest.mark.parametrize("resolver", [0, 1])
def test_keep_brings_the_organisation_back_with_its_people(isa_pair: Pair, resolver: int) -> None:
    agreement, police = police_made_a_party_while_deleted(isa_pair)
    device = isa_pair[resolver]
    resolve_conflict(device, the_conflict(device), True)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert organisation_names(device) == ["Kent Police"]
        assert [p.name for p in list_people(device, police)] == ["Ann Smith"]
        assert party_names(device, agreement) == ["Kent Police"]


@pytest.mark.parametrize("resolver", [0, 1])
def test_remove_takes_the_party_away_and_the_organisation_stays_deleted(
    isa_pair: Pair, resolver: int
) -> None:
    agreement, _ = police_made_a_party_while_deleted(isa_pair)
    device = isa_pair[resolver]
    resolve_conflict(device, the_conflict(device), False)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert organisation_names(device) == []
        assert party_names(device, agreement) == []


def test_an_owner_deleted_elsewhere_is_emptied_not_the_agreement_deleted(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    council = create_organisation(ada, {"name": "Northshire County Council"})
    officer = create_person(ada, council, {"name": "Priya Shah"})
    sync_round(isa_pair)
    delete_person(ada, officer)
    update_agreement(sam, agreement, {"owner_id": officer})
    sync_round(isa_pair)
    [referrer] = the_conflict(ada).referrers
    assert (referrer.field, referrer.removed) == ("owner_id", False)

    resolve_conflict(ada, the_conflict(ada), False)
    settled_alike(isa_pair)
    for device in isa_pair:
        kept = get_agreement(device, agreement)
        assert (kept.reference, kept.owner_id) == ("ISA-2026-014", None)


def test_keeping_a_person_deleted_with_their_organisation_brings_both_back(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    council = create_organisation(ada, {"name": "Northshire County Council"})
    officer = create_person(ada, council, {"name": "Priya Shah"})
    sync_round(isa_pair)
    delete_organisation(ada, council)  # takes Priya with it
    update_agreement(sam, agreement, {"owner_id": officer})
    sync_round(isa_pair)
    conflict = the_conflict(sam)
    assert (conflict.entity, conflict.name) == ("person", "Priya Shah")

    resolve_conflict(sam, conflict, True)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert organisation_names(device) == ["Northshire County Council"]
        assert get_agreement(device, agreement).owner == "Priya Shah"


def test_a_data_item_added_to_an_agreement_deleted_elsewhere(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    delete_agreement(ada, agreement)
    sam.write("item", lambda c: add_data_item_in(c, agreement, {"source": "GP records"}))
    sync_round(isa_pair)
    conflict = the_conflict(ada)
    assert (conflict.entity, conflict.name) == ("agreement", "ISA-2026-014")
    [referrer] = conflict.referrers
    assert (referrer.entity, referrer.field, referrer.removed) == (
        "data_item",
        "agreement_id",
        True,
    )

    resolve_conflict(ada, conflict, True)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert [i.source for i in get_agreement(device, agreement).items] == ["GP records"]


def test_a_link_to_a_use_case_deleted_elsewhere_is_unlinked_on_remove(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    frailty = create_use_case(ada, {"title": "Frailty"})
    sync_round(isa_pair)
    delete_use_case(ada, frailty)
    link_agreement(sam, frailty, agreement)
    sync_round(isa_pair)
    conflict = the_conflict(sam)
    assert (conflict.entity, conflict.name) == ("use_case", "Frailty")
    [referrer] = conflict.referrers
    assert (referrer.entity, referrer.kind, referrer.name, referrer.removed) == (
        "agreement_use_case",
        "agreement",
        "ISA-2026-014",
        True,
    )

    resolve_conflict(sam, conflict, False)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert get_agreement(device, agreement).use_case_ids == ()


def test_remove_is_refused_with_nothing_written_while_the_party_is_named(isa_pair: Pair) -> None:
    """Removing the party would leave the lawful basis that names it dangling in turn."""
    ada, sam = isa_pair
    agreement, police = police_made_a_party_while_deleted(isa_pair)
    [party] = get_agreement(sam, agreement).parties
    add_lawful_basis(sam, agreement, {"party_id": party.id, "article_6": "6(1)(e)"})
    sync_round(isa_pair)
    before = operation_count(ada)

    with pytest.raises(InUseError, match="Kent Police"):
        resolve_conflict(ada, the_conflict(ada), False)
    assert operation_count(ada) == before
    assert party_names(ada, agreement) == ["Kent Police"]


def test_settling_a_conflict_settled_elsewhere_meanwhile_writes_nothing(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    agreement, _ = police_made_a_party_while_deleted(isa_pair)
    shown_to_ada = the_conflict(ada)
    resolve_conflict(sam, the_conflict(sam), True)
    sync_round(isa_pair)
    before = operation_count(ada)

    resolve_conflict(ada, shown_to_ada, False)  # shown before Sam kept it
    assert operation_count(ada) == before
    assert party_names(ada, agreement) == ["Kent Police"]


def test_a_reference_to_a_record_not_received_yet_is_no_conflict(isa_pair: Pair) -> None:
    """Sync can bring a party before the organisation it names: not a deletion, no conflict."""
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    police = create_organisation(ada, {"name": "Kent Police"})
    add_party(ada, agreement, police, "provider")
    with ada.session() as session:
        party_ops = operations_for(session, [("party", p.id) for p in
                                             get_agreement(ada, agreement).parties])  # fmt: skip
    assert [op.kind for op in party_ops] == ["create"]
    sam.apply_remote(party_ops)  # the party, without the organisation's creation
    assert open_conflicts(sam) == []


def test_a_data_item_edited_while_its_agreement_was_deleted_is_one_conflict(
    isa_pair: Pair,
) -> None:
    """The edit revives the item: that is the conflict, not also 'a data item added to it'."""
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    item = add_data_item(ada, agreement, {"source": "GP records", "purpose": "Case review"})
    sync_round(isa_pair)
    delete_agreement(ada, agreement)
    update_data_item(sam, item, {"purpose": "Case review and audit"})
    sync_round(isa_pair)
    for device in isa_pair:
        [conflict] = open_conflicts(device)
        assert isinstance(conflict, RevivedRecord)
        assert (conflict.entity, conflict.record_id) == ("data_item", item)

    resolve_conflict(ada, open_conflicts(ada)[0], True)  # keeping the item keeps its agreement
    settled_alike(isa_pair)
    for device in isa_pair:
        kept = get_agreement(device, agreement)
        assert [(i.source, i.purpose) for i in kept.items] == [
            ("GP records", "Case review and audit")
        ]


def test_remove_deletes_a_lawful_basis_for_a_party_removed_elsewhere(isa_pair: Pair) -> None:
    """Emptied of its party, a party's lawful basis would silently become the agreement's."""
    ada, sam = isa_pair
    agreement = agreement_id(ada, "ISA-2026-014")
    police = create_organisation(ada, {"name": "Kent Police"})
    add_party(ada, agreement, police, "provider")
    sync_round(isa_pair)
    [party] = get_agreement(ada, agreement).parties
    ada.write("Remove party", lambda c: delete_in(c, "party", party.id))
    add_lawful_basis(sam, agreement, {"party_id": party.id, "article_6": "6(1)(e)"})
    sync_round(isa_pair)
    [referrer] = the_conflict(ada).referrers
    assert (referrer.entity, referrer.field, referrer.removed) == ("lawful_basis", "party_id", True)

    resolve_conflict(ada, the_conflict(ada), False)
    settled_alike(isa_pair)
    for device in isa_pair:
        assert get_agreement(device, agreement).lawful_bases == ()
