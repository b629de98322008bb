"""From table rows to an import plan: each row with its problems per cell, grouped by reference."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import SPEC_FIELDS
from app.errors import RegisterError
from app.importing.header import Table
from app.importing.mapping import CHOICES, TARGETS, Mapping
from app.importing.normalise import (
    ERROR,
    WARNING,
    BadValueError,
    Note,
    cell_normaliser,
    cell_text,
    is_empty,
    normalise_cell,
    not_a_reference,
    parse_date,
)
from app.importing.vocabulary import is_reference_placeholder, key_of
from app.progress import Cancel, Progress, checkpoint
from app.register import Register
from app.wording import meeting_label
from db.models import (
    AgreementRecord,
    AssessmentRecord,
    ChecklistRecord,
    DataItemRecord,
    DpiaRecord,
    GovernanceBodyRecord,
    MeetingRecord,
    OrganisationRecord,
    PaperRecord,
    PartyRecord,
    PersonRecord,
    UseCaseRecord,
)

PROGRESS_EVERY = 500
DEFAULT_STATUS = "draft"
ACTIVE = "active"
SPEC_LABELS = dict(SPEC_FIELDS)
PARTY_LIST_ROLES = {
    "party.organisations": None,  # the profile's party.role default, else "both"
    "party.providers": "provider",
    "party.recipients": "recipient",
}


class ImportCancelledError(RegisterError):
    def __init__(self) -> None:
        super().__init__("The import was cancelled; nothing was changed.")


@dataclass(frozen=True)
class ImportOptions:
    """Choices made for one import; None leaves the choice to the mapping."""

    group_by_reference: bool | None = None


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    row: int  # 1-based sheet row
    column: str  # heading, or "" for the row as a whole
    level: str  # "error" rejects the row, "warning" keeps it
    message: str

    def describe(self) -> str:
        return f"{self._where}{self.message}"

    @property
    def kind(self) -> str:
        """The problem without its particulars (they follow a semicolon): to count by kind."""
        return f"{self._where}{self.message.split(';', 1)[0]}"

    @property
    def _where(self) -> str:
        return f"{self.column}: " if self.column else ""


@dataclass(frozen=True)
class PlannedRow:
    sheet: str
    row: int
    reference: str
    cells: tuple[str, ...]  # as text; kept for rows with problems only
    problems: tuple[CellProblem, ...]

    @property
    def rejected(self) -> bool:
        return any(p.level == ERROR for p in self.problems)


Links = tuple[tuple[str, tuple[str, ...]], ...]
"""(target, labels of the records it links to), e.g. ("agreement.use_cases", ("Falls",))."""


@dataclass(frozen=True)
class PlannedParty:
    organisation: str
    role: str
    signatory: str = ""
    signed_on: dt.date | None = None
    record_id: str = ""  # the id a register's own export gives it, kept when it is created


@dataclass(frozen=True)
class PlannedBasis:
    party: str  # organisation name, or "" for the agreement as a whole
    values: tuple[tuple[str, str], ...]
    record_id: str = ""


@dataclass(frozen=True)
class PlannedItem:
    title: str
    position: int | None
    values: tuple[tuple[str, Any], ...]
    record_id: str = ""
    links: Links = ()


@dataclass(frozen=True)
class PlannedAgreement:
    """One agreement to create or update, with the parts the file gives it."""

    reference: str
    values: tuple[tuple[str, Any], ...]  # from the file: written on create and on update
    initial: tuple[tuple[str, Any], ...]  # defaults and derived values: written on create only
    owner: str
    parties: tuple[PlannedParty, ...]
    bases: tuple[PlannedBasis, ...]
    items: tuple[PlannedItem, ...]
    rows: tuple[int, ...]
    existing: bool
    record_id: str = ""
    references: tuple[tuple[str, str], ...] = ()  # (target, label), e.g. the approval meeting
    links: Links = ()


@dataclass(frozen=True)
class PlannedOrganisation:
    name: str
    values: tuple[tuple[str, Any], ...]
    record_id: str = ""


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    organisation: str
    values: tuple[tuple[str, Any], ...]
    record_id: str = ""


@dataclass(frozen=True)
class PlannedRecord:
    """A record of a kind only the register's own export carries (meetings, use cases, logs…).

    `values` holds the row's targets as read: fields, references to other records by their
    labels (resolved when committed, once the records they name exist) and links.
    """

    entity: str
    sheet: str
    row: int
    record_id: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: shown as a preview, then committed all or nothing."""

    source: str
    sheet: str
    headers: tuple[str, ...]
    rows: tuple[PlannedRow, ...]
    agreements: tuple[PlannedAgreement, ...]
    organisations: tuple[PlannedOrganisation, ...]
    people: tuple[PlannedPerson, ...]
    notes: tuple[str, ...]
    records: tuple[PlannedRecord, ...] = ()

    @property
    def rows_read(self) -> int:
        return len(self.rows)

    @property
    def rejected(self) -> tuple[PlannedRow, ...]:
        return tuple(r for r in self.rows if r.rejected)

    @property
    def warnings(self) -> tuple[CellProblem, ...]:
        return tuple(p for r in self.rows for p in r.problems if p.level == WARNING)

    @property
    def new_agreements(self) -> int:
        return sum(1 for a in self.agreements if not a.existing)

    @property
    def existing_agreements(self) -> int:
        return sum(1 for a in self.agreements if a.existing)

    @property
    def item_count(self) -> int:
        return sum(len(a.items) for a in self.agreements)


