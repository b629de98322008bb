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
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, aliased

from app.errors import InUseError, NotFoundError
from app.history import Key, names_of, record_names
from app.oplog import (
    CHUNK,
    DEAD_KINDS,
    EXISTS,
    LINK_SEPARATOR,
    Operation,
    OpKind,
    batch_operations,
    ids_by_kind,
    link_id,
    model_for,
    operations_by_record,
)
from app.register import Changes, Register, write_inverse
from app.wording import count_of, kind_names
from db.models import ENTITY_RECORDS, LinkRecord, OperationRecord, RecordStateRecord

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


@functools.cache
def _target_of(entity: str, field: str) -> str:
    """The kind of record a field refers to (tables are named as their kinds)."""
    (key,) = model_for(entity).__table__.columns[field].foreign_keys
    return str(key.column.table.name)


def _is_live(session: Session, entity: str, record_id: str) -> bool:
    model: Any = model_for(entity)
    return bool(session.scalar(select(model.is_live).where(model.id == record_id)))


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    """`ids` a few hundred at a time, as SQLite limits a query."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


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


Hop = tuple[str, str]
"""A field to follow from one record to the record it is known as, and the kind it leads to."""


@functools.cache
def _hops(entity: str, field: str) -> tuple[Hop, ...]:
    """How a record of `entity` referring through `field` reaches the record a person knows it as.

    A link is known by its other end; a part of a record by the record it is part of (a party
    by its agreement; a checklist's answer by the checklist's agreement), unless it is known by
    itself (see `_known_by_itself`).
    """
    model = model_for(entity)
    if issubclass(model, LinkRecord):
        left, right = model.__ends__
        return (("left_id", left),) if field == "right_id" else (("right_id", right),)
    hops: list[Hop] = []
    if entity in PART_OF and not _known_by_itself(entity, field):
        kind = entity
        while kind in PART_OF:
            up = PART_OF[kind][0]
            kind = _target_of(kind, up)
            hops.append((up, kind))
    return tuple(hops)


def _holder(entity: str, record_id: str, hops: Sequence[Hop], steps: Sequence[Any],
            orphans: bool = False) -> Key | None:  # fmt: skip
    """The record a referring record is known as, from what each hop found; None when it is gone.

    `steps` holds, for each hop, the id it follows and whether that record is live. A part of
    nothing (a party of no agreement) is known by itself.
    """
    kind, holder = entity, record_id
    for (_, parent_kind), parent, live in zip(hops, steps[::2], steps[1::2], strict=True):
        if parent is None and kind in PART_OF:
            break
        if not live:
            return (entity, record_id) if orphans else None
        kind, holder = parent_kind, parent
    return kind, holder


def _holders(session: Session, reference: Reference, ids: Sequence[str],
             orphans: bool = False) -> list[tuple[str, str, Key]]:  # fmt: skip
    """The live records referring through `reference` to any of `ids`, with those they are known as.

    (id, id referred to, holder) each, all read in one query (per few hundred of `ids`).
    """
    model: Any = model_for(reference.entity)
    column = getattr(model, reference.field)
    hops = _hops(reference.entity, reference.field)
    query = select(model.id, column)
    table: Any = model
    for field, kind in hops:  # the records on the way, their ids and whether they are live
        parent: Any = aliased(model_for(kind))
        query = query.add_columns(getattr(table, field), parent.is_live)
        query = query.outerjoin(parent, parent.id == getattr(table, field))
        table = parent
    found: list[tuple[str, str, Key]] = []
    for chunk in _chunks(ids):
        rows = session.execute(query.where(column.in_(chunk), model.is_live.is_(True)))
        for record_id, refers_to, *steps in rows:
            holder = _holder(reference.entity, record_id, hops, steps, orphans)
            if holder is not None:
                found.append((record_id, refers_to, holder))
    return found


def _dependants(session: Session, entity: str, ids: Sequence[str],
                orphans: bool = False) -> list[Dependant]:  # fmt: skip
    """The live records referring to any of `ids` (records of `entity`).

    A part of a deleted record (a party of a deleted agreement) is left out, as it goes with
    that record; with `orphans` it is named by itself instead (its reference dangles all the same).
    """
    found: list[Dependant] = []
    if not ids:
        return found
    for reference in references_to(entity):
        held = _holders(session, reference, ids, orphans)
        names = names_of(session, (holder for _, _, holder in held))
        found.extend(
            Dependant(reference.entity, record_id, reference.field, refers_to, *holder,
                      names[holder][0])
            for record_id, refers_to, holder in held
        )  # fmt: skip
    return found


def find_dependants(session: Session, entity: str, record_id: str) -> tuple[Dependant, ...]:
    """The live records that refer to the record `record_id` of `entity`, each as it is known."""
    found = _dependants(session, entity, [record_id])
    return tuple(sorted(found, key=lambda d: (d.entity, d.field, d.name, d.id)))


# ------------------------------------------------------------------------- deleting


@functools.cache
def _parts_of(kind: str) -> tuple[tuple[str, str], ...]:
    """The kinds of record that are part of a record of `kind`, and the fields saying so."""
    return tuple(
        (part, field)
        for part, fields in PART_OF.items()
        for field in fields
        if _target_of(part, field) == kind
    )


def _parts(session: Session, entity: str, record_id: str) -> list[Going]:
    """The live records that are part of a record, and theirs in turn, by kind.

    A part of two of them (a sign-off of the agreement and of its party) is counted once. Read
    a generation at a time: a query per kind of part (and per few hundred owners).
    """
    going: dict[str, dict[str, None]] = {}  # ids in the order found, each once
    owners: dict[str, list[str]] = {entity: [record_id]}
    while owners:
        found_now: dict[str, list[str]] = {}
        for kind, ids in owners.items():
            for part, field in _parts_of(kind):
                model: Any = model_for(part)
                column = getattr(model, field)
                found = going.setdefault(part, {})
                for chunk in _chunks(ids):
                    parts = session.scalars(
                        select(model.id)
                        .where(column.in_(chunk), model.is_live.is_(True))
                        .order_by(model.id)
                    ).all()
                    new = [i for i in parts if i not in found]
                    found.update(dict.fromkeys(new))
                    found_now.setdefault(part, []).extend(new)
        owners = {kind: ids for kind, ids in found_now.items() if ids}
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


_UK_DATE_AT_END = re.compile(r"(\d{2})/(\d{2})/(\d{4})$")


def _in_order(name: str) -> tuple[str, str]:
    """How names are listed: alphabetically, a meeting's date (dd/mm/yyyy at the end) by date."""
    dated = _UK_DATE_AT_END.search(name)
    if dated is None:
        return name.lower(), ""
    day, month, year = dated.groups()
    return name[: dated.start()].lower(), f"{year}{month}{day}"


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
        names = sorted(holders.values(), key=_in_order)
        if (entity, field) in _NAMED_AFTER_IT:
            names = [name.removeprefix(f"{again}, ") for name in names]
        said = phrase.format(count_of(len(names), kind))
        todo = _what_to_do(action, len(names), kind)
        sentences.append(f"{again if sentences else subject} {said} ({_listed(names)}). {todo}")
    return sentences


