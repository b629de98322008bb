"""Undo and redo never leave a record referring to nothing.

Undo writes the inverse of a batch as it was. Between the batch and its undo, another device
may have made something refer to a record the undo would delete; the undo is then refused with
what stands in the way, nothing is written, and it can be undone once that is out of the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.agreements import add_party, create_agreement, get_agreement
from app.dependants import delete_in
from app.errors import InUseError
from app.organisations import create_organisation, delete_organisation, list_organisations
from app.register import Register
from tests.register_helpers import operation_count

from .sync.conftest import make_group
from .test_conflicts import Pair, sync_round


@pytest.fixture()
def pair(tmp_path: Path) -> Iterator[Pair]:
    """Two synced devices of one register, holding agreement ISA-2026-014."""
    group = make_group(tmp_path, 2)
    ada, sam = group.devices
    create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending cohort",
                           "category": "personal"})  # fmt: skip
    sync_round(group.devices)
    yield ada, sam
    group.close()


def organisation_names(register: Register) -> list[str]:
    return [o.name for o in list_organisations(register)]


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
    "{doing} “Add organisation Kent Police” would leave records referring to nothing: "
    "Kent Police is a party to 1 agreement (ISA-2026-014). Remove it from that agreement first."
)


def test_undoing_a_creation_something_refers_to_since_is_refused(pair: Pair) -> None:
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    party = made_a_party_elsewhere(pair, police)
    before = operation_count(ada)

    with pytest.raises(InUseError) as refused:
        ada.undo()
    assert str(refused.value) == REFUSAL.format(doing="Undoing")
    assert operation_count(ada) == before
    assert organisation_names(ada) == ["Kent Police"]
    assert ada.can_undo  # still there to undo

    sam.write("Remove party", lambda c: delete_in(c, "party", party))
    sync_round(pair)
    assert ada.undo() == "Add organisation Kent Police"
    assert organisation_names(ada) == []


def test_redo_is_refused_with_nothing_written(pair: Pair) -> None:
    ada, sam = pair
    police = create_organisation(ada, {"name": "Kent Police"})
    sync_round(pair)
    delete_organisation(ada, police)
    ada.undo()  # Kent Police is back, and Redo would delete it again
    made_a_party_elsewhere(pair, police)
    before = operation_count(ada)

    with pytest.raises(InUseError, match=r"^Redoing “Delete organisation” would leave"):
        ada.redo()
    assert operation_count(ada) == before
    assert organisation_names(ada) == ["Kent Police"]
    assert ada.can_redo
