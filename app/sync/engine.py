"""Sync rounds: publish this device's new operations, pull everyone else's, raise alarms.

A round: check the share is reachable, follow the roster, unseal any new epoch key, publish
local operations as new segments (then the head), and read every other device's new segments.
Each device's new segments are verified (signature, chain, AEAD, cut-off) in full before any
of its operations is applied; a device that fails is skipped and reported as an alarm, the
others are applied. Operations stamped too far in the future are held back for a later round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.oplog import Operation, stored_operation
from app.progress import Cancel
from app.register import Register
from app.sync import crypto
from app.sync import format as fmt
from app.sync import membership as ms
from app.sync import state as st
from app.sync.errors import (
    BadSignatureError,
    DamagedError,
    ForkError,
    IntegrityAlarmError,
    MissingSegmentError,
    NotAMemberError,
    RevokedSignerError,
    RollbackError,
    ShareUnreachableError,
    SyncCancelledError,
    UnknownSignerError,
)
from app.sync.state import Peer, SyncState
from app.sync.transport import FolderStore, SharedStore
from app.wording import plural
from db.models import OperationRecord

FUTURE_TOLERANCE_MS = 10 * 60 * 1000


def held_back_text(count: int) -> str:
    """What to tell a person about changes held back because they are stamped in the future."""
    return (
        f"{plural(count, 'change')} from other devices held back: stamped more than "
        f"{FUTURE_TOLERANCE_MS // 60_000} minutes ahead of this computer's clock. They are kept "
        "and applied once the clock catches up; check the clocks of the laptops."
    )


SEGMENT_OPS = 2000

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class AlarmInfo:
    """An alarm as the status bar and the command line show it."""

    kind: str
    device: str | None
    message: str


@dataclass(frozen=True)
class SyncReport:
    """What one sync round did."""

    published: int = 0
    segments_written: int = 0
    received: int = 0
    applied: int = 0
    held_back: int = 0
    alarms: tuple[IntegrityAlarmError, ...] = ()
    waiting_for_key: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.alarms

    def raise_first_alarm(self) -> None:
        if self.alarms:
            raise self.alarms[0]


@dataclass(frozen=True)
class SyncStatus:
    """The sync line of the status bar."""

    shared: bool
    share: str | None
    reachable: bool
    role: str | None
    waiting: int  # local changes not yet published
    last_sync: dt.datetime | None
    alarms: tuple[AlarmInfo, ...]
    held_back: int
    message: str


@dataclass
class _Pulled:
    device: str
    ops: list[Operation] = field(default_factory=list)
    peer: Peer = field(default_factory=Peer)
    waiting_for_key: bool = False


def _no_progress(done: int, total: int, text: str) -> None:
    return None


def _never() -> bool:
    return False


def _store(register: Register, state: SyncState, store: SharedStore | None) -> SharedStore:
    if store is not None:
        return store
    return ms.store_for(state, register)


# ----------------------------------------------------------------------------- publishing


def _unpublished_count(register: Register, published_seq: int) -> int:
    with register.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(OperationRecord)
            .where(OperationRecord.seq > published_seq)
            .where(OperationRecord.device == register.device_id)
        )
    return int(count or 0)


def _unpublished(register: Register, published_seq: int, limit: int) -> list[tuple[int, Operation]]:
    with register.session() as session:
        rows = session.scalars(
            select(OperationRecord)
            .where(OperationRecord.seq > published_seq)
            .where(OperationRecord.device == register.device_id)
            .order_by(OperationRecord.seq)
            .limit(limit)
        ).all()
        return [(row.seq, stored_operation(row)) for row in rows]


def _verify_own(register: Register, data: bytes, name: str, seq: int, prev: str,
                state: SyncState) -> tuple[fmt.SegmentFile, list[Operation]]:  # fmt: skip
    segment = fmt.parse_segment(data, name)
    try:
        crypto.verify(crypto.sign_public(register.material.sign_private), segment.signature,
                      segment.signed)  # fmt: skip
    except crypto.CryptoError:
        raise BadSignatureError("a segment in this device's folder was not written by it",
                                device=register.device_id, name=name) from None  # fmt: skip
    if segment.seq != seq or segment.prev != prev:
        raise ForkError("this device's own segments do not follow each other",
                        device=register.device_id, name=name)  # fmt: skip
    key = st.epoch_key(register, segment.epoch)
    if key is None:
        raise DamagedError("this device's segment uses a key it does not hold", name=name)
    return segment, fmt.open_segment(segment, key, name)


def _published_through(register: Register, published_seq: int, ops: list[Operation]) -> int | None:
    """The local seq that `ops` publish this device's log up to, or None if they do not.

    After a kill between writing a segment and recording it, the segment holds exactly the next
    unpublished operations of the log. Anything else (operations the log lacks, or a segment
    that would skip some) means the database is older than what the device published.
    """
    with register.session() as session:
        seqs = list(
            session.scalars(
                select(OperationRecord.seq).where(
                    OperationRecord.op_id.in_([op.op_id for op in ops])
                )
            )
        )
        if not seqs or len(seqs) != len(ops):
            return None
        top = max(seqs)
        between = session.scalar(
            select(func.count())
            .select_from(OperationRecord)
            .where(OperationRecord.seq > published_seq, OperationRecord.seq <= top)
            .where(OperationRecord.device == register.device_id)
        )
    return top if between == len(ops) else None


def _adopt_orphans(register: Register, store: SharedStore, state: SyncState) -> SyncState:
    """Take in segments this device wrote but did not record.

    Either it was killed between writing a segment and recording it (the segment holds the next
    unpublished operations: mark them published), or its database was restored from an older
    copy (take its own lost operations back from the share; they are published again, which
    readers ignore). Either way the chain goes on from the last segment: no fork.
    """
    me = register.device_id
    while True:
        name = fmt.segment_name(me, state.my_seq + 1)
        data = store.read(name)
        if data is None:
            return state
        segment, ops = _verify_own(register, data, name, state.my_seq + 1, state.my_hash, state)
        published = _published_through(register, state.published_seq, ops)
        if published is None:
            register.apply_remote(ops)
        state = st.save(register, state, my_seq=segment.seq, my_hash=segment.digest,
                        published_seq=state.published_seq if published is None
                        else published)  # fmt: skip


def publish(
    register: Register, store: SharedStore, state: SyncState, progress: Progress, cancel: Cancel
) -> tuple[SyncState, int, int]:
    """Write this device's unpublished operations as new segments, then its head."""
    epoch = state.epoch
    key = st.epoch_key(register, epoch)
    register_id = state.register_id
    if key is None or register_id is None:
        return state, 0, 0
    me = register.device_id
    store.clean(fmt.segment_dir(me))
    store.clean(fmt.device_dir(me))
    state = _adopt_orphans(register, store, state)
    total = _unpublished_count(register, state.published_seq)
    published = segments = 0
    while True:
        if cancel():
            raise SyncCancelledError()
        batch = _unpublished(register, state.published_seq, SEGMENT_OPS)
        if not batch:
            break
        seq = state.my_seq + 1
        data = fmt.encode_segment(
            register_id=register_id, device=me, seq=seq, epoch=epoch, epoch_key=key,
            prev=state.my_hash, ops=[op for _, op in batch],
            sign_private=register.material.sign_private,
        )  # fmt: skip
        name = fmt.segment_name(me, seq)
        if not store.write_new(name, data):
            raise ForkError("this device's next segment exists already", device=me, name=name)
        state = st.save(register, state, my_seq=seq, my_hash=crypto.sha256_hex(data),
                        published_seq=batch[-1][0])  # fmt: skip
        published += len(batch)
        segments += 1
        progress(published, total, "sending changes")
    if state.my_seq > state.head_seq:
        write_head(register, store, state)
        state = st.save(register, state, head_seq=state.my_seq)
    return state, published, segments


