"""Committing an import plan as one batch of operations: all or nothing, and idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import RegisterError
from app.importing.mapping import TARGETS
from app.importing.plan import (
    LINKS,
    SCOPES,
    ImportCancelledError,
    ImportPlan,
    PlannedAgreement,
    PlannedRecord,
    RecordNames,
    collector_paused,
    normalise_name,
)
from app.importing.vocabulary import key_of
from app.oplog import CHUNK, field_names, link_id, model_for
from app.progress import Cancel, Progress, checkpoint
from app.register import Changes, Register
from app.wording import count_of, plural
from db.models import (
    AgreementRecord,
    DataItemRecord,
    LawfulBasisRecord,
    OrganisationRecord,
    PartyRecord,
    PersonRecord,
)

BASIS_FIELDS = ("purpose", "article_6", "article_9", "article_10", "dpa_schedule_1",
                "statutory_gateway", "common_law_duty")  # fmt: skip
ITEM_FIELDS = ("title", "source", "extract_mechanism", "destination", "frequency", "data_fields",
               "purpose", "safeguards", "responsible_owner", "refresh_schedule", "last_received",
               "next_due")  # fmt: skip
AGREEMENT_FIELDS = tuple(
    c.name for c in AgreementRecord.__table__.columns if c.name not in ("id", "is_live")
)
STEP = 500
"""Agreements written between progress reports. Their operations are applied as they go, so the
bar follows the real work (most of it is writing, not building) and a cancel is heard at once."""
SAVING_SHARE = 6
"""The closing commit counts as 1/SAVING_SHARE of the agreements' work on the progress bar (it
takes about a sixth of a large import: the database makes the whole batch durable at once)."""
RECORDS_BEFORE_AGREEMENTS = ("governance_body", "meeting", "paper", "use_case", "benefit",
                             "assessment", "log_entry")  # fmt: skip
RECORDS_AFTER_AGREEMENTS = ("sign_off", "checklist", "checklist_answer", "compliance_review",
                            "incident", "dpia", "dpia_risk", "decision")  # fmt: skip
"""The order the other kinds of record are written in: each after those it refers to."""

NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "governance_body": ("name",),
    "meeting": ("body_id", "meeting_date"),
    "paper": ("meeting_id", "letter"),
    "checklist": ("agreement_id", "template_key"),
    "checklist_answer": ("checklist_id", "item_key"),
    "dpia": ("agreement_id", "title"),
    "use_case": ("title",),
    "assessment": ("title",),
}
"""What matches a row to a record of these kinds when the row carries no register id."""


class ImportReferenceError(RegisterError):
    """A row names a record that is not in the register or the file (or names several)."""


@dataclass(frozen=True)
class ImportResult:
    """What a committed import did."""

    rows_read: int
    rows_rejected: int
    warnings: int
    agreements_created: int
    agreements_updated: int
    agreements_unchanged: int
    items_created: int
    items_updated: int
    organisations_created: int
    people_created: int
    operations: int
    records_created: int = 0  # meetings, use cases, logs… (a register's own export)
    records_updated: int = 0

    def summary(self) -> str:
        others = (
            f"{self.records_created} other records created, {self.records_updated} updated; "
            if self.records_created or self.records_updated
            else ""
        )
        organisations = plural(self.organisations_created, "organisation")
        return (
            f"{plural(self.rows_read, 'row')} read; agreements: {self.agreements_created:,} "
            f"created, {self.agreements_updated:,} updated, {self.agreements_unchanged:,} "
            f"unchanged; data items: {self.items_created:,} created, {self.items_updated:,} "
            f"updated; {organisations} and {plural(self.people_created, 'person', 'people')} "
            f"added; {others}{plural(self.warnings, 'warning')}; "
            f"{plural(self.rows_rejected, 'row')} rejected"
        )


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    items_created: int = 0
    items_updated: int = 0
    organisations: int = 0
    people: int = 0
    records_created: int = 0
    records_updated: int = 0


@dataclass
class _Existing:
    """The part of the register an import touches, read inside the import's transaction."""

    agreements: dict[str, AgreementRecord] = field(default_factory=dict)
    parties: dict[str, list[PartyRecord]] = field(default_factory=dict)
    bases: dict[str, list[LawfulBasisRecord]] = field(default_factory=dict)
    items: dict[str, list[DataItemRecord]] = field(default_factory=dict)
    organisations: dict[str, OrganisationRecord] = field(default_factory=dict)
    people: dict[tuple[str, str], str] = field(default_factory=dict)  # (name key, org id) -> id
    people_by_name: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _PendingLink:
    target: str  # e.g. "agreement.use_cases"
    record_id: str  # the record of the row
    labels: tuple[str, ...]
    where: str


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _load(session: Session, references: list[str]) -> _Existing:
    found = _Existing()
    for org in session.scalars(select(OrganisationRecord).where(OrganisationRecord.is_live)):
        for key in (org.name_key, normalise_name(org.name or "")):
            if key:  # the stored key, and the key of the name as this importer computes it
                found.organisations.setdefault(key, org)
    for person in session.scalars(select(PersonRecord).where(PersonRecord.is_live)):
        key = key_of(person.name)
        found.people.setdefault((key, person.organisation_id or ""), person.id)
        found.people_by_name.setdefault(key, person.id)
    for chunk in _chunks(references):
        for agreement in session.scalars(
            select(AgreementRecord).where(
                AgreementRecord.is_live.is_(True), AgreementRecord.reference.in_(chunk)
            )
        ):
            if agreement.reference is not None:
                found.agreements.setdefault(agreement.reference, agreement)
    ids = [a.id for a in found.agreements.values()]
    for chunk in _chunks(ids):
        for party in session.scalars(select(PartyRecord).where(
            PartyRecord.is_live.is_(True), PartyRecord.agreement_id.in_(chunk)
        )):  # fmt: skip
            found.parties.setdefault(party.agreement_id or "", []).append(party)
        for basis in session.scalars(select(LawfulBasisRecord).where(
            LawfulBasisRecord.is_live.is_(True), LawfulBasisRecord.agreement_id.in_(chunk)
        )):  # fmt: skip
            found.bases.setdefault(basis.agreement_id or "", []).append(basis)
        for item in session.scalars(select(DataItemRecord).where(
            DataItemRecord.is_live.is_(True), DataItemRecord.agreement_id.in_(chunk)
        )):  # fmt: skip
            found.items.setdefault(item.agreement_id or "", []).append(item)
    return found


