"""Open conflicts, and settling them: what the Conflicts view and `isr conflicts` show.

Two kinds (see `app.oplog`): a field with two heads or more (concurrent edits that no later
edit superseded), and a record revived by an edit stamped after its deletion. Each version
says who wrote it, from which device and when, from the operation log.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import stamp_datetime
from app.dependants import delete_in, restore_in
from app.domain import format_uk_date
from app.oplog import DEAD_KINDS, OpKind, decode_value
from app.register import Changes, Register
from db.models import FieldHeadRecord, OperationRecord, RecordStateRecord


@dataclass(frozen=True)
class ConflictVersion:
    """One side of a conflict: a value, who wrote it and when."""

    op_id: str
    value: Any  # the field's value as the application uses it (date, text, …)
    author: str
    device: str
    when: dt.datetime  # UTC
    field: str = ""  # the field this version wrote ("_exists" for a deletion)


@dataclass(frozen=True)
class FieldConflict:
    """A field edited concurrently on two devices or more; `versions` newest first."""

    entity: str
    record_id: str
    field: str
    versions: tuple[ConflictVersion, ...]

    @property
    def current(self) -> ConflictVersion:
        """The version the register shows meanwhile (the last writer by clock and device)."""
        return self.versions[0]


@dataclass(frozen=True)
class RevivedRecord:
    """A record deleted on one device and edited after that on another.

    Keep it (undeleted with what its deletion took) or delete it again; the `value` of a version
    is False for the deletion and the edited value for an edit.
    """

    entity: str
    record_id: str
    deletion: ConflictVersion
    edits: tuple[ConflictVersion, ...]


Conflict = FieldConflict | RevivedRecord


def _version(row: OperationRecord, field: str | None) -> ConflictVersion:
    raw = json.loads(row.value)
    if row.kind == OpKind.CREATE and isinstance(raw, dict):
        raw = raw.get(field or "")
    if field is not None and row.kind in (OpKind.CREATE, OpKind.SET, OpKind.RESOLVE):
        value = decode_value(row.entity, field, raw)
    else:
        value = raw
    return ConflictVersion(row.op_id, value, row.author, row.device, stamp_datetime(row.hlc),
                           row.field)  # fmt: skip


def value_text(value: Any) -> str:
    """A version's value in words: UK dates, Yes/No, "(empty)"."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_uk_date(value)
    return str(value)


def _newest_first(rows: Sequence[OperationRecord]) -> list[OperationRecord]:
    return sorted(rows, key=lambda r: (r.hlc, r.device, r.op_id), reverse=True)


def field_conflicts(session: Session) -> list[FieldConflict]:
    heads: dict[tuple[str, str, str], list[str]] = {}
    for entity, record_id, name, op_id in session.execute(
        select(FieldHeadRecord.entity, FieldHeadRecord.record_id, FieldHeadRecord.field,
               FieldHeadRecord.op_id)
    ):  # fmt: skip
        heads.setdefault((entity, record_id, name), []).append(op_id)
    result = []
    for (entity, record_id, name), op_ids in sorted(heads.items()):
        if len(op_ids) < 2:
            continue
        rows = session.scalars(select(OperationRecord).where(OperationRecord.op_id.in_(op_ids)))
        versions = tuple(_version(r, name) for r in _newest_first(list(rows)))
        result.append(FieldConflict(entity, record_id, name, versions))
    return result


def revived_records(session: Session) -> list[RevivedRecord]:
    dead = [str(k) for k in DEAD_KINDS]
    states = session.scalars(
        select(RecordStateRecord).where(
            RecordStateRecord.deleted_hlc.is_not(None), RecordStateRecord.kind.not_in(dead)
        )
    ).all()
    result = []
    for state in states:
        deleted = state.deleted_hlc or 0
        if state.alive_hlc is not None and state.alive_hlc > deleted:
            continue  # undeleted (or created again) after the deletion: settled
        rows = session.scalars(
            select(OperationRecord).where(
                OperationRecord.entity == state.entity,
                OperationRecord.record_id == state.record_id,
                OperationRecord.hlc >= deleted,
            )
        ).all()
        deletions = [r for r in rows if r.kind in dead and r.hlc == deleted]
        edits = [r for r in rows if r.kind in (OpKind.SET, OpKind.RESOLVE) and r.hlc > deleted]
        if not deletions or not edits:
            continue
        result.append(
            RevivedRecord(
                state.entity,
                state.record_id,
                _version(_newest_first(deletions)[0], None),
                tuple(_version(r, r.field) for r in _newest_first(edits)),
            )
        )
    return sorted(result, key=lambda c: (c.entity, c.record_id))


def open_conflicts(register: Register) -> list[Conflict]:
    """Every open conflict of the register: fields first, then revived records."""
    with register.session() as session:
        found: list[Conflict] = [*field_conflicts(session), *revived_records(session)]
    return found


def resolve_conflict(register: Register, conflict: Conflict, chosen_value: Any) -> None:
    """Settle a conflict in one batch.

    For a field, `chosen_value` becomes its value, superseding every version. For a revived
    record, True keeps the record with what its deletion took (its parts, its own links), and
    False deletes it again as any delete does: with its parts, and refused (`InUseError`, nothing
    written) while a record added elsewhere meanwhile refers to it.
    """
    if isinstance(conflict, FieldConflict):

        def settle_field(changes: Changes) -> None:
            changes.resolve(conflict.entity, conflict.record_id, conflict.field, chosen_value)

        register.write(f"Resolve conflict in {conflict.entity}.{conflict.field}", settle_field)
        return
    if not isinstance(chosen_value, bool):
        raise TypeError("a revived record is settled with True (keep) or False (delete)")

    def settle_record(changes: Changes) -> None:
        if chosen_value:
            restore_in(changes, conflict.entity, conflict.record_id)
        else:
            delete_in(changes, conflict.entity, conflict.record_id)

    label = "Keep" if chosen_value else "Delete"
    register.write(f"{label} {conflict.entity} edited after its deletion", settle_record)
