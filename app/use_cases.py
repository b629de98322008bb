"""Use cases: the partnership's data-sharing initiatives, their stages, benefits and links."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dependants import delete_in
from app.domain import Rag, UseCaseStage
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.oplog import field_names
from app.register import Changes, Register
from db.models import (
    AgreementRecord,
    AgreementUseCaseLink,
    BenefitRecord,
    OrganisationRecord,
    UseCasePartnerLink,
    UseCaseRecord,
)

STAGE_ORDER: tuple[UseCaseStage, ...] = (
    UseCaseStage.PROPOSED,
    UseCaseStage.PRIORITISED,
    UseCaseStage.DESIGN,
    UseCaseStage.IMPLEMENTATION,
    UseCaseStage.LIVE,
    UseCaseStage.EVALUATED,
)
"""The path a use case follows; `closed` can end it at any stage."""

STAGE_LABELS: dict[str, str] = {stage.value: stage.value.capitalize() for stage in UseCaseStage}
RAG_LABELS: dict[str, str] = {rag.value: rag.value.capitalize() for rag in Rag}

USE_CASE_FIELDS = frozenset(field_names("use_case"))
BENEFIT_FIELDS = frozenset(field_names("benefit")) - {"use_case_id"}


@dataclass(frozen=True)
class UseCaseSummary:
    """One card of the board, one row of the table."""

    id: str
    title: str
    lead_organisation: str
    stage: str
    rag: str
    owner: str
    partner_count: int
    agreement_count: int


@dataclass(frozen=True)
class Benefit:
    id: str
    use_case_id: str
    measure: str
    unit: str
    baseline: str
    target: str
    actual: str
    measured_on: dt.date | None


@dataclass(frozen=True)
class LinkedAgreement:
    id: str
    reference: str
    title: str
    status: str


@dataclass(frozen=True)
class Partner:
    id: str
    name: str


@dataclass(frozen=True)
class UseCase:
    """A use case with everything its detail panel shows."""

    id: str
    title: str
    summary: str
    lead_organisation_id: str | None
    lead_organisation: str
    stage: str
    rag: str
    owner: str
    risks: str
    next_steps: str
    partners: tuple[Partner, ...]
    agreements: tuple[LinkedAgreement, ...]
    benefits: tuple[Benefit, ...]


def next_stage(stage: str) -> str | None:
    """Give the stage after `stage` on the path, or None at the end (or when closed)."""
    values = [s.value for s in STAGE_ORDER]
    if stage not in values or stage == values[-1]:
        return None
    return values[values.index(stage) + 1]


def previous_stage(stage: str) -> str | None:
    values = [s.value for s in STAGE_ORDER]
    if stage not in values or stage == values[0]:
        return None
    return values[values.index(stage) - 1]


def _text(value: str | None) -> str:
    return value or ""


# ---------------------------------------------------------------------------- reading


def _counts(session: Session, column: Any) -> dict[str, int]:
    model = column.class_
    rows = session.execute(
        select(column, func.count()).where(model.is_live.is_(True)).group_by(column)
    )
    return {key: count for key, count in rows if key is not None}


def list_use_cases(register: Register) -> list[UseCaseSummary]:
    """Live use cases in stage order, then by title."""
    with register.session() as session:
        rows = session.execute(
            select(UseCaseRecord, OrganisationRecord.name)
            .outerjoin(
                OrganisationRecord, OrganisationRecord.id == UseCaseRecord.lead_organisation_id
            )
            .where(UseCaseRecord.is_live.is_(True))
        )
        partners = _counts(session, UseCasePartnerLink.left_id)
        agreements = _counts(session, AgreementUseCaseLink.right_id)
        summaries = [
            UseCaseSummary(
                id=record.id,
                title=_text(record.title),
                lead_organisation=_text(lead),
                stage=_text(record.stage),
                rag=_text(record.rag),
                owner=_text(record.owner),
                partner_count=partners.get(record.id, 0),
                agreement_count=agreements.get(record.id, 0),
            )
            for record, lead in rows
        ]
    order = {stage.value: n for n, stage in enumerate((*STAGE_ORDER, UseCaseStage.CLOSED))}
    return sorted(summaries, key=lambda s: (order.get(s.stage, 99), s.title.lower(), s.id))


def _live_use_case(session: Session, use_case_id: str) -> UseCaseRecord:
    record = session.get(UseCaseRecord, use_case_id)
    if record is None or not record.is_live:
        raise NotFoundError("That use case no longer exists (it may have been deleted).")
    return record


def get_use_case(register: Register, use_case_id: str) -> UseCase:
    with register.session() as session:
        record = _live_use_case(session, use_case_id)
        lead = (
            session.get(OrganisationRecord, record.lead_organisation_id)
            if record.lead_organisation_id
            else None
        )
        partners = session.execute(
            select(OrganisationRecord.id, OrganisationRecord.name)
            .join(UseCasePartnerLink, UseCasePartnerLink.right_id == OrganisationRecord.id)
            .where(UseCasePartnerLink.left_id == use_case_id, UseCasePartnerLink.is_live)
            .where(OrganisationRecord.is_live)
            .order_by(OrganisationRecord.name)
        )
        agreements = session.execute(
            select(
                AgreementRecord.id,
                AgreementRecord.reference,
                AgreementRecord.title,
                AgreementRecord.status,
            )
            .join(AgreementUseCaseLink, AgreementUseCaseLink.left_id == AgreementRecord.id)
            .where(AgreementUseCaseLink.right_id == use_case_id, AgreementUseCaseLink.is_live)
            .where(AgreementRecord.is_live)
            .order_by(AgreementRecord.reference)
        )
        return UseCase(
            id=record.id,
            title=_text(record.title),
            summary=_text(record.summary),
            lead_organisation_id=record.lead_organisation_id,
            lead_organisation=_text(lead.name) if lead is not None and lead.is_live else "",
            stage=_text(record.stage),
            rag=_text(record.rag),
            owner=_text(record.owner),
            risks=_text(record.risks),
            next_steps=_text(record.next_steps),
            partners=tuple(Partner(id=i, name=_text(n)) for i, n in partners),
            agreements=tuple(
                LinkedAgreement(id=i, reference=_text(r), title=_text(t), status=_text(s))
                for i, r, t, s in agreements
            ),
            benefits=tuple(_benefits(session, use_case_id)),
        )


def _benefits(session: Session, use_case_id: str) -> list[Benefit]:
    records = session.scalars(
        select(BenefitRecord)
        .where(BenefitRecord.use_case_id == use_case_id, BenefitRecord.is_live)
        .order_by(BenefitRecord.measure, BenefitRecord.id)
    ).all()
    return [
        Benefit(
            id=b.id,
            use_case_id=use_case_id,
            measure=_text(b.measure),
            unit=_text(b.unit),
            baseline=_text(b.baseline),
            target=_text(b.target),
            actual=_text(b.actual),
            measured_on=b.measured_on,
        )
        for b in records
    ]


def list_benefits(register: Register, use_case_id: str) -> list[Benefit]:
    with register.session() as session:
        return _benefits(session, use_case_id)


# ---------------------------------------------------------------------------- writing


def _check_fields(values: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            [FieldProblem(name, f"{kind} has no field called {name}.") for name in unknown]
        )


def _use_case_problems(values: Mapping[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if "title" in values and not str(values.get("title") or "").strip():
        problems.append(FieldProblem("title", "Title is required."))
    if "stage" in values and values["stage"] not in STAGE_LABELS:
        problems.append(FieldProblem("stage", f"Unknown stage {values['stage']!r}."))
    rag = values.get("rag")
    if rag and rag not in RAG_LABELS:
        problems.append(FieldProblem("rag", "Choose red, amber or green."))
    return problems


def _raise(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationError(problems)


def create_use_case(register: Register, values: Mapping[str, Any]) -> str:
    """Add a use case; it starts as proposed unless a stage is given."""
    _check_fields(values, USE_CASE_FIELDS, "A use case")
    full = {"stage": UseCaseStage.PROPOSED.value, "title": "", **values}
    _raise(_use_case_problems(full))
    return register.write(f"Add use case {full['title']}", lambda c: c.create("use_case", full))


def update_use_case(register: Register, use_case_id: str, values: Mapping[str, Any]) -> int:
    """Set fields of a use case; returns how many changed."""
    _check_fields(values, USE_CASE_FIELDS, "A use case")
    _raise(_use_case_problems(values))

    def build(changes: Changes) -> int:
        _live_use_case(changes.session, use_case_id)
        return sum(changes.set("use_case", use_case_id, n, v) for n, v in values.items())

    return register.write(f"Edit use case: {', '.join(sorted(values))}", build)


def move_stage(register: Register, use_case_id: str, stage: str) -> None:
    """Move a use case to `stage` (one operation in the log)."""
    _raise(_use_case_problems({"stage": stage}))

    with register.session() as session:
        title = _text(_live_use_case(session, use_case_id).title)

    def build(changes: Changes) -> None:
        _live_use_case(changes.session, use_case_id)
        changes.set("use_case", use_case_id, "stage", stage)

    register.write(f"Move {title} to {STAGE_LABELS[stage].lower()}", build)


def move_to_next_stage(register: Register, use_case_id: str) -> str:
    """Move a use case one stage on; returns the new stage."""
    with register.session() as session:
        current = _text(_live_use_case(session, use_case_id).stage)
    following = next_stage(current)
    if following is None:
        label = STAGE_LABELS.get(current, current or "no stage").lower()
        raise ValidationError(
            [FieldProblem("stage", f"A use case that is {label} has no next stage.")]
        )
    move_stage(register, use_case_id, following)
    return following


def move_to_previous_stage(register: Register, use_case_id: str) -> str:
    with register.session() as session:
        current = _text(_live_use_case(session, use_case_id).stage)
    before = previous_stage(current)
    if before is None:
        label = STAGE_LABELS.get(current, current or "no stage").lower()
        raise ValidationError(
            [FieldProblem("stage", f"A use case that is {label} has no earlier stage.")]
        )
    move_stage(register, use_case_id, before)
    return before


def delete_use_case(register: Register, use_case_id: str) -> None:
    """Delete a use case with its benefits and its partners (the organisations stay).

    Refused (`InUseError`) while an agreement is linked to it: the link is the agreement's.
    """
    register.write("Delete use case", lambda changes: delete_in(changes, "use_case", use_case_id))


def _partners(session: Session, use_case_id: str) -> set[str]:
    """The organisations that are live partners in a use case."""
    link = UseCasePartnerLink
    query = select(link.right_id).where(link.left_id == use_case_id, link.is_live)
    return {organisation for organisation in session.scalars(query) if organisation}


def set_partners(register: Register, use_case_id: str, organisation_ids: Iterable[str]) -> None:
    """Make the partner organisations exactly `organisation_ids` (links and unlinks only)."""
    wanted = set(organisation_ids)

    def build(changes: Changes) -> None:
        _live_use_case(changes.session, use_case_id)
        current = _partners(changes.session, use_case_id)
        for org_id in sorted(wanted - current):
            changes.link("use_case_partner", use_case_id, org_id)
        for org_id in sorted(current - wanted):
            changes.unlink("use_case_partner", use_case_id, org_id)

    register.write("Change use case partners", build)


def link_agreement(register: Register, use_case_id: str, agreement_id: str) -> None:
    register.write(
        "Link agreement to use case",
        lambda c: c.link("agreement_use_case", agreement_id, use_case_id),
    )


def unlink_agreement(register: Register, use_case_id: str, agreement_id: str) -> None:
    register.write(
        "Unlink agreement from use case",
        lambda c: c.unlink("agreement_use_case", agreement_id, use_case_id),
    )


def add_benefit(register: Register, use_case_id: str, values: Mapping[str, Any]) -> str:
    _check_fields(values, BENEFIT_FIELDS, "A benefit")

    def build(changes: Changes) -> str:
        _live_use_case(changes.session, use_case_id)
        return changes.create("benefit", {**values, "use_case_id": use_case_id})

    return register.write("Add benefit", build)


def update_benefit(register: Register, benefit_id: str, values: Mapping[str, Any]) -> int:
    _check_fields(values, BENEFIT_FIELDS, "A benefit")
    if "measure" in values and not str(values["measure"] or "").strip():
        raise ValidationError([FieldProblem("measure", "Measure is required.")])
    return register.write(
        f"Edit benefit: {', '.join(sorted(values))}",
        lambda c: sum(c.set("benefit", benefit_id, n, v) for n, v in values.items()),
    )


def delete_benefit(register: Register, benefit_id: str) -> None:
    register.write("Delete benefit", lambda changes: delete_in(changes, "benefit", benefit_id))
