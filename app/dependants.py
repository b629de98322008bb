"""What depends on a record, what a delete takes with it, and deletes that leave nothing dangling.

The references are found from the models' foreign keys, so a new kind of record that refers to
another is covered without a change here. A record that is part of another (a party of an
agreement, a person of an organisation, a paper of a meeting) goes with it when it is deleted, and
is named by it when it stands in the way: an organisation is "a party to 2 agreements", not
"referred to by 2 parties". A part that refers to another part of the same record is named by
itself: removing a party a lawful basis names is refused naming the lawful basis. Links belong to
their left end (an agreement's linked use cases are the agreement's, a use case's partners are the
use case's): deleting the left end unlinks them, deleting the right end is refused while they are
live (a data item an assessment needs, an assessment an agreement is linked to).

Restoring (settling a conflict by keeping a deleted record) brings back what its deletion took
with it, and nothing else the same batch deleted.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InUseError, NotFoundError
from app.history import record_label, record_name
from app.oplog import (
    CHUNK,
    DEAD_KINDS,
    LINK_SEPARATOR,
    Operation,
    batch_operations,
    link_id,
    model_for,
)
from app.register import Changes, Register, write_inverse
from app.wording import count_of, kind_names, meeting_label
from db.models import (
    ENTITY_RECORDS,
    GovernanceBodyRecord,
    LawfulBasisRecord,
    LinkRecord,
    MeetingRecord,
    OperationRecord,
    OrganisationRecord,
    PartyRecord,
    RecordStateRecord,
)

PART_OF: dict[str, tuple[str, ...]] = {
    "person": ("organisation_id",),
    "party": ("agreement_id",),
    "lawful_basis": ("agreement_id",),
    "data_item": ("agreement_id",),
    "checklist": ("agreement_id",),
    "checklist_answer": ("checklist_id",),
    "compliance_review": ("agreement_id",),
    "sign_off": ("agreement_id", "party_id"),
    "attachment": ("agreement_id",),
    "incident": ("agreement_id",),
    "dpia": ("agreement_id",),
    "dpia_risk": ("dpia_id",),
    "paper": ("meeting_id",),
    "decision": ("meeting_id",),
    "benefit": ("use_case_id",),
    "device": ("member_id",),
}
"""Kinds of record that are part of another, by the fields naming the records they belong to.

The first names the record a part is known by; a part of two goes with either (a party's sign-off
goes with the party, and with the agreement).
"""

SHOWN = 3
"""How many records a refusal names before saying how many more there are."""

NAME_SHOWN = 60
"""Characters of a long text that name a record: what a decision decided, a basis's purpose."""

# How a refusal words each reference: what the record is to those holding it, and what to do.
# In what to do, {them} is "that agreement" for one holder and "them" for several; {those} is
# "that agreement" or "those agreements".
_RELATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("party", "organisation_id"): ("is a party to {}", "Remove it from {them} first."),
    ("party", "signatory_id"): (
        "is the signatory of a party to {}",
        "Choose another signatory for {them} first.",
    ),
    ("sign_off", "signed_by_id"): (
        "signed a party's sign-off of {}",
        "Change who signed for {them} first.",
    ),
    ("lawful_basis", "party_id"): ("is named in {}", "Remove {those} first."),
    ("agreement", "owner_id"): ("is the owner of {}", "Choose another owner for {them} first."),
    ("agreement", "approval_meeting_id"): (
        "approved {}",
        "Change the approval meeting of {those} first.",
    ),
    ("compliance_review", "meeting_id"): (
        "received the compliance reviews of {}",
        "Move those reviews to another meeting first.",
    ),
    ("use_case", "lead_organisation_id"): (
        "leads {}",
        "Choose another lead organisation for {them} first.",
    ),
    ("use_case_partner", "right_id"): (
        "is a partner in {}",
        "Remove it from the partners of {those} first.",
    ),
    ("agreement_use_case", "right_id"): ("is linked to {}", "Unlink it from {them} first."),
    ("agreement_assessment", "right_id"): ("is linked to {}", "Unlink it from {them} first."),
    ("assessment_data_item", "right_id"): (
        "is needed by {}",
        "Remove it from the data items needed by {those} first.",
    ),
    ("decision", "paper_id"): ("is cited by {}", "Change or remove {those} first."),
    ("decision", "agreement_id"): (
        "is the subject of decisions of {}",
        "Change or remove those decisions first.",
    ),
    ("meeting", "body_id"): ("holds {}", "Delete {them} first."),
}
_ANY_RELATION = ("is referred to by {}", "Change or remove {them} first.")
_NAMED_AFTER_IT = {("meeting", "body_id")}
"""References whose holders are named after the record they refer to (a body's meetings, "Board,
14/04/2026"): beside that record, the rest of the name names them ("14/04/2026")."""


