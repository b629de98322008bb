"""Committing an import plan as one batch of operations: all or nothing, and idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.importing.plan import (
    Cancel,
    ImportCancelledError,
    ImportPlan,
    PlannedAgreement,
    Progress,
    normalise_name,
)
from app.importing.vocabulary import key_of
from app.oplog import CHUNK
from app.register import Changes, Register
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

    def summary(self) -> str:
        return (
            f"{self.rows_read} rows read; agreements: {self.agreements_created} created, "
            f"{self.agreements_updated} updated, {self.agreements_unchanged} unchanged; "
            f"data items: {self.items_created} created, {self.items_updated} updated; "
            f"{self.organisations_created} organisations and {self.people_created} people added; "
            f"{self.warnings} warnings; {self.rows_rejected} rows rejected"
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


class _Writer:
    def __init__(self, changes: Changes, existing: _Existing) -> None:
        self.changes = changes
        self.existing = existing
        self.counts = _Counts()

    # -- organisations and people

    def organisation(self, name: str, values: dict[str, Any] | None = None) -> str:
        key = normalise_name(name)
        found = self.existing.organisations.get(key)
        if found is not None:
            if values:
                self._update(found, "organisation", values)
            return found.id
        record_id = self.changes.create(
            "organisation", {"name": name, "name_key": key, **(values or {})}
        )
        self.existing.organisations[key] = OrganisationRecord(id=record_id, name=name,
                                                              name_key=key)  # fmt: skip
        self.counts.organisations += 1
        return record_id

    def person(self, name: str, organisation_id: str | None, values: dict[str, Any] | None = None,
               *, by_name: bool = False) -> str:  # fmt: skip
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
            "person", {"name": name, "organisation_id": organisation_id, **(values or {})}
        )
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
        record = self.existing.agreements.get(planned.reference)
        if record is None:
            self._create(planned, values)
        else:
            self._amend(record, planned, values)

    def _party_values(self, planned: PlannedAgreement) -> list[tuple[str, dict[str, Any]]]:
        parties = []
        for party in planned.parties:
            org_id = self.organisation(party.organisation)
            values: dict[str, Any] = {"organisation_id": org_id, "role": party.role}
            if party.signatory:
                values["signatory_id"] = self.person(party.signatory, org_id, by_name=True)
            if party.signed_on is not None:
                values["signed_on"] = party.signed_on
            parties.append((normalise_name(party.organisation), values))
        return parties

    def _create(self, planned: PlannedAgreement, values: dict[str, Any]) -> None:
        create = self.changes.create
        agreement_id = create("agreement", {**dict(planned.initial), **values,
                                            "reference": planned.reference})  # fmt: skip
        party_ids: dict[str, str] = {}
        for key, party in self._party_values(planned):
            party_ids[key] = create("party", {"agreement_id": agreement_id, **party})
        for basis in planned.bases:
            party_id = party_ids.get(normalise_name(basis.party)) if basis.party else None
            create("lawful_basis", {"agreement_id": agreement_id, "party_id": party_id,
                                    **dict(basis.values)})  # fmt: skip
        for position, item in enumerate(planned.items, start=1):
            create("data_item", {"agreement_id": agreement_id,
                                 "position": item.position or position,
                                 **({"title": item.title} if item.title else {}),
                                 **dict(item.values)})  # fmt: skip
            self.counts.items_created += 1
        self.counts.created += 1

    def _amend(self, record: AgreementRecord, planned: PlannedAgreement,
               values: dict[str, Any]) -> None:  # fmt: skip
        before = len(self.changes.operations)
        self._update(record, "agreement", values)
        agreement_id = record.id
        parties = {p.organisation_id or "": p for p in self.existing.parties.get(agreement_id, [])}
        party_ids = {self._org_key(p.organisation_id): p.id for p in parties.values()}
        for key, party in self._party_values(planned):
            found = parties.get(party["organisation_id"])
            if found is None:
                party_ids[key] = self.changes.create("party", {"agreement_id": agreement_id,
                                                               **party})  # fmt: skip
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
                self.changes.create("lawful_basis", {"agreement_id": agreement_id,
                                                     "party_id": party_id, **given})  # fmt: skip
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
                self.changes.create("data_item", {"agreement_id": agreement_id,
                                                  "position": position, **values})  # fmt: skip
                self.counts.items_created += 1
            elif self._update(found, "data_item", values):
                self.counts.items_updated += 1


def commit_import(
    register: Register,
    plan: ImportPlan,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Write the plan's accepted rows as one batch; rejected rows are left out.

    Re-importing the same file writes nothing: unchanged values are skipped and references that
    exist update their agreement instead of creating another.
    """
    total = len(plan.agreements)

    def build(changes: Changes) -> tuple[_Counts, int]:
        existing = _load(changes.session, [a.reference for a in plan.agreements])
        writer = _Writer(changes, existing)
        for organisation in plan.organisations:
            writer.organisation(organisation.name, dict(organisation.values))
        for person in plan.people:
            org_id = writer.organisation(person.organisation) if person.organisation else None
            writer.person(person.name, org_id, dict(person.values))
        for done, planned in enumerate(plan.agreements, start=1):
            writer.agreement(planned)
            if done % 200 == 0:
                if cancel is not None and cancel():
                    raise ImportCancelledError()
                if progress is not None:
                    progress(done, total)
        if cancel is not None and cancel():
            raise ImportCancelledError()
        return writer.counts, len(changes.operations)

    counts, operations = register.write(f"Import {plan.source}", build)
    if progress is not None:
        progress(total, total)
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
    )