def _refusal(session: Session, entity: str, name: str, dangling: list[Dependant]) -> str:
    """Say what stands in the way of deleting a record: the record itself, then its parts."""

    def first(target: str, subject: str) -> str:
        return (
            subject
            if target == entity
            else f"{subject}, one of the {kind_names(target)[1]} of {name},"
        )

    ordered = sorted(dangling, key=lambda d: _target_of(d.entity, d.field) != entity)
    return " ".join(_said_of_each(session, ordered, first))


def _said_of_each(session: Session, dangling: Sequence[Dependant],
                  first: Callable[[str, str], str]) -> list[str]:  # fmt: skip
    """What each record referred to is to those referring to it, in the order of `dangling`.

    `first(kind, name)` is how the first sentence about a record names it.
    """
    by_subject: dict[Key, list[Dependant]] = {}
    for d in dangling:
        by_subject.setdefault((_target_of(d.entity, d.field), d.refers_to), []).append(d)
    subjects = names_of(session, by_subject)
    sentences: list[str] = []
    for (target, subject_id), theirs in by_subject.items():
        subject = subjects[(target, subject_id)][0]
        sentences.extend(_sentences(first(target, subject), subject, theirs))
    return sentences


def plan_deletion(session: Session, entity: str, record_id: str) -> Deletion:
    """What deleting a record takes with it: its parts and its own links.

    Refused (`InUseError`) while live records would be left referring to it or to one of its
    parts (an owner, a signatory among an organisation's people); `NotFoundError` once it is gone.
    """
    if not _is_live(session, entity, record_id):
        one = kind_names(entity)[0]
        who = "they" if entity == "person" else "it"
        raise NotFoundError(f"That {one} no longer exists ({who} may have been deleted).")
    name, label = record_names(session, entity, record_id)
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