@dataclass(frozen=True)
class Reference:
    """A field of one kind of record that refers to a record of another kind."""

    entity: str  # the kind holding the field: "party"
    field: str  # "organisation_id"


@dataclass(frozen=True)
class Dependant:
    """A live record that refers to another, and the record a person knows it as."""

    entity: str  # the kind of the referring record: "party"
    id: str
    field: str  # its field that refers: "organisation_id"
    refers_to: str  # the id it refers to
    kind: str  # the kind of record a person knows it as: "agreement" (a party is part of one)
    record_id: str  # that record's id
    name: str  # that record's short name: "ISA-2026-001"
    label: str  # and in full: "ISA-2026-001: Hospital discharge data"


@dataclass(frozen=True)
class Going:
    """The records of one kind that a delete takes with it: "its 3 people"."""

    entity: str
    ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def words(self) -> str:
        """How many, in words: "3 people", "1 paper"."""
        return count_of(self.count, self.entity)


@dataclass(frozen=True)
class OwnLink:
    """A live link whose left end is the record deleted: unlinked with it."""

    entity: str
    left: str
    right: str


@dataclass(frozen=True)
class Deletion:
    """A record about to be deleted, and what goes with it (nothing live is left dangling)."""

    entity: str
    id: str
    name: str  # its short name: "Paper A"
    label: str  # in full, to ask about it: "Paper A: Annual review of the protocol"
    records: tuple[Going, ...]  # the records that are part of it, by kind, those there are
    links: tuple[OwnLink, ...]

    @property
    def takes(self) -> str:
        """What goes with it, in words: "3 people", "2 papers and 1 decision" ("" for none)."""
        return _and([going.words for going in self.records]) if self.records else ""


def _and(words: Sequence[str]) -> str:
    """Words in a sentence: "A", "A and B", "A, B and C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# ------------------------------------------------------------------------- references


@functools.cache
def references_to(entity: str) -> tuple[Reference, ...]:
    """Every field of the register's records that refers to a record of `entity`."""
    target = model_for(entity).__table__
    return tuple(
        Reference(kind, column.name)
        for kind, model in ENTITY_RECORDS.items()
        for column in model.__table__.columns
        if any(key.column.table is target for key in column.foreign_keys)
    )


def _target_of(entity: str, field: str) -> str:
    """The kind of record a field refers to (tables are named as their kinds)."""
    (key,) = model_for(entity).__table__.columns[field].foreign_keys
    return str(key.column.table.name)


def _live(session: Session, entity: str, record_id: str | None) -> Any:
    if record_id is None:
        return None
    row: Any = session.get(model_for(entity), record_id)
    return row if row is not None and row.is_live else None


def _shortened(text: str) -> tuple[str, str]:
    """A long text as a name (its start) and as a label (whole), its spaces tidied."""
    said = " ".join(text.split())
    return (said if len(said) <= NAME_SHOWN else said[: NAME_SHOWN - 1] + "…"), said


