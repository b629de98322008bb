"""Agreements: listing with filters and sorting in SQL, reading whole, and validated writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain import (
    DEFAULT_REVIEW_INTERVAL,
    SPEC_KEYS,
    Agreement,
    AgreementStatus,
    AgreementSummary,
    DataItem,
    LawfulBasis,
    Party,
    format_uk_date,
)
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.oplog import field_names
from app.register import Changes, Register
from app.validation import agreement_problems, incomplete_item_names, raise_if
from db.models import (
    AgreementAssessmentLink,
    AgreementRecord,
    AgreementUseCaseLink,
    DataItemRecord,
    LawfulBasisRecord,
    OrganisationRecord,
    PartyRecord,
    PersonRecord,
)

CLOSED_STATUSES = frozenset({AgreementStatus.EXPIRED.value, AgreementStatus.TERMINATED.value})
SORT_COLUMNS = ("reference", "title", "category", "status", "review_date", "end_date", "owner")


@dataclass(frozen=True)
class AgreementQuery:
    """What the agreements table or `isr list` asks for. Empty means no filter."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    category: str | None = None
    organisation_id: str | None = None
    review: str | None = None  # "due" (within due_within_days, not overdue) or "overdue"
    due_within_days: int | None = None
    sort: str = "reference"
    descending: bool = False
    today: dt.date = field(default_factory=dt.date.today)


# ---------------------------------------------------------------------------- reading


def _owner_name() -> Any:
    return (
        select(PersonRecord.name)
        .where(PersonRecord.id == AgreementRecord.owner_id)
        .correlate(AgreementRecord)
        .scalar_subquery()
    )


