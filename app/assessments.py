"""Assessments (needs analyses) and the data items each needs, so overlaps between them show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dependants import delete_in
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.oplog import field_names
from app.register import Changes, Register
from db.models import (
    AgreementRecord,
    AssessmentDataItemLink,
    AssessmentRecord,
    DataItemRecord,
)

ASSESSMENT_KINDS: tuple[str, ...] = (
    "Joint strategic needs assessment (JSNA)",
    "Children and young people's needs analysis",
    "Neighbourhood profile",
    "Community safety strategic assessment",
    "Health equity audit",
    "Other",
)
"""Suggested kinds; the kind is free text so a partnership can use its own names."""

ASSESSMENT_FIELDS = frozenset(field_names("assessment"))


@dataclass(frozen=True)
class Assessment:
    id: str
    title: str
    kind: str
    description: str
    lead: str
    statutory: bool | None
    refresh: str
    item_count: int
    shared_item_count: int


@dataclass(frozen=True)
class NeededItem:
    """A data item an assessment needs, the agreement it comes under, and who else needs it."""

    data_item_id: str
    title: str
    agreement_id: str | None
    agreement_reference: str
    agreement_title: str
    also_needed_by: tuple[str, ...]  # titles of the other assessments needing the same item

    @property
    def shared(self) -> bool:
        return bool(self.also_needed_by)


@dataclass(frozen=True)
class DataItemChoice:
    """A data item offered when linking one to an assessment."""

    id: str
    title: str
    agreement_reference: str

    @property
    def label(self) -> str:
        return (
            f"{self.agreement_reference}: {self.title}" if self.agreement_reference else self.title
        )


def _text(value: str | None) -> str:
    return value or ""


def _links(session: Session) -> list[tuple[str, str]]:
    """Live (assessment id, data item id) pairs whose both ends are live."""
    rows = session.execute(
        select(AssessmentDataItemLink.left_id, AssessmentDataItemLink.right_id)
        .join(AssessmentRecord, AssessmentRecord.id == AssessmentDataItemLink.left_id)
        .join(DataItemRecord, DataItemRecord.id == AssessmentDataItemLink.right_id)
        .where(
            AssessmentDataItemLink.is_live,
            AssessmentRecord.is_live,
            DataItemRecord.is_live,
        )
    )
    return [(a, d) for a, d in rows if a is not None and d is not None]


def _needers(session: Session) -> dict[str, set[str]]:
    """For each data item, the assessments that need it."""
    out: dict[str, set[str]] = {}
    for assessment_id, item_id in _links(session):
        out.setdefault(item_id, set()).add(assessment_id)
    return out


def list_assessments(register: Register) -> list[Assessment]:
    """Live assessments by title, with how many items each needs and how many are shared."""
    with register.session() as session:
        records = session.scalars(
            select(AssessmentRecord)
            .where(AssessmentRecord.is_live.is_(True))
            .order_by(AssessmentRecord.title, AssessmentRecord.id)
        ).all()
        needers = _needers(session)
        items: dict[str, list[str]] = {}
        for item_id, assessment_ids in needers.items():
            for assessment_id in assessment_ids:
                items.setdefault(assessment_id, []).append(item_id)
        return [
            Assessment(
                id=r.id,
                title=_text(r.title),
                kind=_text(r.kind),
                description=_text(r.description),
                lead=_text(r.lead),
                statutory=r.statutory,
                refresh=_text(r.refresh),
                item_count=len(items.get(r.id, [])),
                shared_item_count=sum(len(needers[i]) > 1 for i in items.get(r.id, [])),
            )
            for r in records
        ]


def needed_items(register: Register, assessment_id: str) -> list[NeededItem]:
    """List the data items `assessment_id` needs, each with the other assessments needing it."""
    with register.session() as session:
        needers = _needers(session)
        mine = [item for item, who in needers.items() if assessment_id in who]
        titles = {
            i: t for i, t in session.execute(select(AssessmentRecord.id, AssessmentRecord.title))
        }
        rows = session.execute(
            select(
                DataItemRecord.id,
                DataItemRecord.title,
                DataItemRecord.agreement_id,
                AgreementRecord.reference,
                AgreementRecord.title,
            )
            .outerjoin(AgreementRecord, AgreementRecord.id == DataItemRecord.agreement_id)
            .where(DataItemRecord.id.in_(mine))
        )
        out = [
            NeededItem(
                data_item_id=item_id,
                title=_text(title),
                agreement_id=agreement_id,
                agreement_reference=_text(reference),
                agreement_title=_text(agreement_title),
                also_needed_by=tuple(
                    sorted(_text(titles.get(a)) for a in needers[item_id] if a != assessment_id)
                ),
            )
            for item_id, title, agreement_id, reference, agreement_title in rows
        ]
    return sorted(out, key=lambda n: (n.agreement_reference, n.title.lower(), n.data_item_id))


def data_item_choices(register: Register) -> list[DataItemChoice]:
    """Every live data item of a live agreement, by agreement reference and title."""
    with register.session() as session:
        rows = session.execute(
            select(DataItemRecord.id, DataItemRecord.title, AgreementRecord.reference)
            .join(AgreementRecord, AgreementRecord.id == DataItemRecord.agreement_id)
            .where(DataItemRecord.is_live, AgreementRecord.is_live)
            .order_by(AgreementRecord.reference, DataItemRecord.position, DataItemRecord.id)
        )
        return [
            DataItemChoice(id=i, title=_text(t), agreement_reference=_text(r)) for i, t, r in rows
        ]


def _live_assessment(session: Session, assessment_id: str) -> AssessmentRecord:
    record = session.get(AssessmentRecord, assessment_id)
    if record is None or not record.is_live:
        raise NotFoundError("That assessment no longer exists (it may have been deleted).")
    return record


def _check(values: Mapping[str, Any], *, creating: bool) -> None:
    problems = [
        FieldProblem(name, f"An assessment has no field called {name}.")
        for name in sorted(set(values) - ASSESSMENT_FIELDS)
    ]
    if (creating or "title" in values) and not str(values.get("title") or "").strip():
        problems.append(FieldProblem("title", "Title is required."))
    if problems:
        raise ValidationError(problems)


def create_assessment(register: Register, values: Mapping[str, Any]) -> str:
    _check(values, creating=True)
    return register.write(
        f"Add assessment {values['title']}", lambda c: c.create("assessment", values)
    )


def update_assessment(register: Register, assessment_id: str, values: Mapping[str, Any]) -> int:
    _check(values, creating=False)

    def build(changes: Changes) -> int:
        _live_assessment(changes.session, assessment_id)
        return sum(changes.set("assessment", assessment_id, n, v) for n, v in values.items())

    return register.write(f"Edit assessment: {', '.join(sorted(values))}", build)


def delete_assessment(register: Register, assessment_id: str) -> None:
    """Delete an assessment and its links to data items (the items stay).

    Refused (`InUseError`) while an agreement is linked to it.
    """
    register.write(
        "Delete assessment", lambda changes: delete_in(changes, "assessment", assessment_id)
    )


def link_data_item(register: Register, assessment_id: str, data_item_id: str) -> None:
    """Record that an assessment needs a data item."""

    def build(changes: Changes) -> None:
        _live_assessment(changes.session, assessment_id)
        item = changes.session.get(DataItemRecord, data_item_id)
        if item is None or not item.is_live:
            raise NotFoundError("That data item no longer exists (it may have been deleted).")
        changes.link("assessment_data_item", assessment_id, data_item_id)

    register.write("Link data item to assessment", build)


def unlink_data_item(register: Register, assessment_id: str, data_item_id: str) -> None:
    register.write(
        "Unlink data item from assessment",
        lambda c: c.unlink("assessment_data_item", assessment_id, data_item_id),
    )
