"""Sync never leaves a reference to a deleted record unreported, and every conflict settles.

Short random programs run on two devices of one shared register, Ada's and Sam's, syncing now
and then: organisations (each with a person) are added and deleted, made parties to two
agreements and removed from them, their people made the agreements' owners, agreements edited
and deleted. Each step is done on one device as a person there could do it: on records that
device shows, and a delete the app refuses (something refers to the record) is refused.

After a final sync both devices hold the same register and list the same conflicts, and every
live record referring to a deleted one — read straight from the tables, not through the code
under test — is one of those conflicts. Settling them all, each way at random, leaves both
devices alike with nothing to settle and nothing referring to a deleted record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from app.agreements import add_party, create_agreement, delete_agreement, update_agreement
from app.conflicts import (
    Conflict,
    FieldConflict,
    ReferredAfterDeletion,
    RevivedRecord,
    open_conflicts,
    resolve_conflict,
)
from app.dependants import dangling_references, delete_in
from app.errors import InUseError
from app.organisations import create_organisation, create_person, delete_organisation
from app.register import Changes, Register
from db.models import (
    AgreementRecord,
    EntityRecord,
    OrganisationRecord,
    PartyRecord,
    PersonRecord,
)

from .sync.conftest import make_group
from .test_conflicts import Pair, dump, sync_round

AGREEMENTS = 2
ORGANISATIONS = 3  # the first two exist (synced) before the program starts; the last may be made
MADE_BEFORE = 2
NEW_ORGANISATION = ORGANISATIONS - 1  # the one a program may make
TITLES = ("Youth offending cohort", "Hospital discharge", "Troubled families")
SETTLING_ROUNDS = 12  # each settles one conflict; a program of 8 steps opens far fewer

# What a person does, weighted towards what makes conflicts: deletes racing references and edits
# (an organisation created by the program is the last of the pool).
WEIGHTED = (
    "create_organisation",
    "delete_organisation",
    "delete_organisation",
    "add_party",
    "add_party",
    "remove_party",
    "set_owner",
    "set_owner",
    "delete_agreement",
    "edit_title",
    "edit_title",
)

# Every reference among the records the programs make: (kind, field, kind referred to).
REFERENCES: tuple[tuple[type[EntityRecord], str, type[EntityRecord]], ...] = (
    (PartyRecord, "organisation_id", OrganisationRecord),
    (PartyRecord, "agreement_id", AgreementRecord),
    (PartyRecord, "signatory_id", PersonRecord),
    (AgreementRecord, "owner_id", PersonRecord),
    (PersonRecord, "organisation_id", OrganisationRecord),
)

Dangling = tuple[str, str, str, str, str]
"""A live record referring to one not live: (kind, id, field, kind referred to, id referred to)."""


@dataclass(frozen=True)
class Step:
    """One thing a person does on one device (`device` 0 is Ada's, 1 Sam's), or both sync."""

    action: str
    device: int = 0
    organisation: int = 0  # which of the pool's organisations (or its person)
    agreement: int = 0  # which of the two agreements
    choice: int = 0  # a title, or which of the device's parties


@dataclass
class World:
    """The two devices, and the records the program made, by their place in the pool."""

    pair: Pair
    agreements: list[str]
    organisations: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    refused: int = 0  # deletes refused while in use, as a person would have been


# ------------------------------------------------------------------------- the devices


@contextmanager
def two_devices(folder: Path) -> Iterator[World]:
    """Ada's and Sam's devices of one shared register with two agreements and two organisations."""
    group = make_group(folder, 2)
    ada, sam = group.devices
    ada.author, sam.author = "Ada Jones", "Sam Patel"
    try:
        agreements = [
            create_agreement(
                ada,
                {"reference": f"ISA-2026-0{n + 10}", "title": TITLES[0], "category": "personal"},
            )  # fmt: skip
            for n in range(AGREEMENTS)
        ]
        world = World((ada, sam), agreements)
        for slot in range(MADE_BEFORE):
            make_organisation(world, ada, slot)
        sync_round(world.pair)
        yield world
    finally:
        group.close()


def make_organisation(world: World, device: Register, slot: int) -> None:
    organisation = create_organisation(device, {"name": f"Organisation {slot}"})
    world.organisations[slot] = organisation
    world.people[slot] = create_person(device, organisation, {"name": f"Person {slot}"})


def live_on(device: Register, model: type[EntityRecord], record_id: str | None) -> bool:
    """Whether a device shows the record (not deleted there, and received)."""
    if record_id is None:
        return False
    with device.session() as session:
        row = session.get(model, record_id)
        return row is not None and row.is_live


def live_parties(device: Register) -> list[str]:
    with device.session() as session:
        return list(
            session.scalars(
                select(PartyRecord.id).where(PartyRecord.is_live.is_(True)).order_by(PartyRecord.id)
            )
        )


# ------------------------------------------------------------------------- the program


def run(world: World, step: Step) -> None:
    """Do one step as a person on that device could: on what it shows, refused when in use."""
    if step.action == "sync":
        sync_round(world.pair)
        return
    device = world.pair[step.device]
    organisation = world.organisations.get(step.organisation)
    person = world.people.get(step.organisation)
    agreement = world.agreements[step.agreement]
    shows_organisation = live_on(device, OrganisationRecord, organisation)
    shows_agreement = live_on(device, AgreementRecord, agreement)
    if step.action == "create_organisation":
        if NEW_ORGANISATION not in world.organisations:
            make_organisation(world, device, NEW_ORGANISATION)
    elif step.action == "delete_organisation":
        if organisation is not None and shows_organisation:
            refusable(world, lambda: delete_organisation(device, organisation))
    elif step.action == "add_party":
        if organisation is not None and shows_organisation and shows_agreement:
            add_party(device, agreement, organisation, "provider")
    elif step.action == "remove_party":
        parties = live_parties(device)
        if parties:
            party = parties[step.choice % len(parties)]

            def remove(changes: Changes) -> None:
                delete_in(changes, "party", party)

            refusable(world, lambda: device.write("Remove party", remove))
    elif step.action == "set_owner":
        if live_on(device, PersonRecord, person) and shows_agreement:
            update_agreement(device, agreement, {"owner_id": person})
    elif step.action == "delete_agreement":
        if shows_agreement:
            refusable(world, lambda: delete_agreement(device, agreement))
    elif step.action == "edit_title" and shows_agreement:
        update_agreement(device, agreement, {"title": TITLES[step.choice % len(TITLES)]})


def refusable(world: World, delete: Any) -> None:
    """A delete the app may refuse while something refers to the record (nothing is written)."""
    try:
        delete()
    except InUseError:
        world.refused += 1


def run_program(world: World, steps: Sequence[Step]) -> None:
    for step in steps:
        run(world, step)
    sync_round(world.pair)


# ------------------------------------------------------------------------- what is checked


def dangling_in_tables(device: Register) -> set[Dangling]:
    """Live records referring to records that are not live, read from the tables alone."""
    found: set[Dangling] = set()
    with device.session() as session:
        for model, name, target_model in REFERENCES:
            found.update(_dangling_through(session, model, name, target_model))
    return found


def _dangling_through(session: Session, model: type[EntityRecord], name: str,
                      target_model: type[EntityRecord]) -> set[Dangling]:  # fmt: skip
    holder: Any = model
    target: Any = aliased(target_model)
    column = getattr(holder, name)
    rows = session.execute(
        select(holder.id, column)
        .outerjoin(target, target.id == column)
        .where(
            holder.is_live.is_(True),
            column.is_not(None),
            or_(target.id.is_(None), target.is_live.is_(False)),
        )
    )
    kind, target_kind = model.__entity__, target_model.__entity__
    return {(kind, record_id, name, target_kind, refers_to) for record_id, refers_to in rows}


def dangling_as_the_app_sees_it(device: Register) -> set[Dangling]:
    with device.session() as session:
        found = dangling_references(session)
    return {
        (d.entity, d.id, d.field, entity, record_id)
        for (entity, record_id), dependants in found.items()
        for d in dependants
    }


def projection(conflicts: Sequence[Conflict]) -> list[tuple[Any, ...]]:
    """What two devices listing the same conflicts agree on, in a stable order."""
    shown: list[tuple[Any, ...]] = []
    for c in conflicts:
        if isinstance(c, FieldConflict):
            shown.append(("field", c.entity, c.record_id, c.field, ()))
        elif isinstance(c, RevivedRecord):
            shown.append(("revived", c.entity, c.record_id, "", ()))
        else:
            referrers = tuple(sorted((r.entity, r.id, r.field) for r in c.referrers))
            shown.append(("referred", c.entity, c.record_id, "", referrers))
    return sorted(shown)


def unreported(dangling: set[Dangling], conflicts: Sequence[Conflict]) -> set[Dangling]:
    """Those of `dangling` that no open conflict covers."""
    revived = {(c.entity, c.record_id) for c in conflicts if isinstance(c, RevivedRecord)}
    referred = {
        (r.entity, r.id, r.field, c.entity, c.record_id)
        for c in conflicts
        if isinstance(c, ReferredAfterDeletion)
        for r in c.referrers
    }
    return {d for d in dangling if d not in referred and d[:2] not in revived}


def assert_alike_and_reported(pair: Pair) -> list[Conflict]:
    """Both devices agree, and each reference to a deleted record is an open conflict."""
    ada, sam = pair
    assert dump(ada) == dump(sam)
    conflicts = open_conflicts(ada)
    assert projection(open_conflicts(sam)) == projection(conflicts)
    dangling = dangling_in_tables(ada)
    assert dangling_in_tables(sam) == dangling
    assert unreported(dangling, conflicts) == set()
    # The app's own list agrees with the tables, but for records edited after their deletion.
    revived = {(c.entity, c.record_id) for c in conflicts if isinstance(c, RevivedRecord)}
    assert dangling_as_the_app_sees_it(ada) == {d for d in dangling if d[:2] not in revived}
    return conflicts


# ------------------------------------------------------------------------- settling


def settle(device: Register, conflict: Conflict, pick: int) -> None:
    """Settle one conflict as a person might: a version of a field, or keep or remove at random.

    Removing (or deleting again) is refused while something refers to the record; then keep.
    """
    if isinstance(conflict, FieldConflict):
        resolve_conflict(device, conflict, conflict.versions[pick % len(conflict.versions)].value)
        return
    keep = pick % 2 == 0
    try:
        resolve_conflict(device, conflict, keep)
    except InUseError:
        if keep:
            raise  # keeping a record is never in anyone's way
        resolve_conflict(device, conflict, True)


def settle_all(pair: Pair, picks: Sequence[tuple[int, int, int]]) -> int:
    """Settle open conflicts one at a time, each on a device, syncing after each; how many."""
    for settled in range(SETTLING_ROUNDS):
        if not open_conflicts(pair[0]) and not open_conflicts(pair[1]):
            return settled
        on, which, pick = picks[settled % len(picks)]
        device = pair[on] if open_conflicts(pair[on]) else pair[1 - on]
        conflicts = open_conflicts(device)
        settle(device, conflicts[which % len(conflicts)], pick)
        sync_round(pair)
    raise AssertionError(f"still open after {SETTLING_ROUNDS} settlements: "
                         f"{projection(open_conflicts(pair[0]))}")  # fmt: skip


def assert_settled(pair: Pair) -> None:
    ada, sam = pair
    assert open_conflicts(ada) == [] and open_conflicts(sam) == []
    assert dump(ada) == dump(sam)
    assert dangling_in_tables(ada) == set() and dangling_in_tables(sam) == set()


# ------------------------------------------------------------------------- the property

devices = st.integers(0, 1)
actions = st.sampled_from(WEIGHTED)


@st.composite
def rounds(draw: st.DrawFn) -> list[Step]:
    """Ada and Sam each do one thing to the same records, either first, then maybe both sync.

    Sharing the records between the two makes the races the property is about likely enough
    for a few examples to find: a delete on one device, a reference or an edit on the other.
    """
    first, second, device = draw(actions), draw(actions), draw(devices)
    organisation = draw(st.integers(0, ORGANISATIONS - 1))
    agreement = draw(st.integers(0, AGREEMENTS - 1))
    choice = draw(st.integers(0, len(TITLES) - 1))
    done = [Step(first, device, organisation, agreement, choice),
            Step(second, 1 - device, organisation, agreement, choice + 1)]  # fmt: skip
    return [*done, Step("sync")] if draw(st.booleans()) else done


programs = st.lists(rounds(), min_size=2, max_size=4).map(lambda rs: [s for r in rs for s in r])
picks = st.lists(st.tuples(devices, st.integers(0, 7), st.integers(0, 7)), min_size=1,
                 max_size=SETTLING_ROUNDS)  # fmt: skip


# Until the defect pinned at the end of this file is fixed, this fails now and then (about one
# run in 25, measured) on a party referring through "organisation_id": that is the defect.
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(program=programs, picks=picks)
def test_no_reference_to_a_deleted_record_goes_unreported_and_all_settle(
    tmp_path_factory: pytest.TempPathFactory,
    program: list[Step],
    picks: list[tuple[int, int, int]],
) -> None:
    with two_devices(tmp_path_factory.mktemp("dangling")) as world:
        run_program(world, program)
        assert_alike_and_reported(world.pair)
        settle_all(world.pair, picks)
        assert_settled(world.pair)


# ------------------------------------------------------------------------- the driver itself


@pytest.mark.parametrize(
    ("program", "kind"),
    [
        pytest.param(
            [Step("delete_organisation", 0, 0), Step("add_party", 1, 0, 0)],
            ReferredAfterDeletion,
            id="party-of-an-organisation-deleted-elsewhere",
        ),
        pytest.param(
            [Step("delete_organisation", 0, 1), Step("set_owner", 1, 1, 1)],
            ReferredAfterDeletion,
            id="owner-deleted-elsewhere",
        ),
        pytest.param(
            [
                Step("delete_agreement", 0, agreement=0),
                Step("edit_title", 1, agreement=0, choice=1),
            ],  # fmt: skip
            RevivedRecord,
            id="agreement-edited-after-its-deletion",
        ),
        pytest.param(
            [
                Step("edit_title", 0, agreement=1, choice=1),
                Step("edit_title", 1, agreement=1, choice=2),
            ],  # fmt: skip
            FieldConflict,
            id="title-edited-on-both",
        ),
    ],
)
def test_the_programs_make_each_kind_of_conflict(
    tmp_path: Path, program: list[Step], kind: type[Any]
) -> None:
    """Guard against a driver that silently stopped doing what the property relies on."""
    with two_devices(tmp_path) as world:
        run_program(world, program)
        conflicts = assert_alike_and_reported(world.pair)
        assert [type(c) for c in conflicts] == [kind]
        settle_all(world.pair, [(0, 0, 1)])  # remove the references, delete again
        assert_settled(world.pair)


def test_a_refused_delete_changes_nothing_and_is_counted(tmp_path: Path) -> None:
    """An organisation that is a party is not deleted: the program is refused as a person is."""
    with two_devices(tmp_path) as world:
        run_program(world, [Step("add_party", 0, 0, 0), Step("delete_organisation", 0, 0)])
        assert world.refused == 1
        assert live_on(world.pair[1], OrganisationRecord, world.organisations[0])
        assert_alike_and_reported(world.pair)
        assert open_conflicts(world.pair[0]) == []


# ------------------------------------------------------------------------- found by the property
#
# A party added on one device to an agreement deleted on the other stays live, an open conflict
# about the agreement. The app does not see that party as referring to its organisation while
# its agreement is deleted (`app.dependants._holder` drops a referrer whose holder is gone), so:


def test_an_organisation_deleted_with_the_agreement_a_party_was_added_to_is_reported(
    tmp_path: Path,
) -> None:
    """Sam makes Organisation 0 a party to ISA-2026-010; Ada deletes both; they sync."""
    with two_devices(tmp_path) as world:
        run_program(world, [Step("add_party", 1, 0, 0), Step("delete_organisation", 0, 0),
                            Step("delete_agreement", 0, agreement=0)])  # fmt: skip
        assert world.refused == 0
        assert_alike_and_reported(world.pair)


def test_an_organisation_deleted_after_its_party_s_agreement_was_is_reported(
    tmp_path: Path,
) -> None:
    """Without a race: after the sync Ada deletes Organisation 0 on her own device."""
    with two_devices(tmp_path) as world:
        run_program(world, [Step("add_party", 1, 0, 0), Step("delete_agreement", 0, agreement=0),
                            Step("sync"), Step("delete_organisation", 0, 0)])  # fmt: skip
        assert world.refused == 0
        assert_alike_and_reported(world.pair)