def refuse_dangling(changes: Changes, doing: str, since: int) -> None:
    """Refuse (`InUseError`) an undo or redo that would leave a reference to a deleted record.

    Undo and redo write the inverse of a batch (stamped `since`) as it was, and the register may
    have moved on since, by sync from another device. Checked once the inverse is written (and
    rolled back on refusal), two ways: it deletes a record that something has come to refer to
    since, or it brings back a reference (an undeleted party, a link, an owner set back) to a
    record deleted since. A reference that was there before that batch is no reason to refuse:
    undoing the settlement of a conflict opens the conflict again. `doing` is what the refusal
    calls the batch: "Can't undo “Add organisation Kent Police”".
    """
    changes.apply_pending()
    session = changes.session
    deleted = [op for op in changes.operations if op.kind == OpKind.DELETE]
    dangling = [
        dependant
        for kind, ids in ids_by_kind((op.entity, op.record_id) for op in deleted)
        for dependant in _dependants(session, kind, ids)
    ]
    if dangling:
        new = _referring_since(session, dangling, since)
        if new:
            said = _said_of_each(session, new, lambda _, subject: subject)
            raise InUseError(f"{doing} now. {' '.join(said)}")
    written = {(op.entity, op.record_id) for op in changes.operations if op.kind != OpKind.DELETE}
    gone = _deleted_since(session, _targets_of(session, written), since)
    if gone:
        names = [n for n, _ in names_of(session, gone).values()]
        raise InUseError(f"{doing} now: it would bring back a reference to "
                         f"{_listed(sorted(names, key=_in_order))}, deleted since.")  # fmt: skip


def made_by(ops: Sequence[Operation], field: str) -> Operation | None:
    """The latest of a record's operations (oldest first) that wrote `field`.

    Its creation, an edit of the field, or for a link its latest linking.
    """
    made = None
    for op in ops:
        if (
            (op.kind == OpKind.CREATE and isinstance(op.value, dict) and field in op.value)
            or (op.kind in (OpKind.SET, OpKind.RESOLVE) and op.field == field)
            or (op.kind == OpKind.LINK and op.field == EXISTS)
        ):
            made = op
    return made


def _referring_since(session: Session, dangling: Sequence[Dependant],
                     since: int) -> list[Dependant]:  # fmt: skip
    """Those of `dangling` whose reference was written after the stamp `since`."""
    history = operations_by_record(session, {(d.entity, d.id) for d in dangling})
    new = []
    for d in dangling:
        made = made_by(history.get((d.entity, d.id), []), d.field)
        if made is None or made.hlc > since:
            new.append(d)
    return new


def _targets_of(session: Session, records: Iterable[Key]) -> set[Key]:
    """The records that the live ones of `records` refer to, through any reference field."""
    targets: set[Key] = set()
    for kind, ids in ids_by_kind(records):
        model: Any = model_for(kind)
        fields = [c.name for c in model.__table__.columns if c.foreign_keys]
        if not fields:
            continue  # a record that refers to nothing: an organisation, say
        columns = [getattr(model, field) for field in fields]
        rows = session.execute(select(*columns).where(model.id.in_(ids), model.is_live.is_(True)))
        for row in rows:
            targets.update(
                (_target_of(kind, field), value)
                for field, value in zip(fields, row, strict=True)
                if value is not None
            )
    return targets


