"""Open conflicts, and settling them: what the Conflicts view and `isr conflicts` show.

Three kinds: a field with two heads or more (concurrent edits that no later edit superseded), a
record revived by an edit stamped after its deletion (see `app.oplog`), and a deleted record that
live records refer to (made to refer to it on another device while it was being deleted; see
`app.dependants`). Each version says who wrote it, from which device and when, from the
operation log.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import stamp_datetime
from app.dependants import (
    Dependant,
    dangling_references,
    delete_in,
    edited_while_deleted,
    keep_in,
    latest_deletion,
    made_by,
    remove_references_in,
    removes_holder,
)
from app.domain import format_uk_date
from app.history import field_label, kind_label, names_of, record_names
from app.oplog import DEAD_KINDS, Operation, OpKind, decode_value, operations_by_record
from app.register import Changes, Register
from app.wording import kind_names
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


@dataclass(frozen=True)
class Referrer:
    """A live record that refers to a deleted one, and the change that made it refer."""

    entity: str  # the kind of the referring record: "party"
    id: str
    field: str  # its field that refers: "organisation_id"
    kind: str  # the kind of record a person knows it as: "agreement"
    record_id: str  # that record's id
    name: str  # that record's short name: "ISA-2026-001"
    removed: bool  # whether removing the reference removes the record (a party), else empties it
    made: ConflictVersion  # who made it refer, and when


@dataclass(frozen=True)
class ReferredAfterDeletion:
    """A record deleted on one device while another made records refer to it.

    Keep it (undeleted with what its deletion took), or remove the references to it. `name` is
    the deleted record's short name; `referrers` are ordered by the records they are known as.
    """

    entity: str
    record_id: str
    name: str
    deletion: ConflictVersion
    referrers: tuple[Referrer, ...]


Conflict = FieldConflict | RevivedRecord | ReferredAfterDeletion


# ------------------------------------------------------------------------- in words
#
# How a conflict names records and references: `isr conflicts` and the Conflicts view of the
# desktop app both word them with these.

NAMED_AS_WHAT_THEY_ARE = frozenset({"meeting"})
"""Kinds whose names say what they are: a meeting is named after its body and date
("Information Sharing Board, 26/06/2026"), not called "Meeting Information Sharing Board, …"."""

LINK_ENDS = frozenset({"left_id", "right_id"})
"""The fields of a link between two records (an agreement's linked use case): its two ends."""

ReferenceForm = Literal["part", "link", "member", "field"]


def record_words(entity: str, label: str, *, first: bool = True) -> str:
    """What a person calls a record, given its name or label: "Organisation Kent Police".

    The kind comes first unless the name says it already ("Data item 2: Admissions", "Paper A",
    a meeting); a record with nothing to name it by is called by its kind. `first` gives the
    kind a capital, for the start of a sentence: "agreement ISA-2026-014" mid-sentence.
    """
    kind = kind_label(entity)
    said = kind if first or kind[1:2].isupper() else kind[:1].lower() + kind[1:]
    if not label or label == kind:
        return said
    if entity in NAMED_AS_WHAT_THEY_ARE or label.startswith(kind):
        return label
    return f"{said} {label}"


def reference_form(referrer: Referrer) -> ReferenceForm:
    """How a record refers to a deleted one, which decides how the reference is worded.

    A part added to it (a data item to a deleted agreement, a person to a deleted organisation),
    a link to it, a party made of it (a record that exists for the reference), or a field set
    to it (an owner, a signatory: emptied if the references are removed).
    """
    if referrer.field in LINK_ENDS:
        return "link"
    if not referrer.removed:
        return "field"
    return "part" if referrer.entity == referrer.kind else "member"


def reference_words(referrer: Referrer) -> str:
    """What a record referring to a deleted one is: "Party to agreement ISA-2026-014"."""
    holder = record_words(referrer.kind, referrer.name, first=False)
    form = reference_form(referrer)
    if form == "part":
        return record_words(referrer.entity, referrer.name)
    if form == "field":
        return f"{field_label(referrer.entity, referrer.field)} of {holder}"
    return f"{kind_label(referrer.entity)} {'to' if form == 'member' else 'of'} {holder}"


def removal_words(referrer: Referrer) -> str:
    """What removing the references does to this one: "this party is removed"."""
    form = reference_form(referrer)
    if form == "field":
        return f"“{field_label(referrer.entity, referrer.field)}” is left empty"
    return f"this {'link' if form == 'link' else kind_names(referrer.entity)[0]} is removed"


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
    states = session.scalars(select(RecordStateRecord).where(edited_while_deleted())).all()
    result = []
    for state in states:
        deleted = state.deleted_hlc or 0
        rows = session.scalars(
            select(OperationRecord).where(
                OperationRecord.entity == state.entity,
                OperationRecord.record_id == state.record_id,
                OperationRecord.hlc >= deleted,
            )
        ).all()
        deletions = [r for r in rows if r.kind in DEAD_KINDS and r.hlc == deleted]
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


def _op_version(op: Operation, field: str) -> ConflictVersion:
    value = op.value.get(field) if isinstance(op.value, dict) else op.value
    if op.kind != OpKind.LINK:
        value = decode_value(op.entity, field, value)
    return ConflictVersion(op.op_id, value, op.author, op.device, stamp_datetime(op.hlc), field)


def referred_after_deletion(session: Session) -> list[ReferredAfterDeletion]:
    """Deleted records that live records refer to, each with who deleted it and who referred."""
    found = dangling_references(session)
    if not found:
        return []
    held = [d for dependants in found.values() for d in dependants]
    history = operations_by_record(session, {(d.entity, d.id) for d in held})
    names = names_of(session, found)
    result = []
    for (entity, record_id), dependants in found.items():
        deletion = latest_deletion(session, entity, record_id)
        if deletion is None:
            continue  # its deletion is not in this log (a damaged register): nothing to show
        referrers = tuple(
            referrer
            for d in dependants
            if (referrer := _referrer(d, history.get((d.entity, d.id), []))) is not None
        )
        if not referrers:
            continue  # what made them refer is not in this log (a damaged register)
        name = names.get((entity, record_id), (kind_label(entity),))[0]
        result.append(ReferredAfterDeletion(entity, record_id, name, _version(deletion, None),
                                            referrers))  # fmt: skip
    return result


def _referrer(dependant: Dependant, ops: Sequence[Operation]) -> Referrer | None:
    made = made_by(ops, dependant.field)
    if made is None:
        return None
    return Referrer(
        dependant.entity, dependant.id, dependant.field, dependant.kind, dependant.record_id,
        dependant.name, removes_holder(dependant.entity, dependant.field),
        _op_version(made, dependant.field),
    )  # fmt: skip


def open_conflicts(register: Register) -> list[Conflict]:
    """Every open conflict: fields, revived records, then deleted records referred to."""
    with register.session() as session:
        found: list[Conflict] = [
            *field_conflicts(session),
            *revived_records(session),
            *referred_after_deletion(session),
        ]
    return found


def resolve_conflict(register: Register, conflict: Conflict, chosen_value: Any) -> None:
    """Settle a conflict in one batch.

    For a field, `chosen_value` becomes its value, superseding every version. For a revived
    record, True keeps the record with what its deletion took (its parts, its own links), and
    False deletes it again as any delete does: with its parts, and refused (`InUseError`, nothing
    written) while a record added elsewhere meanwhile refers to it. For a deleted record referred
    to, True keeps it likewise, and False removes the references to it (see
    `app.dependants.remove_references_in`; refused alike, with nothing written).
    """
    with register.session() as session:
        name = record_names(session, conflict.entity, conflict.record_id)[0]
    record = record_words(conflict.entity, name, first=False)
    if isinstance(conflict, FieldConflict):

        def settle_field(changes: Changes) -> None:
            changes.resolve(conflict.entity, conflict.record_id, conflict.field, chosen_value)

        field = field_label(conflict.entity, conflict.field)
        register.write(f"Resolve conflict in {field} of {record}", settle_field)
        return
    if not isinstance(chosen_value, bool):
        raise TypeError("a deleted record is settled with True (keep) or False (not)")
    if isinstance(conflict, ReferredAfterDeletion):
        _settle_references(register, conflict, record, keep=chosen_value)
        return

    def settle_record(changes: Changes) -> None:
        if chosen_value:
            keep_in(changes, conflict.entity, conflict.record_id)
        else:
            delete_in(changes, conflict.entity, conflict.record_id)

    label = (
        f"Keep {record}, edited after its deletion" if chosen_value else f"Delete {record} again"
    )
    register.write(label, settle_record)


def _settle_references(register: Register, conflict: ReferredAfterDeletion, record: str, *,
                       keep: bool) -> None:  # fmt: skip
    def settle(changes: Changes) -> None:
        if keep:
            keep_in(changes, conflict.entity, conflict.record_id)
            return
        remove_references_in(changes, conflict.entity, conflict.record_id)

    label = f"Keep {record}, deleted while in use elsewhere" if keep else (
        f"Remove the references to {record}, deleted elsewhere")  # fmt: skip
    register.write(label, settle)
