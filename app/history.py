"""History of a record from the operation log: who changed which field, when, from what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import stamp_datetime
from app.domain import AGREEMENT_FIELD_LABELS, SPEC_FIELDS, format_uk_date
from app.oplog import (
    EXISTS,
    LINK_SEPARATOR,
    JsonValue,
    Operation,
    OpKind,
    model_for,
    operations_for,
    value_before,
)
from app.register import Register
from db.models import (
    AgreementAssessmentLink,
    AgreementUseCaseLink,
    BatchRecord,
    DataItemRecord,
    LawfulBasisRecord,
    LinkRecord,
    PartyRecord,
)

KIND_LABELS = {
    OpKind.CREATE: "Created",
    OpKind.SET: "Changed",
    OpKind.DELETE: "Deleted",
    OpKind.UNDELETE: "Restored",
    OpKind.LINK: "Linked",
    OpKind.UNLINK: "Unlinked",
    OpKind.RESOLVE: "Conflict resolved",
}

ENTITY_LABELS = {
    "agreement": "Agreement",
    "data_item": "Data item",
    "party": "Party",
    "lawful_basis": "Lawful basis",
    "agreement_use_case": "Linked use case",
    "agreement_assessment": "Linked assessment",
    "organisation": "Organisation",
    "person": "Person",
    "use_case": "Use case",
    "assessment": "Assessment",
}

_FIELD_LABELS: dict[str, dict[str, str]] = {
    "agreement": AGREEMENT_FIELD_LABELS,
    "data_item": {
        **dict(SPEC_FIELDS),
        "title": "Title",
        "position": "Position",
        "responsible_owner": "Responsible owner",
        "refresh_schedule": "Refresh schedule",
        "last_received": "Last received",
        "next_due": "Next due",
        "agreement_id": "Agreement",
    },
    "party": {
        "organisation_id": "Organisation",
        "signatory_id": "Signatory",
        "signed_on": "Signed on",
        "agreement_id": "Agreement",
    },
    "lawful_basis": {
        "party_id": "Party",
        "article_6": "UK GDPR Article 6 basis",
        "article_9": "UK GDPR Article 9 condition",
        "article_10": "UK GDPR Article 10",
        "dpa_schedule_1": "DPA 2018 Schedule 1 condition",
        "statutory_gateway": "Statutory gateway",
        "common_law_duty": "Common law duty of confidentiality",
        "agreement_id": "Agreement",
    },
}

# Fields holding a controlled value (snake_case key) shown as words
_CONTROLLED = frozenset(
    {
        "status",
        "category",
        "role",
        "stage",
        "org_type",
        "agreement_type",
        "controller_relationship",
        "rag",
        "kind",
        "answer",
        "outcome",
    }
)

# Columns that name a record are shown by that record's name, in this order of preference.
_NAME_COLUMNS = ("reference", "name", "title")


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one field (or the creation, deletion or linking of a record)."""

    hlc: int
    when: dt.datetime  # UTC
    author: str
    device: str
    kind: str  # an OpKind value
    kind_label: str
    entity: str
    record_id: str
    record_label: str  # e.g. "ISA-2026-014" or "Data item 2: Hospital admissions"
    field: str  # "_exists" for create/delete/undelete/link/unlink of the record itself
    field_label: str
    old: JsonValue
    new: JsonValue
    old_text: str
    new_text: str
    batch_label: str

    @property
    def when_text(self) -> str:
        """Local date and time, UK order (dd/mm/yyyy hh:mm:ss)."""
        return self.when.astimezone().strftime("%d/%m/%Y %H:%M:%S")


def field_label(entity: str, name: str) -> str:
    if name == EXISTS:
        return "Record"
    label = _FIELD_LABELS.get(entity, {}).get(name)
    if label is not None:
        return label
    return name.removesuffix("_id").replace("_", " ").capitalize()


def _child_targets(session: Session, agreement_id: str) -> list[tuple[str, str]]:
    """Every record that belongs to an agreement, live or deleted."""
    targets: list[tuple[str, str]] = []
    child_models: tuple[type[DataItemRecord] | type[PartyRecord] | type[LawfulBasisRecord], ...]
    child_models = (DataItemRecord, PartyRecord, LawfulBasisRecord)
    for model in child_models:
        ids = session.scalars(select(model.id).where(model.agreement_id == agreement_id))
        targets.extend((model.__entity__, rid) for rid in ids)
    links: tuple[type[AgreementUseCaseLink] | type[AgreementAssessmentLink], ...]
    links = (AgreementUseCaseLink, AgreementAssessmentLink)
    for link in links:
        ids = session.scalars(select(link.id).where(link.left_id == agreement_id))
        targets.extend((link.__entity__, rid) for rid in ids)
    return targets


def record_name(session: Session, entity: str, record_id: str) -> str:
    """Return the name a person knows a record by (reference, name or title), or ''."""
    try:
        model = model_for(entity)
    except ValueError:
        return ""
    row = session.get(model, record_id)
    if row is None:
        return ""
    for column in _NAME_COLUMNS:
        value = getattr(row, column, None)
        if value:
            return str(value)
    return ""


