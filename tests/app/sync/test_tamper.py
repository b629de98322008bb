"""Every flipped bit, truncation or swap of a shared file is rejected with a typed alarm.

One scene is built per module: an admin A and a member C that have published segments over
three key epochs, and B, approved but never synced. Each case tampers with one file of the
shared folder in place, then B syncs from a fresh state (it must raise a typed alarm and apply
nothing) and A and C verify the whole folder; the file is restored afterwards.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app import sync
from app.keys import KeyMaterial
from app.register import Register
from app.sync import engine
from app.sync import format as fmt
from app.sync import state as st
from app.sync.errors import (
    BadSignatureError,
    DamagedError,
    ForkError,
    IntegrityAlarmError,
    MissingSegmentError,
    RollbackError,
)
from db.models import MetaRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE

from .conftest import Group, make_group, op_ids

FLIPS_PER_FILE = 10


@dataclass
class Scene:
    group: Group
    fresh: Register  # approved, never synced
    rows: list[tuple[str, str]]
    material: KeyMaterial
    other_share: Path  # another shared register, for swapping files across registers

    @property
    def admin(self) -> Register:
        return self.group.devices[0]

    @property
    def member(self) -> Register:
        return self.group.devices[1]

    def reset_fresh(self) -> None:
        with self.fresh.session() as session, session.begin():
            session.execute(delete(MetaRecord).where(MetaRecord.key.like("sync.%")))
            session.add_all(MetaRecord(key=k, value=v) for k, v in self.rows)
        self.fresh.material = self.material

    def readers_alarms(self) -> tuple[list[IntegrityAlarmError], list[IntegrityAlarmError]]:
        """(alarms of the fresh device's sync, alarms of A's and C's full verification)."""
        self.reset_fresh()
        report = sync.sync(self.fresh)
        verified = engine.verify_share(self.admin) + engine.verify_share(self.member)
        return list(report.alarms), verified


def write(register: Register, n: int, tag: str) -> None:
    def build(changes: object) -> None:
        for i in range(n):
            changes.create("agreement", {"reference": f"{tag}-{i}", "title": f"Title {tag} {i}"})  # type: ignore[attr-defined]

    register.write(tag, build)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    folder = tmp_path_factory.mktemp("tamper")
    group = make_group(folder, 2)
    admin, member = group.devices
    write(admin, 3, "A1")
    sync.sync(admin)
    write(admin, 2, "A2")
    write(member, 2, "C1")
    group.sync_all(2)
    joined = sync.join(group.share, folder / "fresh", PASSPHRASE, "Fresh", kdf=FAST_KDF)
    sync.approve(admin, joined.device)
    write(admin, 2, "A3")
    group.sync_all(2)
    fresh = joined.register
    with fresh.session() as session:
        rows = [
            (r.key, r.value)
            for r in session.scalars(select(MetaRecord).where(MetaRecord.key.like("sync.%")))
        ]
    other = make_group(folder / "other", 2)
    write(other.devices[0], 1, "X")
    other.sync_all()
    scene = Scene(group, fresh, rows, fresh.material, other.share)
    yield scene
    other.close()
    fresh.close()
    group.close()


def shared_files(share: Path) -> list[str]:
    return sorted(p.relative_to(share).as_posix() for p in share.rglob("*") if p.is_file())


def test_the_untouched_scene_is_clean(scene: Scene) -> None:
    fresh_alarms, verified = scene.readers_alarms()
    assert fresh_alarms == [] and verified == []
    assert len(op_ids(scene.fresh)) == len(op_ids(scene.admin))
    # Every kind of file is in the scene.
    names = shared_files(scene.group.share)
    for needle in ("REGISTER.json", ".req", "device.pub", ".seg", "head.json", "/roster/",
                   ".slot"):  # fmt: skip
        assert any(needle in n for n in names), needle


def _positions(name: str, data: bytes, rng: random.Random) -> list[int]:
    size = len(data)
    picks = {0, 1, size // 2, size - 1}
    if name.endswith(".seg"):
        segment = fmt.parse_segment(data, name)
        picks |= {8, 12, len(segment.aad) - 1, len(segment.aad) + 5, size - 64, size - 30}
    picks |= set(rng.sample(range(size), min(FLIPS_PER_FILE, size)))
    return sorted(p for p in picks if 0 <= p < size)


def _mutations(name: str, data: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    for position in _positions(name, data, rng):
        flipped = bytearray(data)
        flipped[position] ^= 1 << (position % 8)
        yield f"flip bit {position % 8} of byte {position}", bytes(flipped)
    for length in sorted({0, 1, len(data) // 2, len(data) - 1}):
        yield f"truncate to {length}", data[:length]


def _check(scene: Scene, name: str, what: str) -> None:
    before = op_ids(scene.fresh)
    fresh_alarms, verified = scene.readers_alarms()
    alarms = fresh_alarms + verified
    assert alarms, f"{name}: {what} was not detected"
    assert all(isinstance(a, IntegrityAlarmError) and a.exit_code == 5 for a in alarms)
    if fresh_alarms:
        assert op_ids(scene.fresh) == before, f"{name}: {what}: something was applied"
    else:  # the fresh device reads neither its own files nor slots sealed to others
        fresh = scene.fresh.device_id
        own = name.startswith(f"devices/{fresh}/")
        assert own or (name.endswith(".slot") and not name.endswith(f"{fresh}.slot")), name


@pytest.mark.slow
def test_every_bit_flip_and_truncation_is_rejected(scene: Scene) -> None:
    share = scene.group.share
    rng = random.Random(7)
    checked = 0
    for name in shared_files(share):
        if name.startswith("requests/"):
            continue  # requests are read by approval only: see the test below
        path = share / name
        original = path.read_bytes()
        try:
            for what, data in _mutations(name, original, rng):
                path.write_bytes(data)
                _check(scene, name, what)
                checked += 1
        finally:
            path.write_bytes(original)
    assert checked > 200
    assert scene.readers_alarms() == ([], [])


def _pairs(scene: Scene) -> list[tuple[str, Path]]:
    """(file to replace, file whose bytes replace it): same kind, another instance."""
    share, other = scene.group.share, scene.other_share
    a, c, b = scene.admin.device_id, scene.member.device_id, scene.fresh.device_id
    other_admin = next(p.name for p in (other / "devices").iterdir() if (p / "roster").is_dir())
    return [
        (fmt.segment_name(a, 2), share / fmt.segment_name(a, 1)),  # older segment
        (fmt.segment_name(a, 1), share / fmt.segment_name(a, 2)),
        (fmt.segment_name(a, 2), share / fmt.segment_name(c, 1)),  # another device's
        (fmt.head_name(a), share / fmt.head_name(c)),
        (fmt.device_pub_name(a), share / fmt.device_pub_name(c)),
        (fmt.roster_name(a, 3), share / fmt.roster_name(a, 2)),
        (fmt.roster_name(a, 1), other / fmt.roster_name(other_admin, 1)),
        (fmt.keyslot_name(a, 3, b), share / fmt.keyslot_name(a, 3, c)),
        (fmt.keyslot_name(a, 1, b), share / fmt.keyslot_name(a, 3, b)),
        (fmt.REGISTER_FILE, other / fmt.REGISTER_FILE),
    ]


def test_swapped_files_are_rejected(scene: Scene) -> None:
    share = scene.group.share
    for name, source in _pairs(scene):
        path = share / name
        original = path.read_bytes()
        try:
            path.write_bytes(source.read_bytes())
            _check(scene, name, f"swap with {source.name}")
        finally:
            path.write_bytes(original)


def test_tampered_request_cannot_be_approved(tmp_path: Path) -> None:
    group = make_group(tmp_path, 1)
    try:
        joined = sync.join(group.share, tmp_path / "j", PASSPHRASE, "Joiner", kdf=FAST_KDF)
        joined.register.close()
        path = group.share / fmt.request_name(joined.device)
        original = path.read_bytes()
        for position in (0, 20, len(original) // 2, len(original) - 3):
            data = bytearray(original)
            data[position] ^= 4
            path.write_bytes(bytes(data))
            with pytest.raises((DamagedError, BadSignatureError)):
                sync.approve(group.devices[0], joined.device)
            assert sync.pending_requests(group.devices[0]) == []
        path.write_bytes(original)
        assert [r.device for r in sync.pending_requests(group.devices[0])] == [joined.device]
    finally:
        group.close()


def test_missing_segment_is_an_alarm(scene: Scene) -> None:
    name = fmt.segment_name(scene.admin.device_id, 2)
    path = scene.group.share / name
    original = path.read_bytes()
    try:
        path.unlink()
        fresh_alarms, verified = scene.readers_alarms()
        assert any(isinstance(a, MissingSegmentError) for a in fresh_alarms)
        assert any(isinstance(a, MissingSegmentError) for a in verified)
    finally:
        path.write_bytes(original)


def test_head_going_backwards_is_a_rollback(tmp_path: Path) -> None:
    group = make_group(tmp_path, 2)
    try:
        admin, member = group.devices
        head = group.share / fmt.head_name(admin.device_id)
        write(admin, 1, "H1")
        sync.sync(admin)
        old = head.read_bytes()
        write(admin, 1, "H2")
        sync.sync(admin)
        sync.sync(member)
        head.write_bytes(old)
        report = sync.sync(member)
        assert [type(a) for a in report.alarms] == [RollbackError]
        assert "went back" in report.alarms[0].message
    finally:
        group.close()


def test_a_device_that_rewrites_its_history_is_a_fork(tmp_path: Path) -> None:
    group = make_group(tmp_path, 2)
    try:
        admin, member = group.devices
        write(admin, 1, "F1")
        before = st.load(admin)
        sync.sync(admin)
        sync.sync(member)
        seen = op_ids(member)
        # The admin's device is restored from an old copy and publishes another segment N.
        last = group.share / fmt.segment_name(admin.device_id, st.load(admin).my_seq)
        shutil.move(last, tmp_path / "kept.seg")
        st.save(admin, st.load(admin), my_seq=before.my_seq, my_hash=before.my_hash,
                head_seq=before.head_seq)  # fmt: skip
        write(admin, 1, "F2")
        sync.sync(admin)
        report = sync.sync(member)
        assert [type(a) for a in report.alarms] == [ForkError]
        assert op_ids(member) == seen
        assert sync.sync_status(member).alarms[0].kind == "fork"
    finally:
        group.close()


def test_files_with_names_outside_the_grammar_are_ignored(scene: Scene) -> None:
    share = scene.group.share
    a = scene.admin.device_id
    stray = [
        share / f"devices/{a}/seg/{st.load(scene.admin).my_seq + 1}.seg",
        share / f"devices/{a}/seg/0000000099.seg.bak",
        share / f"devices/{a}/roster/7",
        share / "devices/NOT-A-DEVICE/head.json",
    ]
    try:
        for path in stray:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"rubbish")
        assert scene.readers_alarms() == ([], [])
    finally:
        for path in stray:
            path.unlink()
        (share / "devices/NOT-A-DEVICE").rmdir()
