"""The operation log: the one door through which every change enters the register.

An operation targets one field of one record (``_exists`` for create, delete, undelete, link and
unlink). Applying a set of operations is deterministic whatever the order they arrive in:

* each field's value is that of its winning operation, the greatest by ``(clock, device)``;
  a create carries the record's initial values and is the implicit winner of every field no
  later operation touched;
* each field keeps its *heads*: the operations on it that no other operation superseded (an
  operation lists in ``bases`` the heads its author saw). Two heads or more is a conflict that a
  person resolves by writing a value whose bases are all the heads;
* a record is live unless the latest operation touching it is a delete (or an unlink, for a
  link); an edit stamped after a delete revives the record and is reported as a conflict until
  someone undeletes or deletes it again.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import itertools
import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, Integer, LargeBinary, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from db.base import Base
from db.models import (
    ENTITY_RECORDS,
    BatchRecord,
    EntityRecord,
    FieldHeadRecord,
    LinkRecord,
    OperationBaseRecord,
    OperationRecord,
    RecordStateRecord,
)
from db.types import UTCDateTime

EXISTS = "_exists"
LINK_SEPARATOR = "|"
CHUNK = 500

JsonValue = str | int | float | bool | None | dict[str, Any] | list[Any]


class OpKind(StrEnum):
    CREATE = "create"
    SET = "set"
    DELETE = "delete"
    UNDELETE = "undelete"
    LINK = "link"
    UNLINK = "unlink"
    RESOLVE = "resolve"


ALIVE_KINDS = frozenset({OpKind.CREATE, OpKind.UNDELETE, OpKind.LINK})
DEAD_KINDS = frozenset({OpKind.DELETE, OpKind.UNLINK})
EXISTENCE_KINDS = ALIVE_KINDS | DEAD_KINDS


@dataclass(frozen=True)
class Operation:
    """One change, as stored in the log and exchanged by sync."""

    op_id: str
    batch_id: str
    hlc: int
    device: str
    author: str
    kind: OpKind
    entity: str
    record_id: str
    field: str
    value: JsonValue
    bases: tuple[str, ...] = ()

    @property
    def stamp(self) -> tuple[int, str]:
        return (self.hlc, self.device)

    def sort_key(self) -> tuple[int, str, str]:
        return (self.hlc, self.device, self.op_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "batch_id": self.batch_id,
            "hlc": self.hlc,
            "device": self.device,
            "author": self.author,
            "kind": str(self.kind),
            "entity": self.entity,
            "record_id": self.record_id,
            "field": self.field,
            "value": self.value,
            "bases": list(self.bases),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Operation:
        return cls(
            op_id=str(data["op_id"]),
            batch_id=str(data["batch_id"]),
            hlc=int(data["hlc"]),
            device=str(data["device"]),
            author=str(data["author"]),
            kind=OpKind(data["kind"]),
            entity=str(data["entity"]),
            record_id=str(data["record_id"]),
            field=str(data["field"]),
            value=data["value"],
            bases=tuple(str(b) for b in data.get("bases", ())),
        )


def new_id() -> str:
    """A new random id in the UUID version 7 layout: 48 bits of milliseconds, 74 random bits.

    Ids made one after another sort one after another, so the rows and index entries of a
    large batch are appended at the end of each index rather than scattered through it (which
    with a big import would evict and decrypt pages again and again). Built from hex text, as
    an import makes two per record.
    """
    millis = f"{time.time_ns() // 1_000_000 & _MILLIS_MASK:012x}"
    noise = os.urandom(10).hex()  # its first digit makes way for the version, its fifth's
    # top two bits for the variant: 74 random bits are left
    return f"{millis[:8]}-{millis[8:]}-7{noise[1:4]}-{_VARIANT[noise[4]]}{noise[5:8]}-{noise[8:]}"


_MILLIS_MASK = (1 << 48) - 1
_VARIANT = {f"{d:x}": f"{d & 0x3 | 0x8:x}" for d in range(16)}  # a hex digit -> 10xx (RFC 9562)


def link_id(left: str, right: str) -> str:
    return f"{left}{LINK_SEPARATOR}{right}"


# ------------------------------------------------------------------------ value coding


def model_for(entity: str) -> type[EntityRecord] | type[LinkRecord]:
    try:
        return ENTITY_RECORDS[entity]
    except KeyError:
        raise ValueError(f"unknown kind of record: {entity!r}") from None


def field_names(entity: str) -> tuple[str, ...]:
    """Return the fields an operation may set on `entity` (every column but id and is_live)."""
    return _FIELDS[entity]


_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(c.key for c in model.__table__.columns if c.key not in ("id", "is_live"))
    for name, model in ENTITY_RECORDS.items()
}

TEXT, DATE, BOOL, WHOLE, BYTES = "text", "date", "bool", "int", "bytes"


def _codec_of(column_type: Any) -> str:
    """The JSON coding of a column: dates as ISO text, bytes as base64, the rest as they are."""
    if isinstance(column_type, Date):
        return DATE
    if isinstance(column_type, Boolean):
        return BOOL
    if isinstance(column_type, Integer):
        return WHOLE
    if isinstance(column_type, LargeBinary):
        return BYTES
    return TEXT


# Looked up once per field value written, so worked out once here rather than per call.
_CODECS: dict[str, dict[str, str]] = {
    name: {
        c.key: _codec_of(c.type) for c in model.__table__.columns if c.key not in ("id", "is_live")
    }
    for name, model in ENTITY_RECORDS.items()
}


def _codecs(entity: str) -> dict[str, str]:
    if entity not in _CODECS:
        model_for(entity)  # an unknown kind of record is refused with its own message
    return _CODECS[entity]


def _codec(entity: str, name: str) -> str:
    codec = _codecs(entity).get(name)
    if codec is None:
        raise ValueError(f"{entity} has no field {name!r}")
    return codec


def encode_value(entity: str, name: str, value: Any) -> JsonValue:
    """Encode a field value as JSON, checked against the column's type."""
    if value is None:
        return None
    codec = _codec(entity, name)
    if codec == TEXT:
        if not isinstance(value, str):
            raise TypeError(f"{entity}.{name} takes text, not {value!r}")
        return value
    if codec == DATE:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError(f"{entity}.{name} takes a date, not {value!r}")
        return value.isoformat()
    if codec == BOOL:
        if not isinstance(value, bool):
            raise TypeError(f"{entity}.{name} takes yes/no, not {value!r}")
        return value
    if codec == WHOLE:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{entity}.{name} takes a whole number, not {value!r}")
        return value
    if not isinstance(value, bytes):
        raise TypeError(f"{entity}.{name} takes bytes")
    return base64.b64encode(value).decode("ascii")