def _filters(query: AgreementQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [AgreementRecord.is_live.is_(True)]
    if query.statuses:
        conditions.append(AgreementRecord.status.in_(query.statuses))
    if query.category:
        conditions.append(AgreementRecord.category == query.category)
    if query.organisation_id:
        conditions.append(
            AgreementRecord.id.in_(
                select(PartyRecord.agreement_id).where(
                    PartyRecord.is_live.is_(True),
                    PartyRecord.organisation_id == query.organisation_id,
                )
            )
        )
    open_only = AgreementRecord.status.not_in(CLOSED_STATUSES)
    if query.review == "overdue":
        conditions += [AgreementRecord.review_date < query.today, open_only]
    elif query.review == "due":
        horizon = query.today + dt.timedelta(days=query.due_within_days or 90)
        conditions += [
            AgreementRecord.review_date >= query.today,
            AgreementRecord.review_date <= horizon,
            open_only,
        ]
    elif query.due_within_days is not None:
        horizon = query.today + dt.timedelta(days=query.due_within_days)
        conditions += [AgreementRecord.review_date <= horizon, open_only]
    if query.text.strip():
        needle = f"%{query.text.strip()}%"
        conditions.append(
            or_(AgreementRecord.reference.ilike(needle), AgreementRecord.title.ilike(needle))
        )
    return conditions


def _summary_select(query: AgreementQuery) -> Select[Any]:
    owner = _owner_name().label("owner")
    stmt = select(
        AgreementRecord.id,
        AgreementRecord.reference,
        AgreementRecord.title,
        AgreementRecord.category,
        AgreementRecord.status,
        AgreementRecord.review_date,
        AgreementRecord.end_date,
        owner,
    ).where(and_(*_filters(query)))
    if query.sort not in SORT_COLUMNS:
        raise ValueError(f"cannot sort by {query.sort!r}")
    column: Any = owner if query.sort == "owner" else getattr(AgreementRecord, query.sort)
    order = column.desc() if query.descending else column.asc()
    return stmt.order_by(order.nulls_last(), AgreementRecord.reference)


def list_agreements(
    register: Register, query: AgreementQuery | None = None
) -> list[AgreementSummary]:
    """Live agreements matching `query`, sorted in SQL."""
    query = query or AgreementQuery()
    with register.session() as session:
        rows = session.execute(_summary_select(query)).all()
        organisations = _organisations_by_agreement(session)
        counts = _pairs(
            session.execute(
                select(DataItemRecord.agreement_id, func.count())
                .where(DataItemRecord.is_live.is_(True))
                .group_by(DataItemRecord.agreement_id)
            )
        )
    return [
        AgreementSummary(
            id=row.id,
            reference=row.reference or "",
            title=row.title or "",
            category=row.category or "",
            status=row.status or "",
            review_date=row.review_date,
            end_date=row.end_date,
            owner=row.owner or "",
            organisations="; ".join(organisations.get(row.id, ())),
            item_count=counts.get(row.id, 0),
        )
        for row in rows
    ]


def _pairs(rows: Iterable[tuple[Any, Any]]) -> dict[Any, Any]:
    """A dict of (key, value) rows (a Result has keys(), so dict() would misread it)."""
    return {key: value for key, value in rows}


def _organisations_by_agreement(session: Session) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = session.execute(
        select(PartyRecord.agreement_id, OrganisationRecord.name)
        .join(OrganisationRecord, OrganisationRecord.id == PartyRecord.organisation_id)
        .where(PartyRecord.is_live.is_(True))
        .order_by(OrganisationRecord.name)
    )
    for agreement_id, name in rows:
        if agreement_id is not None:
            out.setdefault(agreement_id, []).append(name or "")
    return out


def find_agreement_id(session: Session, ref_or_id: str) -> str:
    """The id of the live agreement with this reference (or id)."""
    found = session.scalar(
        select(AgreementRecord.id).where(
            AgreementRecord.is_live.is_(True),
            or_(AgreementRecord.reference == ref_or_id, AgreementRecord.id == ref_or_id),
        )
    )
    if found is None:
        raise NotFoundError(f"No agreement with reference {ref_or_id} in this register.")
    return found


def agreement_details(register: Register, query: AgreementQuery | None = None) -> list[Agreement]:
    """Whole agreements (parties, bases, items) for every live agreement matching `query`."""
    ids = [summary.id for summary in list_agreements(register, query)]
    with register.session() as session:
        return [_load_agreement(session, agreement_id) for agreement_id in ids]


def get_agreement(register: Register, ref_or_id: str) -> Agreement:
    with register.session() as session:
        return _load_agreement(session, find_agreement_id(session, ref_or_id))


def _text(value: str | None) -> str:
    return value or ""


def _person_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(PersonRecord.id, PersonRecord.name).where(PersonRecord.id.in_(ids))
    )
    return {pid: name or "" for pid, name in rows}