def _wanted_ids(plan: ImportPlan) -> dict[str, list[str]]:
    """The register ids the file gives its records, by kind of record (a register's export)."""
    wanted: dict[str, list[str]] = {}

    def add(entity: str, record_id: str) -> None:
        if record_id:
            wanted.setdefault(entity, []).append(record_id)

    for organisation in plan.organisations:
        add("organisation", organisation.record_id)
    for person in plan.people:
        add("person", person.record_id)
    for agreement in plan.agreements:
        add("agreement", agreement.record_id)
        for party in agreement.parties:
            add("party", party.record_id)
        for basis in agreement.bases:
            add("lawful_basis", basis.record_id)
        for item in agreement.items:
            add("data_item", item.record_id)
    for record in plan.records:
        add(record.entity, record.record_id)
    return wanted


class _Ids:
    """Which of the file's register ids a new record may keep: those no record has yet."""

    def __init__(self, session: Session, wanted: dict[str, list[str]]) -> None:
        self._session = session
        self._wanted = wanted
        self._taken: dict[str, set[str]] = {}
        self.written: dict[tuple[str, str], str] = {}  # (kind, id in the file) -> id written
        self._written_ids: dict[str, set[str]] = {}  # kind -> the ids of `written`

    def note(self, entity: str, wanted: str, written: str) -> None:
        """The record the file calls `wanted` was written as `written`.

        They differ when the file's id was taken, or the row matched a record by its natural key.
        """
        if wanted:
            self.written[(entity, wanted)] = written
            self._written_ids.setdefault(entity, set()).add(written)

    def wrote(self, entity: str, record_id: str) -> bool:
        """Whether a row of the file with a register id of its own was written as `record_id`."""
        return record_id in self._written_ids.get(entity, ())

    def claim(self, entity: str, wanted: str) -> str | None:
        """`wanted` if a record created now may have it (and then no other may), else None."""
        if not wanted:
            return None
        taken = self._taken.get(entity)
        if taken is None:
            taken = self._taken[entity] = self._stored(entity)
        if wanted in taken:
            return None
        taken.add(wanted)
        return wanted

    def _stored(self, entity: str) -> set[str]:
        model = model_for(entity)
        found: set[str] = set()
        for chunk in _chunks(sorted(set(self._wanted.get(entity, ())))):
            found.update(self._session.scalars(select(model.id).where(model.id.in_(chunk))))
        return found