def write_head(register: Register, store: SharedStore, state: SyncState) -> None:
    body = {
        "format": fmt.FORMAT, "register_id": state.register_id, "device": register.device_id,
        "seq": state.my_seq, "hash": state.my_hash,
        "seen": {d: p.seq for d, p in sorted(state.peers.items())},
    }  # fmt: skip
    data = fmt.encode_document("head", body, register.material.sign_private)
    store.replace(fmt.head_name(register.device_id), data)


# -------------------------------------------------------------------------------- pulling


def _read_head(store: SharedStore, device: str, keys: ms.DeviceKeys,
               register_id: str) -> tuple[int, str] | None:  # fmt: skip
    name = fmt.head_name(device)
    data = store.read(name)
    if data is None:
        return None
    doc = fmt.parse_document(data, "head", name)
    try:
        doc.verify(keys.sign_pub)
    except crypto.CryptoError:
        raise BadSignatureError("a head is not signed by its device", device=device,
                                name=name) from None  # fmt: skip
    seq = fmt.field(doc.body, "seq", int, name)
    digest = fmt.field(doc.body, "hash", str, name)
    if doc.body.get("device") != device or doc.body.get("register_id") != register_id:
        raise DamagedError("a head names another device or register", device=device, name=name)
    return seq, digest