def _basis_words(basis: LawfulBasisRecord) -> str:
    """What names a lawful basis: its purpose, else its Article 6 basis, else its gateway."""
    if basis.purpose:
        return basis.purpose
    if basis.article_6:
        return f"Article {basis.article_6}" if basis.article_6[0].isdigit() else basis.article_6
    return basis.statutory_gateway or ""


def _names(session: Session, entity: str, record_id: str) -> tuple[str, str]:
    """A record's short name and its full label, as the history names it.

    A meeting is named as an import's cells name it (body, date); a party by its organisation; a
    paper by its letter; a decision by the start of what was decided; a lawful basis by its
    purpose (or its Article 6 basis); a benefit by what it measures.
    """
    row: Any = session.get(model_for(entity), record_id)
    if entity == "meeting" and isinstance(row, MeetingRecord):
        # the import code is not needed otherwise (and imports the meetings module)
        body = session.get(GovernanceBodyRecord, row.body_id) if row.body_id else None
        name = meeting_label((body.name if body else None) or "", row.meeting_date) or "Meeting"
        return name, name
    if isinstance(row, PartyRecord) and row.organisation_id:
        organisation = session.get(OrganisationRecord, row.organisation_id)
        if organisation is not None and organisation.name:
            return organisation.name, organisation.name
    if entity == "decision" and row is not None and row.decision:
        return _shortened(row.decision)
    if isinstance(row, LawfulBasisRecord) and _basis_words(row):
        return _shortened(_basis_words(row))
    if entity == "benefit" and row is not None and row.measure:
        return row.measure, row.measure
    if entity == "paper" and row is not None and row.letter:
        name = f"Paper {row.letter}"
        return name, f"{name}: {row.subject}" if row.subject else name
    name = record_name(session, entity, record_id) or record_label(session, entity, record_id)
    reference, title = getattr(row, "reference", None), getattr(row, "title", None)
    return name, f"{reference}: {title}" if reference and title else name


def _owner_kind(entity: str) -> str | None:
    """The kind of record a record of `entity` is part of and known by; None if a whole."""
    return _target_of(entity, PART_OF[entity][0]) if entity in PART_OF else None


def _known_by_itself(entity: str, field: str) -> bool:
    """Whether a part referring through `field` is named by itself, not by what it is part of.

    So it is when it refers to what it is part of (a person to their organisation) or to another
    part of a record of that kind (a lawful basis to a party, a decision to a paper): the person
    is then at that record already, and it is the part they need named.
    """
    return field in PART_OF[entity] or _owner_kind(_target_of(entity, field)) == _owner_kind(entity)


def _holder(session: Session, entity: str, row: Any, field: str) -> tuple[str, str] | None:
    """The live record a person knows a referring row as; None when that record is gone.

    A link is known by its other end; a part of a record by the record it is part of (a party
    by its agreement), unless it is known by itself (see `_known_by_itself`).
    """
    model = model_for(entity)
    if issubclass(model, LinkRecord):
        left, right = model.__ends__
        kind, record_id = (left, row.left_id) if field == "right_id" else (right, row.right_id)
    else:
        kind, record_id = entity, row.id
        if entity in PART_OF and not _known_by_itself(entity, field):
            while kind in PART_OF and (parent := getattr(row, PART_OF[kind][0])) is not None:
                kind, record_id = _target_of(kind, PART_OF[kind][0]), parent
                row = _live(session, kind, record_id)
                if row is None:
                    return None
    return (kind, record_id) if _live(session, kind, record_id) is not None else None