class _Writer:
    def __init__(self, changes: Changes, existing: _Existing, ids: _Ids) -> None:
        self.changes = changes
        self.existing = existing
        self.ids = ids
        self.counts = _Counts()
        self.names = RecordNames(changes.session)
        self.pending_links: list[_PendingLink] = []
        self._records: dict[str, dict[str, Any]] = {}  # entity -> id -> live record (or None)
        self._keys: dict[str, dict[tuple[Any, ...], str]] = {}  # entity -> natural key -> id

    # -- organisations and people

    def organisation(self, name: str, values: dict[str, Any] | None = None,
                     record_id: str = "") -> str:  # fmt: skip
        key = normalise_name(name)
        found = self.existing.organisations.get(key)
        if found is not None:
            if values:
                self._update(found, "organisation", values)
            return found.id
        record_id = self.changes.create(
            "organisation", {"name": name, "name_key": key, **(values or {})},
            record_id=self.ids.claim("organisation", record_id),
        )  # fmt: skip
        self.existing.organisations[key] = OrganisationRecord(id=record_id, name=name,
                                                              name_key=key)  # fmt: skip
        self.counts.organisations += 1
        return record_id

    def person(self, name: str, organisation_id: str | None, values: dict[str, Any] | None = None,
               *, by_name: bool = False, record_id: str = "") -> str:  # fmt: skip
        key = key_of(name)
        found = self.existing.people.get((key, organisation_id or ""))
        if found is None and by_name:
            found = self.existing.people_by_name.get(key)
        if found is not None:
            if values:
                record = self.changes.session.get(PersonRecord, found)
                if record is not None:
                    self._update(record, "person", values)
            return found
        record_id = self.changes.create(
            "person", {"name": name, "organisation_id": organisation_id, **(values or {})},
            record_id=self.ids.claim("person", record_id),
        )  # fmt: skip
        self.existing.people[(key, organisation_id or "")] = record_id
        self.existing.people_by_name.setdefault(key, record_id)
        self.counts.people += 1
        return record_id

    def _update(self, record: Any, entity: str, values: dict[str, Any]) -> bool:
        changed = False
        for name, value in values.items():
            if getattr(record, name) != value:
                changed = self.changes.set(entity, record.id, name, value) or changed
        return changed

    # -- agreements

    def agreement(self, planned: PlannedAgreement) -> None:
        values = dict(planned.values)
        if planned.owner:
            values["owner_id"] = self.person(planned.owner, None, by_name=True)
        where = f"agreement {planned.reference}"
        for target, label in planned.references:  # the meeting that approved it
            values[f"{target.split('.', 1)[1]}_id"] = self.find(
                TARGETS[target].kind[4:], label, None, where
            )
        record = self.existing.agreements.get(planned.reference)
        if record is None:
            agreement_id = self._create(planned, values)
        else:
            agreement_id = record.id
            self._amend(record, planned, values)
        self._link_later(planned.links, agreement_id, where)

    def _party_values(self, planned: PlannedAgreement) -> list[tuple[str, dict[str, Any], str]]:
        parties = []
        for party in planned.parties:
            org_id = self.organisation(party.organisation)
            values: dict[str, Any] = {"organisation_id": org_id, "role": party.role}
            if party.signatory:
                values["signatory_id"] = self.person(party.signatory, org_id, by_name=True)
            if party.signed_on is not None:
                values["signed_on"] = party.signed_on
            parties.append((normalise_name(party.organisation), values, party.record_id))
        return parties

    def _create(self, planned: PlannedAgreement, values: dict[str, Any]) -> str:
        create, claim = self.changes.create, self.ids.claim
        agreement_id = create("agreement", {**dict(planned.initial), **values,
                                            "reference": planned.reference},
                              record_id=claim("agreement", planned.record_id))  # fmt: skip
        party_ids: dict[str, str] = {}
        for key, party, wanted in self._party_values(planned):
            party_ids[key] = create("party", {"agreement_id": agreement_id, **party},
                                    record_id=claim("party", wanted))  # fmt: skip
        for basis in planned.bases:
            party_id = party_ids.get(normalise_name(basis.party)) if basis.party else None
            create("lawful_basis", {"agreement_id": agreement_id, "party_id": party_id,
                                    **dict(basis.values)},
                   record_id=claim("lawful_basis", basis.record_id))  # fmt: skip
        for position, item in enumerate(planned.items, start=1):
            item_id = create("data_item", {"agreement_id": agreement_id,
                                           "position": item.position or position,
                                           **({"title": item.title} if item.title else {}),
                                           **dict(item.values)},
                             record_id=claim("data_item", item.record_id))  # fmt: skip
            self._link_later(item.links, item_id, f"agreement {planned.reference}")
            self.counts.items_created += 1
        self.counts.created += 1
        return agreement_id

    def _amend(self, record: AgreementRecord, planned: PlannedAgreement,
               values: dict[str, Any]) -> None:  # fmt: skip
        before = len(self.changes.operations)
        self._update(record, "agreement", values)
        agreement_id = record.id
        parties = {p.organisation_id or "": p for p in self.existing.parties.get(agreement_id, [])}
        party_ids = {self._org_key(p.organisation_id): p.id for p in parties.values()}
        for key, party, wanted in self._party_values(planned):
            found = parties.get(party["organisation_id"])
            if found is None:
                party_ids[key] = self.changes.create(
                    "party", {"agreement_id": agreement_id, **party},
                    record_id=self.ids.claim("party", wanted),
                )  # fmt: skip
            else:
                self._update(found, "party", party)
                party_ids[key] = found.id
        old_bases = {
            (b.party_id or "", tuple((n, getattr(b, n)) for n in BASIS_FIELDS))
            for b in self.existing.bases.get(agreement_id, [])
        }
        for basis in planned.bases:
            party_id = party_ids.get(normalise_name(basis.party)) if basis.party else None
            given = dict(basis.values)
            signature = (party_id or "", tuple((n, given.get(n)) for n in BASIS_FIELDS))
            if signature not in old_bases:
                self.changes.create(
                    "lawful_basis",
                    {"agreement_id": agreement_id, "party_id": party_id, **given},
                    record_id=self.ids.claim("lawful_basis", basis.record_id),
                )
                old_bases.add(signature)
        self._amend_items(agreement_id, planned)
        if len(self.changes.operations) > before:
            self.counts.updated += 1
        else:
            self.counts.unchanged += 1

    def _org_key(self, organisation_id: str | None) -> str:
        for key, org in self.existing.organisations.items():
            if org.id == organisation_id:
                return key
        return ""

    def _amend_items(self, agreement_id: str, planned: PlannedAgreement) -> None:
        items = [i for i in self.existing.items.get(agreement_id, [])]
        by_position = {i.position: i for i in items}
        by_title = {" ".join(i.title.split()): i for i in items if i.title}
        next_position = max((i.position or 0 for i in items), default=0) + 1
        for ordinal, item in enumerate(planned.items, start=1):
            values = dict(item.values)
            if item.title:
                values["title"] = item.title
            if item.position is not None:
                found = by_position.get(item.position)
            elif item.title:
                found = by_title.get(" ".join(item.title.split()))
            else:
                found = by_position.get(ordinal)
            if found is None:
                position = item.position or next_position
                next_position = max(next_position, position) + 1
                item_id = self.changes.create(
                    "data_item", {"agreement_id": agreement_id, "position": position, **values},
                    record_id=self.ids.claim("data_item", item.record_id),
                )  # fmt: skip
                self.counts.items_created += 1
            else:
                item_id = found.id
                if self._update(found, "data_item", values):
                    self.counts.items_updated += 1
            self._link_later(item.links, item_id, f"agreement {planned.reference}")

    # -- the other kinds of record a register's own export carries

    def records(self, planned: Iterable[PlannedRecord], entities: Iterable[str]) -> None:
        """Write the planned records of `entities`, kind by kind in that order."""
        by_entity: dict[str, list[PlannedRecord]] = {}
        for record in planned:
            by_entity.setdefault(record.entity, []).append(record)
        for entity in entities:
            for record in by_entity.get(entity, ()):
                self._record(record)
            self.names.forget(entity)

    def _record(self, planned: PlannedRecord) -> None:
        entity = planned.entity
        where = f"{planned.sheet} row {planned.row}"
        columns = set(field_names(entity))
        fields: dict[str, Any] = {}
        scopes: dict[str, str] = {}
        links: list[tuple[str, tuple[str, ...]]] = []
        # references to the records others are named within (agreement, meeting) come first
        for target, value in sorted(planned.values, key=lambda tv: _scoped_last(tv[0])):
            kind, name = TARGETS[target].kind, target.split(".", 1)[1]
            if kind.startswith("refs:"):
                links.append((target, tuple(value)))
            elif kind.startswith("ref:"):
                other = kind[4:]
                found = self.find(other, str(value), scopes.get(SCOPES.get(other, "")), where)
                scopes.setdefault(other, found)
                if f"{name}_id" in columns:
                    fields[f"{name}_id"] = found
            else:
                fields[name] = value
        record_id = self._match(entity, planned.record_id, fields)
        if record_id is None:
            record_id = self.changes.create(
                entity, fields, record_id=self.ids.claim(entity, planned.record_id)
            )
            self._remember(entity, record_id, None, fields)
            self.counts.records_created += 1
        elif self._update_record(entity, record_id, fields):
            self.counts.records_updated += 1
        self.ids.note(entity, planned.record_id, record_id)
        self._link_later(tuple(links), record_id, where)

    def _live(self, entity: str) -> dict[str, Any]:
        found = self._records.get(entity)
        if found is None:
            model = model_for(entity)
            query = select(model).where(model.is_live)
            records: Iterable[Any] = self.changes.session.scalars(query)
            found = self._records[entity] = {r.id: r for r in records}
            keys = self._keys[entity] = {}
            for record in found.values():
                key = _natural_key(entity, {n: getattr(record, n) for n in NATURAL_KEYS.get(
                    entity, ())})  # fmt: skip
                if key is not None:
                    keys.setdefault(key, record.id)
        return found

    def _remember(self, entity: str, record_id: str, record: Any, fields: dict[str, Any]) -> None:
        self._live(entity)[record_id] = record
        key = _natural_key(entity, fields)
        if key is not None:
            self._keys[entity].setdefault(key, record_id)

    def _match(self, entity: str, wanted: str, fields: dict[str, Any]) -> str | None:
        """The live record a row updates: by its register id, else by its natural key.

        Never, by its natural key, a record an earlier row of the file with another register id
        wrote: two records the file tells apart stay two (two DPIAs of one title, say).
        """
        live = self._live(entity)
        if wanted in live:
            return wanted
        key = _natural_key(entity, fields)
        found = None if key is None else self._keys[entity].get(key)
        return None if found is not None and self.ids.wrote(entity, found) else found

    def _update_record(self, entity: str, record_id: str, fields: dict[str, Any]) -> bool:
        record = self._live(entity).get(record_id)
        changed = False
        for name, value in fields.items():
            if record is None or getattr(record, name) != value:
                changed = self.changes.set(entity, record_id, name, value) or changed
        return changed

    # -- references and links

    def find(self, entity: str, label: str, scope_id: str | None, where: str) -> str:
        """The id of the record `label` names; organisations and people are added if new."""
        if entity == "organisation":
            return self.organisation(label)
        if entity == "person":
            return self.person(label, None, by_name=True)
        written = self.ids.written.get((entity, label))
        if written is not None:  # a register id the file gave a record this import wrote
            return written
        if not self.names.loaded(entity):
            self.changes.apply_pending()  # records created so far in this batch have names too
        found = self.names.find(entity, label, scope_id)
        by_id = None if found else self.names.find_by_id(entity, label, scope_id)
        if by_id is not None:  # an export names a record by id where its label cannot
            return by_id
        what = entity.replace("_", " ")
        within = f" within its {SCOPES[entity]}" if entity in SCOPES else ""
        if not found:
            raise ImportReferenceError(
                f"{where}: there is no {what} '{label}'{within} in the file or the register; "
                "nothing was imported."
            )
        if len(found) > 1:
            raise ImportReferenceError(
                f"{where}: {count_of(len(found), entity)} are called '{label}'{within}; "
                "give them different names, then import again. Nothing was imported."
            )
        return found[0]

    def _link_later(self, links: Iterable[tuple[str, tuple[str, ...]]], record_id: str,
                    where: str) -> None:  # fmt: skip
        for target, labels in links:
            self.pending_links.append(_PendingLink(target, record_id, labels, where))

    def links(self) -> None:
        """Make the links the file lists (an import adds links; it never removes one)."""
        live: dict[str, set[str]] = {}
        for pending in self.pending_links:
            link, record_is_left = LINKS[pending.target]
            other = TARGETS[pending.target].kind[5:]
            existing = live.get(link)
            if existing is None:
                model = model_for(link)
                existing = live[link] = set(
                    self.changes.session.scalars(select(model.id).where(model.is_live))
                )
            for label in pending.labels:
                other_id = self.find(other, label, None, pending.where)
                left, right = pending.record_id, other_id
                if not record_is_left:
                    left, right = right, left
                if link_id(left, right) not in existing:
                    self.changes.link(link, left, right)
                    existing.add(link_id(left, right))