def pull_device(
    register: Register, store: SharedStore, state: SyncState, roster: ms.Roster, device: str,
    cancel: Cancel,
) -> _Pulled:  # fmt: skip
    """Read and verify all new segments of one device; raise an alarm on the first fault."""
    keys = roster.signer_keys(device)
    if keys is None:
        raise UnknownSignerError("a device that is not a member", device=device)
    revoked = roster.revoked_entry(device)
    register_id = str(state.register_id)
    start = state.peers.get(device, Peer())
    head = _read_head(store, device, keys, register_id)
    if head is None and start.head_seq > 0:
        raise RollbackError("a device's head was removed", device=device,
                            name=fmt.head_name(device))  # fmt: skip
    head_seq, head_hash = head if head is not None else (0, fmt.ZERO_HASH)
    if head_seq < start.head_seq:
        raise RollbackError(f"a device's head went back from {start.head_seq} to {head_seq}",
                            device=device, name=fmt.head_name(device))  # fmt: skip
    if head_seq == start.seq and head_seq > 0 and head_hash != start.hash:
        raise ForkError(f"a device's head names another segment {head_seq} than the one read",
                        device=device, name=fmt.head_name(device))  # fmt: skip
    if start.seq == 0:  # first contact: its published keys must be the roster's
        _verify_device_pub(store, roster, device)
    pulled = _Pulled(device, peer=start)
    seq, prev = start.seq, start.hash
    keys_by_epoch = st.epoch_keys(register)
    while True:
        if cancel():
            raise SyncCancelledError()
        name = fmt.segment_name(device, seq + 1)
        data = store.read(name)
        if data is None:
            break
        segment = fmt.parse_segment(data, name)
        try:
            crypto.verify(keys.sign_pub, segment.signature, segment.signed)
        except crypto.CryptoError:
            raise BadSignatureError("a segment's signature does not verify", device=device,
                                    name=name) from None  # fmt: skip
        header = segment.header
        if header["device"] != device or header["register_id"] != register_id:
            raise DamagedError("a segment names another device or register", device=device,
                               name=name)  # fmt: skip
        if segment.seq != seq + 1:
            raise RollbackError(f"segment {seq + 1} was replaced by segment {segment.seq}",
                                device=device, name=name)  # fmt: skip
        if revoked is not None and segment.seq > revoked.cutoff_seq:
            raise RevokedSignerError(
                f"segment {segment.seq} was written after the device was removed "
                f"(its last accepted segment is {revoked.cutoff_seq})", device=device, name=name,
            )  # fmt: skip
        at_cutoff = revoked is not None and 0 < segment.seq == revoked.cutoff_seq
        if at_cutoff and revoked is not None and segment.digest != revoked.cutoff_hash:
            raise RevokedSignerError(
                f"segment {segment.seq} is not the one the device had written when it was "
                "removed: its history was rewritten afterwards", device=device, name=name,
            )  # fmt: skip
        if segment.prev != prev:
            raise ForkError(f"segment {segment.seq} does not follow the segment before it",
                            device=device, name=name)  # fmt: skip
        key = keys_by_epoch.get(segment.epoch)
        if key is None:
            pulled.waiting_for_key = True
            break
        ops = fmt.open_segment(segment, key, name)
        if any(op.device != device for op in ops):
            raise DamagedError("a segment carries another device's operations", device=device,
                               name=name)  # fmt: skip
        pulled.ops.extend(ops)
        seq, prev = segment.seq, segment.digest
    if not pulled.waiting_for_key:
        if head_seq > seq or store.exists(fmt.segment_name(device, seq + 2)):
            raise MissingSegmentError(f"segment {seq + 1} is missing", device=device,
                                      name=fmt.segment_name(device, seq + 1))  # fmt: skip
        if head_seq == seq and head_seq > 0 and head_hash != prev:
            raise ForkError(f"a device's head and its segment {seq} disagree", device=device,
                            name=fmt.head_name(device))  # fmt: skip
    pulled.peer = Peer(seq, prev, max(start.head_seq, min(head_seq, seq)))
    return pulled