def _load_agreement(session: Session, agreement_id: str) -> Agreement:
    record = session.get(AgreementRecord, agreement_id)
    assert record is not None
    parties = session.scalars(
        select(PartyRecord).where(PartyRecord.agreement_id == agreement_id, PartyRecord.is_live)
    ).all()
    org_names = _pairs(
        session.execute(
            select(OrganisationRecord.id, OrganisationRecord.name).where(
                OrganisationRecord.id.in_({p.organisation_id for p in parties if p.organisation_id})
            )
        )
    )
    people = _person_names(
        session, {p.signatory_id for p in parties if p.signatory_id} | {record.owner_id or ""}
    )
    party_views = tuple(
        Party(
            id=p.id,
            organisation_id=p.organisation_id,
            organisation=_text(org_names.get(p.organisation_id or "")),
            role=_text(p.role),
            signatory_id=p.signatory_id,
            signatory=people.get(p.signatory_id or "", ""),
            signed_on=p.signed_on,
        )
        for p in sorted(parties, key=lambda p: _text(org_names.get(p.organisation_id or "")))
    )
    party_names = {p.id: p.organisation for p in party_views}
    bases = session.scalars(
        select(LawfulBasisRecord).where(
            LawfulBasisRecord.agreement_id == agreement_id, LawfulBasisRecord.is_live
        )
    ).all()
    items = session.scalars(
        select(DataItemRecord)
        .where(DataItemRecord.agreement_id == agreement_id, DataItemRecord.is_live)
        .order_by(DataItemRecord.position, DataItemRecord.id)
    ).all()
    use_cases = session.scalars(
        select(AgreementUseCaseLink.right_id).where(
            AgreementUseCaseLink.left_id == agreement_id, AgreementUseCaseLink.is_live
        )
    ).all()
    assessments = session.scalars(
        select(AgreementAssessmentLink.right_id).where(
            AgreementAssessmentLink.left_id == agreement_id, AgreementAssessmentLink.is_live
        )
    ).all()
    return Agreement(
        id=record.id,
        reference=_text(record.reference),
        title=_text(record.title),
        category=_text(record.category),
        status=_text(record.status),
        agreement_type=_text(record.agreement_type),
        controller_relationship=_text(record.controller_relationship),
        summary=_text(record.summary),
        dpia_needed=record.dpia_needed,
        dpia_done=record.dpia_done,
        dpia_reference=_text(record.dpia_reference),
        start_date=record.start_date,
        approval_date=record.approval_date,
        review_date=record.review_date,
        end_date=record.end_date,
        owner_id=record.owner_id,
        owner=people.get(record.owner_id or "", ""),
        protective_marking=_text(record.protective_marking),
        retention=_text(record.retention),
        rights_arrangements=_text(record.rights_arrangements),
        publishable=record.publishable,
        notes=_text(record.notes),
        parties=party_views,
        lawful_bases=tuple(
            LawfulBasis(
                id=b.id,
                party_id=b.party_id,
                party=party_names.get(b.party_id or "", ""),
                purpose=_text(b.purpose),
                article_6=_text(b.article_6),
                article_9=_text(b.article_9),
                article_10=_text(b.article_10),
                dpa_schedule_1=_text(b.dpa_schedule_1),
                statutory_gateway=_text(b.statutory_gateway),
                common_law_duty=_text(b.common_law_duty),
            )
            for b in bases
        ),
        items=tuple(_item_view(i) for i in items),
        use_case_ids=tuple(sorted(u for u in use_cases if u)),
        assessment_ids=tuple(sorted(a for a in assessments if a)),
    )


def _item_view(record: DataItemRecord) -> DataItem:
    return DataItem(
        id=record.id,
        agreement_id=record.agreement_id or "",
        position=record.position or 0,
        title=_text(record.title),
        source=_text(record.source),
        extract_mechanism=_text(record.extract_mechanism),
        destination=_text(record.destination),
        frequency=_text(record.frequency),
        data_fields=_text(record.data_fields),
        purpose=_text(record.purpose),
        safeguards=_text(record.safeguards),
        responsible_owner=_text(record.responsible_owner),
        refresh_schedule=_text(record.refresh_schedule),
        last_received=record.last_received,
        next_due=record.next_due,
    )


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def agreement_json(agreement: Agreement) -> dict[str, Any]:
    """The JSON form of DESIGN §9, with ISO dates and the seven keys per item."""
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "status": agreement.status,
        "category": agreement.category,
        "agreement_type": agreement.agreement_type or None,
        "controller_relationship": agreement.controller_relationship or None,
        "summary": agreement.summary,
        "parties": [
            {
                "organisation": p.organisation,
                "role": p.role,
                "signatory": p.signatory or None,
                "signed_on": _iso(p.signed_on),
            }
            for p in agreement.parties
        ],
        "lawful_basis": [
            {
                "party": b.party or None,
                "purpose": b.purpose,
                "article_6": b.article_6,
                "article_9": b.article_9,
                "article_10": b.article_10,
                "dpa_schedule_1": b.dpa_schedule_1,
                "statutory_gateway": b.statutory_gateway,
                "common_law_duty": b.common_law_duty,
            }
            for b in agreement.lawful_bases
        ],
        "dpia": {
            "needed": agreement.dpia_needed,
            "done": agreement.dpia_done,
            "reference": agreement.dpia_reference or None,
        },
        "start_date": _iso(agreement.start_date),
        "approval_date": _iso(agreement.approval_date),
        "review_date": _iso(agreement.review_date),
        "end_date": _iso(agreement.end_date),
        "owner": agreement.owner or None,
        "protective_marking": agreement.protective_marking or None,
        "retention": agreement.retention,
        "rights_arrangements": agreement.rights_arrangements,
        "notes": agreement.notes,
        "items": [
            {
                "position": item.position,
                "title": item.title,
                **item.spec(),
                "responsible_owner": item.responsible_owner,
                "refresh_schedule": item.refresh_schedule,
                "last_received": _iso(item.last_received),
                "next_due": _iso(item.next_due),
            }
            for item in agreement.items
        ],
    }


