"""Sync bookkeeping kept in the register's own (encrypted) database, under meta keys "sync.*".

What was published, what each other device was last seen at, operations held back because
their clock is too far ahead, the alarms of the last round. Epoch keys are secrets and live in
the key file instead (`KeyMaterial.extra`, keys "sync.epoch.<n>").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from app import keys
from app.register import Register
from db.models import MetaRecord

PREFIX = "sync."
EPOCH_KEY_PREFIX = "sync.epoch."

ROLE_ADMIN = "admin"
ROLE_MEMBER = "member"
ROLE_PENDING = "pending"
ROLE_REVOKED = "revoked"


@dataclass(frozen=True)
class Peer:
    """How far this device has read another device's segments, and its head."""

    seq: int = 0
    hash: str = "0" * 64
    head_seq: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "head_seq": self.head_seq}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Peer:
        return cls(int(data["seq"]), str(data["hash"]), int(data.get("head_seq", 0)))


@dataclass(frozen=True)
class SyncState:
    """Everything of `register_meta` under "sync."; `shared` is False until shared."""

    share: str | None = None
    register_id: str | None = None
    identity_hash: str | None = None
    role: str | None = None
    device_name: str = ""
    roster: dict[str, Any] | None = None  # body of the current roster, plus "digest"
    key_checks: dict[str, str] = field(default_factory=dict)  # epoch -> key check
    published_seq: int = 0  # local operation.seq up to which our own operations are published
    my_seq: int = 0
    my_hash: str = "0" * 64
    head_seq: int = 0
    peers: dict[str, Peer] = field(default_factory=dict)
    held: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    last_sync: str | None = None

    @property
    def shared(self) -> bool:
        return self.share is not None

    @property
    def epoch(self) -> int:
        return int(self.roster["epoch"]) if self.roster else 0


_JSON_FIELDS = {"roster", "key_checks", "peers", "held", "alarms"}
_INT_FIELDS = {"published_seq", "my_seq", "head_seq"}


def load(register: Register) -> SyncState:
    with register.session() as session:
        rows = session.execute(
            select(MetaRecord.key, MetaRecord.value).where(MetaRecord.key.like(PREFIX + "%"))
        ).all()
    values: dict[str, Any] = {}
    for key, text in rows:
        name = key[len(PREFIX) :]
        if name not in SyncState.__dataclass_fields__:
            continue
        if name == "peers":
            values[name] = {d: Peer.from_json(p) for d, p in json.loads(text).items()}
        elif name in _JSON_FIELDS:
            values[name] = json.loads(text)
        elif name in _INT_FIELDS:
            values[name] = int(text)
        else:
            values[name] = text
    return SyncState(**values)


def _encode(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if name == "peers":
        return json.dumps({d: p.to_json() for d, p in sorted(value.items())})
    if name in _JSON_FIELDS:
        return json.dumps(value, sort_keys=True)
    return str(value)


def save(register: Register, state: SyncState, **changes: Any) -> SyncState:
    """Store the given fields (one transaction) and return the updated state."""
    new = replace(state, **changes)
    with register.session() as session, session.begin():
        for name in changes:
            text = _encode(name, getattr(new, name))
            key = PREFIX + name
            record = session.get(MetaRecord, key)
            if text is None:
                if record is not None:
                    session.delete(record)
            elif record is None:
                session.add(MetaRecord(key=key, value=text))
            else:
                record.value = text
    return new


# ------------------------------------------------------------------------------ epoch keys


def epoch_key(register: Register, epoch: int) -> bytes | None:
    from app.sync.crypto import unb64

    text = register.material.extra.get(f"{EPOCH_KEY_PREFIX}{epoch}")
    return None if text is None else unb64(text)


def epoch_keys(register: Register) -> dict[int, bytes]:
    from app.sync.crypto import unb64

    return {
        int(k[len(EPOCH_KEY_PREFIX) :]): unb64(v)
        for k, v in register.material.extra.items()
        if k.startswith(EPOCH_KEY_PREFIX)
    }


def store_epoch_keys(register: Register, new_keys: dict[int, bytes]) -> None:
    """Add epoch keys to the key file (and to the open register's material)."""
    from app.paths import KEY_FILE
    from app.sync.crypto import b64

    if not new_keys:
        return
    material = keys.with_extra(
        register.material, **{f"{EPOCH_KEY_PREFIX}{e}": b64(k) for e, k in new_keys.items()}
    )
    keys.update_material(register.path / KEY_FILE, register.wrapping_key, material)
    register.material = material