def _deleted_since(session: Session, records: set[Key], since: int) -> list[Key]:
    """Those of `records` deleted (and not brought back) by an operation stamped after `since`."""
    return _states_of(session, records, still_deleted(), RecordStateRecord.deleted_hlc > since)


def still_deleted() -> ColumnElement[bool]:
    """Of a record's state: an operation deleted it, and nothing has brought it back since.

    Not every record that is not live: one that a record received by sync refers to before its
    own creation has arrived is not live either.
    """
    state = RecordStateRecord
    return and_(state.deleted_hlc.is_not(None), state.kind.in_(DEAD_KINDS))


def edited_while_deleted() -> ColumnElement[bool]:
    """Of a record's state: edited after its deletion, and not settled (kept or deleted again).

    Its last change is an edit, and neither an undelete nor a creation came after the deletion.
    """
    state = RecordStateRecord
    return and_(
        state.deleted_hlc.is_not(None),
        state.kind.not_in(DEAD_KINDS),
        or_(state.alive_hlc.is_(None), state.alive_hlc <= state.deleted_hlc),
    )


def _states_of(session: Session, records: Iterable[Key], *where: ColumnElement[bool]) -> list[Key]:
    """Those of `records` whose state meets every condition of `where`, in order."""
    state = RecordStateRecord
    found: list[Key] = []
    for kind, ids in ids_by_kind(records):
        rows = session.execute(
            select(state.entity, state.record_id).where(
                state.entity == kind, state.record_id.in_(ids), *where
            )
        )
        found.extend((entity, record_id) for entity, record_id in rows)
    return sorted(found)