def summary_json(summary: AgreementSummary) -> dict[str, Any]:
    return {
        "reference": summary.reference,
        "title": summary.title,
        "status": summary.status,
        "category": summary.category,
        "review_date": _iso(summary.review_date),
        "end_date": _iso(summary.end_date),
        "owner": summary.owner or None,
        "organisations": summary.organisations.split("; ") if summary.organisations else [],
        "item_count": summary.item_count,
    }


# ---------------------------------------------------------------------------- writing

AGREEMENT_FIELDS = frozenset(field_names("agreement"))
ITEM_FIELDS = frozenset(field_names("data_item")) - {"agreement_id"}


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            [FieldProblem(name, f"{kind} has no field called {name}.") for name in unknown]
        )


def _reference_taken(session: Session, reference: str, except_id: str | None) -> bool:
    stmt = select(AgreementRecord.id).where(
        AgreementRecord.is_live.is_(True), AgreementRecord.reference == reference
    )
    if except_id is not None:
        stmt = stmt.where(AgreementRecord.id != except_id)
    return session.scalar(stmt.limit(1)) is not None


def _item_dicts(session: Session, agreement_id: str) -> list[dict[str, Any]]:
    items = session.scalars(
        select(DataItemRecord).where(
            DataItemRecord.agreement_id == agreement_id, DataItemRecord.is_live
        )
    ).all()
    return [{k: getattr(i, k) for k in ("title", "position", *SPEC_KEYS)} for i in items]


def _validate(
    changes: Changes, values: Mapping[str, Any], agreement_id: str | None,
    previous_status: str | None,
) -> None:  # fmt: skip
    session = changes.session
    changes.apply_pending()
    reference = str(values.get("reference") or "").strip()
    items = _item_dicts(session, agreement_id) if agreement_id else []
    raise_if(
        agreement_problems(
            values,
            previous_status=previous_status,
            reference_taken=bool(reference) and _reference_taken(session, reference, agreement_id),
            incomplete_items=incomplete_item_names(items),
        )
    )


def create_agreement_in(changes: Changes, values: Mapping[str, Any]) -> str:
    """Create an agreement inside an open batch (validated; review defaults to a year on)."""
    _check_fields(values, AGREEMENT_FIELDS, "An agreement")
    full = {"status": AgreementStatus.DRAFT.value, **values}
    if full.get("start_date") and not full.get("review_date"):
        full["review_date"] = full["start_date"] + DEFAULT_REVIEW_INTERVAL
    _validate(changes, full, None, previous_status=None)
    return changes.create("agreement", full)


def create_agreement(register: Register, values: Mapping[str, Any]) -> str:
    reference = values.get("reference", "")
    return register.write(
        f"Add agreement {reference}", lambda changes: create_agreement_in(changes, values)
    )


def update_agreement_in(changes: Changes, agreement_id: str, values: Mapping[str, Any]) -> int:
    """Set fields of an agreement inside an open batch; returns how many changed."""
    _check_fields(values, AGREEMENT_FIELDS, "An agreement")
    changes.apply_pending()
    record = changes.session.get(AgreementRecord, agreement_id)
    if record is None or not record.is_live:
        raise NotFoundError("That agreement no longer exists (it may have been deleted).")
    current = {name: getattr(record, name) for name in AGREEMENT_FIELDS}
    values = dict(values)
    start = values.get("start_date")
    if start is not None and "review_date" not in values and current["review_date"] is None:
        values["review_date"] = start + DEFAULT_REVIEW_INTERVAL  # annual review by default
    _validate(changes, {**current, **values}, agreement_id, previous_status=record.status)
    return sum(changes.set("agreement", agreement_id, n, v) for n, v in values.items())