def decode_value(entity: str, name: str, value: JsonValue) -> Any:
    if value is None:
        return None
    codec = _codec(entity, name)
    if codec == DATE:
        return dt.date.fromisoformat(str(value))
    if codec == BYTES:
        return base64.b64decode(str(value))
    return value


def encode_values(entity: str, values: Mapping[str, Any]) -> dict[str, JsonValue]:
    """`encode_value` of each field given a value (None leaves the field out)."""
    codecs = _codecs(entity)
    encoded: dict[str, JsonValue] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, str) and codecs.get(name) == TEXT:
            encoded[name] = value  # the common case, checked without a call
        else:
            encoded[name] = encode_value(entity, name, value)
    return encoded


# One encoder, made once: `json.dumps` with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _dumps(value: JsonValue) -> str:
    return _ENCODER.encode(value)


# ------------------------------------------------------------------------ bulk inserts
#
# New rows (log entries, records created in a batch, their states) are inserted with one
# executemany per table of values already in their stored form: the statement is compiled by
# SQLAlchemy once, and no per-row parameter processing or unit of work stands in between.

_DIALECT = sqlite.dialect()
LOG_COLUMNS = ("op_id", "batch_id", "hlc", "device", "author", "kind", "entity", "record_id",
               "field", "value", "bases", "received_at")  # fmt: skip
STATE_COLUMNS = ("entity", "record_id", "hlc", "device", "kind", "created_op", "created_hlc",
                 "created_device", "deleted_hlc", "alive_hlc")  # fmt: skip
BASE_COLUMNS = ("op_id", "base_op_id")


