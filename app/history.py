"""History of a record from the operation log: who changed which field, when, from what.

Also how the register names a record wherever it names one (a line of history, a value that
refers to another record, a refusal to delete): `names_of` holds the rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import stamp_datetime
from app.domain import AGREEMENT_FIELD_LABELS, SPEC_FIELDS, format_uk_date
from app.lettering import paper_letters
from app.oplog import (
    CHUNK,
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
from app.wording import kind_names, meeting_label
from db.models import (
    ENTITY_RECORDS,
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

_LINK_LABELS = {
    "agreement_use_case": "Linked use case",
    "agreement_assessment": "Linked assessment",
}


def kind_label(entity: str) -> str:
    """What a record of a kind is called at the start of a line: "Data item", "DPIA", "Sign-off"."""
    if entity in _LINK_LABELS:
        return _LINK_LABELS[entity]
    one = kind_names(entity)[0]
    return one[:1].upper() + one[1:]


ENTITY_LABELS = {entity: kind_label(entity) for entity in ENTITY_RECORDS}
"""`kind_label` of every kind of record."""

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

NAME_SHOWN = 60
"""Characters of a long text that name a record: what a decision decided, a basis's purpose."""

# A record is known by the first of these columns it has filled in, unless its kind has a rule.
_NAME_COLUMNS = ("reference", "name", "title")

_SHOWN_WITH_KIND = frozenset({"data_item", "party", "lawful_basis", "decision", "benefit", "dpia"})
"""Kinds a line of history names with their kind as well, their names alone not saying what they
are: parts named by free text or by another record ("Party: Kent Police"). Links are too."""

Key = tuple[str, str]
"""A record: (kind, id)."""


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


# ------------------------------------------------------------------------- naming records

Names = tuple[str, str]
"""A record's short name and its full label: ("ISA-2026-001", "ISA-2026-001: Hospital data")."""


def _tidied(text: str) -> Names:
    """A long text as a name (its start) and as a label (whole), its spaces tidied."""
    said = " ".join(text.split())
    return (said if len(said) <= NAME_SHOWN else said[: NAME_SHOWN - 1] + "…"), said


def _same(text: str | None) -> Names:
    return text or "", text or ""


def _basis_words(basis: Mapping[str, Any]) -> str:
    """What names a lawful basis: its purpose, else its Article 6 basis, else its gateway."""
    if basis["purpose"]:
        return str(basis["purpose"])
    article_6 = basis["article_6"]
    if article_6:
        return f"Article {article_6}" if article_6[0].isdigit() else str(article_6)
    return str(basis["statutory_gateway"] or "")


def _paper_words(paper: Mapping[str, Any]) -> Names:
    """A paper by its letter, in full with its subject: ("Paper A", "Paper A: Reviews due").

    The letter is the one it is known by, its place in its meeting (`app.lettering`).
    """
    if not paper["letter"]:
        return _same(paper["subject"])
    name = f"Paper {paper['letter']}"
    return name, f"{name}: {paper['subject']}" if paper["subject"] else name


def _named_by_columns(row: Mapping[str, Any]) -> Names:
    """By reference, name or title; in full "reference: title" where it has both."""
    name = next((str(row[column]) for column in _NAME_COLUMNS if row.get(column)), "")
    reference, title = row.get("reference"), row.get("title")
    return name, f"{reference}: {title}" if reference and title else name


@dataclass(frozen=True)
class _Naming:
    """How the records of one kind are named: the columns read, and the words made of them.

    `borrowed` is a field referring to another record whose name the words use (a party is
    named by its organisation); the row then holds that name as "borrowed". `over` reads values
    the columns do not hold, by id, laid over the rows (a paper's letter is its place).
    """

    columns: tuple[str, ...]
    words: Callable[[Mapping[str, Any]], Names]
    borrowed: str | None = None
    over: Callable[[Session, list[str]], Mapping[str, Mapping[str, Any]]] | None = None


_NAMINGS = {
    "meeting": _Naming(
        ("meeting_date",),
        lambda m: _same(meeting_label(m["borrowed"] or "", m["meeting_date"])),
        borrowed="body_id",
    ),
    "party": _Naming((), lambda party: _same(party["borrowed"]), borrowed="organisation_id"),
    "paper": _Naming(
        ("letter", "subject"),
        _paper_words,
        over=lambda session, ids: {
            paper: {"letter": letter} for paper, letter in paper_letters(session, ids).items()
        },
    ),
    "decision": _Naming(("decision",), lambda decision: _tidied(decision["decision"] or "")),
    "lawful_basis": _Naming(
        ("purpose", "article_6", "statutory_gateway"), lambda basis: _tidied(_basis_words(basis))
    ),
    "benefit": _Naming(("measure",), lambda benefit: _same(benefit["measure"])),
}
"""The kinds not named by their reference, name or title.

A meeting is named as an import's cells name it (body, date); a party by its organisation; a
paper by its letter; a decision by the start of what was decided; a lawful basis by its purpose
(or its Article 6 basis); a benefit by what it measures.
"""