# ------------------------------------------------------------------------ reading rows


@dataclass(slots=True)
class RowValues:
    """One row read through the mapping: values per target, notes kept for the notes field."""

    sheet: str
    row: int
    values: dict[str, Any]
    columns: dict[str, str]  # target -> heading of the (first) column it came from
    extra_notes: list[str]
    problems: list[CellProblem]
    raw: Sequence[Any]
    families: frozenset[str] | None = None  # families of `values` and `columns`, when known

    def problem(self, target: str, level: str, message: str) -> None:
        self.problems.append(
            CellProblem(self.sheet, self.row, self.columns.get(target, ""), level, message)
        )

    @property
    def rejected(self) -> bool:
        return any(p.level == ERROR for p in self.problems)


def _new_with_placeholder(row: RowValues, reference: str) -> bool:
    """Whether a row of a register's own export adds an agreement under a placeholder reference.

    Such a workbook's references are taken as written, so that an agreement the register calls
    'TBC' comes back as it was (its row carries its register id). A row added to the workbook
    by hand has no id: under 'TBC' it would be merged with every other such row.
    """
    return (
        bool(reference)
        and "agreement.record_id" in row.columns
        and "agreement.record_id" not in row.values
        and is_reference_placeholder(reference)
    )


def _said_of(row: RowValues, target: str) -> bool:
    """Whether an error is already given for the cell of `target` (its own reading's, say)."""
    heading = row.columns.get(target)
    return any(p.level == ERROR and p.column == heading for p in row.problems)


def _part_label(heading: str) -> str:
    return heading.split("\n")[0].strip().rstrip(":*").strip()


SHORT_CELL = 100
"""Cells up to this length are read once per distinct value (statuses, dates, partner lists)."""

EXPORT_PROFILE = "isr-register-export"
"""The mapping profile of the sheets of a workbook written by `isr export`."""

LITERAL_KINDS = frozenset({"text", "org", "person", "frequency", "duration", "reference"})
"""Kinds whose cells a register's own export holds exactly as the register does: taken as they
are ('N/A' in a notes field is the register's own text there, not a blank to tidy away, and an
agreement the register itself calls 'TBC' keeps that reference)."""

RECORD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LABEL_SPLIT = re.compile(r"\s*(?:;|\n)\s*")

_FAMILY = {name: name.split(".", 1)[0] for name in TARGETS}
_FIELD = {name: name.split(".", 1)[1] for name in TARGETS}
FAMILY_ENTITY = {"basis": "lawful_basis", "item": "data_item"}
"""The kind of record each family of targets fills, where the names differ."""
RECORD_FAMILIES = frozenset(_FAMILY.values()) - {
    "agreement",
    "party",
    "basis",
    "item",
    "organisation",
    "person",
}
"""Families read as `PlannedRecord`s: the kinds of record only the register's own export carries."""


def entity_of(family: str) -> str:
    return FAMILY_ENTITY.get(family, family)


def split_labels(value: Any) -> list[str]:
    """The labels in a cell that lists records, one a line or separated by ';'."""
    labels: list[str] = []
    for part in _LABEL_SPLIT.split(cell_text(value)):
        if part and part not in labels:
            labels.append(part)
    return labels


def _choice(list_name: str, raw: Any) -> tuple[Any, tuple[Note, ...]]:
    choices = CHOICES[list_name]
    key = key_of(cell_text(raw))
    for code, label in choices.items():
        if key in (key_of(code), key_of(label)):
            return code, ()
    allowed = ", ".join(choices.values())
    return None, (Note(ERROR, f"'{cell_text(raw)[:60]}' is not one of: {allowed}"),)


def read_export_cell(kind: str, raw: Any) -> tuple[Any, tuple[Note, ...]]:
    """A cell of a kind only the register's own export has (ids, records by label, choices)."""
    if is_empty(raw):
        return None, ()
    if kind == "id":
        text = cell_text(raw).lower()
        if RECORD_ID.fullmatch(text) is None:
            return None, (Note(ERROR, f"'{cell_text(raw)[:40]}' is not a register id; leave it "
                                      "blank for a new record"),)  # fmt: skip
        return text, ()
    if kind.startswith("refs:"):
        return tuple(split_labels(raw)) or None, ()
    if kind.startswith("ref:"):
        return cell_text(raw), ()
    if kind.startswith("choice:"):
        return _choice(kind[7:], raw)
    raise ValueError(f"unknown kind of field {kind!r}")


def _is_export_kind(kind: str) -> bool:
    return kind == "id" or kind.startswith(("ref:", "refs:", "choice:"))


CellReader = Callable[[Any], tuple[Any, Sequence[Note]]]
"""Reads one filled cell of a column: its value and what was wrong with it."""


def _literal_cell(raw: Any) -> tuple[Any, Sequence[Note]]:
    return (None, ()) if is_empty(raw) else (cell_text(raw), ())


def _remembering(normalise: CellReader) -> CellReader:
    """`normalise`, reading each distinct short cell once: statuses, dates and partners repeat."""
    known: dict[tuple[type, Any], tuple[Any, tuple[Note, ...]]] = {}

    def read(raw: Any) -> tuple[Any, Sequence[Note]]:
        if isinstance(raw, str) and len(raw) > SHORT_CELL:
            return normalise(raw)
        key = (raw.__class__, raw)  # 1, 1.0 and True are equal keys but read differently
        found = known.get(key)
        if found is None:
            value, notes = normalise(raw)
            found = known[key] = (value, tuple(notes))
        return found

    return read


