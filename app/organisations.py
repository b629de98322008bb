"""Organisations (the partners) and their people: listing, matching by name, validated writes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dependants import delete_in
from app.domain import OrganisationType
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.oplog import field_names
from app.register import Changes, Register
from db.models import OrganisationRecord, PersonRecord

ORGANISATION_TYPE_LABELS: dict[str, str] = {
    OrganisationType.COUNTY_COUNCIL: "County council",
    OrganisationType.DISTRICT_COUNCIL: "District or borough council",
    OrganisationType.NHS_TRUST: "NHS trust",
    OrganisationType.ICB: "Integrated care board",
    OrganisationType.GP_PRACTICE: "GP practice",
    OrganisationType.POLICE: "Police",
    OrganisationType.FIRE_AND_RESCUE: "Fire and rescue",
    OrganisationType.VOLUNTARY_SECTOR: "Voluntary sector",
    OrganisationType.CENTRAL_GOVERNMENT: "Central government",
    OrganisationType.OTHER: "Other",
}
"""Each organisation type as people read it."""

ORGANISATION_FIELDS = frozenset(field_names("organisation")) - {"name_key"}
PERSON_FIELDS = frozenset(field_names("person"))
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Organisation:
    """A partner organisation as the organisations view shows it."""

    id: str
    name: str
    name_key: str
    org_type: str
    code: str
    ico_registration: str
    dpo_name: str
    dpo_email: str
    dpo_phone: str
    charter_endorsed: bool | None
    charter_endorsed_on: dt.date | None
    protocol_signed: bool | None
    protocol_signed_on: dt.date | None
    assurance_notes: str
    people_count: int

    @property
    def type_label(self) -> str:
        return ORGANISATION_TYPE_LABELS.get(self.org_type, self.org_type)


@dataclass(frozen=True)
class Person:
    """Someone at a partner organisation: signatory, owner, author."""

    id: str
    name: str
    role: str
    organisation_id: str | None
    organisation: str
    email: str
    phone: str


def normalise_name(name: str) -> str:
    """Make the matching key of a name: 'Kent & Medway NHS.' -> 'kent and medway nhs'."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text).replace("_", " ")
    return " ".join(text.split())


def _text(value: str | None) -> str:
    return value or ""


def _organisation_view(record: OrganisationRecord, people_count: int) -> Organisation:
    return Organisation(
        id=record.id,
        name=_text(record.name),
        name_key=_text(record.name_key),
        org_type=_text(record.org_type),
        code=_text(record.code),
        ico_registration=_text(record.ico_registration),
        dpo_name=_text(record.dpo_name),
        dpo_email=_text(record.dpo_email),
        dpo_phone=_text(record.dpo_phone),
        charter_endorsed=record.charter_endorsed,
        charter_endorsed_on=record.charter_endorsed_on,
        protocol_signed=record.protocol_signed,
        protocol_signed_on=record.protocol_signed_on,
        assurance_notes=_text(record.assurance_notes),
        people_count=people_count,
    )


# ---------------------------------------------------------------------------- reading


def list_organisations(register: Register) -> list[Organisation]:
    """Live organisations, by name."""
    with register.session() as session:
        records = session.scalars(
            select(OrganisationRecord)
            .where(OrganisationRecord.is_live.is_(True))
            .order_by(OrganisationRecord.name_key, OrganisationRecord.id)
        ).all()
        counts: dict[str, int] = {}
        for org_id in session.scalars(
            select(PersonRecord.organisation_id).where(PersonRecord.is_live.is_(True))
        ):
            if org_id is not None:
                counts[org_id] = counts.get(org_id, 0) + 1
        return [_organisation_view(r, counts.get(r.id, 0)) for r in records]


def get_organisation(register: Register, organisation_id: str) -> Organisation:
    with register.session() as session:
        record = _live_organisation(session, organisation_id)
        count = len(
            session.scalars(
                select(PersonRecord.id).where(
                    PersonRecord.is_live.is_(True), PersonRecord.organisation_id == record.id
                )
            ).all()
        )
        return _organisation_view(record, count)


def find_organisation(register: Register, name: str) -> str | None:
    """Find the live organisation whose normalised name matches `name`, if any."""
    with register.session() as session:
        return _find_by_key(session, normalise_name(name), None)


def _find_by_key(session: Session, key: str, except_id: str | None) -> str | None:
    stmt = select(OrganisationRecord.id).where(
        OrganisationRecord.is_live.is_(True), OrganisationRecord.name_key == key
    )
    if except_id is not None:
        stmt = stmt.where(OrganisationRecord.id != except_id)
    return session.scalar(stmt.limit(1))


def _live_organisation(session: Session, organisation_id: str) -> OrganisationRecord:
    record = session.get(OrganisationRecord, organisation_id)
    if record is None or not record.is_live:
        raise NotFoundError("That organisation no longer exists (it may have been deleted).")
    return record


def list_people(register: Register, organisation_id: str | None = None) -> list[Person]:
    """Live people, of one organisation or of all, by name."""
    with register.session() as session:
        stmt = (
            select(PersonRecord, OrganisationRecord.name)
            .outerjoin(OrganisationRecord, OrganisationRecord.id == PersonRecord.organisation_id)
            .where(PersonRecord.is_live.is_(True))
            .order_by(PersonRecord.name, PersonRecord.id)
        )
        if organisation_id is not None:
            stmt = stmt.where(PersonRecord.organisation_id == organisation_id)
        return [
            Person(
                id=p.id,
                name=_text(p.name),
                role=_text(p.role),
                organisation_id=p.organisation_id,
                organisation=_text(org_name),
                email=_text(p.email),
                phone=_text(p.phone),
            )
            for p, org_name in session.execute(stmt)
        ]