def record_label(session: Session, entity: str, record_id: str) -> str:
    kind = ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())
    model = model_for(entity)
    if issubclass(model, LinkRecord):
        left_entity, right_entity = model.__ends__
        _, right = record_id.split(LINK_SEPARATOR, 1)
        name = record_name(session, right_entity, right)
        return f"{kind}: {name}" if name else kind
    if entity == "data_item":
        item = session.get(DataItemRecord, record_id)
        if item is not None:
            number = f" {item.position}" if item.position is not None else ""
            return f"{kind}{number}: {item.title}" if item.title else f"{kind}{number}"
    if entity == "party":
        party = session.get(PartyRecord, record_id)
        if party is not None and party.organisation_id:
            name = record_name(session, "organisation", party.organisation_id)
            return f"{kind}: {name}" if name else kind
    if entity == "lawful_basis":
        basis = session.get(LawfulBasisRecord, record_id)
        if basis is not None and basis.purpose:
            purpose = basis.purpose if len(basis.purpose) <= 60 else basis.purpose[:57] + "..."
            return f"{kind}: {purpose}"
    name = record_name(session, entity, record_id)
    return name or kind


class _Display:
    """Turns stored JSON values into the text a person reads (UK dates, names for ids)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._names: dict[tuple[str, str], str] = {}

    def text(self, entity: str, name: str, value: JsonValue) -> str:
        if value is None or name == EXISTS:
            return ""
        column = model_for(entity).__table__.columns.get(name)
        if column is not None:
            for fk in column.foreign_keys:
                target = fk.column.table.name
                key = (target, str(value))
                if key not in self._names:
                    self._names[key] = record_name(self._session, target, str(value))
                return self._names[key] or str(value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if name in _CONTROLLED and isinstance(value, str):
            return value.replace("_", " ").capitalize()
        if isinstance(value, str) and _looks_like_iso_date(value):
            return format_uk_date(dt.date.fromisoformat(value))
        return str(value)


def _looks_like_iso_date(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _entries_for_op(
    op: Operation, history: list[Operation], label: str, batch: str, display: _Display
) -> Iterable[HistoryEntry]:
    def entry(name: str, old: JsonValue, new: JsonValue) -> HistoryEntry:
        return HistoryEntry(
            hlc=op.hlc,
            when=stamp_datetime(op.hlc),
            author=op.author,
            device=op.device,
            kind=str(op.kind),
            kind_label=KIND_LABELS[op.kind],
            entity=op.entity,
            record_id=op.record_id,
            record_label=label,
            field=name,
            field_label=field_label(op.entity, name),
            old=old,
            new=new,
            old_text=display.text(op.entity, name, old),
            new_text=display.text(op.entity, name, new),
            batch_label=batch,
        )

    if op.kind == OpKind.CREATE and isinstance(op.value, dict) and op.value:
        for name in sorted(op.value):
            if name != "agreement_id":
                yield entry(name, None, op.value[name])
    elif op.kind in (OpKind.SET, OpKind.RESOLVE):
        yield entry(op.field, value_before(history, op, op.field), op.value)
    else:
        yield entry(EXISTS, None, None)


def record_history(
    register: Register, entity: str, record_id: str, include_children: bool = True
) -> list[HistoryEntry]:
    """Every change to a record from the operation log, oldest first.

    For an agreement with `include_children`, the history of its data items, parties, lawful
    bases and links to use cases and assessments is included, deleted ones too.
    """
    model_for(entity)  # unknown kinds are an error, not an empty history
    with register.session() as session:
        targets = [(entity, record_id)]
        if include_children and entity == "agreement":
            targets += _child_targets(session, record_id)
        ops = operations_for(session, targets)
        by_record: dict[tuple[str, str], list[Operation]] = {}
        for op in ops:
            by_record.setdefault((op.entity, op.record_id), []).append(op)
        labels = {key: record_label(session, *key) for key in by_record}
        batch_ids = {op.batch_id for op in ops}
        batches = {
            batch_id: batch_label
            for batch_id, batch_label in session.execute(
                select(BatchRecord.batch_id, BatchRecord.label).where(
                    BatchRecord.batch_id.in_(batch_ids)
                )
            )
        }
        display = _Display(session)
        entries: list[HistoryEntry] = []
        for op in ops:
            key = (op.entity, op.record_id)
            entries.extend(
                _entries_for_op(op, by_record[key], labels[key], batches.get(op.batch_id, ""),
                                display)
            )  # fmt: skip
    return entries


def field_history(entries: Iterable[HistoryEntry], entity: str, record_id: str,
                  name: str) -> list[HistoryEntry]:  # fmt: skip
    """Return the entries of one field of one record (what the editor shows by a field)."""
    return [
        e for e in entries
        if e.entity == entity and e.record_id == record_id and e.field == name
    ]  # fmt: skip
