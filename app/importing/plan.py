"""From table rows to an import plan: each row with its problems per cell, grouped by reference."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.errors import RegisterError
from app.importing.header import Table
from app.importing.mapping import TARGETS, Mapping
from app.importing.normalise import ERROR, WARNING, Note, cell_text, is_empty, normalise_cell
from app.importing.vocabulary import key_of
from app.register import Register
from db.models import AgreementRecord

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
PROGRESS_EVERY = 500
DEFAULT_STATUS = "draft"
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
        where = f"{self.column}: " if self.column else ""
        return f"{where}{self.message}"


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


@dataclass(frozen=True)
class PlannedParty:
    organisation: str
    role: str
    signatory: str = ""
    signed_on: dt.date | None = None


@dataclass(frozen=True)
class PlannedBasis:
    party: str  # organisation name, or "" for the agreement as a whole
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PlannedItem:
    title: str
    position: int | None
    values: tuple[tuple[str, Any], ...]


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


@dataclass(frozen=True)
class PlannedOrganisation:
    name: str
    values: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class PlannedPerson:
    name: str
    organisation: str
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


@dataclass
class RowValues:
    """One row read through the mapping: values per target, notes kept for the notes field."""

    sheet: str
    row: int
    values: dict[str, Any]
    columns: dict[str, str]  # target -> heading of the (first) column it came from
    extra_notes: list[str]
    problems: list[CellProblem]
    raw: Sequence[Any]

    def problem(self, target: str, level: str, message: str) -> None:
        self.problems.append(
            CellProblem(self.sheet, self.row, self.columns.get(target, ""), level, message)
        )

    @property
    def rejected(self) -> bool:
        return any(p.level == ERROR for p in self.problems)


def _part_label(heading: str) -> str:
    return heading.split("\n")[0].strip().rstrip(":*").strip()


def read_row(
    sheet: str,
    row_number: int,
    cells: Sequence[Any],
    headers: Sequence[str],
    targets: dict[str, list[int]],
    defaults: dict[str, str],
) -> RowValues:
    """Normalise one row's cells through the mapping's targets."""
    row = RowValues(sheet, row_number, {}, {}, [], [], cells)
    for target, indexes in targets.items():
        kind = TARGETS[target].kind
        row.columns[target] = headers[indexes[0]]
        parts: list[tuple[str, Any]] = []
        for index in indexes:
            raw = cells[index] if index < len(cells) else None
            value, notes = normalise_cell(kind, raw)
            _record(row, headers[index], notes, raw, target)
            if value is not None:
                parts.append((headers[index], value))
        if not parts:
            continue
        if kind == "orgs":
            merged: list[str] = []
            seen: set[str] = set()
            for _, names in parts:
                for name in names:
                    if key_of(name) not in seen:
                        seen.add(key_of(name))
                        merged.append(name)
            row.values[target] = merged
        elif kind == "text" and len(indexes) > 1:
            row.values[target] = "\n".join(f"{_part_label(h)}: {v}" for h, v in parts)
        else:
            row.values[target] = parts[0][1]
    for target, text in defaults.items():
        if target in row.values or target == "party.role":
            continue
        value, notes = normalise_cell(TARGETS[target].kind, text)
        if value is not None:
            row.values[target] = value
    return row


def _record(row: RowValues, heading: str, notes: list[Note], raw: Any, target: str) -> None:
    for note in notes:
        row.problems.append(CellProblem(row.sheet, row.row, heading, note.level, note.message))
        if note.level == WARNING and "kept in the notes" in note.message:
            row.extra_notes.append(f"{TARGETS[target].label}: {cell_text(raw)}")


# ------------------------------------------------------------------------ assembling


@dataclass
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


@dataclass
class _Item:
    title: str
    position: int | None
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)


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
                f"differs from row {sources[name]} of the same reference; kept "
                f"'{shown[:40]}'")  # fmt: skip


class Assembler:
    """Folds read rows into planned agreements, organisations and people."""

    def __init__(self, group_by_reference: bool, party_role: str) -> None:
        self.group = group_by_reference
        self.party_role = party_role
        self.agreements: dict[str, _Agreement] = {}
        self.organisations: dict[str, PlannedOrganisation] = {}
        self.people: dict[tuple[str, str], PlannedPerson] = {}
        self.rows: list[PlannedRow] = []

    def add(self, row: RowValues, *, single_sheet: bool) -> None:
        reference = str(row.values.get("agreement.reference") or "")
        families = {t.split(".")[0] for t in row.values} | {
            t.split(".")[0] for t in row.columns
        }
        needs_reference = bool(families & {"agreement", "party", "basis", "item"})
        if needs_reference and not reference:
            row.problem("agreement.reference", ERROR,
                        "no reference: every row needs the agreement's reference"
                        if "agreement.reference" in row.columns
                        else "no column is mapped to Reference")  # fmt: skip
        existing = self.agreements.get(reference)
        if (
            single_sheet and not self.group and existing is not None and not row.rejected
        ):
            row.problem("agreement.reference", ERROR,
                        f"reference {reference} is also on row {existing.first_row}; group rows "
                        "by reference to combine them into one agreement")  # fmt: skip
        if not row.rejected:
            if "organisation.name" in row.values:
                self._organisation(row)
            if "person.name" in row.values:
                self._person(row)
            if needs_reference:
                self._agreement(row, reference)
        cells = tuple(cell_text(c) for c in row.raw) if row.problems else ()
        self.rows.append(PlannedRow(row.sheet, row.row, reference, cells, tuple(row.problems)))

    def _organisation(self, row: RowValues) -> None:
        name = str(row.values["organisation.name"])
        values = tuple(sorted(
            (t.split(".", 1)[1], v) for t, v in row.values.items()
            if t.startswith("organisation.") and t != "organisation.name"
        ))  # fmt: skip
        self.organisations.setdefault(normalise_name(name), PlannedOrganisation(name, values))

    def _person(self, row: RowValues) -> None:
        name = str(row.values["person.name"])
        organisation = str(row.values.get("person.organisation") or "")
        values = tuple(sorted(
            (t.split(".", 1)[1], v) for t, v in row.values.items()
            if t.startswith("person.") and t not in ("person.name", "person.organisation")
        ))  # fmt: skip
        key = (key_of(name), normalise_name(organisation))
        self.people.setdefault(key, PlannedPerson(name, organisation, values))

    def _agreement(self, row: RowValues, reference: str) -> None:
        agreement = self.agreements.get(reference)
        if agreement is None:
            agreement = self.agreements[reference] = _Agreement(reference, row.row)
        agreement.rows.append(row.row)
        values = row.values
        for target, value in values.items():
            family, name = target.split(".", 1)
            if family != "agreement" or name == "reference":
                continue
            if name == "owner":
                agreement.owner = agreement.owner or str(value)
            else:
                _merge_value(agreement.values, agreement.sources, name, value, row, target)
        for target, fixed_role in PARTY_LIST_ROLES.items():
            for organisation in values.get(target) or ():
                role = fixed_role or self.party_role
                self._add_party(agreement, PlannedParty(organisation, role))
        if "party.organisation" in values:
            self._add_party(agreement, PlannedParty(
                str(values["party.organisation"]), str(values.get("party.role") or "both"),
                str(values.get("party.signatory") or ""), values.get("party.signed_on"),
            ))  # fmt: skip
        basis = tuple(sorted(
            (t.split(".", 1)[1], str(v)) for t, v in values.items()
            if t.startswith("basis.") and t != "basis.party"
        ))  # fmt: skip
        if basis:
            party = str(values.get("basis.party") or "")
            agreement.bases.setdefault((normalise_name(party), basis), PlannedBasis(party, basis))
        self._add_item(agreement, row)
        agreement.notes.extend(n for n in row.extra_notes if n not in agreement.notes)

    def _add_party(self, agreement: _Agreement, party: PlannedParty) -> None:
        key = normalise_name(party.organisation)
        old = agreement.parties.get(key)
        if old is None:
            agreement.parties[key] = party
            return
        agreement.parties[key] = PlannedParty(
            old.organisation, _merge_role(old.role, party.role),
            old.signatory or party.signatory, old.signed_on or party.signed_on,
        )  # fmt: skip

    def _add_item(self, agreement: _Agreement, row: RowValues) -> None:
        fields = {t.split(".", 1)[1]: v for t, v in row.values.items() if t.startswith("item.")}
        if not fields:
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
            item = agreement.items[key] = _Item(title, position)
        elif title and not item.title:
            item.title = title
        for name, value in fields.items():
            _merge_value(item.values, item.sources, name, value, row, f"item.{name}")

    def planned_agreements(self, existing: set[str]) -> tuple[PlannedAgreement, ...]:
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
            if "status" not in values:
                initial["status"] = DEFAULT_STATUS
            planned.append(
                PlannedAgreement(
                    reference=agreement.reference,
                    values=tuple(sorted(values.items())),
                    initial=tuple(sorted(initial.items())),
                    owner=agreement.owner,
                    parties=tuple(agreement.parties.values()),
                    bases=tuple(agreement.bases.values()),
                    items=tuple(
                        PlannedItem(i.title, i.position, tuple(sorted(i.values.items())))
                        for i in agreement.items.values()
                    ),
                    rows=tuple(agreement.rows),
                    existing=agreement.reference in existing,
                )
            )
        return tuple(planned)


def normalise_name(name: str) -> str:
    """The organisation matching key, as app.organisations.normalise_name computes name_key."""
    import re

    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    return " ".join(text.split())


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


def _tick(done: int, total: int, progress: Progress | None, cancel: Cancel | None) -> None:
    if done % PROGRESS_EVERY:
        return
    if cancel is not None and cancel():
        raise ImportCancelledError()
    if progress is not None:
        progress(done, total)


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
        targets = mapping.targets()
        defaults = dict(mapping.defaults)
        for number, cells in zip(table.row_numbers, table.rows, strict=True):
            if all(is_empty(c) for c in cells):
                continue
            row = read_row(table.sheet, number, cells, table.headers, targets, defaults)
            assembler.add(row, single_sheet=single)
            done += 1
            _tick(done, total, progress, cancel)
    existing = existing_references(register, assembler.agreements)
    plan = ImportPlan(
        source=source_name,
        sheet=", ".join(t.sheet for t, _ in sources),
        headers=sources[0][0].headers if sources else (),
        rows=tuple(assembler.rows),
        agreements=assembler.planned_agreements(existing),
        organisations=tuple(assembler.organisations.values()),
        people=tuple(assembler.people.values()),
        notes=tuple(notes),
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
    group = mapping.group_by_reference if options.group_by_reference is None else (
        options.group_by_reference
    )
    return plan_tables(register, [(table, mapping)], group_by_reference=group,
                       source_name=table.path.name, progress=progress,
                       cancel=cancel)  # fmt: skip
