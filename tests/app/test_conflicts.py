"""Conflicts between two devices sharing a register, as the Conflicts view and `isr conflicts` show.

Concurrent edits of one field are kept, both values with who and when, until someone resolves
them; an edit stamped after a deletion revives the record and is reported; resolving either
kind, either way, clears the conflict on both devices after a sync; otherwise deletions stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import sync
from app.canonical import canonical_state
from app.conflicts import FieldConflict, RevivedRecord, open_conflicts, resolve_conflict
from app.register import Register
from db.models import AgreementRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE

from .sync.conftest import make_group

Pair = tuple[Register, Register]


@pytest.fixture()
def pair(tmp_path: Path) -> Iterator[Pair]:
    """Two synced devices, Ada's (the admin) and Sam's, holding one agreement."""
    group = make_group(tmp_path, 2)
    ada, sam = group.devices
    sam.author = "Sam Patel"
    ada.write("add", lambda c: c.create("agreement", {
        "reference": "ISA-2026-014", "title": "Youth offending cohort", "category": "personal",
        "review_date": dt.date(2027, 4, 1)}, record_id="agreement-1"))  # fmt: skip
    sync_round(group.devices)
    yield ada, sam
    group.close()


def sync_round(devices: list[Register] | Pair) -> None:
    """Each device syncs, then the first again: everyone has everything."""
    for device in [*devices, devices[0]]:
        report = sync.sync(device)
        assert report.ok, report.alarms


def set_field(register: Register, name: str, value: object) -> None:
    register.write("edit", lambda c: c.set("agreement", "agreement-1", name, value))


def agreement(register: Register) -> AgreementRecord:
    with register.session() as session:
        row = session.get(AgreementRecord, "agreement-1")
        assert row is not None
        session.expunge(row)
        return row


def dump(register: Register) -> dict[str, Any]:
    with register.session() as session:
        return canonical_state(session)


def test_concurrent_edits_of_one_field_are_kept_with_both_values_who_and_when(pair: Pair) -> None:
    ada, sam = pair
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    set_field(ada, "title", "Youth offending cohort (Ada)")
    set_field(sam, "title", "Youth offending cohort (Sam)")
    set_field(ada, "review_date", dt.date(2027, 5, 1))
    set_field(sam, "review_date", dt.date(2027, 6, 1))
    sync_round(pair)
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    conflicts = open_conflicts(ada)
    assert open_conflicts(sam) == conflicts
    assert all(isinstance(c, FieldConflict) for c in conflicts)
    by_field = {c.field: c for c in conflicts if isinstance(c, FieldConflict)}
    assert sorted(by_field) == ["review_date", "title"]
    title = by_field["title"]
    assert (title.entity, title.record_id) == ("agreement", "agreement-1")
    assert {(v.value, v.author, v.device) for v in title.versions} == {
        ("Youth offending cohort (Ada)", "Ada", ada.device_id),
        ("Youth offending cohort (Sam)", "Sam Patel", sam.device_id),
    }
    assert all(before <= v.when <= after for v in title.versions)
    assert {v.value for v in by_field["review_date"].versions} == {
        dt.date(2027, 5, 1),
        dt.date(2027, 6, 1),
    }
    # Meanwhile both devices show the same value: the last writer's.
    for device in pair:
        assert agreement(device).title == title.current.value
        assert agreement(device).review_date == by_field["review_date"].current.value
    assert dump(ada) == dump(sam)


def test_an_edit_made_after_seeing_the_other_is_no_conflict(pair: Pair) -> None:
    ada, sam = pair
    set_field(ada, "title", "First")
    sync_round(pair)
    set_field(sam, "title", "Second, having seen the first")
    sync_round(pair)
    assert open_conflicts(ada) == [] and open_conflicts(sam) == []
    assert agreement(ada).title == agreement(sam).title == "Second, having seen the first"


def test_an_edit_after_a_deletion_revives_the_record_and_is_reported(pair: Pair) -> None:
    ada, sam = pair
    ada.write("delete", lambda c: c.delete("agreement", "agreement-1"))
    set_field(sam, "title", "Still needed: edited after Ada deleted it")
    sync_round(pair)

    conflicts = open_conflicts(ada)
    assert open_conflicts(sam) == conflicts
    assert len(conflicts) == 1 and isinstance(conflicts[0], RevivedRecord)
    revived = conflicts[0]
    assert (revived.entity, revived.record_id) == ("agreement", "agreement-1")
    assert (revived.deletion.author, revived.deletion.device) == ("Ada", ada.device_id)
    assert [(v.value, v.author) for v in revived.edits] == [
        ("Still needed: edited after Ada deleted it", "Sam Patel")
    ]
    assert revived.edits[0].when >= revived.deletion.when
    assert agreement(ada).is_live and agreement(sam).is_live


def test_a_deletion_after_the_edits_stays_and_raises_nothing(pair: Pair) -> None:
    ada, sam = pair
    set_field(sam, "title", "Edited offline, before the deletion")
    ada.write("delete", lambda c: c.delete("agreement", "agreement-1"))
    sync_round(pair)
    assert open_conflicts(ada) == [] and open_conflicts(sam) == []
    assert not agreement(ada).is_live and not agreement(sam).is_live
    sync_round(pair)  # and it stays deleted
    assert not agreement(ada).is_live and not agreement(sam).is_live


@pytest.mark.parametrize("choose", ["Ada's", "Sam's", "a third value"])
@pytest.mark.parametrize("resolver", [0, 1])
def test_resolving_a_field_conflict_clears_it_on_both_devices(
    pair: Pair, choose: str, resolver: int
) -> None:
    ada, sam = pair
    set_field(ada, "title", "Ada's")
    set_field(sam, "title", "Sam's")
    sync_round(pair)
    [conflict] = open_conflicts(pair[resolver])
    assert {v.value for v in conflict.versions} == {"Ada's", "Sam's"}  # type: ignore[union-attr]
    resolve_conflict(pair[resolver], conflict, choose)
    assert open_conflicts(pair[resolver]) == []
    sync_round(pair)
    for device in pair:
        assert open_conflicts(device) == []
        assert agreement(device).title == choose
    assert dump(ada) == dump(sam)


@pytest.mark.parametrize("keep", [True, False])
def test_resolving_a_revived_record_clears_it_on_both_devices(pair: Pair, keep: bool) -> None:
    ada, sam = pair
    ada.write("delete", lambda c: c.delete("agreement", "agreement-1"))
    set_field(sam, "title", "Edited after the deletion")
    sync_round(pair)
    [conflict] = open_conflicts(ada)
    with pytest.raises(TypeError):
        resolve_conflict(ada, conflict, "not a yes or no")
    resolve_conflict(ada, conflict, keep)
    sync_round(pair)
    for device in pair:
        assert open_conflicts(device) == []
        row = agreement(device)
        assert row.is_live is keep
        assert row.title == "Edited after the deletion"
    assert dump(ada) == dump(sam)
    if not keep:  # deleted again: permanent, nothing revives it
        sync_round(pair)
        assert not agreement(sam).is_live and open_conflicts(sam) == []


def test_a_device_joining_later_sees_the_same_conflicts(pair: Pair, tmp_path: Path) -> None:
    ada, sam = pair
    set_field(ada, "title", "Ada's")
    set_field(sam, "title", "Sam's")
    sync_round(pair)
    joined = sync.join(ada.path.parent / "share", tmp_path / "third", PASSPHRASE, "Third",
                       kdf=FAST_KDF)  # fmt: skip
    with joined.register as third:
        sync.approve(ada, joined.device)
        assert sync.sync(third).ok
        assert open_conflicts(third) == open_conflicts(ada) != []
        assert dump(third) == dump(ada)