def _load_holders(session: Session, reference: Reference, rows: Sequence[Any]) -> list[Any]:
    """Read the records that hold `rows` in one query, so naming each reads none."""
    model = model_for(reference.entity)
    if issubclass(model, LinkRecord):
        left, right = model.__ends__
        kind, field = (left, "left_id") if reference.field == "right_id" else (right, "right_id")
    elif reference.entity in PART_OF and not _known_by_itself(reference.entity, reference.field):
        field = PART_OF[reference.entity][0]
        kind = _target_of(reference.entity, field)
    else:
        return []
    ids = {getattr(row, field) for row in rows} - {None}
    holder: Any = model_for(kind)
    return list(session.scalars(select(holder).where(holder.id.in_(ids))).all())


def _dependants(session: Session, entity: str, ids: Sequence[str]) -> list[Dependant]:
    """The live records referring to any of `ids` (records of `entity`)."""
    found: list[Dependant] = []
    if not ids:
        return found
    for reference in references_to(entity):
        model: Any = model_for(reference.entity)
        column = getattr(model, reference.field)
        rows = session.scalars(select(model).where(column.in_(ids), model.is_live.is_(True))).all()
        _held = _load_holders(session, reference, rows)  # the session keeps them while held
        for row in rows:
            holder = _holder(session, reference.entity, row, reference.field)
            if holder is None:
                continue
            name, label = _names(session, *holder)
            refers_to = getattr(row, reference.field)
            kind, record_id = holder
            found.append(Dependant(reference.entity, row.id, reference.field, refers_to,
                                   kind, record_id, name, label))  # fmt: skip
    return found


def find_dependants(session: Session, entity: str, record_id: str) -> tuple[Dependant, ...]:
    """The live records that refer to the record `record_id` of `entity`, each as it is known."""
    found = _dependants(session, entity, [record_id])
    return tuple(sorted(found, key=lambda d: (d.entity, d.field, d.name, d.id)))


# ------------------------------------------------------------------------- deleting


def _parts(session: Session, entity: str, record_id: str) -> list[Going]:
    """The live records that are part of a record, and theirs in turn, by kind.

    A part of two of them (a sign-off of the agreement and of its party) is counted once.
    """
    going: dict[str, dict[str, None]] = {}  # ids in the order found, each once
    waiting = [(entity, record_id)]
    while waiting:
        kind, owner = waiting.pop()
        for part, fields in PART_OF.items():
            for field in fields:
                if _target_of(part, field) != kind:
                    continue
                model = model_for(part)
                ids = session.scalars(
                    select(model.id)
                    .where(getattr(model, field) == owner, model.is_live.is_(True))
                    .order_by(model.id)
                ).all()
                found = going.setdefault(part, {})
                new = [i for i in ids if i not in found]
                found.update(dict.fromkeys(new))
                waiting.extend((part, i) for i in new)
    return [Going(kind, tuple(ids)) for kind, ids in going.items() if ids]


def _own_links(session: Session, entity: str, record_id: str) -> list[OwnLink]:
    links: list[OwnLink] = []
    for kind, model in ENTITY_RECORDS.items():
        if issubclass(model, LinkRecord) and model.__ends__[0] == entity:
            link: Any = model
            rows = session.execute(
                select(link.left_id, link.right_id)
                .where(link.left_id == record_id, link.is_live.is_(True))
                .order_by(link.id)
            )
            links.extend(OwnLink(kind, left, right) for left, right in rows if left and right)
    return links


def _listed(names: Sequence[str]) -> str:
    """The first few names, and how many more: "A, B, C and 9 more"."""
    more = len(names) - SHOWN
    if more > 0:
        return f"{', '.join(names[:SHOWN])} and {more:,} more"
    return _and(names)


def _what_to_do(action: str, count: int, kind: str) -> str:
    """What to do, agreeing with how many hold the record: "Unlink it from that agreement"."""
    one, many = kind_names(kind)
    if count == 1:
        return action.format(them=f"that {one}", those=f"that {one}")
    return action.format(them="them", those=f"those {many}")


