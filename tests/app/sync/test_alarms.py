"""The alarms of a sync round, as a device that reads a little at each round meets them.

(test_tamper.py flips bits in every file for a device reading from scratch; here a member that
has read part of another device's history meets a gap, a rollback, a rewritten history, a
removed device writing again, operations stamped far in the future, and content it cannot apply.)
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app import sync
from app.clock import HybridClock, stamp_ms, wall_ms
from app.oplog import EXISTS, Operation, OpKind
from app.register import Register
from app.sync import engine
from app.sync import format as fmt
from app.sync import state as st
from app.sync.errors import (
    BadSignatureError,
    DamagedError,
    ForkError,
    MissingSegmentError,
    RevokedSignerError,
    RollbackError,
)
from app.sync.transport import FolderStore
from tests.fast_keys import FAST_KDF, PASSPHRASE

from .conftest import Group, add_agreements, op_ids

HOUR_MS = 60 * 60 * 1000


def last_segment(group: Group, device: Register) -> Path:
    return group.share / fmt.segment_name(device.device_id, st.load(device).my_seq)


def publish_two_segments(group: Group, writer: Register, reader: Register) -> tuple[Path, Path]:
    """The reader has read the writer up to some segment; the writer then publishes two more."""
    add_agreements(writer, "READ", 1)
    assert sync.sync(writer).ok and sync.sync(reader).ok
    add_agreements(writer, "NEXT", 1)
    sync.sync(writer)
    first = last_segment(group, writer)
    add_agreements(writer, "LAST", 1)
    sync.sync(writer)
    return first, last_segment(group, writer)


def test_a_missing_segment_stops_that_device_until_it_is_back(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    group = group_factory(2)
    admin, member = group.devices
    gap, after = publish_two_segments(group, admin, member)
    before = op_ids(member)
    shutil.move(gap, tmp_path / "away.seg")
    report = sync.sync(member)
    assert [type(a) for a in report.alarms] == [MissingSegmentError]
    assert report.alarms[0].exit_code == 5 and gap.name in str(report.alarms[0])
    assert op_ids(member) == before  # not even the segment after the gap
    assert sync.sync_status(member).alarms[0].kind == "missing-segment"

    shutil.move(tmp_path / "away.seg", gap)
    report = sync.sync(member)
    assert report.ok and report.applied == 2
    assert op_ids(member) == op_ids(admin)
    assert sync.sync_status(member).message == "up to date"


def test_a_segment_replaced_by_an_older_one_is_a_rollback(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(2)
    admin, member = group.devices
    older, newer = publish_two_segments(group, admin, member)
    original = newer.read_bytes()
    newer.write_bytes(older.read_bytes())
    before = op_ids(member)
    report = sync.sync(member)
    assert [type(a) for a in report.alarms] == [RollbackError]
    assert "was replaced by segment" in report.alarms[0].message
    assert op_ids(member) == before
    newer.write_bytes(original)
    assert sync.sync(member).ok and op_ids(member) == op_ids(admin)


def test_an_alarm_about_one_device_does_not_stop_the_others(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(3)
    admin, reader, writer = group.devices
    _, bad = publish_two_segments(group, admin, reader)
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 1
    bad.write_bytes(bytes(data))
    add_agreements(writer, "GOOD", 3)
    assert sync.sync(writer).published == 3
    report = sync.sync(reader)
    assert [a.device for a in report.alarms] == [admin.device_id]
    assert report.applied >= 3
    assert op_ids(writer) <= op_ids(reader)


def test_a_fault_in_its_own_folder_does_not_stop_a_device_receiving(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(2)
    admin, member = group.devices
    add_agreements(admin, "FROM-ADMIN", 2)
    assert sync.sync(admin).ok
    # Someone else's file dropped under the member's next segment name.
    squatter = group.share / fmt.segment_name(member.device_id, st.load(member).my_seq + 1)
    squatter.parent.mkdir(parents=True, exist_ok=True)
    squatter.write_bytes(last_segment(group, admin).read_bytes())
    add_agreements(member, "STUCK", 1)
    report = sync.sync(member)
    assert [type(a) for a in report.alarms] == [BadSignatureError]
    assert report.published == 0 and report.applied == 2
    assert sync.sync_status(member).waiting == 1  # its change is kept, not lost


def test_a_removed_device_that_rewrites_its_history_is_caught(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    """Its segments up to the cut-off are pinned by the roster: rewriting them is an alarm."""
    group = group_factory(3)
    admin, kept, gone = group.devices
    add_agreements(gone, "GONE-1")
    sync.sync(gone)
    one = st.load(gone)
    add_agreements(gone, "GONE-2")
    group.sync_all(2)
    info = sync.revoke(admin, gone.device_id)
    assert info.last_seen_seq == 2
    # The removed device deletes its segment 2 and writes another under the same number,
    # with the key it still holds and the roster it last saw.
    (group.share / fmt.segment_name(gone.device_id, 2)).unlink()
    st.save(gone, st.load(gone), my_seq=one.my_seq, my_hash=one.my_hash, head_seq=one.head_seq,
            published_seq=0)  # fmt: skip
    add_agreements(gone, "FORGED")
    engine.publish(gone, FolderStore(group.share), st.load(gone), lambda *a: None, lambda: False)

    joined = sync.join(group.share, tmp_path / "late", PASSPHRASE, "Late", kdf=FAST_KDF)
    group.devices.append(joined.register)
    sync.approve(admin, joined.device)
    report = sync.sync(joined.register)
    assert [(type(a), a.device) for a in report.alarms] == [(RevokedSignerError, gone.device_id)]
    assert "history was rewritten" in report.alarms[0].message
    assert not op_ids(gone) & op_ids(joined.register)
    # Those who had read the real segment 2 see the head contradict it.
    assert [type(a) for a in sync.sync(kept).alarms] == [ForkError]
    assert any(isinstance(a, RevokedSignerError) for a in engine.verify_share(admin))


def skew(register: Register, offset_ms: int) -> None:
    register.clock = HybridClock(register.clock.last, now_ms=lambda: wall_ms() + offset_ms)


def test_changes_stamped_too_far_ahead_are_held_back_then_applied(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(2)
    admin, member = group.devices
    skew(member, HOUR_MS)  # a laptop whose clock is an hour fast
    add_agreements(member, "FAST", 3)
    assert sync.sync(member).published == 3
    before = op_ids(admin)

    report = sync.sync(admin)
    assert report.ok and report.received == 3 and report.held_back == 3 and report.applied == 0
    assert op_ids(admin) == before
    assert stamp_ms(admin.clock.last) < wall_ms() + HOUR_MS // 2  # its clock was not dragged on
    status = sync.sync_status(admin)
    assert status.held_back == 3
    assert status.message == (
        "up to date; 3 changes held back (stamped ahead of this computer's clock)"
    )

    # Held back across a restart, and still held while the clock is behind.
    folder = admin.path
    admin.close()
    admin = group.devices[0] = Register.open(folder, PASSPHRASE)
    assert sync.sync(admin).held_back == 3

    skew(admin, HOUR_MS)  # time passes (or the clock is put right)
    report = sync.sync(admin)
    assert report.held_back == 0 and report.applied == 3
    assert op_ids(member) <= op_ids(admin)
    assert sync.sync_status(admin).held_back == 0
    assert sync.sync_status(admin).message == "up to date"


def test_slightly_skewed_clocks_are_not_held_back(group_factory: Callable[..., Group]) -> None:
    group = group_factory(2)
    admin, member = group.devices
    skew(member, engine.FUTURE_TOLERANCE_MS // 2)
    add_agreements(member, "SKEWED", 2)
    sync.sync(member)
    report = sync.sync(admin)
    assert report.held_back == 0 and report.applied == 2


def bogus(member: Register, **changes: object) -> Operation:
    values: dict[str, object] = {
        "op_id": "00000000-0000-4000-8000-000000000001", "batch_id": "b", "hlc": 1 << 20,
        "device": member.device_id, "author": "Mallory", "kind": OpKind.SET,
        "entity": "agreement", "record_id": "r1", "field": "title", "value": "A title",
    }  # fmt: skip
    values.update(changes)
    return Operation(**values)  # type: ignore[arg-type]


CANNOT_APPLY = {
    "unknown kind of record": {"entity": "spaceship"},
    "unknown field": {"field": "warp_factor"},
    "the id field": {"field": "id"},
    "date that is not a date": {"field": "start_date", "value": "next Tuesday"},
    "yes/no that is text": {"field": "dpia_needed", "value": "maybe"},
    "text that is a number": {"value": 12},
    "create without values": {"kind": OpKind.CREATE, "field": EXISTS, "value": "x"},
    "create with an unknown field": {"kind": OpKind.CREATE, "field": EXISTS,
                                     "value": {"title": "T", "warp_factor": 9}},
    "delete of a field": {"kind": OpKind.DELETE, "value": False},
    "link without two ends": {"kind": OpKind.LINK, "entity": "agreement_use_case",
                              "field": EXISTS, "value": True},
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CANNOT_APPLY))
def test_a_signed_segment_with_content_it_cannot_apply_is_refused(
    group_factory: Callable[..., Group], case: str
) -> None:
    """A member's segment is signed and sealed, but what it holds is still checked."""
    group = group_factory(2)
    admin, member = group.devices
    state = st.load(member)
    key = st.epoch_key(member, state.epoch)
    assert key is not None and state.register_id is not None
    good = bogus(member, op_id="00000000-0000-4000-8000-000000000002")
    data = fmt.encode_segment(
        register_id=state.register_id, device=member.device_id, seq=state.my_seq + 1,
        epoch=state.epoch, epoch_key=key, prev=state.my_hash,
        ops=[good, bogus(member, **CANNOT_APPLY[case])], sign_private=member.material.sign_private,
    )  # fmt: skip
    FolderStore(group.share).write_new(fmt.segment_name(member.device_id, state.my_seq + 1), data)
    before = op_ids(admin)
    report = sync.sync(admin)
    assert [type(a) for a in report.alarms] == [DamagedError]
    assert "cannot apply" in report.alarms[0].message
    assert op_ids(admin) == before