def latest_deletion(session: Session, entity: str, record_id: str) -> OperationRecord | None:
    """The operation that deleted a record last, if any did."""
    return session.scalars(
        select(OperationRecord)
        .where(
            OperationRecord.entity == entity,
            OperationRecord.record_id == record_id,
            OperationRecord.kind.in_(DEAD_KINDS),
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
    for kind, ids in ids_by_kind((op.entity, op.record_id) for op in ops):
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
    for kind, ids in ids_by_kind((op.entity, op.record_id) for op in ops):
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


# ------------------------------------------------------------------ dangling references
#
# A delete is refused while anything refers to the record, so a live record can refer to a
# deleted one only when two devices worked at once: one deleted an organisation while another
# made it a party to an agreement (or added a data item to an agreement deleted meanwhile).
# Merging keeps both changes; the reference is then an open conflict for a person to settle:
# keep the record referred to, or remove the references to it.

_DEFINED_BY = frozenset({("party", "organisation_id"), ("lawful_basis", "party_id")})
"""References that a record exists for, beyond a part's owner and a link's ends: a party is its
organisation's part in an agreement, and means nothing without it; a lawful basis for one party
emptied of it would silently become the whole agreement's."""


@functools.cache
def referred_kinds() -> tuple[str, ...]:
    """The kinds of record that some field of the register refers to."""
    return tuple(sorted({
        _target_of(kind, column.name)
        for kind, model in ENTITY_RECORDS.items()
        for column in model.__table__.columns
        if column.foreign_keys
    }))  # fmt: skip


def _deleted_and_referred(session: Session) -> dict[str, list[str]]:
    """The records an operation deleted that a live record still refers to directly, by kind.

    Read in SQL, a query per reference field from the (few) deleted records through the field's
    index: after an import is undone, tens of thousands of records are deleted with everything
    referring to them, and none of them need be read into Python. Only records deleted count
    (`still_deleted`): one whose creation has not arrived yet is no conflict.
    """
    state = RecordStateRecord
    found: dict[str, set[str]] = {}
    for kind in referred_kinds():
        for reference in references_to(kind):
            holder: Any = model_for(reference.entity)
            column = getattr(holder, reference.field)
            # not DISTINCT: SQLite would then walk every state of the kind, in order, to dedupe
            ids = session.scalars(
                select(state.record_id)
                .join(holder, column == state.record_id)
                .where(state.entity == kind, still_deleted(), holder.is_live.is_(True))
            )
            found.setdefault(kind, set()).update(ids)
    return {kind: sorted(ids) for kind, ids in found.items() if ids}


def dangling_references(session: Session) -> dict[Key, list[Dependant]]:
    """The live records that refer to deleted ones, by the record deleted (in a stable order)."""
    found: dict[Key, list[Dependant]] = {}
    deleted = _deleted_and_referred(session)
    dependants = [
        d
        for kind in referred_kinds()
        for d in _dependants(session, kind, deleted.get(kind, []), orphans=True)
    ]
    reviving = _reviving(session, {(d.entity, d.id) for d in dependants})
    for dependant in dependants:
        if (dependant.entity, dependant.id) not in reviving:
            found.setdefault(
                (_target_of(dependant.entity, dependant.field), dependant.refers_to), []
            ).append(dependant)
    return {
        key: sorted(held, key=lambda d: (d.kind, d.name, d.entity, d.field, d.id))
        for key, held in sorted(found.items())
    }


def _reviving(session: Session, records: set[Key]) -> set[Key]:
    """Those of `records` edited after their deletion and not settled yet: revived records.

    A data item edited on one device while its agreement was deleted on another is such a
    conflict itself; keeping it brings its agreement back, so it is not also one of the records
    referring to a deleted agreement.
    """
    return set(_states_of(session, records, edited_while_deleted()))


def removes_holder(entity: str, field: str) -> bool:
    """Whether removing a reference removes the record holding it, not just empties the field.

    So it is for a link, for a part referring to what it is part of, and for a party's
    organisation; an agreement's owner or a party's signatory is emptied.
    """
    return (
        issubclass(model_for(entity), LinkRecord)
        or field in PART_OF.get(entity, ())
        or (entity, field) in _DEFINED_BY
    )


def remove_references_in(changes: Changes, entity: str, record_id: str) -> None:
    """Remove every live reference to a deleted record, inside an open batch.

    Read afresh, so what arrived since the conflict was shown is covered too; nothing is written
    for a record brought back meanwhile. A link is unlinked; a record that exists for the
    reference is deleted as any delete is (with its parts, refused while something refers to
    it); any other reference is emptied.
    """
    changes.apply_pending()
    if _is_live(changes.session, entity, record_id):
        return
    for dependant in _dependants(changes.session, entity, [record_id], orphans=True):
        _remove_reference(changes, dependant)


def _remove_reference(changes: Changes, dependant: Dependant) -> None:
    holder, holder_id = dependant.entity, dependant.id
    if not _is_live(changes.session, holder, holder_id):
        return  # gone already, with another removed this batch
    if issubclass(model_for(holder), LinkRecord):
        left, right = holder_id.split(LINK_SEPARATOR, 1)
        changes.unlink(holder, left, right)
    elif removes_holder(holder, dependant.field):
        delete_in(changes, holder, holder_id)
    else:
        changes.set(holder, holder_id, dependant.field, None)


def keep_in(changes: Changes, entity: str, record_id: str) -> None:
    """Bring a deleted record back, with what its deletion took, inside an open batch.

    A part deleted with the record it is part of (a person with their organisation) comes back
    with that record, so that nothing kept refers to something deleted.
    """
    changes.apply_pending()
    chain = [(entity, record_id)]
    while chain[-1][0] in PART_OF:
        kind, part_id = chain[-1]
        model: Any = model_for(kind)
        owner = changes.session.scalar(
            select(getattr(model, PART_OF[kind][0])).where(model.id == part_id)
        )
        owner_kind = _target_of(kind, PART_OF[kind][0])
        if owner is None or _is_live(changes.session, owner_kind, owner):
            break
        chain.append((owner_kind, owner))
    for kind, kept in reversed(chain):
        restore_in(changes, kind, kept)