def _alarm_json(alarm: IntegrityAlarmError) -> dict[str, Any]:
    return {"kind": alarm.kind, "device": alarm.device, "name": alarm.name,
            "message": alarm.message}  # fmt: skip


# ------------------------------------------------------------------------------- a round


def sync(
    register: Register,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    store: SharedStore | None = None,
) -> SyncReport:
    """One sync round; integrity alarms are in the report, never silently passed over.

    Raises `ShareUnreachableError` when offline, `NotAMemberError` when this device is waiting
    for approval or was removed, `SyncCancelledError` when `cancel` said so.
    """
    progress = progress or _no_progress
    cancel = cancel or _never
    state = st.load(register)
    store = _store(register, state, store)
    store.check()
    try:
        state, roster, _ = ms.refresh_roster(register, store, state)
    except IntegrityAlarmError as alarm:
        st.save(register, state, alarms=[_alarm_json(alarm)])
        return SyncReport(alarms=(alarm,))
    role = ms.role_in(roster, register.device_id)
    if role != state.role:
        state = st.save(register, state, role=role)
    if role == st.ROLE_PENDING or roster is None:
        fingerprint = ms.own_keys(register).fingerprint
        raise NotAMemberError(
            "This device is waiting for an admin to approve its request to join. Read them "
            f"its fingerprint {fingerprint} so they can check it, then sync again."
        )
    if role == st.ROLE_REVOKED:
        raise NotAMemberError(
            "This device was removed from the shared register. It keeps what it had already "
            "synced, but can no longer send or receive changes."
        )
    try:
        ms.unseal_missing_keys(register, store, state, roster)
    except IntegrityAlarmError as alarm:
        st.save(register, state, alarms=[_alarm_json(alarm)])
        return SyncReport(alarms=(alarm,))

    alarms: list[IntegrityAlarmError] = []
    try:
        state, published, segments = publish(register, store, state, progress, cancel)
    except IntegrityAlarmError as alarm:  # this device's own folder: still receive the others
        alarms.append(alarm)
        state, published, segments = st.load(register), 0, 0

    pulled: list[_Pulled] = []
    others = [d for d in roster.devices() if d != register.device_id]
    for index, device in enumerate(others):
        try:
            pulled.append(pull_device(register, store, state, roster, device, cancel))
        except IntegrityAlarmError as alarm:
            alarms.append(alarm)
        progress(index + 1, len(others), "receiving changes")
    return _apply(register, state, pulled, alarms, published, segments)


def _apply(
    register: Register, state: SyncState, pulled: list[_Pulled], alarms: list[IntegrityAlarmError],
    published: int, segments: int,
) -> SyncReport:  # fmt: skip
    incoming = [op for p in pulled for op in p.ops]
    candidates = [Operation.from_json(o) for o in state.held] + incoming
    now_ok: list[Operation] = []
    held: list[Operation] = []
    for op in candidates:
        (held if register.clock.too_far_ahead(op.hlc, FUTURE_TOLERANCE_MS) else now_ok).append(op)
    fresh = register.apply_remote(now_ok) if now_ok else []
    peers = dict(state.peers)
    for p in pulled:
        peers[p.device] = p.peer
    st.save(
        register, state,
        peers=peers,
        held=[op.to_json() for op in held],
        alarms=[_alarm_json(a) for a in alarms],
        last_sync=dt.datetime.now(dt.UTC).isoformat(),
    )  # fmt: skip
    return SyncReport(
        published=published, segments_written=segments, received=len(incoming),
        applied=len(fresh), held_back=len(held), alarms=tuple(alarms),
        waiting_for_key=tuple(p.device for p in pulled if p.waiting_for_key),
    )  # fmt: skip


