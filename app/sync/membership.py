"""Who holds the register key: sharing, join requests, approval, revocation and key epochs.

The shared register's identity (``REGISTER.json``) names its first admin. Each key epoch has a
roster signed by an admin of the previous one and chained to it by hash; the epoch's key is
sealed to every device of its roster in key slots. Approving a device or revoking one starts a
new epoch; a revoked device keeps its keys of earlier epochs (and so what it had synced), but
never receives a later one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.paths import check_folder
from app.register import Register
from app.sync import crypto
from app.sync import format as fmt
from app.sync import state as st
from app.sync.errors import (
    AlreadySharedError,
    BadSignatureError,
    DamagedError,
    ForkError,
    JoinUnreachableError,
    MembershipError,
    NotAMemberError,
    NotSharedError,
    RollbackError,
    ShareUnreachableError,
    UnknownSignerError,
)
from app.sync.state import SyncState
from app.sync.transport import FolderStore, SharedStore


@dataclass(frozen=True)
class DeviceKeys:
    """A device's public keys and the name its member gave it."""

    device: str
    name: str
    sign_pub: bytes
    box_pub: bytes

    @property
    def fingerprint(self) -> str:
        return crypto.fingerprint(self.sign_pub, self.box_pub)


@dataclass(frozen=True)
class MemberInfo:
    """One device of a shared register, for `isr members` and the desktop."""

    device: str
    name: str
    role: str
    fingerprint: str
    this_device: bool
    revoked: bool
    last_seen_seq: int


@dataclass(frozen=True)
class JoinRequest:
    device: str
    name: str
    fingerprint: str
    requested: str


@dataclass(frozen=True)
class JoinResult:
    register: Register
    device: str
    fingerprint: str


def store_for(state: SyncState, register: Register) -> SharedStore:
    if state.share is None:
        raise NotSharedError(register.path)
    return FolderStore(Path(state.share))


def own_keys(register: Register, name: str = "") -> DeviceKeys:
    material = register.material
    return DeviceKeys(
        material.device_id,
        name,
        crypto.sign_public(material.sign_private),
        crypto.box_public(material.box_private),
    )


def _keys_json(keys: DeviceKeys) -> dict[str, Any]:
    return {
        "device": keys.device,
        "name": keys.name,
        "sign_pub": crypto.b64(keys.sign_pub),
        "box_pub": crypto.b64(keys.box_pub),
    }