@functools.cache
def _insert_sql(table_name: str, columns: tuple[str, ...]) -> str:
    compiled = (
        Base.metadata.tables[table_name]
        .insert()
        .compile(dialect=_DIALECT, column_keys=list(columns))
    )
    if tuple(compiled.positiontup or ()) != columns:
        raise AssertionError(f"unexpected parameter order for {table_name}")
    return str(compiled)


def _insert_rows(
    session: Session, table_name: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if rows:
        session.connection().exec_driver_sql(_insert_sql(table_name, columns), rows)


def _stored_date(value: JsonValue) -> str:
    return dt.date.fromisoformat(str(value)).isoformat()


def _stored_bool(value: JsonValue) -> int:
    return int(value)  # type: ignore[arg-type]


def _stored_bytes(value: JsonValue) -> bytes:
    return base64.b64decode(str(value))


_STORED = {DATE: _stored_date, BOOL: _stored_bool, BYTES: _stored_bytes}
"""JSON value -> what SQLAlchemy's column type would store (text and whole numbers as they are)."""


@dataclass(frozen=True)
class _RowLayout:
    """Where each column of an entity's table sits in a row tuple, and how its value is stored."""

    table: str
    columns: tuple[str, ...]
    positions: dict[str, int]  # field -> index in `columns` (not id or is_live)
    stored: dict[str, Any]  # field -> conversion, for the fields that need one
    id_position: int
    live_position: int

    def blank(self, record_id: str, *, live: bool = True) -> list[Any]:
        row: list[Any] = [None] * len(self.columns)
        row[self.id_position] = record_id
        row[self.live_position] = live
        return row


def _row_layout(entity: str) -> _RowLayout:
    model = model_for(entity)
    columns = tuple(c.key for c in model.__table__.columns)
    codecs = _CODECS[entity]
    return _RowLayout(
        table=model.__tablename__,
        columns=columns,
        positions={name: columns.index(name) for name in codecs},
        stored={name: _STORED[c] for name, c in codecs.items() if c in _STORED},
        id_position=columns.index("id"),
        live_position=columns.index("is_live"),
    )


_LAYOUTS: dict[str, _RowLayout] = {name: _row_layout(name) for name in ENTITY_RECORDS}


def _created_row(op: Operation) -> tuple[Any, ...]:
    """The row a create (or link) of a new record inserts, in its table's column order."""
    layout = _LAYOUTS[op.entity]
    row = layout.blank(op.record_id)
    if op.kind == OpKind.LINK:
        left, right = op.record_id.split(LINK_SEPARATOR, 1)
        row[layout.positions["left_id"]], row[layout.positions["right_id"]] = left, right
        return tuple(row)
    assert isinstance(op.value, dict)
    positions, stored = layout.positions, layout.stored
    for name, value in op.value.items():
        position = positions.get(name)
        if position is None:
            raise ValueError(f"{op.entity} has no field {name!r}")
        if name in stored and value is not None:
            value = stored[name](value)
        row[position] = value
    return tuple(row)


# ---------------------------------------------------------------------------- applying


def unknown_operations(session: Session, ops: Sequence[Operation]) -> list[Operation]:
    """Those of `ops` the log does not hold yet (and each only once)."""
    seen: set[str] = set()
    ids = [op.op_id for op in ops]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        seen.update(
            session.scalars(select(OperationRecord.op_id).where(OperationRecord.op_id.in_(chunk)))
        )
    fresh: list[Operation] = []
    for op in ops:
        if op.op_id not in seen:
            seen.add(op.op_id)
            fresh.append(op)
    return fresh


def _log_rows(ops: Sequence[Operation]) -> list[tuple[Any, ...]]:
    received = UTCDateTime().process_bind_param(dt.datetime.now(dt.UTC), _DIALECT)
    return [
        (op.op_id, op.batch_id, op.hlc, op.device, op.author, op.kind.value, op.entity,
         op.record_id, op.field, _dumps(op.value), _dumps(list(op.bases)) if op.bases else "[]",
         received)
        for op in ops
    ]  # fmt: skip


def _in_stamp_order(ops: Sequence[Operation]) -> list[Operation]:
    """`ops` sorted by stamp; a device's own new operations already are, and are left as they are.

    Sorting needs a key tuple per operation; checking the order needs only the clocks, as long
    as every clock differs from the one before (they do for one device: its clock only rises).
    """
    if all(a.hlc < b.hlc for a, b in itertools.pairwise(ops)):
        return list(ops)
    return sorted(ops, key=Operation.sort_key)


def apply_operations(
    session: Session, ops: Sequence[Operation], *, known_new: bool = False
) -> list[Operation]:
    """Append `ops` to the log and materialise them; returns those that were new.

    Idempotent: operations already in the log are skipped. `known_new` skips that check for
    operations this device has just made (and takes their creates for creates of new records).
    The caller owns the transaction.
    """
    fresh = _in_stamp_order(ops if known_new else unknown_operations(session, ops))
    if not fresh:
        return []
    for op in fresh:  # unknown kinds are rejected before anything is written
        model_for(op.entity)
    session.flush()
    _insert_rows(session, OperationRecord.__tablename__, LOG_COLUMNS, _log_rows(fresh))
    edges = [(op.op_id, b) for op in fresh if op.bases for b in sorted(set(op.bases))]
    _insert_rows(session, OperationBaseRecord.__tablename__, BASE_COLUMNS, edges)
    materialiser = _Materialiser(session, fresh, known_new=known_new)
    materialiser.run()
    _expire(session, materialiser.updated)
    return fresh


_BOOKKEEPING = frozenset({"record_state", "field_state", "field_head"})


def _expire(session: Session, updated: set[Key]) -> None:
    """Rows were written beneath the session: objects it holds of them must read them again."""
    for obj in list(session.identity_map.values()):
        table = getattr(type(obj), "__tablename__", "")
        if table in _BOOKKEEPING or (table, getattr(obj, "id", None)) in updated:
            session.expire(obj)


ROWS_PER_INSERT = CHUNK * 4
Key = tuple[str, str]  # (entity, record id)
FieldKey = tuple[str, str, str]  # (entity, record id, field)
Stamp = tuple[int, str]  # (clock, device)


@dataclass
class _State:
    """A record's liveness state (a row of record_state), changed in memory while applying."""

    hlc: int
    device: str
    kind: str
    created_op: str | None = None
    created_hlc: int | None = None
    created_device: str | None = None
    deleted_hlc: int | None = None
    alive_hlc: int | None = None

    @property
    def created_stamp(self) -> Stamp:
        return _stamp_of(self.created_hlc, self.created_device)

    def row(self, key: Key) -> tuple[Any, ...]:
        return (*key, self.hlc, self.device, self.kind, self.created_op, self.created_hlc,
                self.created_device, self.deleted_hlc, self.alive_hlc)  # fmt: skip


def _stamp_of(hlc: int | None, device: str | None) -> Stamp:
    return (hlc or -1, device or "")


def _rows_in(session: Session, sql: str, ids: Iterable[str], *first: Any) -> Iterator[Any]:
    """The rows of `sql` for `ids`, asked for in chunks.

    `sql` ends in `IN (`; `first` are the values of the parameters before the ids.
    """
    ordered = sorted(set(ids))
    connection = session.connection()
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        yield from connection.exec_driver_sql(f"{sql}{_in_marks(len(chunk))})", (*first, *chunk))


def _by_entity(keys: Iterable[Key]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for entity, record_id in keys:
        grouped.setdefault(entity, []).append(record_id)
    return grouped


def _in_marks(count: int) -> str:
    return ",".join("?" * count)


class _Materialiser:
    """Folds one call's operations into the records, their states and the field heads.

    Everything the operations touch is read first (a few queries per kind of record), the
    operations are folded in memory in stamp order, and the outcome is written back with one
    statement per table and column: the same result as applying them one by one, without a
    round of queries per operation.
    """

    def __init__(self, session: Session, ops: Sequence[Operation], *, known_new: bool) -> None:
        self.session = session
        self.ops = ops
        self.check_targets = not known_new
        self.known_new = known_new
        self.rows: dict[Key, bool] = {}  # records whose row exists (or is pending): is it live
        self.states: dict[Key, _State] = {}
        self.winners: dict[FieldKey, tuple[str, int, str]] = {}  # -> (op id, hlc, device)
        self.new_rows: dict[str, list[tuple[Any, ...]]] = {}
        self.new_row_count = 0
        self.values: dict[tuple[str, str], dict[str, Any]] = {}  # (entity, field) -> id -> value
        self.changed_winners: set[FieldKey] = set()
        self.changed_states: set[Key] = set()
        self.heads_due: set[FieldKey] = set()
        self.late_creates: set[Key] = set()
        self.updated: set[Key] = set()  # records whose existing row was changed

    # -- reading what the operations touch

    def run(self) -> None:
        self._load()
        for op in self.ops:
            self._fold(op)
        self._write()
        self._write_heads()

    def _load(self) -> None:
        touched: set[Key] = set()
        present: set[Key] = set()
        for op in self.ops:
            key = (op.entity, op.record_id)
            if not (self.known_new and op.kind == OpKind.CREATE):
                touched.add(key)
            if self.check_targets:
                present.update(_reference_targets(op))
            if op.kind in (OpKind.LINK, OpKind.UNLINK) or self.check_targets:
                present.update(_link_ends(op))
        present |= touched
        for entity, ids in _by_entity(present).items():
            rows = _rows_in(self.session, f'SELECT id, is_live FROM "{entity}" WHERE id IN (', ids)
            self.rows.update(((entity, i), bool(live)) for i, live in rows)
        for entity, ids in _by_entity(touched).items():
            states = _rows_in(
                self.session,
                "SELECT record_id, hlc, device, kind, created_op, "
                "created_hlc, created_device, deleted_hlc, alive_hlc FROM "
                "record_state WHERE entity = ? AND record_id IN (",
                ids,
                entity,
            )
            for record_id, *values in states:
                self.states[(entity, record_id)] = _State(*values)
            winners = _rows_in(
                self.session,
                "SELECT record_id, field, op_id, hlc, device FROM "
                "field_state WHERE entity = ? AND record_id IN (",
                ids,
                entity,
            )
            for record_id, name, op_id, hlc, device in winners:
                self.winners[(entity, record_id, name)] = (op_id, hlc, device)

    # -- folding the operations in, in stamp order

    def _fold(self, op: Operation) -> None:
        key = (op.entity, op.record_id)
        if (
            op.kind in (OpKind.CREATE, OpKind.LINK)
            and key not in self.states
            and (key not in self.rows)
        ):
            row = _created_row(op)  # refuses unknown fields before anything is written
            if self.check_targets:
                self._ensure_targets(op)
            self._add_row(op.entity, row)
            self.rows[key] = True
            self.states[key] = _State(op.hlc, op.device, str(op.kind), op.op_id, op.hlc,
                                      op.device, None, op.hlc)  # fmt: skip
            self.changed_states.add(key)
            return
        if self.check_targets:
            self._ensure_targets(op)
        self._ensure_row(*key)
        if op.kind == OpKind.CREATE:
            assert isinstance(op.value, dict)
            for name, value in op.value.items():
                self._write_field(op, name, value)
            # A create that arrives late is the implicit head of every field: fold it in.
            self.late_creates.add(key)
        elif op.kind in (OpKind.SET, OpKind.RESOLVE):
            self._write_field(op, op.field, op.value)
            self.heads_due.add((*key, op.field))
        self._update_state(op)

    def _ensure_targets(self, op: Operation) -> None:
        for entity, record_id in _reference_targets(op):
            self._ensure_row(entity, record_id)

    def _ensure_row(self, entity: str, record_id: str) -> None:
        """A placeholder row, so that references hold while a record's create is to come."""
        if (entity, record_id) in self.rows:
            return
        layout = _LAYOUTS[entity]
        row = layout.blank(record_id, live=False)
        model = model_for(entity)
        if issubclass(model, LinkRecord):
            left, right = record_id.split(LINK_SEPARATOR, 1)
            row[layout.positions["left_id"]], row[layout.positions["right_id"]] = left, right
            for end, end_id in zip(model.__ends__, (left, right), strict=True):
                self._ensure_row(end, end_id)
        self._add_row(entity, tuple(row))
        self.rows[(entity, record_id)] = False

    def _write_field(self, op: Operation, name: str, value: JsonValue) -> None:
        """Fold one field write into the winner, and take its value if it wins."""
        _codec(op.entity, name)  # an unknown field is refused with its own message
        key = (op.entity, op.record_id, name)
        winner = self.winners.get(key)
        state = self.states.get((op.entity, op.record_id))
        if winner is not None:
            current = _stamp_of(winner[1], winner[2])
        elif state is not None and state.created_op is not None and state.created_op != op.op_id:
            current = state.created_stamp
        else:
            current = (-1, "")
        if op.stamp <= current:
            return
        if not (op.kind == OpKind.CREATE and winner is None):
            self.winners[key] = (op.op_id, op.hlc, op.device)
            self.changed_winners.add(key)
        convert = _LAYOUTS[op.entity].stored.get(name)
        stored = value if convert is None or value is None else convert(value)
        self.values.setdefault((op.entity, name), {})[op.record_id] = stored

    def _update_state(self, op: Operation) -> None:
        key = (op.entity, op.record_id)
        state = self.states.get(key)
        if state is None:
            state = self.states[key] = _State(op.hlc, op.device, str(op.kind))
        elif op.stamp > (state.hlc, state.device):
            state.hlc, state.device, state.kind = op.hlc, op.device, str(op.kind)
        if op.kind in (OpKind.CREATE, OpKind.LINK) and (
            state.created_op is None or op.sort_key() < (*state.created_stamp, state.created_op)
        ):
            state.created_op, state.created_hlc, state.created_device = op.op_id, op.hlc, op.device
        if op.kind in DEAD_KINDS:
            state.deleted_hlc = max(state.deleted_hlc or -1, op.hlc)
        if op.kind in ALIVE_KINDS:
            state.alive_hlc = max(state.alive_hlc or -1, op.hlc)
        self.changed_states.add(key)

    # -- writing the outcome

    def _add_row(self, entity: str, row: tuple[Any, ...]) -> None:
        """A new row to insert; they are inserted a few thousand at a time (memory stays low)."""
        self.new_rows.setdefault(entity, []).append(row)
        self.new_row_count += 1
        if self.new_row_count >= ROWS_PER_INSERT:
            self._insert_new_rows()

    def _insert_new_rows(self) -> None:
        for table in Base.metadata.sorted_tables:  # records before those that refer to them
            rows = self.new_rows.get(table.name)
            if rows:
                layout = _LAYOUTS[table.name]
                _insert_rows(self.session, layout.table, layout.columns, rows)
        self.new_rows.clear()
        self.new_row_count = 0

    def _write(self) -> None:
        connection = self.session.connection()
        self._insert_new_rows()
        for (entity, _), values in self.values.items():
            self.updated.update((entity, record_id) for record_id in values)
        for (entity, name), values in sorted(self.values.items()):
            connection.exec_driver_sql(
                f'UPDATE "{entity}" SET "{name}" = ? WHERE id = ?',
                [(value, record_id) for record_id, value in values.items()],
            )
        if self.changed_winners:
            connection.exec_driver_sql(
                "INSERT OR REPLACE INTO field_state (entity, record_id, field, op_id, hlc, device)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(*key, *self.winners[key]) for key in sorted(self.changed_winners)],
            )
        changed_states = sorted(self.changed_states)
        if changed_states:
            connection.exec_driver_sql(
                f"INSERT OR REPLACE INTO record_state ({', '.join(STATE_COLUMNS)}) "
                f"VALUES ({_in_marks(len(STATE_COLUMNS))})",
                [self.states[key].row(key) for key in changed_states],
            )
        liveness: dict[str, list[tuple[bool, str]]] = {}
        for key in changed_states:
            live = self.states[key].kind not in DEAD_KINDS
            if self.rows.get(key) != live:
                liveness.setdefault(key[0], []).append((live, key[1]))
                self.updated.add(key)
                self.rows[key] = live
        for entity, changes in liveness.items():
            connection.exec_driver_sql(f'UPDATE "{entity}" SET is_live = ? WHERE id = ?', changes)

    def _write_heads(self) -> None:
        """Set the heads of every field written: its writers that no writer lists as a base.

        Computed from the whole log, which now holds every operation of this call.
        """
        due = set(self.heads_due)
        records = {(e, r) for e, r, _ in due} | self.late_creates
        if not records:
            return
        log = self._log_of(records)
        for key in self.late_creates:
            due.update((*key, name) for name in log.get(key, {}) if name != EXISTS)
        stored = self._stored_heads(records)
        connection = self.session.connection()
        stale: list[FieldKey] = []
        fresh: list[tuple[str, str, str, str]] = []
        for entity, record_id, name in sorted(due):
            fields = log.get((entity, record_id), {})
            heads = _heads(fields.get(name, []), _first_create(fields))
            if heads != stored.get((entity, record_id, name), set()):
                stale.append((entity, record_id, name))
                fresh.extend((entity, record_id, name, h) for h in sorted(heads))
        if stale:
            connection.exec_driver_sql(
                "DELETE FROM field_head WHERE entity = ? AND record_id = ? AND field = ?", stale
            )
        if fresh:
            connection.exec_driver_sql(
                "INSERT INTO field_head (entity, record_id, field, op_id) VALUES (?, ?, ?, ?)",
                fresh,
            )

    def _log_of(self, records: set[Key]) -> dict[Key, dict[str, list[_LogEntry]]]:
        """Every logged operation on `records`, by record and field."""
        found: dict[Key, dict[str, list[_LogEntry]]] = {}
        for entity, ids in _by_entity(records).items():
            rows = _rows_in(
                self.session,
                "SELECT record_id, field, op_id, kind, hlc, device, "
                "bases FROM operation WHERE entity = ? AND record_id IN (",
                ids,
                entity,
            )
            for record_id, name, op_id, kind, hlc, device, bases in rows:
                found.setdefault((entity, record_id), {}).setdefault(name, []).append(
                    _LogEntry(op_id, kind, hlc, device, bases)
                )
        return found

    def _stored_heads(self, records: set[Key]) -> dict[FieldKey, set[str]]:
        stored: dict[FieldKey, set[str]] = {}
        for entity, ids in _by_entity(records).items():
            rows = _rows_in(
                self.session,
                "SELECT record_id, field, op_id FROM field_head "
                "WHERE entity = ? AND record_id IN (",
                ids,
                entity,
            )
            for record_id, name, op_id in rows:
                stored.setdefault((entity, record_id, name), set()).add(op_id)
        return stored


@dataclass(frozen=True)
class _LogEntry:
    op_id: str
    kind: str
    hlc: int
    device: str
    bases: str  # JSON list


_CREATE_KINDS = (str(OpKind.CREATE), str(OpKind.LINK))


def _first_create(fields: dict[str, list[_LogEntry]]) -> str | None:
    """The record's earliest create in the log: the implicit head of every field."""
    creates = [e for e in fields.get(EXISTS, ()) if e.kind in _CREATE_KINDS]
    if not creates:
        return None
    return min(creates, key=lambda e: (e.hlc, e.device, e.op_id)).op_id


def _heads(writers: list[_LogEntry], implicit: str | None) -> set[str]:
    """The heads of one field: its writers (and the create) that no writer lists as a base.

    Only the create left is stored as no heads: it stays implicit (see `current_heads`).
    """
    superseded: set[str] = set()
    for entry in writers:
        if entry.bases != "[]":
            superseded.update(json.loads(entry.bases))
    heads = {entry.op_id for entry in writers}
    if implicit is not None:
        heads.add(implicit)
    heads -= superseded
    if implicit is not None and heads == {implicit}:
        return set()
    return heads


def _reference_targets(op: Operation) -> Iterator[tuple[str, str]]:
    """(entity, id) of every record `op` points at through a reference column."""
    model = model_for(op.entity)
    values: dict[str, Any]
    if issubclass(model, LinkRecord):  # every operation on a link holds both its ends
        left, right = op.record_id.split(LINK_SEPARATOR, 1)
        values = {"left_id": left, "right_id": right}
    elif op.kind == OpKind.CREATE and isinstance(op.value, dict):
        values = op.value
    elif op.kind in (OpKind.SET, OpKind.RESOLVE):
        values = {op.field: op.value}
    else:
        return
    for name, value in values.items():
        column = model.__table__.columns.get(name)
        if column is None or value is None:
            continue
        for fk in column.foreign_keys:
            yield fk.column.table.name, str(value)


def _link_ends(op: Operation) -> Iterator[tuple[str, str]]:
    """The records a link operation joins (nothing for other records)."""
    model = model_for(op.entity)
    if issubclass(model, LinkRecord):
        yield from zip(model.__ends__, op.record_id.split(LINK_SEPARATOR, 1), strict=True)


# ----------------------------------------------------------------------- reading the log


_LOGGED = (
    OperationRecord.op_id, OperationRecord.batch_id, OperationRecord.hlc, OperationRecord.device,
    OperationRecord.author, OperationRecord.kind, OperationRecord.entity, OperationRecord.record_id,
    OperationRecord.field, OperationRecord.value, OperationRecord.bases,
)  # fmt: skip
"""The columns an operation is read back from: not when it was received, a date to parse."""


def stored_operation(row: Any) -> Operation:
    """An operation as the log holds it, from its `OperationRecord` or a row of `_LOGGED`."""
    return Operation(
        op_id=row.op_id,
        batch_id=row.batch_id,
        hlc=row.hlc,
        device=row.device,
        author=row.author,
        kind=OpKind(row.kind),
        entity=row.entity,
        record_id=row.record_id,
        field=row.field,
        value=json.loads(row.value),
        bases=tuple(json.loads(row.bases)),
    )


def ids_by_kind(records: Iterable[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """The ids of (entity, record id) pairs by kind, a few hundred at a time (SQLite's limit)."""
    for kind, ids in _by_entity(records).items():
        for start in range(0, len(ids), CHUNK):
            yield kind, ids[start : start + CHUNK]


def operations_for(session: Session, targets: Iterable[tuple[str, str]]) -> list[Operation]:
    """Every operation on the given (entity, record id) pairs, oldest first by stamp."""
    ops: list[Operation] = []
    for entity, ids in ids_by_kind(targets):
        rows = session.execute(
            select(*_LOGGED).where(
                (OperationRecord.entity == entity) & OperationRecord.record_id.in_(ids)
            )
        )
        ops.extend(stored_operation(r) for r in rows)
    return sorted(ops, key=Operation.sort_key)


def operations_by_record(
    session: Session, targets: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[Operation]]:
    """Every operation on each of the given records, oldest first by stamp (none: left out)."""
    by_record: dict[tuple[str, str], list[Operation]] = {}
    for op in operations_for(session, targets):
        by_record.setdefault((op.entity, op.record_id), []).append(op)
    return by_record


def batch_operations(session: Session, batch_id: str) -> list[Operation]:
    rows = session.execute(select(*_LOGGED).where(OperationRecord.batch_id == batch_id))
    return sorted((stored_operation(r) for r in rows), key=Operation.sort_key)


def value_before(ops_on_record: Sequence[Operation], op: Operation, name: str) -> JsonValue:
    """Return the value field `name` had just before `op`, from the record's operations."""
    best: tuple[tuple[int, str], JsonValue] | None = None
    for other in ops_on_record:
        if other.stamp >= op.stamp:
            continue
        if other.kind == OpKind.CREATE and isinstance(other.value, dict):
            candidate: JsonValue = other.value.get(name)
        elif other.kind in (OpKind.SET, OpKind.RESOLVE) and other.field == name:
            candidate = other.value
        else:
            continue
        if best is None or other.stamp > best[0]:
            best = (other.stamp, candidate)
    return None if best is None else best[1]


def current_heads(session: Session, entity: str, record_id: str, name: str) -> tuple[str, ...]:
    """Return the heads a new write of this field must list as its bases."""
    heads = session.scalars(
        select(FieldHeadRecord.op_id).where(
            (FieldHeadRecord.entity == entity)
            & (FieldHeadRecord.record_id == record_id)
            & (FieldHeadRecord.field == name)
        )
    ).all()
    if heads:
        return tuple(sorted(heads))
    state = session.get(RecordStateRecord, (entity, record_id))
    if state is not None and state.created_op is not None:
        return (state.created_op,)
    return ()


def record_batch(session: Session, batch: BatchRecord) -> None:
    session.add(batch)