def update_agreement(register: Register, agreement_id: str, values: Mapping[str, Any]) -> int:
    with register.session() as session:
        record = session.get(AgreementRecord, agreement_id)
        label = record.reference if record else agreement_id
    names = ", ".join(sorted(values))
    return register.write(
        f"Edit {label}: {names}", lambda c: update_agreement_in(c, agreement_id, values)
    )


def delete_agreement(register: Register, agreement_id: str) -> None:
    """Delete an agreement with its parts (parties, data items, checklists…) and its own links.

    Refused while another live record refers to it (a decision about it, say).
    """
    _delete(register, "Delete agreement", "agreement", agreement_id)


def add_data_item_in(changes: Changes, agreement_id: str, values: Mapping[str, Any]) -> str:
    _check_fields(values, ITEM_FIELDS, "A data item")
    changes.apply_pending()
    position = values.get("position")
    if position is None:
        highest = changes.session.scalar(
            select(func.max(DataItemRecord.position)).where(
                DataItemRecord.agreement_id == agreement_id, DataItemRecord.is_live
            )
        )
        position = (highest or 0) + 1
    return changes.create(
        "data_item", {**values, "agreement_id": agreement_id, "position": position}
    )


def add_data_item(register: Register, agreement_id: str, values: Mapping[str, Any]) -> str:
    return register.write("Add data item", lambda c: add_data_item_in(c, agreement_id, values))


def update_data_item(register: Register, item_id: str, values: Mapping[str, Any]) -> int:
    _check_fields(values, ITEM_FIELDS, "A data item")
    names = ", ".join(sorted(values))
    return register.write(
        f"Edit data item: {names}",
        lambda c: sum(c.set("data_item", item_id, n, v) for n, v in values.items()),
    )


def delete_data_item(register: Register, item_id: str) -> None:
    """Delete a data item; refused while an assessment needs it (see `app.dependants`)."""
    _delete(register, "Delete data item", "data_item", item_id)


def _delete(register: Register, label: str, entity: str, record_id: str) -> None:
    # imported here: the window's start imports this module, and deleting is never needed then
    from app.dependants import delete_in

    register.write(label, lambda c: delete_in(c, entity, record_id))


def _person_in_organisation(changes: Changes, organisation_id: str | None, name: str) -> str:
    """The live person of that organisation called `name` (any case), created if none is."""
    found = changes.session.scalar(
        select(PersonRecord.id).where(
            PersonRecord.is_live,
            PersonRecord.organisation_id.is_(None) if organisation_id is None
            else PersonRecord.organisation_id == organisation_id,
            func.lower(PersonRecord.name) == name.lower(),
        ).limit(1)
    )  # fmt: skip
    return found or changes.create("person", {"name": name, "organisation_id": organisation_id})


def _signatory_in(
    changes: Changes,
    organisation_id: str | None,
    signatory_id: str | None,
    new_signatory: str,
    signed_on: dt.date | None,
    current: str | None = None,
) -> str | None:
    """The id of who signed for an organisation, checked with the date signed.

    A name typed in is the person of that name in the organisation, added when there is none;
    None when nobody signed yet. The `current` signatory is kept even if they work elsewhere
    (as an imported register may have it), so that the date can be corrected alone.
    """
    name = " ".join(new_signatory.split())
    if name and signatory_id:
        raise ValueError("give the signatory's id or a new name, not both")
    changes.apply_pending()
    session = changes.session
    problems: list[FieldProblem] = []
    if signatory_id:
        person = session.get(PersonRecord, signatory_id)
        organisation = session.get(OrganisationRecord, organisation_id or "")
        if person is None or not person.is_live:
            problems.append(
                FieldProblem(
                    "signatory_id",
                    "That person is no longer in the register; choose another or type their name.",
                )
            )
        elif person.organisation_id not in (None, organisation_id) and signatory_id != current:
            where = organisation.name if organisation is not None else "this organisation"
            problems.append(
                FieldProblem(
                    "signatory_id",
                    f"{person.name} is not one of the people of {where}; choose "
                    "one of theirs or type the name of the person who signed.",
                )
            )
    if signed_on is not None and not (signatory_id or name):
        problems.append(FieldProblem("signed_on", "Say who signed, or clear the date signed."))
    if signed_on is not None and signed_on > dt.date.today():
        problems.append(
            FieldProblem(
                "signed_on",
                f"{format_uk_date(signed_on)} is in the future; give the date it was signed.",
            )
        )
    raise_if(problems)
    if name:
        return _person_in_organisation(changes, organisation_id, name)
    return signatory_id or None