# ---------------------------------------------------------------------------- writing


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            [FieldProblem(name, f"{kind} has no field called {name}.") for name in unknown]
        )


def _organisation_problems(
    session: Session, values: Mapping[str, Any], except_id: str | None
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    name = str(values.get("name") or "").strip()
    if not name:
        problems.append(FieldProblem("name", "Name is required."))
    elif _find_by_key(session, normalise_name(name), except_id) is not None:
        problems.append(
            FieldProblem("name", f"{name} is already in the register (or a name that matches it).")
        )
    org_type = values.get("org_type")
    if org_type and org_type not in ORGANISATION_TYPE_LABELS:
        problems.append(FieldProblem("org_type", f"Unknown type of organisation {org_type!r}."))
    email = str(values.get("dpo_email") or "").strip()
    if email and not EMAIL_PATTERN.match(email):
        problems.append(FieldProblem("dpo_email", f"{email} is not an email address."))
    for flag, date_name, what in (
        ("charter_endorsed", "charter_endorsed_on", "endorsed the charter"),
        ("protocol_signed", "protocol_signed_on", "signed the protocol"),
    ):
        if values.get(date_name) is not None and values.get(flag) is False:
            problems.append(
                FieldProblem(date_name, f"A date is given but the organisation has not {what}.")
            )
    return problems


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationError(problems)


def create_organisation_in(changes: Changes, values: Mapping[str, Any]) -> str:
    """Create an organisation inside an open batch; its name key is derived from its name."""
    _check_fields(values, ORGANISATION_FIELDS, "An organisation")
    changes.apply_pending()
    full = {"org_type": OrganisationType.OTHER.value, **values}
    full["name"] = str(full.get("name") or "").strip()
    _raise(_organisation_problems(changes.session, full, None))
    return changes.create("organisation", {**full, "name_key": normalise_name(full["name"])})


def create_organisation(register: Register, values: Mapping[str, Any]) -> str:
    return register.write(
        f"Add organisation {values.get('name', '')}",
        lambda changes: create_organisation_in(changes, values),
    )


def update_organisation(register: Register, organisation_id: str, values: Mapping[str, Any]) -> int:
    """Set fields of an organisation; returns how many changed."""
    _check_fields(values, ORGANISATION_FIELDS, "An organisation")

    def build(changes: Changes) -> int:
        record = _live_organisation(changes.session, organisation_id)
        current = {name: getattr(record, name) for name in ORGANISATION_FIELDS}
        merged = {**current, **values}
        if "name" in values:
            merged["name"] = str(values["name"] or "").strip()
        _raise(_organisation_problems(changes.session, merged, organisation_id))
        updates = {name: merged[name] for name in values}
        if "name" in values:
            updates["name_key"] = normalise_name(merged["name"])
        return sum(changes.set("organisation", organisation_id, n, v) for n, v in updates.items())

    names = ", ".join(sorted(values))
    return register.write(f"Edit organisation: {names}", build)


def delete_organisation(register: Register, organisation_id: str) -> None:
    """Delete an organisation and its people (and its links, were it the left end of any).

    Refused (`InUseError`) while a live record refers to it — a party, a use case it leads or
    is a partner in — or to one of its people (an owner, a signatory), naming them.
    """
    register.write(
        "Delete organisation", lambda changes: delete_in(changes, "organisation", organisation_id)
    )


def _person_problems(values: Mapping[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if "name" in values and not str(values.get("name") or "").strip():
        problems.append(FieldProblem("name", "Name is required."))
    email = str(values.get("email") or "").strip()
    if email and not EMAIL_PATTERN.match(email):
        problems.append(FieldProblem("email", f"{email} is not an email address."))
    return problems


def create_person(
    register: Register, organisation_id: str | None, values: Mapping[str, Any]
) -> str:
    """Add a person, at an organisation or none."""
    _check_fields(values, PERSON_FIELDS, "A person")
    full = {"name": "", **values, "organisation_id": organisation_id}
    _raise(_person_problems(full))

    def build(changes: Changes) -> str:
        if organisation_id is not None:
            _live_organisation(changes.session, organisation_id)
        return changes.create("person", full)

    return register.write(f"Add person {full['name']}", build)


def update_person(register: Register, person_id: str, values: Mapping[str, Any]) -> int:
    _check_fields(values, PERSON_FIELDS, "A person")
    _raise(_person_problems(values))

    def build(changes: Changes) -> int:
        record = changes.session.get(PersonRecord, person_id)
        if record is None or not record.is_live:
            raise NotFoundError("That person no longer exists (they may have been deleted).")
        return sum(changes.set("person", person_id, n, v) for n, v in values.items())

    return register.write(f"Edit person: {', '.join(sorted(values))}", build)


def delete_person(register: Register, person_id: str) -> None:
    """Delete a person; refused while they own an agreement, sign for a party or signed off."""
    register.write("Delete person", lambda changes: delete_in(changes, "person", person_id))