def _scoped_last(target: str) -> bool:
    """Sort key: references to the records others are named within first."""
    return TARGETS[target].kind not in {f"ref:{scope}" for scope in set(SCOPES.values())}


def _natural_key(entity: str, values: dict[str, Any]) -> tuple[Any, ...] | None:
    names = NATURAL_KEYS.get(entity)
    if not names or any(values.get(n) is None for n in names):
        return None
    return tuple(key_of(v) if isinstance(v, str) else v for v in (values[n] for n in names))


def commit_import(
    register: Register,
    plan: ImportPlan,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Write the plan's accepted rows as one batch; rejected rows are left out.

    Re-importing the same file writes nothing: unchanged values are skipped and references that
    exist update their agreement instead of creating another. Records of a register's own
    export keep their register ids when the register has no record with that id yet.

    With `dry_run` the batch is built exactly as a commit builds it (the same checks, so the
    same counts and the same errors) and then rolled back: the register is left as it was.
    """
    total = len(plan.agreements)
    units = total + total // SAVING_SHARE

    def report(done: int) -> None:
        checkpoint(done, units, progress, cancel, ImportCancelledError)

    def build(changes: Changes) -> tuple[_Counts, int]:
        existing = _load(changes.session, [a.reference for a in plan.agreements])
        writer = _Writer(changes, existing, _Ids(changes.session, _wanted_ids(plan)))
        for organisation in plan.organisations:
            writer.organisation(organisation.name, dict(organisation.values),
                                organisation.record_id)  # fmt: skip
        for person in plan.people:
            org_id = writer.organisation(person.organisation) if person.organisation else None
            writer.person(person.name, org_id, dict(person.values), record_id=person.record_id)
        writer.records(plan.records, RECORDS_BEFORE_AGREEMENTS)
        for done, planned in enumerate(plan.agreements, start=1):
            writer.agreement(planned)
            if done % STEP == 0:
                changes.apply_pending()
                report(done)
        writer.names.forget("agreement")
        writer.names.forget("party")
        writer.records(plan.records, RECORDS_AFTER_AGREEMENTS)
        writer.links()
        changes.apply_pending()
        report(total)
        return writer.counts, len(changes.operations)

    with collector_paused():
        if dry_run:
            counts, operations = register.rehearse(build)
        else:
            counts, operations = register.write(f"Import {plan.source}", build)
    if progress is not None:
        progress(units, units)
    return ImportResult(
        rows_read=plan.rows_read,
        rows_rejected=len(plan.rejected),
        warnings=len(plan.warnings),
        agreements_created=counts.created,
        agreements_updated=counts.updated,
        agreements_unchanged=counts.unchanged,
        items_created=counts.items_created,
        items_updated=counts.items_updated,
        organisations_created=counts.organisations,
        people_created=counts.people,
        operations=operations,
        records_created=counts.records_created,
        records_updated=counts.records_updated,
    )