def _keys_from(body: dict[str, Any], name: str) -> DeviceKeys:
    device = fmt.field(body, "device", str, name)
    if not fmt.DEVICE_RE.fullmatch(device):
        raise DamagedError("it names a malformed device id", name=name)
    return DeviceKeys(
        device,
        fmt.field(body, "name", str, name),
        fmt.key_field(body, "sign_pub", name),
        fmt.key_field(body, "box_pub", name),
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------- identity


def read_identity(store: SharedStore) -> tuple[fmt.Document, DeviceKeys, str]:
    """The shared register's identity: (document, first admin's keys, register id)."""
    data = store.read(fmt.REGISTER_FILE)
    if data is None:
        raise NotSharedError(f"{store.describe()} (it holds no {fmt.REGISTER_FILE})")
    doc = fmt.parse_document(data, "register", fmt.REGISTER_FILE)
    admin = _keys_from(fmt.field(doc.body, "admin", dict, fmt.REGISTER_FILE), fmt.REGISTER_FILE)
    register_id = fmt.field(doc.body, "register_id", str, fmt.REGISTER_FILE)
    if fmt.field(doc.body, "format", int, fmt.REGISTER_FILE) != fmt.FORMAT:
        raise DamagedError("it is of an unknown format version", name=fmt.REGISTER_FILE)
    try:
        doc.verify(admin.sign_pub)
    except crypto.CryptoError:
        raise BadSignatureError("the register's identity file is not signed by its admin",
                                name=fmt.REGISTER_FILE) from None  # fmt: skip
    return doc, admin, register_id


# ------------------------------------------------------------------------------------ roster


@dataclass(frozen=True)
class Revoked:
    keys: DeviceKeys
    cutoff_seq: int
    cutoff_hash: str


@dataclass(frozen=True)
class Roster:
    """The membership of one key epoch."""

    epoch: int
    author: str
    prev: str
    key_check: str
    members: tuple[tuple[DeviceKeys, str], ...]  # (keys, role)
    revoked: tuple[Revoked, ...]
    digest: str

    def member(self, device: str) -> tuple[DeviceKeys, str] | None:
        return next((m for m in self.members if m[0].device == device), None)

    def revoked_entry(self, device: str) -> Revoked | None:
        return next((r for r in self.revoked if r.keys.device == device), None)

    def admins(self) -> list[DeviceKeys]:
        return [k for k, role in self.members if role == st.ROLE_ADMIN]

    def signer_keys(self, device: str) -> DeviceKeys | None:
        entry = self.member(device)
        if entry is not None:
            return entry[0]
        revoked = self.revoked_entry(device)
        return None if revoked is None else revoked.keys

    def devices(self) -> list[str]:
        return [k.device for k, _ in self.members] + [r.keys.device for r in self.revoked]

    def body(self, register_id: str) -> dict[str, Any]:
        return {
            "format": fmt.FORMAT,
            "register_id": register_id,
            "epoch": self.epoch,
            "author": self.author,
            "prev": self.prev,
            "key_check": self.key_check,
            "members": [{**_keys_json(k), "role": role} for k, role in self.members],
            "revoked": [
                {**_keys_json(r.keys), "cutoff_seq": r.cutoff_seq, "cutoff_hash": r.cutoff_hash}
                for r in self.revoked
            ],
        }


def roster_from_body(body: dict[str, Any], digest: str, name: str) -> Roster:
    try:
        members = tuple(
            (_keys_from(m, name), fmt.field(m, "role", str, name))
            for m in fmt.field(body, "members", list, name)
        )
        revoked = tuple(
            Revoked(
                _keys_from(r, name),
                fmt.field(r, "cutoff_seq", int, name),
                fmt.field(r, "cutoff_hash", str, name),
            )
            for r in fmt.field(body, "revoked", list, name)
        )
    except AttributeError as exc:  # an entry that is not an object
        raise DamagedError("its member list is malformed", name=name) from exc
    return Roster(
        epoch=fmt.field(body, "epoch", int, name),
        author=fmt.field(body, "author", str, name),
        prev=fmt.field(body, "prev", str, name),
        key_check=fmt.field(body, "key_check", str, name),
        members=members,
        revoked=revoked,
        digest=digest,
    )


def current_roster(state: SyncState) -> Roster | None:
    if state.roster is None:
        return None
    body = dict(state.roster)
    digest = str(body.pop("digest"))
    return roster_from_body(body, digest, "the stored roster")


def _read_roster(
    store: SharedStore, author: DeviceKeys, epoch: int, register_id: str
) -> Roster | None:
    name = fmt.roster_name(author.device, epoch)
    data = store.read(name)
    if data is None:
        return None
    doc = fmt.parse_document(data, "roster", name)
    try:
        doc.verify(author.sign_pub)
    except crypto.CryptoError:
        raise BadSignatureError("a roster is not signed by the admin whose folder holds it",
                                device=author.device, name=name) from None  # fmt: skip
    roster = roster_from_body(doc.body, doc.digest, name)
    if (
        doc.body.get("register_id") != register_id
        or roster.epoch != epoch
        or roster.author != author.device
    ):
        raise DamagedError("a roster names another register, epoch or author", name=name)
    return roster


def refresh_roster(
    register: Register, store: SharedStore, state: SyncState, *, persist: bool = True
) -> tuple[SyncState, Roster | None, list[int]]:
    """Check the identity and follow the roster chain to its newest epoch.

    Returns the updated state, the current roster and the epochs newly accepted.
    """
    doc, first_admin, register_id = read_identity(store)
    if state.identity_hash is not None and doc.digest != state.identity_hash:
        raise RollbackError("the register's identity file was replaced",
                            name=fmt.REGISTER_FILE)  # fmt: skip
    if register_id != state.register_id:
        raise DamagedError("the shared folder holds another register", name=fmt.REGISTER_FILE)
    roster = current_roster(state)
    key_checks = dict(state.key_checks)
    if roster is not None:
        again = _read_roster(store, _author_keys(roster, first_admin, roster), roster.epoch,
                             register_id)  # fmt: skip
        if again is None or again.digest != roster.digest:
            raise RollbackError(
                f"the roster of epoch {roster.epoch} was removed or replaced",
                device=roster.author, name=fmt.roster_name(roster.author, roster.epoch),
            )  # fmt: skip
    accepted: list[int] = []
    while True:
        epoch = roster.epoch + 1 if roster else 1
        admins = roster.admins() if roster else [first_admin]
        found = [
            r for r in (_read_roster(store, a, epoch, register_id) for a in admins) if r is not None
        ]
        if not found:
            break
        if len({r.digest for r in found}) > 1:
            raise ForkError(f"two admins wrote different rosters for epoch {epoch}")
        new = found[0]
        if new.prev != (roster.digest if roster else fmt.ZERO_HASH):
            raise ForkError(f"the roster of epoch {epoch} does not follow the one before",
                            device=new.author)  # fmt: skip
        roster = new
        key_checks[str(epoch)] = new.key_check
        accepted.append(epoch)
    if accepted and roster is not None and persist:
        state = st.save(
            register,
            state,
            roster={**roster.body(register_id), "digest": roster.digest},
            key_checks=key_checks,
        )
    return state, roster, accepted


def _author_keys(roster: Roster, first_admin: DeviceKeys, current: Roster) -> DeviceKeys:
    if roster.epoch == 1:
        return first_admin
    keys = current.signer_keys(roster.author)
    if keys is None:
        raise UnknownSignerError("a roster's author is not a member", device=roster.author)
    return keys


def role_in(roster: Roster | None, device: str) -> str:
    if roster is None:
        return st.ROLE_PENDING
    entry = roster.member(device)
    if entry is not None:
        return entry[1]
    return st.ROLE_REVOKED if roster.revoked_entry(device) else st.ROLE_PENDING


# -------------------------------------------------------------------------------- key slots


def _slot_context(register_id: str, epoch: int, device: str) -> bytes:
    return f"{register_id}|{epoch}|{device}".encode()


def write_slot(
    register: Register, store: SharedStore, register_id: str, epoch: int, key: bytes,
    to: DeviceKeys,
) -> None:  # fmt: skip
    context = _slot_context(register_id, epoch, to.device)
    ephemeral, sealed = crypto.seal_to(to.box_pub, key, context)
    body = {
        "format": fmt.FORMAT, "register_id": register_id, "epoch": epoch, "device": to.device,
        "author": register.device_id, "ephemeral": crypto.b64(ephemeral),
        "sealed": crypto.b64(sealed),
    }  # fmt: skip
    data = fmt.encode_document("keyslot", body, register.material.sign_private)
    store.write_new(fmt.keyslot_name(register.device_id, epoch, to.device), data)


def unseal_missing_keys(
    register: Register, store: SharedStore, state: SyncState, roster: Roster
) -> None:
    """Unseal every epoch key sealed to this device that it does not hold yet."""
    st.store_epoch_keys(
        register, slot_keys(register, store, state, roster, st.epoch_keys(register))
    )


def slot_keys(
    register: Register, store: SharedStore, state: SyncState, roster: Roster, have: Any
) -> dict[int, bytes]:
    """Find, verify and open the key slots sealed to this device for epochs not in `have`."""
    register_id = str(state.register_id)
    me = register.device_id
    admins = {k.device: k for k in roster.admins()}
    found: dict[int, bytes] = {}
    for epoch in range(1, roster.epoch + 1):
        if epoch in have:
            continue
        for admin in admins.values():
            name = fmt.keyslot_name(admin.device, epoch, me)
            data = store.read(name)
            if data is None:
                continue
            doc = fmt.parse_document(data, "keyslot", name)
            try:
                doc.verify(admin.sign_pub)
            except crypto.CryptoError:
                raise BadSignatureError("a key slot is not signed by its admin",
                                        device=admin.device, name=name) from None  # fmt: skip
            body = doc.body
            if (body.get("register_id"), body.get("epoch"), body.get("device")) != (
                register_id, epoch, me,
            ):  # fmt: skip
                raise DamagedError("a key slot names another register, epoch or device", name=name)
            try:
                key = crypto.open_sealed(
                    register.material.box_private,
                    fmt.key_field(body, "ephemeral", name),
                    crypto.unb64(fmt.field(body, "sealed", str, name)),
                    _slot_context(register_id, epoch, me),
                )
            except (crypto.CryptoError, ValueError):
                raise DamagedError("a key slot does not open", name=name) from None
            expected = state.key_checks.get(str(epoch))
            if expected is not None and crypto.key_check(key, register_id, epoch) != expected:
                raise DamagedError("a key slot holds a key that is not its epoch's", name=name)
            found[epoch] = key
            break
    return found


# ------------------------------------------------------------------------------ the actions


def share(register: Register, share_dir: Path, name: str | None = None) -> SyncState:
    """Make `register` shared in `share_dir`; this device is its first admin."""
    state = st.load(register)
    if state.shared:
        raise AlreadySharedError(
            f"This register is shared already, in {state.share}. A register is shared once."
        )
    share_dir = Path(share_dir).absolute()
    check_folder(share_dir)  # a file given as the shared folder is not "unreachable"
    try:
        share_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ShareUnreachableError(share_dir, exc.strerror or str(exc)) from exc
    store = FolderStore(share_dir)
    store.check()
    me = own_keys(register, name or register.author)
    if store.exists(fmt.REGISTER_FILE) or set(store.list("devices")) - {me.device}:
        raise AlreadySharedError(
            f"{share_dir} already holds a shared register. Choose an empty folder, or join "
            "that register with 'isr join'."
        )
    # Only this device's own files and no identity: an earlier share cut short. Start again.
    _remove_unfinished_slots(store, me.device, 1)
    store.remove_unfinished(fmt.roster_name(me.device, 1))
    register_id = register.material.register_id
    identity = {"format": fmt.FORMAT, "register_id": register_id, "admin": _keys_json(me)}
    sign_private = register.material.sign_private
    store.write_new(fmt.device_pub_name(me.device),
                    fmt.encode_document("device", _keys_json(me), sign_private))  # fmt: skip
    key = crypto.new_key()
    st.store_epoch_keys(register, {1: key})
    roster = Roster(1, me.device, fmt.ZERO_HASH, crypto.key_check(key, register_id, 1),
                    ((me, st.ROLE_ADMIN),), (), "")  # fmt: skip
    write_slot(register, store, register_id, 1, key, me)
    roster_data = fmt.encode_document("roster", roster.body(register_id), sign_private)
    store.write_new(fmt.roster_name(me.device, 1), roster_data)
    identity_data = fmt.encode_document("register", identity, sign_private)
    if not store.write_new(fmt.REGISTER_FILE, identity_data):
        raise AlreadySharedError(f"{share_dir} was shared by someone else at the same moment.")
    return st.save(
        register,
        state,
        share=str(share_dir),
        register_id=register_id,
        identity_hash=crypto.sha256_hex(identity_data),
        role=st.ROLE_ADMIN,
        device_name=me.name,
        roster={**roster.body(register_id), "digest": crypto.sha256_hex(roster_data)},
        key_checks={"1": roster.key_check},
    )


def join(
    share_dir: Path, register_path: Path, passphrase: str, name: str, *,
    author: str | None = None, kdf: Any = None,
) -> JoinResult:  # fmt: skip
    """Create a local register for this device and ask to join the register shared in `share_dir`.

    The new register does not hold the register key yet: an admin approves the request after
    checking the fingerprint, and the next sync unseals the key and pulls everything.
    """
    share_dir = Path(share_dir).absolute()
    check_folder(share_dir)  # a file given as the shared folder is not "unreachable"
    store = FolderStore(share_dir)
    try:
        store.check()
    except ShareUnreachableError as exc:  # nothing of this device's waits to be sent yet
        raise JoinUnreachableError(exc) from exc
    doc, _, register_id = read_identity(store)
    if not name.strip():
        raise MembershipError("Give this device a name (e.g. 'Sam Patel, laptop') with --name.")
    register = Register.create(Path(register_path), passphrase, author=author, kdf=kdf)
    try:
        me = own_keys(register, name.strip()[:100])
        body = {**_keys_json(me), "format": fmt.FORMAT, "register_id": register_id,
                "requested": _now()}  # fmt: skip
        sign_private = register.material.sign_private
        store.write_new(fmt.device_pub_name(me.device),
                        fmt.encode_document("device", _keys_json(me), sign_private))  # fmt: skip
        store.write_new(fmt.request_name(me.device),
                        fmt.encode_document("request", body, sign_private))  # fmt: skip
        st.save(
            register,
            st.load(register),
            share=str(share_dir),
            register_id=register_id,
            identity_hash=doc.digest,
            role=st.ROLE_PENDING,
            device_name=me.name,
        )
    except BaseException:
        register.close()
        raise
    return JoinResult(register, me.device, me.fingerprint)


def _read_request(store: SharedStore, device: str, register_id: str) -> JoinRequest:
    name = fmt.request_name(device)
    data = store.read(name)
    if data is None:
        raise MembershipError(f"There is no request to join from device {device}.")
    doc = fmt.parse_document(data, "request", name)
    keys = _keys_from(doc.body, name)
    if keys.device != device or doc.body.get("register_id") != register_id:
        raise DamagedError("a request names another device or register", name=name)
    try:
        doc.verify(keys.sign_pub)
    except crypto.CryptoError:
        raise BadSignatureError("a request is not signed by its device", name=name) from None
    return JoinRequest(device, keys.name, keys.fingerprint, str(doc.body.get("requested", "")))


def _request_keys(store: SharedStore, device: str) -> DeviceKeys:
    data = store.read(fmt.request_name(device))
    assert data is not None
    return _keys_from(fmt.parse_document(data, "request", device).body, device)


def _shared_and_current(register: Register) -> tuple[SyncState, SharedStore, Roster]:
    state = st.load(register)
    store = store_for(state, register)
    store.check()
    state, roster, _ = refresh_roster(register, store, state)
    if roster is None:
        raise NotAMemberError("This device has not been approved yet.")
    return state, store, roster


def pending_requests(register: Register) -> list[JoinRequest]:
    """Requests to join from devices that are not on the roster."""
    state, store, roster = _shared_and_current(register)
    known = set(roster.devices())
    requests = []
    for entry in store.list("requests"):
        device = fmt.request_device(entry)
        if device is None or device in known:
            continue
        try:
            requests.append(_read_request(store, device, str(state.register_id)))
        except (DamagedError, BadSignatureError):
            continue  # a damaged request is not shown: the device can ask again
    return requests


def members(register: Register) -> list[MemberInfo]:
    state = st.load(register)
    roster = current_roster(state)
    if roster is None:
        raise NotAMemberError("This device has not been approved yet; it sees no members.")
    me = register.device_id
    result = [
        MemberInfo(k.device, k.name, role, k.fingerprint, k.device == me, False,
                   state.my_seq if k.device == me else state.peers.get(k.device, st.Peer()).seq)
        for k, role in roster.members
    ]  # fmt: skip
    result += [
        MemberInfo(r.keys.device, r.keys.name, st.ROLE_REVOKED, r.keys.fingerprint,
                   r.keys.device == me, True, r.cutoff_seq)
        for r in roster.revoked
    ]  # fmt: skip
    return result


def _require_admin(register: Register, roster: Roster) -> None:
    entry = roster.member(register.device_id)
    if entry is None or entry[1] != st.ROLE_ADMIN:
        raise MembershipError("Only an admin of the shared register can change its members.")


def _remove_unfinished_slots(store: SharedStore, admin: str, epoch: int) -> None:
    """Remove key slots an earlier, cut-short attempt at this epoch left behind.

    They hold that attempt's key, not the one this attempt seals, and a slot is never replaced:
    left in place they would give their devices the wrong key (an alarm) or, had the attempt
    sealed the key to a device this one leaves out, a key it should not have.
    """
    directory = fmt.keyslot_dir(admin, epoch)
    store.clean(directory)
    for entry in store.list(directory):
        if fmt.SLOT_RE.fullmatch(entry):
            store.remove_unfinished(f"{directory}/{entry}")


def _new_epoch(
    register: Register, store: SharedStore, state: SyncState, roster: Roster,
    members_: list[tuple[DeviceKeys, str]], revoked: list[Revoked],
    backfill: DeviceKeys | None = None,
) -> SyncState:  # fmt: skip
    """Write slots and then the roster of a new epoch; the roster's arrival makes it real."""
    register_id = str(state.register_id)
    epoch = roster.epoch + 1
    _remove_unfinished_slots(store, register.device_id, epoch)
    key = crypto.new_key()
    st.store_epoch_keys(register, {epoch: key})
    for keys, _ in members_:
        write_slot(register, store, register_id, epoch, key, keys)
    if backfill is not None:
        for old_epoch, old_key in sorted(st.epoch_keys(register).items()):
            if old_epoch < epoch:
                write_slot(register, store, register_id, old_epoch, old_key, backfill)
    new = Roster(
        epoch,
        register.device_id,
        roster.digest,
        crypto.key_check(key, register_id, epoch),
        tuple(members_),
        tuple(revoked),
        "",
    )
    data = fmt.encode_document("roster", new.body(register_id), register.material.sign_private)
    if not store.write_new(fmt.roster_name(register.device_id, epoch), data):
        raise MembershipError("Another change of members was being written; sync and try again.")
    return st.save(
        register, state,
        roster={**new.body(register_id), "digest": crypto.sha256_hex(data)},
        key_checks={**state.key_checks, str(epoch): new.key_check},
    )  # fmt: skip


def approve(register: Register, device: str, *, admin: bool = False) -> MemberInfo:
    """Approve a request to join: seal the register's keys to that device."""
    state, store, roster = _shared_and_current(register)
    _require_admin(register, roster)
    if roster.member(device) is not None:
        raise MembershipError(f"Device {device} is a member already.")
    if roster.revoked_entry(device) is not None:
        raise MembershipError(f"Device {device} was removed; it must ask to join again as new.")
    _read_request(store, device, str(state.register_id))
    keys = _request_keys(store, device)
    role = st.ROLE_ADMIN if admin else st.ROLE_MEMBER
    _new_epoch(register, store, state, roster, [*roster.members, (keys, role)],
               list(roster.revoked), backfill=keys)  # fmt: skip
    return MemberInfo(device, keys.name, role, keys.fingerprint, False, False, 0)


def revoke(register: Register, device: str) -> MemberInfo:
    """Remove a device: a new key epoch sealed only to the devices that remain.

    Call after a sync, so that the cut-off is the last segment this device had seen.
    """
    state, store, roster = _shared_and_current(register)
    _require_admin(register, roster)
    entry = roster.member(device)
    if entry is None:
        raise MembershipError(f"Device {device} is not a member.")
    if device == register.device_id:
        raise MembershipError("An admin cannot remove their own device; ask another admin.")
    peer = state.peers.get(device, st.Peer())
    remaining = [m for m in roster.members if m[0].device != device]
    revoked = [*roster.revoked, Revoked(entry[0], peer.seq, peer.hash)]
    _new_epoch(register, store, state, roster, remaining, revoked)
    return MemberInfo(device, entry[0].name, st.ROLE_REVOKED, entry[0].fingerprint, False, True,
                      peer.seq)  # fmt: skip
