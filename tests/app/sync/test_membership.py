"""Sharing, joining, approving, revoking: the membership of a shared register."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from app import sync
from app.register import Register
from app.sync import engine
from app.sync import format as fmt
from app.sync import state as st
from app.sync.errors import (
    AlreadySharedError,
    DamagedError,
    MembershipError,
    NotAMemberError,
    RevokedSignerError,
    ShareUnreachableError,
)
from app.sync.transport import FolderStore
from db.models import AgreementRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE

from .conftest import Group, op_ids


def add(register: Register, reference: str, title: str = "Youth offending data") -> str:
    values = {"reference": reference, "title": title, "category": "personal"}
    return register.write("add", lambda c: c.create("agreement", values))


def references(register: Register) -> set[str]:
    with register.session() as session:
        return set(session.scalars(select(AgreementRecord.reference)))


def test_join_approve_and_first_sync_pull_everything(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    group = group_factory(1)
    admin = group.devices[0]
    for n in range(5):
        add(admin, f"ISA-2026-{n:03d}")
    assert sync.sync(admin).published > 0

    joined = sync.join(group.share, tmp_path / "new", PASSPHRASE, "Sam Patel, laptop",
                       kdf=FAST_KDF)  # fmt: skip
    newcomer = joined.register
    group.devices.append(newcomer)
    assert st.epoch_keys(newcomer) == {}  # holds no register key before approval
    with pytest.raises(NotAMemberError, match=joined.fingerprint):
        sync.sync(newcomer)

    requests = sync.pending_requests(admin)
    assert [(r.device, r.name, r.fingerprint) for r in requests] == [
        (joined.device, "Sam Patel, laptop", joined.fingerprint)
    ]
    sync.approve(admin, joined.device)
    assert sync.pending_requests(admin) == []

    report = sync.sync(newcomer)
    assert report.ok and report.applied == report.received > 0
    assert op_ids(newcomer) == op_ids(admin)
    states = group.states()
    assert states[0] == states[1]
    roles = {m.device: m.role for m in sync.members(newcomer)}
    assert roles == {admin.device_id: "admin", joined.device: "member"}


def test_only_admins_approve_and_members_cannot_be_approved_twice(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    group = group_factory(2)
    admin, member = group.devices
    joined = sync.join(group.share, tmp_path / "third", PASSPHRASE, "Third", kdf=FAST_KDF)
    group.devices.append(joined.register)
    with pytest.raises(MembershipError, match="Only an admin"):
        sync.approve(member, joined.device)
    with pytest.raises(MembershipError, match="member already"):
        sync.approve(admin, member.device_id)
    with pytest.raises(MembershipError, match="no request"):
        sync.approve(admin, "0123abcd")


def test_sharing_twice_or_into_a_used_folder_is_refused(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    group = group_factory(1)
    with pytest.raises(AlreadySharedError):
        sync.share(group.devices[0], tmp_path / "elsewhere")
    other = group_factory(1, name="other").devices[0]
    with pytest.raises(AlreadySharedError, match="already holds a shared register"):
        st.save(other, st.load(other), share=None)
        sync.share(other, group.share)


def test_revoked_device_cannot_read_what_is_written_after(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(3)
    admin, kept, gone = group.devices
    add(gone, "ISA-BEFORE", "Written before the revocation")
    group.sync_all(2)
    keys_of_gone = st.epoch_keys(gone)

    info = sync.revoke(admin, gone.device_id)
    assert info.revoked and info.last_seen_seq == st.load(admin).peers[gone.device_id].seq
    add(admin, "ISA-AFTER-1", "Confidential after revocation")
    add(kept, "ISA-AFTER-2", "Also after")
    sync.sync(admin)
    sync.sync(kept)
    sync.sync(admin)

    epoch = st.load(admin).epoch
    assert epoch not in keys_of_gone
    store = group.store
    after = [fmt.segment_name(device.device_id, st.load(device).my_seq) for device in (admin, kept)]
    for name in after:
        data = store.read(name)
        assert data is not None
        segment = fmt.parse_segment(data, name)
        assert segment.epoch == epoch
        for key in keys_of_gone.values():
            with pytest.raises(DamagedError, match="does not decrypt"):
                fmt.open_segment(segment, key, name)

    with pytest.raises(NotAMemberError, match="keeps what it had already synced"):
        sync.sync(gone)
    assert "ISA-BEFORE" in references(gone)
    members = {m.device: m for m in sync.members(admin)}
    assert members[gone.device_id].revoked


def test_segment_signed_after_the_cut_off_is_an_alarm(
    group_factory: Callable[..., Group],
) -> None:
    group = group_factory(3)
    admin, kept, gone = group.devices
    sync.revoke(admin, gone.device_id)
    sync.sync(kept)
    before = op_ids(kept)
    # The removed device writes anyway, with its old roster and key (as a tampered copy would).
    add(gone, "ISA-LATE", "Written after removal")
    state = st.load(gone)
    engine.publish(gone, FolderStore(group.share), state, lambda *a: None, lambda: False)
    report = sync.sync(kept)
    assert [type(a) for a in report.alarms] == [RevokedSignerError]
    assert report.alarms[0].exit_code == 5
    assert op_ids(kept) == before
    assert sync.sync_status(kept).alarms[0].kind == "revoked-signer"


def test_unreachable_share_says_offline_and_how_many_changes_wait(
    group_factory: Callable[..., Group], tmp_path: Path
) -> None:
    group = group_factory(1)
    admin = group.devices[0]
    add(admin, "ISA-OFF-1")
    moved = tmp_path / "moved"
    shutil.move(group.share, moved)
    status = sync.sync_status(admin)
    assert not status.reachable
    assert status.waiting == 1
    assert status.message == "offline — 1 change waiting"
    with pytest.raises(ShareUnreachableError, match="not reachable"):
        sync.sync(admin)
    shutil.move(moved, group.share)
    assert sync.sync(admin).published == 1
    assert sync.sync_status(admin).message == "up to date"


def test_not_shared_register_status(group_factory: Callable[..., Group]) -> None:
    admin = group_factory(1).devices[0]
    st.save(admin, st.load(admin), share=None)
    status = sync.sync_status(admin)
    assert not status.shared and status.message == "not shared"


def _offline_when_writing_the_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    """The network drive drops after the key slots of a new epoch, before its roster."""
    real = FolderStore.write_new

    def write_new(self: FolderStore, name: str, data: bytes) -> bool:
        if "/roster/" in name:
            raise ShareUnreachableError(self.root, "connection dropped")
        return real(self, name, data)

    monkeypatch.setattr(FolderStore, "write_new", write_new)


def test_an_approval_cut_short_can_be_made_again(
    group_factory: Callable[..., Group], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = group_factory(2)
    admin = group.devices[0]
    add(admin, "ISA-BEFORE")
    joined = sync.join(group.share, tmp_path / "third", PASSPHRASE, "Third", kdf=FAST_KDF)
    group.devices.append(joined.register)
    with monkeypatch.context() as patch:
        _offline_when_writing_the_roster(patch)
        with pytest.raises(ShareUnreachableError):
            sync.approve(admin, joined.device)
    assert [r.device for r in sync.pending_requests(admin)] == [joined.device]
    sync.approve(admin, joined.device)
    group.sync_all(2)  # every device opens the new epoch's key: no alarm
    assert op_ids(joined.register) == op_ids(admin)
    assert len({st.load(d).epoch for d in group.devices}) == 1


def test_an_approval_cut_short_then_abandoned_leaves_that_device_no_key(
    group_factory: Callable[..., Group], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = group_factory(3)
    admin, kept, gone = group.devices
    joined = sync.join(group.share, tmp_path / "stranger", PASSPHRASE, "Stranger", kdf=FAST_KDF)
    with monkeypatch.context() as patch:
        _offline_when_writing_the_roster(patch)
        with pytest.raises(ShareUnreachableError):
            sync.approve(admin, joined.device)
    epoch = st.load(admin).epoch + 1
    sync.revoke(admin, gone.device_id)  # the admin does something else with that epoch
    assert st.load(admin).epoch == epoch
    slots = group.share / fmt.keyslot_dir(admin.device_id, epoch)
    assert sorted(p.name for p in slots.iterdir()) == sorted(
        f"{d.device_id}.slot" for d in (admin, kept)
    )
    group.devices.remove(gone)
    group.sync_all(2)
    joined.register.close()
    gone.close()


def test_a_share_cut_short_can_be_made_again_in_the_same_folder(
    group_factory: Callable[..., Group], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = group_factory(1).devices[0]
    st.save(admin, st.load(admin), share=None)
    share = tmp_path / "again"
    real = FolderStore.write_new

    def offline_at_identity(self: FolderStore, name: str, data: bytes) -> bool:
        if name == fmt.REGISTER_FILE:
            raise ShareUnreachableError(self.root, "connection dropped")
        return real(self, name, data)

    with monkeypatch.context() as patch:
        patch.setattr(FolderStore, "write_new", offline_at_identity)
        with pytest.raises(ShareUnreachableError):
            sync.share(admin, share)
    assert not st.load(admin).shared
    sync.share(admin, share, name="Ada, laptop")
    add(admin, "ISA-AGAIN")
    assert sync.sync(admin).ok
    joined = sync.join(share, tmp_path / "member", PASSPHRASE, "Member", kdf=FAST_KDF)
    with joined.register as member:
        sync.approve(admin, joined.device)
        report = sync.sync(member)
        assert report.ok and "ISA-AGAIN" in references(member)