def _naming(entity: str) -> _Naming:
    if entity in _NAMINGS:
        return _NAMINGS[entity]
    columns = model_for(entity).__table__.columns
    return _Naming(tuple(c for c in _NAME_COLUMNS if c in columns), _named_by_columns)


def _words_of_kind(session: Session, entity: str, ids: list[str]) -> dict[str, Names]:
    """The names of the records of one kind ("" where nothing names one), a few hundred a query."""
    model: Any = model_for(entity)
    if issubclass(model, LinkRecord):  # a link is known by the record it links to
        right = model.__ends__[1]
        ends = {link: link.split(LINK_SEPARATOR, 1)[1] for link in ids}
        theirs = _words_of_kind(session, right, list(dict.fromkeys(ends.values())))
        return {link: theirs[end] for link, end in ends.items() if end in theirs}
    naming = _naming(entity)
    query = select(model.id, *(getattr(model, column) for column in naming.columns))
    if naming.borrowed is not None:  # the record it refers to, read in the same query
        field = model.__table__.columns[naming.borrowed]
        (key,) = field.foreign_keys
        other = key.column.table
        query = query.add_columns(other.c.name.label("borrowed"))
        query = query.outerjoin(other, other.c.id == field)
    words: dict[str, Names] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        over = naming.over(session, chunk) if naming.over is not None else {}
        for row in session.execute(query.where(model.id.in_(chunk))):
            words[row.id] = naming.words({**row._mapping, **over.get(row.id, {})})
    return words


def names_of(session: Session, records: Iterable[Key]) -> dict[Key, Names]:
    """The short name and the full label of each record, a query per kind (and per few hundred).

    A record with nothing to name it by is called by its kind ("Meeting"); one that is not in
    the register is left out.
    """
    by_kind: dict[str, dict[str, None]] = {}
    for entity, record_id in records:
        by_kind.setdefault(entity, {})[record_id] = None
    names: dict[Key, Names] = {}
    for entity, ids in by_kind.items():
        kind = kind_label(entity)
        for record_id, words in _words_of_kind(session, entity, list(ids)).items():
            names[(entity, record_id)] = words if words[0] else (kind, kind)
    return names


def record_names(session: Session, entity: str, record_id: str) -> Names:
    """A record's short name and its full label ("Paper A", "Paper A: Reviews due").

    Both are its kind ("Meeting") when nothing names it or there is no such record.
    """
    kind = kind_label(entity)
    return names_of(session, [(entity, record_id)]).get((entity, record_id), (kind, kind))


def record_name(session: Session, entity: str, record_id: str) -> str:
    """Return the name a person knows a record by: "ISA-2026-014", "Board, 14/04/2026"."""
    return record_names(session, entity, record_id)[0]


def _positions(session: Session, ids: list[str]) -> dict[str, int | None]:
    """The numbers of data items in their agreements."""
    positions: dict[str, int | None] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(DataItemRecord.id, DataItemRecord.position).where(
                DataItemRecord.id.in_(ids[start : start + CHUNK])
            )
        )
        positions.update((item, position) for item, position in rows)
    return positions


def record_labels(session: Session, records: Iterable[Key]) -> dict[Key, str]:
    """How a line of history names each record: "ISA-2026-014", "Data item 2: Admissions".

    A record is named by its short name, with its kind first where the name alone does not say
    what it is (`_SHOWN_WITH_KIND`, links); a data item with its number too.
    """
    wanted = list(dict.fromkeys(records))
    names = names_of(session, wanted)
    items = [record_id for entity, record_id in wanted if entity == "data_item"]
    positions = _positions(session, items)
    labels: dict[Key, str] = {}
    for entity, record_id in wanted:
        kind = kind_label(entity)
        name = names.get((entity, record_id), (kind, kind))[0]
        if entity in _SHOWN_WITH_KIND or issubclass(model_for(entity), LinkRecord):
            number = positions.get(record_id)
            kind += f" {number}" if number is not None else ""
            name = kind if name == kind_label(entity) else f"{kind}: {name}"
        labels[(entity, record_id)] = name
    return labels


def record_label(session: Session, entity: str, record_id: str) -> str:
    """How a line of history names a record (see `record_labels`)."""
    return record_labels(session, [(entity, record_id)])[(entity, record_id)]


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
        labels = record_labels(session, by_record)
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