CHEAP_KINDS = frozenset({"text", "org", "person", "reference"})
"""Kinds read faster than a look-up of the value read before (and whose cells rarely repeat)."""


class _Field(NamedTuple):
    """A target of the mapping, the columns that fill it and how their cells are read.

    A named tuple rather than a dataclass: the row loop unpacks one per field for every row.
    """

    target: str
    column: int  # index of the column that fills it (the first, when several do)
    heading: str
    read: CellReader
    copied: bool  # each row gets its own copy of the value read (a list of partners)
    kind: str
    combined: tuple[tuple[int, str], ...]  # (index, heading) of each column when several fill it


class RowReader:
    """Reads the rows of one table through a mapping; the mapping is worked out once."""

    def __init__(
        self,
        sheet: str,
        headers: Sequence[str],
        targets: dict[str, list[int]],
        defaults: dict[str, str],
        *,
        literal: bool = False,
    ) -> None:
        self.sheet = sheet
        self.literal = literal  # a register's own export: text is taken exactly as it is
        self._readers: dict[str, CellReader] = {}
        self.fields = tuple(
            self._field(target, [(i, headers[i]) for i in indexes])
            for target, indexes in targets.items()
        )
        self.columns = {target: headers[indexes[0]] for target, indexes in targets.items()}
        self.defaults: dict[str, Any] = {}
        for target, text in defaults.items():
            if target == "party.role":
                continue
            value, _ = normalise_cell(TARGETS[target].kind, text)
            if value is not None:
                self.defaults[target] = value
        self.families = frozenset(_FAMILY[t] for t in (*self.columns, *self.defaults))

    def _field(self, target: str, columns: list[tuple[int, str]]) -> _Field:
        kind = TARGETS[target].kind
        index, heading = columns[0]
        combined = tuple(columns) if len(columns) > 1 else ()
        return _Field(target, index, heading, self._reader(kind), kind == "orgs", kind, combined)

    def _reader(self, kind: str) -> CellReader:
        """How this table's cells of `kind` are read; one reader per kind, shared by columns."""
        found = self._readers.get(kind)
        if found is None:
            found = self._readers[kind] = self._choose_reader(kind)
        return found

    def _choose_reader(self, kind: str) -> CellReader:
        if _is_export_kind(kind):
            return functools.partial(read_export_cell, kind)
        if self.literal and kind in LITERAL_KINDS:
            return _literal_cell
        if kind in CHEAP_KINDS:
            return cell_normaliser(kind)
        return _remembering(cell_normaliser(kind))

    def read(self, row_number: int, cells: Sequence[Any]) -> RowValues:
        """Normalise one row's cells."""
        row = RowValues(self.sheet, row_number, {}, self.columns, [], [], cells, self.families)
        values = row.values
        width = len(cells)
        for target, column, heading, read, copied, kind, combined in self.fields:
            if combined:
                value = _combined_value(row, target, kind, combined, read, cells)
            else:
                # `_read_cell` written out: this runs for every cell of the sheet
                raw = cells[column] if column < width else None
                if raw is None or raw == "":
                    continue
                value, notes = read(raw)
                if notes:
                    _record(row, heading, notes, raw, target)
                if copied and value is not None:
                    value = list(value)
            if value is not None:
                values[target] = value
        for target, value in self.defaults.items():
            values.setdefault(target, value)
        return row


def _read_cell(row: RowValues, target: str, heading: str, read: CellReader, raw: Any) -> Any:
    """One cell's value, or None; what was wrong with it goes on the row."""
    if raw is None or raw == "":  # blank: every kind of field reads it as None, and says nothing
        return None
    value, notes = read(raw)
    if notes:
        _record(row, heading, notes, raw, target)
    return value


def _combined_value(row: RowValues, target: str, kind: str, columns: Sequence[tuple[int, str]],
                    read: CellReader, cells: Sequence[Any]) -> Any:  # fmt: skip
    """The value of a field several columns fill, or None when they are all empty."""
    parts: list[tuple[str, Any]] = []
    for index, heading in columns:
        raw = cells[index] if index < len(cells) else None
        value = _read_cell(row, target, heading, read, raw)
        if value is not None:
            parts.append((heading, value))
    return _combine(kind, parts) if parts else None


def _combine(kind: str, parts: list[tuple[str, Any]]) -> Any:
    """The value of a field from the values of the columns that fill it."""
    if kind == "orgs":
        if len(parts) == 1:
            return list(parts[0][1])
        merged: list[str] = []
        seen: set[str] = set()
        for _, names in parts:
            for name in names:
                if key_of(name) not in seen:
                    seen.add(key_of(name))
                    merged.append(name)
        return merged
    if kind == "text" and len(parts) > 1:
        return "\n".join(f"{_part_label(h)}: {v}" for h, v in parts)
    return parts[0][1]


def read_row(
    sheet: str,
    row_number: int,
    cells: Sequence[Any],
    headers: Sequence[str],
    targets: dict[str, list[int]],
    defaults: dict[str, str],
) -> RowValues:
    """Normalise one row's cells through the mapping's targets."""
    return RowReader(sheet, headers, targets, defaults).read(row_number, cells)


def _record(row: RowValues, heading: str, notes: Sequence[Note], raw: Any, target: str) -> None:
    for note in notes:
        row.problems.append(CellProblem(row.sheet, row.row, heading, note.level, note.message))
        if note.level == WARNING and "kept in the notes" in note.message:
            row.extra_notes.append(f"{TARGETS[target].label}: {cell_text(raw)}")