def add_party(
    register: Register,
    agreement_id: str,
    organisation_id: str,
    role: str,
    signatory_id: str | None = None,
    signed_on: dt.date | None = None,
    new_signatory: str = "",
) -> str:
    """Add an organisation as a party, with who signed for it (a person, or a new name) and when."""

    def build(changes: Changes) -> str:
        signatory = _signatory_in(changes, organisation_id, signatory_id, new_signatory,
                                  signed_on)  # fmt: skip
        return changes.create("party", {
            "agreement_id": agreement_id, "organisation_id": organisation_id, "role": role,
            "signatory_id": signatory, "signed_on": signed_on,
        })  # fmt: skip

    return register.write("Add party", build)


def set_party_signatory(
    register: Register,
    party_id: str,
    signatory_id: str | None,
    signed_on: dt.date | None,
    new_signatory: str = "",
) -> int:
    """Record who signed for a party and when, as one undoable change; returns fields changed.

    The signatory is one of the register's people (`signatory_id`), or a name typed in
    (`new_signatory`): the person of that name in the party's organisation, added to it when
    there is none. No signatory and no date clears the signature.
    """
    with register.session() as session:
        party = session.get(PartyRecord, party_id)
        if party is None or not party.is_live:
            raise NotFoundError("That party is no longer on the agreement (it may have been "
                                "removed).")  # fmt: skip
        organisation_id, current = party.organisation_id, party.signatory_id
        organisation = session.get(OrganisationRecord, organisation_id or "")
        agreement = session.get(AgreementRecord, party.agreement_id or "")
        who = organisation.name if organisation is not None and organisation.name else "a party"
        label = f"Signatory of {who}" + (f" on {agreement.reference}" if agreement else "")

    def build(changes: Changes) -> int:
        signatory = _signatory_in(changes, organisation_id, signatory_id, new_signatory,
                                  signed_on, current)  # fmt: skip
        return int(changes.set("party", party_id, "signatory_id", signatory)) + int(
            changes.set("party", party_id, "signed_on", signed_on)
        )

    return register.write(label, build)


def item_at_position(session: Session, agreement_id: str, position: int) -> str | None:
    return session.scalar(
        select(DataItemRecord.id).where(
            DataItemRecord.agreement_id == agreement_id,
            DataItemRecord.is_live,
            DataItemRecord.position == position,
        )
    )


def agreement_ids_by_reference(register: Register, references: Sequence[str]) -> dict[str, str]:
    with register.session() as session:
        rows = session.execute(
            select(AgreementRecord.reference, AgreementRecord.id).where(
                AgreementRecord.is_live, AgreementRecord.reference.in_(references)
            )
        )
        return {ref: rid for ref, rid in rows if ref is not None}


def person_named_in(changes: Changes, name: str) -> str | None:
    """The id of the live person called `name`, created if there is none (None for blank)."""
    if not name.strip():
        return None
    changes.apply_pending()
    found = changes.session.scalar(
        select(PersonRecord.id).where(PersonRecord.is_live, PersonRecord.name == name.strip())
    )
    return found or changes.create("person", {"name": name.strip()})