def _sentences(subject: str, again: str, dangling: Iterable[Dependant]) -> list[str]:
    """What one record is to the records holding it, and what to do: a pair of sentences each.

    The first pair names the record as `subject`, the others as `again` (its name).
    """
    relations: dict[tuple[str, str, str], dict[str, str]] = {}
    for d in dangling:
        relations.setdefault((d.entity, d.field, d.kind), {})[d.record_id] = d.name
    sentences: list[str] = []
    for (entity, field, kind), holders in relations.items():
        phrase, action = _RELATIONS.get((entity, field), _ANY_RELATION)
        names = sorted(holders.values(), key=str.lower)
        if (entity, field) in _NAMED_AFTER_IT:
            names = [name.removeprefix(f"{again}, ") for name in names]
        said = phrase.format(count_of(len(names), kind))
        todo = _what_to_do(action, len(names), kind)
        sentences.append(f"{again if sentences else subject} {said} ({_listed(names)}). {todo}")
    return sentences


def _refusal(session: Session, entity: str, name: str, dangling: list[Dependant]) -> str:
    """Say what stands in the way of deleting a record: the record itself, then its parts."""
    by_subject: dict[str, list[Dependant]] = {}
    for d in sorted(dangling, key=lambda d: _target_of(d.entity, d.field) != entity):
        by_subject.setdefault(d.refers_to, []).append(d)
    sentences: list[str] = []
    for subject_id, theirs in by_subject.items():
        target = _target_of(theirs[0].entity, theirs[0].field)
        subject = _names(session, target, subject_id)[0]
        first = subject
        if target != entity:
            first = f"{subject}, one of the {kind_names(target)[1]} of {name},"
        sentences.extend(_sentences(first, subject, theirs))
    return " ".join(sentences)


def plan_deletion(session: Session, entity: str, record_id: str) -> Deletion:
    """What deleting a record takes with it: its parts and its own links.

    Refused (`InUseError`) while live records would be left referring to it or to one of its
    parts (an owner, a signatory among an organisation's people); `NotFoundError` once it is gone.
    """
    if _live(session, entity, record_id) is None:
        one = kind_names(entity)[0]
        who = "they" if entity == "person" else "it"
        raise NotFoundError(f"That {one} no longer exists ({who} may have been deleted).")
    name, label = _names(session, entity, record_id)
    records = _parts(session, entity, record_id)
    links = _own_links(session, entity, record_id)
    going = {(entity, record_id)} | {(g.entity, i) for g in records for i in g.ids}
    going |= {(link.entity, link_id(link.left, link.right)) for link in links}
    dangling: list[Dependant] = []
    for kind, ids in ((entity, (record_id,)), *((g.entity, g.ids) for g in records)):
        found = _dependants(session, kind, ids)
        dangling.extend(d for d in found if (d.entity, d.id) not in going)
    if dangling:
        raise InUseError(_refusal(session, entity, name, dangling))
    return Deletion(entity, record_id, name, label, tuple(records), tuple(links))


def what_goes_with(register: Register, entity: str, record_id: str) -> Deletion:
    """Read what deleting a record would take with it, as the delete would (refused alike)."""
    with register.session() as session:
        return plan_deletion(session, entity, record_id)


def delete_in(changes: Changes, entity: str, record_id: str) -> Deletion:
    """Delete a record with its parts and its own links, inside an open batch.

    Refused, with nothing written, while live records would be left referring to any of them.
    """
    changes.apply_pending()
    plan = plan_deletion(changes.session, entity, record_id)
    for going in plan.records:
        for part_id in going.ids:
            changes.delete(going.entity, part_id)
    for link in plan.links:
        changes.unlink(link.entity, link.left, link.right)
    changes.delete(entity, record_id)
    return plan


# ------------------------------------------------------------------------- restoring

Key = tuple[str, str]
"""A record: (kind, id)."""