# ------------------------------------------------------------------------ assembling


@dataclass(slots=True)
class _Agreement:
    reference: str
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    initial: dict[str, Any] = field(default_factory=dict)
    owner: str = ""
    parties: dict[str, PlannedParty] = field(default_factory=dict)
    bases: dict[tuple[str, tuple[tuple[str, str], ...]], PlannedBasis] = field(default_factory=dict)
    items: dict[tuple[str, Any], _Item] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    record_id: str = ""
    references: dict[str, str] = field(default_factory=dict)
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first: _RowAt | None = None


@dataclass(slots=True)
class _Item:
    title: str
    position: int | None
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    record_id: str = ""
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first: _RowAt | None = None


@dataclass(frozen=True)
class _RowAt:
    """Where a row's `PlannedRow` sits in the plan, so a warning found later can be added."""

    index: int
    raw: Sequence[Any]
    columns: dict[str, str]  # target -> heading


StoredItem = tuple[int | None, str, frozenset[str]]
"""A data item the register holds: its position, title and which of the seven fields it fills."""


PARENT_REFERENCES = (  # in the order their problems are listed
    "paper.meeting", "decision.meeting", "benefit.use_case", "sign_off.agreement",
    "sign_off.party", "checklist.agreement", "checklist_answer.agreement",
    "checklist_answer.checklist", "compliance_review.agreement", "incident.agreement",
    "dpia.agreement", "dpia_risk.agreement", "dpia_risk.dpia",
)  # fmt: skip
"""References a record cannot be without: the record it belongs to."""


_KIND = {name: target.kind for name, target in TARGETS.items()}


def _plain_fields(family: str) -> tuple[tuple[str, str], ...]:
    """(field, target) of the family's plain fields (not ids, references or links), by field."""
    return tuple(sorted(
        (_FIELD[t], t) for t in TARGETS if _FAMILY[t] == family and not _is_export_kind(_KIND[t])
    ))  # fmt: skip


def _link_targets(family: str) -> tuple[str, ...]:
    return tuple(t for t in TARGETS if _FAMILY[t] == family and _KIND[t].startswith("refs:"))


_PLAIN_FIELDS = {family: _plain_fields(family) for family in set(_FAMILY.values())}
_LINK_TARGETS = {family: _link_targets(family) for family in set(_FAMILY.values())}


def _own_values(row: RowValues, family: str, leave_out: tuple[str, ...] = ()
                ) -> tuple[tuple[str, Any], ...]:  # fmt: skip
    """The row's plain field values of one family (not its id, references or links), by name."""
    values = row.values
    return tuple([
        (name, values[target]) for name, target in _PLAIN_FIELDS[family]
        if target in values and target not in leave_out
    ])  # fmt: skip


def _record_id(row: RowValues, family: str) -> str:
    return str(row.values.get(_RECORD_ID_TARGETS[family]) or "")


_RECORD_ID_TARGETS = {family: f"{family}.record_id" for family in set(_FAMILY.values())}


def _links(row: RowValues, family: str) -> dict[str, tuple[str, ...]]:
    values = row.values
    return {t: tuple(values[t]) for t in _LINK_TARGETS[family] if t in values}


def _agreement_part(target: str) -> str:
    """Which part of a planned agreement an agreement target fills."""
    kind = _KIND[target]
    if _FIELD[target] == "owner":
        return "owner"
    if kind == "id":
        return "record_id"
    if kind.startswith("ref:"):
        return "references"
    if kind.startswith("refs:"):
        return "links"
    return "values"


_AGREEMENT_PARTS = {
    target: (_FIELD[target], _agreement_part(target)) for target in TARGETS
    if _FAMILY[target] == "agreement" and target != "agreement.reference"
}  # fmt: skip
"""Agreement target -> (field, part of the agreement it fills); the reference is the key."""