# -------------------------------------------------------------------------------- status


def sync_status(register: Register, *, store: SharedStore | None = None) -> SyncStatus:
    """The state of sharing for the status bar; never raises for an unreachable share."""
    state = st.load(register)
    waiting = _unpublished_count(register, state.published_seq)
    alarms = tuple(
        AlarmInfo(str(a.get("kind")), a.get("device"), str(a.get("message"))) for a in state.alarms
    )
    last = dt.datetime.fromisoformat(state.last_sync) if state.last_sync else None
    if not state.shared:
        return SyncStatus(False, None, False, None, waiting, None, (), 0, "not shared")
    reachable = True
    try:
        (store or FolderStore(Path(str(state.share)))).check()
    except ShareUnreachableError:
        reachable = False
    if not reachable:
        message = f"offline — {plural(waiting, 'change')} waiting"
    elif alarms:
        message = alarms[0].message  # "Sync alarm: …"
    elif state.role == st.ROLE_PENDING:
        message = "waiting for approval"
    elif state.role == st.ROLE_REVOKED:
        message = "removed from the shared register"
    elif waiting:
        message = f"{plural(waiting, 'change')} to send"
    else:
        message = "up to date"
    if state.held and reachable and not alarms:
        held = len(state.held)
        message += f"; {plural(held, 'change')} held back (stamped ahead of this computer's clock)"
    return SyncStatus(True, state.share, reachable, state.role, waiting, last, alarms,
                      len(state.held), message)  # fmt: skip


def revoke(register: Register, device: str) -> ms.MemberInfo:
    """Sync first (so the cut-off is what this device has read), then revoke `device`."""
    report = sync(register)
    for alarm in report.alarms:
        if alarm.device != device:  # an alarm about the device being removed is no obstacle
            raise alarm
    return ms.revoke(register, device)


def verify_share(
    register: Register, *, store: SharedStore | None = None
) -> list[IntegrityAlarmError]:
    """Read the whole shared folder afresh, as a new member would, and list every alarm.

    Checks the identity, the roster chain from its first epoch, every member's public keys,
    the key slots sealed to this device and every segment of every device (signature, chain,
    decryption, cut-off) and head. Changes nothing.
    """
    state = st.load(register)
    store = _store(register, state, store)
    store.check()
    fresh = SyncState(share=state.share, register_id=state.register_id,
                      identity_hash=state.identity_hash)  # fmt: skip
    try:
        fresh, roster, _ = ms.refresh_roster(register, store, fresh, persist=False)
    except IntegrityAlarmError as alarm:
        return [alarm]
    if roster is None:
        return []
    alarms: list[IntegrityAlarmError] = []
    try:
        ms.slot_keys(register, store, fresh, roster, ())
    except IntegrityAlarmError as alarm:
        alarms.append(alarm)
    for device in roster.devices():
        try:
            pull_device(register, store, fresh, roster, device, _never)
        except IntegrityAlarmError as alarm:
            alarms.append(alarm)
    return alarms


def _verify_device_pub(store: SharedStore, roster: ms.Roster, device: str) -> None:
    name = fmt.device_pub_name(device)
    data = store.read(name)
    if data is None:
        raise MissingSegmentError("a member's public keys are missing", device=device, name=name)
    doc = fmt.parse_document(data, "device", name)
    keys = roster.signer_keys(device)
    assert keys is not None
    try:
        doc.verify(keys.sign_pub)
    except crypto.CryptoError:
        raise BadSignatureError("a member's public keys are not signed by it", device=device,
                                name=name) from None  # fmt: skip
    if (
        doc.body.get("device") != device
        or doc.body.get("sign_pub") != crypto.b64(keys.sign_pub)
        or doc.body.get("box_pub") != crypto.b64(keys.box_pub)
    ):
        raise DamagedError("a member's public keys differ from the roster's", device=device,
                           name=name)  # fmt: skip
