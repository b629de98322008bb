"""Undo and redo never leave a record referring to nothing.

Undo writes the inverse of a batch as it was. Between the batch and its undo, another device
may have made something refer to a record the undo would delete; the undo is then refused with
what stands in the way, nothing is written, and it can be undone once that is out of the way.
"""

from __future__ import annotations

import pytest

from app.agreements import add_party, get_agreement
from app.conflicts import ReferredAfterDeletion, open_conflicts, resolve_conflict
from app.dependants import delete_in
from app.errors import InUseError
from app.organisations import create_organisation, delete_organisation
from tests.register_helpers import (
    agreement_id,
    operation_count,
    organisation_names,
    party_names,
)

from .test_conflicts import Pair, sync_round


def made_a_party_elsewhere(pair: Pair, police: str) -> str:
    """Sam makes Kent Police a party to ISA-2026-014; both devices sync. Returns the party."""
    ada, sam = pair
    sync_round(pair)
    agreement = get_agreement(sam, "ISA-2026-014").id
    add_party(sam, agreement, police, "provider")
    sync_round(pair)
    [party] = get_agreement(ada, "ISA-2026-014").parties
    return party.id


REFUSAL = (
    "Can't undo “Add organisation Kent Police” now. "
    "Kent Police is a party to 1 agreement (ISA-2026-014). Remove it from that agreement first."
)


def test_undoing_a_creation_something_refers_to_since_is_refused(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    police = create_organisation(ada, {"name": "Kent Police"})
    party = made_a_party_elsewhere(isa_pair, police)
    before = operation_count(ada)

    with pytest.raises(InUseError) as refused:
        ada.undo()
    assert str(refused.value) == REFUSAL
    assert operation_count(ada) == before
    assert organisation_names(ada) == ["Kent Police"]
    assert ada.can_undo  # still there to undo
    assert not ada.can_redo  # and nothing to redo

    sam.write("Remove party", lambda c: delete_in(c, "party", party))
    sync_round(isa_pair)
    assert ada.undo() == "Add organisation Kent Police"
    assert organisation_names(ada) == []


def test_redo_is_refused_with_nothing_written(isa_pair: Pair) -> None:
    ada, sam = isa_pair
    police = create_organisation(ada, {"name": "Kent Police"})
    sync_round(isa_pair)
    delete_organisation(ada, police)
    ada.undo()  # Kent Police is back, and Redo would delete it again
    made_a_party_elsewhere(isa_pair, police)
    before = operation_count(ada)

    with pytest.raises(
        InUseError,
        match=r"^Can't redo “Delete organisation” now\. Kent Police is a party to 1 agreement",
    ):
        ada.redo()
    assert operation_count(ada) == before
    assert organisation_names(ada) == ["Kent Police"]
    assert ada.can_redo


def test_undo_bringing_back_a_reference_to_a_record_deleted_since_is_refused(
    isa_pair: Pair,
) -> None:
    """Ada takes Kent Police off the agreement; Sam then deletes Kent Police; Ada's undo would
    make Kent Police a party again, to an organisation that is gone."""
    ada, sam = isa_pair
    police = create_organisation(ada, {"name": "Kent Police"})
    party = made_a_party_elsewhere(isa_pair, police)
    ada.write("Remove party", lambda c: delete_in(c, "party", party))
    sync_round(isa_pair)
    delete_organisation(sam, police)
    sync_round(isa_pair)
    before = operation_count(ada)

    with pytest.raises(InUseError) as refused:
        ada.undo()
    assert str(refused.value) == (
        "Can't undo “Remove party” now: it would bring back a reference to Kent Police, "
        "deleted since."
    )
    assert operation_count(ada) == before
    assert party_names(ada, agreement_id(ada, "ISA-2026-014")) == []


def test_undoing_a_keep_opens_the_conflict_again(isa_pair: Pair) -> None:
    """The party was there before Kent Police was kept: undoing the keep is no new reference."""
    ada, sam = isa_pair
    police = create_organisation(ada, {"name": "Kent Police"})
    sync_round(isa_pair)
    delete_organisation(ada, police)
    add_party(sam, agreement_id(sam, "ISA-2026-014"), police, "provider")
    sync_round(isa_pair)
    [conflict] = open_conflicts(ada)
    resolve_conflict(ada, conflict, True)
    assert open_conflicts(ada) == [] and organisation_names(ada) == ["Kent Police"]

    assert ada.undo() == "Keep organisation Kent Police, deleted while in use elsewhere"
    assert organisation_names(ada) == []
    [again] = open_conflicts(ada)  # deleted now by the undo, referred to by the same party
    assert isinstance(again, ReferredAfterDeletion)
    assert (again.record_id, again.referrers) == (conflict.record_id, conflict.referrers)