def _by_name(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """(name, value) pairs sorted by name (names are unique, so values are never compared)."""
    if len(values) < 2:
        return tuple(values.items())
    return tuple(sorted(values.items(), key=_NAME))


_NAME = operator.itemgetter(0)


def _merge_role(old: str, new: str) -> str:
    return old if old == new else "both"


def _merge_value(
    store: dict[str, Any], sources: dict[str, int], name: str, value: Any, row: RowValues,
    target: str,
) -> None:  # fmt: skip
    if name not in store:
        store[name] = value
        sources[name] = row.row
        return
    old = store[name]
    if old == value:
        return
    if name == "category":  # one personal-level row makes the agreement personal
        store[name] = "personal" if "personal" in (old, value) else old
        return
    shown = cell_text(old) if not isinstance(old, str) else old
    row.problem(target, WARNING,
                f"differs from an earlier row of the same reference; kept "
                f"'{shown[:40]}' from row {sources[name]}")  # fmt: skip


def _merge_values(store: dict[str, Any], sources: dict[str, int], values: dict[str, Any],
                  row: RowValues, family: str) -> None:  # fmt: skip
    """`_merge_value` of each field of `values` (by name) into an agreement or data item."""
    if not store:  # nothing yet to differ from: most agreements and items have one row
        store.update(values)
        sources.update(dict.fromkeys(values, row.row))
        return
    for name, value in values.items():
        _merge_value(store, sources, name, value, row, f"{family}.{name}")


@dataclass(frozen=True)
class _Shape:
    """What the families of targets a row fills decide, worked out once per set of families."""

    needs_reference: bool  # the row is part of an agreement
    records: frozenset[str]  # families read as `PlannedRecord`s
    records_by_name: tuple[str, ...]


@functools.lru_cache(maxsize=256)
def _shape(families: frozenset[str]) -> _Shape:
    records = families & RECORD_FAMILIES
    return _Shape(bool(families & {"agreement", "party", "basis", "item"}), records,
                  tuple(sorted(records)))  # fmt: skip


class Assembler:
    """Folds read rows into planned agreements, organisations and people."""

    def __init__(self, group_by_reference: bool, party_role: str) -> None:
        self.group = group_by_reference
        self.party_role = party_role
        self.agreements: dict[str, _Agreement] = {}
        self.organisations: dict[str, PlannedOrganisation] = {}
        self.people: dict[tuple[str, str], PlannedPerson] = {}
        self.records: list[PlannedRecord] = []
        self.rows: list[PlannedRow] = []
        self._listed: dict[tuple[str, str], PlannedParty] = {}

    def add(self, row: RowValues, *, single_sheet: bool) -> None:
        reference = str(row.values.get("agreement.reference") or "")
        families = row.families
        if families is None:
            families = frozenset(_FAMILY[t] for t in (*row.values, *row.columns))
        shape = _shape(families)
        if _new_with_placeholder(row, reference):
            row.problem("agreement.reference", ERROR, not_a_reference(reference).message)
        if shape.needs_reference and not reference and not _said_of(row, "agreement.reference"):
            row.problem("agreement.reference", ERROR,
                        "no reference: every row needs the agreement's reference"
                        if "agreement.reference" in row.columns
                        else "no column is mapped to Reference")  # fmt: skip
        existing = self.agreements.get(reference)
        if single_sheet and not self.group and existing is not None and not row.rejected:
            row.problem("agreement.reference", ERROR,
                        f"reference {reference} is also on row {existing.first_row}; group rows "
                        "by reference to combine them into one agreement")  # fmt: skip
        for family in shape.records:
            self._check_parents(row, family)
        if not row.rejected:
            for family in shape.records_by_name:
                self._record(row, family)
            if "organisation.name" in row.values:
                self._organisation(row)
            if "person.name" in row.values:
                self._person(row)
            if shape.needs_reference:
                self._agreement(row, reference, _RowAt(len(self.rows), row.raw, row.columns))
        cells = tuple(cell_text(c) for c in row.raw) if row.problems else ()
        self.rows.append(PlannedRow(row.sheet, row.row, reference, cells, tuple(row.problems)))

    def _check_parents(self, row: RowValues, family: str) -> None:
        for target in PARENT_REFERENCES:
            if _FAMILY[target] == family and target in row.columns and (target not in row.values):
                row.problem(target, ERROR, f"empty: a {family.replace('_', ' ')} needs its "
                                           f"{TARGETS[target].label.lower()}")  # fmt: skip

    def _record(self, row: RowValues, family: str) -> None:
        values = tuple(
            (t, v) for t, v in row.values.items() if _FAMILY[t] == family and _KIND[t] != "id"
        )
        self.records.append(PlannedRecord(entity_of(family), row.sheet, row.row,
                                          _record_id(row, family), values))  # fmt: skip

    def _organisation(self, row: RowValues) -> None:
        name = str(row.values["organisation.name"])
        values = _own_values(row, "organisation", ("organisation.name",))
        self.organisations.setdefault(normalise_name(name), PlannedOrganisation(
            name, values, _record_id(row, "organisation")))  # fmt: skip

    def _person(self, row: RowValues) -> None:
        name = str(row.values["person.name"])
        organisation = str(row.values.get("person.organisation") or "")
        values = _own_values(row, "person", ("person.name", "person.organisation"))
        key = (key_of(name), normalise_name(organisation))
        self.people.setdefault(key, PlannedPerson(name, organisation, values,
                                                  _record_id(row, "person")))  # fmt: skip

    def _agreement(self, row: RowValues, reference: str, at: _RowAt) -> None:
        agreement = self.agreements.get(reference)
        if agreement is None:
            agreement = self.agreements[reference] = _Agreement(reference, row.row, first=at)
        agreement.rows.append(row.row)
        values = row.values
        plain: dict[str, Any] = {}
        for target, value in values.items():
            found = _AGREEMENT_PARTS.get(target)
            if found is None:
                continue
            name, part = found
            if part == "values":  # the most of them
                plain[name] = value
            elif part == "owner":
                agreement.owner = agreement.owner or str(value)
            elif part == "record_id":
                agreement.record_id = agreement.record_id or str(value)
            elif part == "references":
                agreement.references.setdefault(target, str(value))
            else:  # links
                merged = dict.fromkeys((*agreement.links.get(target, ()), *value))
                agreement.links[target] = tuple(merged)
        _merge_values(agreement.values, agreement.sources, plain, row, "agreement")
        for target, fixed_role in PARTY_LIST_ROLES.items():
            for organisation in values.get(target) or ():
                role = fixed_role or self.party_role
                self._add_party(agreement, self._listed_party(organisation, role))
        if "party.organisation" in values:
            self._add_party(agreement, PlannedParty(
                str(values["party.organisation"]), str(values.get("party.role") or "both"),
                str(values.get("party.signatory") or ""), values.get("party.signed_on"),
                _record_id(row, "party"),
            ))  # fmt: skip
        basis = tuple([(name, str(v)) for name, v in _own_values(row, "basis", ("basis.party",))])
        if basis:
            party = str(values.get("basis.party") or "")
            agreement.bases.setdefault(
                (normalise_name(party), basis), PlannedBasis(party, basis, _record_id(row, "basis"))
            )
        self._add_item(agreement, row, at)
        if row.extra_notes:
            agreement.notes.extend(n for n in row.extra_notes if n not in agreement.notes)

    def _listed_party(self, organisation: str, role: str) -> PlannedParty:
        """A party named in a list of partners, one instance per name and role.

        The same partners are listed on many rows: their agreements share the (frozen) party.
        """
        found = self._listed.get((organisation, role))
        if found is None:
            found = self._listed[organisation, role] = PlannedParty(organisation, role)
        return found

    def _add_party(self, agreement: _Agreement, party: PlannedParty) -> None:
        key = normalise_name(party.organisation)
        old = agreement.parties.get(key)
        if old is None:
            agreement.parties[key] = party
            return
        agreement.parties[key] = PlannedParty(
            old.organisation, _merge_role(old.role, party.role),
            old.signatory or party.signatory, old.signed_on or party.signed_on,
            old.record_id or party.record_id,
        )  # fmt: skip

    def _add_item(self, agreement: _Agreement, row: RowValues, at: _RowAt) -> None:
        fields = dict(_own_values(row, "item"))
        links = _links(row, "item")
        if not fields and not links:
            return
        title = str(fields.pop("title", "") or "")
        position = fields.pop("position", None)
        if position is not None:
            key: tuple[str, Any] = ("position", position)
        elif title and self.group:
            key = ("title", " ".join(title.split()))
        else:
            key = ("position", len(agreement.items) + 1)
        item = agreement.items.get(key)
        if item is None:
            item = agreement.items[key] = _Item(title, position, first=at)
        elif title and not item.title:
            item.title = title
        item.record_id = item.record_id or _record_id(row, "item")
        for target, labels in links.items():
            item.links[target] = tuple(dict.fromkeys((*item.links.get(target, ()), *labels)))
        _merge_values(item.values, item.sources, fields, row, "item")

    def active(self) -> list[str]:
        """The references of the agreements the file makes active."""
        return [r for r, a in self.agreements.items() if a.values.get("status") == ACTIVE]

    def _warn(self, at: _RowAt | None, target: str, message: str) -> None:
        """Add a warning to a row already planned (found once every row is read)."""
        if at is None:
            return
        old = self.rows[at.index]
        cells = old.cells or tuple(cell_text(c) for c in at.raw)
        problem = CellProblem(old.sheet, old.row, at.columns.get(target, ""), WARNING, message)
        self.rows[at.index] = replace(old, cells=cells, problems=(*old.problems, problem))

    def _warn_items_lacking_fields(self, agreement: _Agreement,
                                   stored: Sequence[StoredItem]) -> None:  # fmt: skip
        """An active agreement's items should have all seven fields (approval needs them)."""
        by_position = {position: filled for position, _, filled in stored}
        by_title = {" ".join(title.split()): filled for _, title, filled in stored if title}
        for ordinal, item in enumerate(agreement.items.values(), start=1):
            if item.position is not None:
                held = by_position.get(item.position, frozenset())
            elif item.title:
                held = by_title.get(" ".join(item.title.split()), frozenset())
            else:
                held = by_position.get(ordinal, frozenset())
            missing = [label for key, label in SPEC_FIELDS
                       if key not in item.values and key not in held]  # fmt: skip
            if missing:
                which = f"'{item.title[:40]}' is " if item.title else ""
                lacking = ", ".join(missing)
                self._warn(item.first, "agreement.status",
                           "the agreement is active, but a data item lacks some of the seven "
                           f"specification fields; {which}missing: {lacking}")  # fmt: skip

    def planned_agreements(
        self, existing: set[str], stored: dict[str, list[StoredItem]] | None = None
    ) -> tuple[PlannedAgreement, ...]:
        """The agreements to write; rows get warnings for what only the whole agreement shows.

        `stored` holds the data items the register already has for existing agreements the
        file makes active (what they fill counts as filled).
        """
        stored = stored or {}
        planned = []
        for agreement in self.agreements.values():
            values = dict(agreement.values)
            if agreement.notes:
                extra = "\n".join(agreement.notes)
                values["notes"] = f"{values['notes']}\n{extra}" if values.get("notes") else extra
            initial = dict(agreement.initial)
            if "title" not in values:
                first = next(iter(agreement.parties.values()), None)
                initial["title"] = (
                    f"{first.organisation} – {agreement.reference}" if first
                    else agreement.reference
                )  # fmt: skip
                if agreement.reference not in existing:
                    self._warn(agreement.first, "agreement.title",
                               f"no title; the agreement will be called "
                               f"'{initial['title'][:80]}'")  # fmt: skip
            if values.get("status") == ACTIVE:
                self._warn_items_lacking_fields(agreement, stored.get(agreement.reference, ()))
            if "status" not in values:
                initial["status"] = DEFAULT_STATUS
            planned.append(
                PlannedAgreement(
                    reference=agreement.reference,
                    values=_by_name(values),
                    initial=_by_name(initial),
                    owner=agreement.owner,
                    parties=tuple(agreement.parties.values()),
                    bases=tuple(agreement.bases.values()),
                    items=tuple(
                        [
                            PlannedItem(
                                i.title,
                                i.position,
                                _by_name(i.values),
                                i.record_id,
                                _by_name(i.links),
                            )
                            for i in agreement.items.values()
                        ]
                    ),
                    rows=tuple(agreement.rows),
                    existing=agreement.reference in existing,
                    record_id=agreement.record_id,
                    references=_by_name(agreement.references),
                    links=_by_name(agreement.links),
                )
            )
        return tuple(planned)


_PUNCTUATION = re.compile(r"[^\w\s]")


@functools.lru_cache(maxsize=8192)
def normalise_name(name: str) -> str:
    """The organisation matching key, as app.organisations.normalise_name computes name_key."""
    text = name.lower().replace("&", " and ")
    text = _PUNCTUATION.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


# ------------------------------------------------------------------ naming records in cells

SCOPES: dict[str, str] = {
    "party": "agreement", "checklist": "agreement", "dpia": "agreement", "paper": "meeting",
}  # fmt: skip
"""Kinds of record named within another: a party by its organisation within its agreement."""


LINKS: dict[str, tuple[str, bool]] = {
    "agreement.use_cases": ("agreement_use_case", True),
    "agreement.assessments": ("agreement_assessment", True),
    "item.assessments": ("assessment_data_item", False),
    "use_case.partners": ("use_case_partner", True),
}
"""Targets listing linked records: the kind of link, and whether the row's record is its left."""


def _meeting_key(text: str) -> tuple[str, dt.date | None]:
    body, _, day = text.rpartition(",")
    for words, date_text in ((body, day), ("", text)):
        try:
            return key_of(words), parse_date(date_text.strip())
        except BadValueError:
            continue
    return key_of(text), None


def name_key(entity: str, label: str) -> tuple[Any, ...]:
    """What two labels of one kind of record must share to name the same record."""
    if entity == "organisation":
        return (normalise_name(label),)
    if entity == "meeting":
        return _meeting_key(label)
    return (key_of(label),)


def _name_rows(session: Session, entity: str) -> list[tuple[str, str | None, str]]:
    """(id, scope id, label) of every live record of `entity`."""
    o, g = OrganisationRecord, GovernanceBodyRecord
    if entity == "meeting":
        m = MeetingRecord
        rows = session.execute(
            select(m.id, g.name, m.meeting_date).outerjoin(g, g.id == m.body_id).where(m.is_live)
        )
        return [(i, None, meeting_label(body or "", day)) for i, body, day in rows]
    if entity == "party":
        p = PartyRecord
        query = select(p.id, p.agreement_id, o.name).outerjoin(o, o.id == p.organisation_id)
        return [(i, a, n or "") for i, a, n in session.execute(query.where(p.is_live))]
    model, scope, label = _NAMED[entity]
    columns = (model.id, getattr(model, scope) if scope else model.id, getattr(model, label))
    return [
        (i, a if scope else None, "" if n is None else str(n))
        for i, a, n in session.execute(select(*columns).where(model.is_live))
    ]


LABELLED_ONLY = frozenset({"organisation", "person", "agreement"})
"""Kinds of record a cell always names by label (see `RecordNames.reference`)."""

_NAMED: dict[str, tuple[Any, str | None, str]] = {
    "organisation": (OrganisationRecord, None, "name"),
    "person": (PersonRecord, None, "name"),
    "agreement": (AgreementRecord, None, "reference"),
    "governance_body": (GovernanceBodyRecord, None, "name"),
    "paper": (PaperRecord, "meeting_id", "letter"),
    "checklist": (ChecklistRecord, "agreement_id", "template_key"),
    "dpia": (DpiaRecord, "agreement_id", "title"),
    "use_case": (UseCaseRecord, None, "title"),
    "assessment": (AssessmentRecord, None, "title"),
}
"""How each kind of record other records point at is named in a cell: (model, scope, label)."""


class RecordNames:
    """The labels of the register's records, read once per kind.

    The export writes them in the cells that point at a record; an import of the export finds
    the records by them.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._rows: dict[str, dict[str, tuple[str | None, str]]] = {}
        self._keys: dict[str, dict[tuple[Any, ...], list[str]]] = {}

    def _load(self, entity: str) -> dict[str, tuple[str | None, str]]:
        found = self._rows.get(entity)
        if found is None:
            rows = _name_rows(self._session, entity)
            found = self._rows[entity] = {i: (scope, label) for i, scope, label in rows}
            keys: dict[tuple[Any, ...], list[str]] = {}
            for record_id, (scope, label) in found.items():
                keys.setdefault((scope, *name_key(entity, label)), []).append(record_id)
            self._keys[entity] = keys
        return found

    def label(self, entity: str, record_id: str | None) -> str:
        """The record's label, or "" for none (or a record that is not live)."""
        if record_id is None:
            return ""
        found = self._load(entity).get(record_id)
        return "" if found is None else found[1]

    def reference(self, entity: str, record_id: str | None) -> str:
        """How a cell names the record: its label, if that names it alone within its scope.

        Otherwise (no label, or one another record shares) its register id, which an import
        finds it by (`find_by_id`). Organisations, people and agreements are always named by
        their label: an import matches them by it (and adds an organisation or person it does
        not know).
        """
        if record_id is None:
            return ""
        found = self._load(entity).get(record_id)
        if found is None:
            return ""
        scope, label = found
        if entity in LABELLED_ONLY:
            return label
        alone = self._keys[entity].get((scope, *name_key(entity, label))) == [record_id]
        return label if label and alone else record_id

    def find_by_id(self, entity: str, record_id: str, scope_id: str | None = None) -> str | None:
        """`record_id` if it is a live record of `entity` (within `scope_id`, if given)."""
        found = self._load(entity).get(record_id)
        if found is None or (scope_id is not None and found[0] != scope_id):
            return None
        return record_id

    def scope_of(self, entity: str, record_id: str | None) -> str | None:
        found = self._load(entity).get(record_id or "")
        return None if found is None else found[0]

    def find(self, entity: str, label: str, scope_id: str | None = None) -> list[str]:
        """The ids of the live records of `entity` that `label` names (within `scope_id`)."""
        self._load(entity)
        return list(self._keys[entity].get((scope_id, *name_key(entity, label)), ()))

    def loaded(self, entity: str) -> bool:
        return entity in self._rows

    def forget(self, entity: str) -> None:
        """Read `entity` again when next asked (its records have changed)."""
        self._rows.pop(entity, None)
        self._keys.pop(entity, None)


def existing_references(register: Register, references: Iterable[str]) -> set[str]:
    wanted = list(dict.fromkeys(references))
    found: set[str] = set()
    with register.session() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                r for r in session.scalars(
                    select(AgreementRecord.reference).where(
                        AgreementRecord.is_live.is_(True), AgreementRecord.reference.in_(chunk)
                    )
                ) if r is not None
            )  # fmt: skip
    return found