def restore_in(changes: Changes, entity: str, record_id: str) -> None:
    """Undelete a record with the parts and own links its latest deletion took, in a batch.

    Writes nothing for a record never deleted.
    """
    changes.apply_pending()
    session = changes.session
    deletion = latest_deletion(session, entity, record_id)
    if deletion is None:
        return
    batch = batch_operations(session, deletion.batch_id)
    write_inverse(changes, taken_with(session, (entity, record_id), batch))


def latest_deletion(session: Session, entity: str, record_id: str) -> OperationRecord | None:
    """The operation that deleted a record last, if any did."""
    return session.scalars(
        select(OperationRecord)
        .where(
            OperationRecord.entity == entity,
            OperationRecord.record_id == record_id,
            OperationRecord.kind.in_([str(kind) for kind in DEAD_KINDS]),
        )
        .order_by(
            OperationRecord.hlc.desc(), OperationRecord.device.desc(), OperationRecord.op_id.desc()
        )
        .limit(1)
    ).first()


def taken_with(session: Session, record: Key, batch: Sequence[Operation]) -> list[Operation]:
    """The deletes and unlinks of `batch` that took `record`, its parts and their own links.

    Only those still in force: a record deleted again later, or undeleted since, is left out.
    """
    dead = [op for op in batch if op.kind in DEAD_KINDS]
    owners = _owners(session, [op for op in dead if op.entity in PART_OF])
    ours: dict[Key, bool] = {record: True}

    def belongs(key: Key) -> bool:
        if key not in ours:
            ours[key] = any(belongs(owner) for owner in owners.get(key, ()))
        return ours[key]

    taken = [op for op in dead if belongs(_held_by(op))]
    in_force = _in_force(session, taken)
    return [op for op in taken if op.op_id in in_force]


def _held_by(op: Operation) -> Key:
    """The record an operation's target belongs with: a link's left end, else itself."""
    model = model_for(op.entity)
    if issubclass(model, LinkRecord):
        return model.__ends__[0], op.record_id.split(LINK_SEPARATOR, 1)[0]
    return op.entity, op.record_id


def _owners(session: Session, ops: Iterable[Operation]) -> dict[Key, list[Key]]:
    """The records each part deleted by `ops` is part of (a sign-off: its agreement and party)."""
    owners: dict[Key, list[Key]] = {}
    for kind, ids in _ids_by_kind(ops):
        model: Any = model_for(kind)
        fields = PART_OF[kind]
        kinds = [_target_of(kind, field) for field in fields]
        columns = [getattr(model, field) for field in fields]
        for record_id, *held_by in session.execute(
            select(model.id, *columns).where(model.id.in_(ids))
        ):  # fmt: skip
            owners[(kind, record_id)] = [
                (owner_kind, owner)
                for owner_kind, owner in zip(kinds, held_by, strict=True)
                if owner is not None
            ]
    return owners


def _in_force(session: Session, ops: Sequence[Operation]) -> set[str]:
    """Those of `ops` still the latest deletion of their record, and not undone since."""
    states: dict[Key, RecordStateRecord] = {}
    for kind, ids in _ids_by_kind(ops):
        rows = session.scalars(
            select(RecordStateRecord).where(
                RecordStateRecord.entity == kind, RecordStateRecord.record_id.in_(ids)
            )
        )
        states.update({(row.entity, row.record_id): row for row in rows})
    in_force: set[str] = set()
    for op in ops:
        state = states.get((op.entity, op.record_id))
        if state is not None and state.deleted_hlc == op.hlc and (state.alive_hlc or -1) < op.hlc:
            in_force.add(op.op_id)
    return in_force


def _ids_by_kind(ops: Iterable[Operation]) -> Iterator[tuple[str, list[str]]]:
    """The records `ops` target, by kind, a few hundred at a time (as SQLite limits a query)."""
    by_kind: dict[str, list[str]] = {}
    for op in ops:
        by_kind.setdefault(op.entity, []).append(op.record_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), CHUNK):
            yield kind, ids[start : start + CHUNK]