def stored_items(register: Register, references: Sequence[str]) -> dict[str, list[StoredItem]]:
    """The live data items of the agreements `references` name, read in a few queries."""
    found: dict[str, list[StoredItem]] = {}
    if not references:
        return found
    a, i = AgreementRecord, DataItemRecord
    keys = [key for key, _ in SPEC_FIELDS]
    columns = [getattr(i, key) for key in keys]
    with register.session() as session:
        for start in range(0, len(references), 500):
            chunk = references[start : start + 500]
            query = (
                select(a.reference, i.position, i.title, *columns)
                .join(a, a.id == i.agreement_id)
                .where(a.is_live.is_(True), i.is_live.is_(True), a.reference.in_(chunk))
            )
            for reference, position, title, *values in session.execute(query):
                filled = frozenset(k for k, v in zip(keys, values, strict=True) if v)
                found.setdefault(reference, []).append((position, title or "", filled))
    return found


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk step; it resumes after.

    Planning or committing a large sheet makes hundreds of thousands of small containers and no
    reference cycles; the collector's full passes over all of them, each longer than the last,
    took as long as the work itself (reference counting still frees everything at once).

    On resuming, what the step made is moved to the oldest generation without a pass over it
    (`freeze` then `unfreeze`): else the first allocation after sets off a pass over every one
    of them as the youngest (0.56 s after planning 50,000 rows). They are still collected, as
    anything old is, by the next full pass.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _tick(done: int, total: int, progress: Progress | None, cancel: Cancel | None) -> None:
    if done % PROGRESS_EVERY == 0:
        checkpoint(done, total, progress, cancel, ImportCancelledError)


def plan_tables(
    register: Register,
    sources: Sequence[tuple[Table, Mapping]],
    *,
    group_by_reference: bool,
    source_name: str,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """Plan the import of one or more mapped tables (several: a whole exported register)."""
    with collector_paused():
        return _plan_tables(register, sources, group_by_reference, source_name, progress, cancel)


def _plan_tables(
    register: Register,
    sources: Sequence[tuple[Table, Mapping]],
    group_by_reference: bool,
    source_name: str,
    progress: Progress | None,
    cancel: Cancel | None,
) -> ImportPlan:
    total = sum(len(t.rows) for t, _ in sources)
    done = 0
    party_role = "both"
    notes: list[str] = []
    for table, mapping in sources:
        party_role = dict(mapping.defaults).get("party.role", party_role)
        notes.extend(f"{table.sheet}: {s}" for s in table.skipped)
    assembler = Assembler(group_by_reference, party_role)
    single = len(sources) == 1
    for table, mapping in sources:
        reader = RowReader(table.sheet, table.headers, mapping.targets(), dict(mapping.defaults),
                           literal=mapping.profile == EXPORT_PROFILE)  # fmt: skip
        for number, cells in zip(table.row_numbers, table.rows, strict=True):
            if all(is_empty(c) for c in cells):
                continue
            row = reader.read(number, cells)
            assembler.add(row, single_sheet=single)
            done += 1
            _tick(done, total, progress, cancel)
    existing = existing_references(register, assembler.agreements)
    stored = stored_items(register, [r for r in assembler.active() if r in existing])
    agreements = assembler.planned_agreements(existing, stored)  # may add warnings to rows
    plan = ImportPlan(
        source=source_name,
        sheet=", ".join(t.sheet for t, _ in sources),
        headers=sources[0][0].headers if sources else (),
        rows=tuple(assembler.rows),
        agreements=agreements,
        organisations=tuple(assembler.organisations.values()),
        people=tuple(assembler.people.values()),
        notes=tuple(notes),
        records=tuple(assembler.records),
    )
    if progress is not None:
        progress(total, total)
    return plan


def plan_import(
    register: Register,
    table: Table,
    mapping: Mapping,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """The preview of importing `table` through `mapping`; reads the register, writes nothing."""
    options = options or ImportOptions()
    group = (
        mapping.group_by_reference
        if options.group_by_reference is None
        else (options.group_by_reference)
    )
    return plan_tables(register, [(table, mapping)], group_by_reference=group,
                       source_name=table.path.name, progress=progress,
                       cancel=cancel)  # fmt: skip
