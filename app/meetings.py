"""Governance bodies, their meetings, the papers lettered A, B, C… and the decisions taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dependants import delete_in
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.lettering import letter_at, lettered_papers
from app.oplog import field_names
from app.register import Changes, Register
from db.models import (
    AgreementRecord,
    DecisionRecord,
    GovernanceBodyRecord,
    MeetingRecord,
    PaperRecord,
)

MEETING_STATUS_LABELS: dict[str, str] = {
    "planned": "Planned",
    "held": "Held",
    "cancelled": "Cancelled",
}
DECISION_OUTCOME_LABELS: dict[str, str] = {
    "approved": "Approved",
    "deferred": "Deferred",
    "rejected": "Rejected",
    "noted": "Noted",
}
PAPER_FIELD_LABELS: dict[str, str] = {
    "subject": "Subject",
    "discussion_minutes": "Time for discussion (minutes)",
    "key_issues": "Key issues",
    "request": "What the Board is asked to do",
    "resource_implications": "Resource implications",
    "author_name": "Author",
    "author_contact": "Author contact",
    "background": "Background",
    "protective_marking": "Protective marking",
}
"""The fields of a paper in the order and words of the first seed paper."""

BODY_FIELDS = frozenset(field_names("governance_body"))
MEETING_FIELDS = frozenset(field_names("meeting"))
PAPER_FIELDS = frozenset(field_names("paper")) - {"meeting_id", "letter"}
DECISION_FIELDS = frozenset(field_names("decision")) - {"meeting_id"}


@dataclass(frozen=True)
class GovernanceBody:
    id: str
    name: str
    purpose: str
    meets: str


@dataclass(frozen=True)
class Meeting:
    id: str
    body_id: str | None
    body: str
    meeting_date: dt.date | None
    start_time: str
    location: str
    status: str
    paper_count: int


@dataclass(frozen=True)
class Paper:
    """A Board paper with the fields of the first seed paper."""

    id: str
    meeting_id: str
    letter: str
    subject: str
    discussion_minutes: int | None
    key_issues: str
    request: str
    resource_implications: str
    author_name: str
    author_contact: str
    background: str
    appendices: str
    protective_marking: str


@dataclass(frozen=True)
class Decision:
    id: str
    meeting_id: str
    paper_id: str | None
    paper_letter: str
    agreement_id: str | None
    agreement_reference: str
    decision: str
    outcome: str
    decided_on: dt.date | None


@dataclass(frozen=True)
class AgreementChoice:
    id: str
    reference: str
    title: str


def _text(value: str | None) -> str:
    return value or ""


def _problems_for_unknown(values: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            [FieldProblem(n, f"{kind} has no field called {n}.") for n in unknown]
        )


def _require(values: Mapping[str, Any], name: str, label: str, *, creating: bool) -> None:
    if (creating or name in values) and not str(values.get(name) or "").strip():
        raise ValidationError([FieldProblem(name, f"{label} is required.")])


def _live(session: Session, model: Any, record_id: str, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or not record.is_live:
        raise NotFoundError(f"That {what} no longer exists (it may have been deleted).")
    return record


def _update(
    register: Register, entity: str, model: Any, record_id: str, values: Mapping[str, Any]
) -> int:
    what = entity.replace("_", " ")

    def build(changes: Changes) -> int:
        _live(changes.session, model, record_id, what)
        return sum(changes.set(entity, record_id, n, v) for n, v in values.items())

    return register.write(f"Edit {what}: {', '.join(sorted(values))}", build)


# ----------------------------------------------------------------------- bodies


def list_bodies(register: Register) -> list[GovernanceBody]:
    with register.session() as session:
        records = session.scalars(
            select(GovernanceBodyRecord)
            .where(GovernanceBodyRecord.is_live.is_(True))
            .order_by(GovernanceBodyRecord.name, GovernanceBodyRecord.id)
        ).all()
        return [
            GovernanceBody(
                id=r.id, name=_text(r.name), purpose=_text(r.purpose), meets=_text(r.meets)
            )
            for r in records
        ]


def create_body(register: Register, values: Mapping[str, Any]) -> str:
    _problems_for_unknown(values, BODY_FIELDS, "A governance body")
    _require(values, "name", "Name", creating=True)
    return register.write(
        f"Add governance body {values['name']}", lambda c: c.create("governance_body", values)
    )


def update_body(register: Register, body_id: str, values: Mapping[str, Any]) -> int:
    _problems_for_unknown(values, BODY_FIELDS, "A governance body")
    _require(values, "name", "Name", creating=False)
    return _update(register, "governance_body", GovernanceBodyRecord, body_id, values)


def delete_body(register: Register, body_id: str) -> None:
    """Delete a governance body; refused while it holds meetings (see `app.dependants`)."""
    register.write("Delete governance body", lambda c: delete_in(c, "governance_body", body_id))


# ----------------------------------------------------------------------- meetings


def list_meetings(register: Register, body_id: str | None = None) -> list[Meeting]:
    """Live meetings, newest first (undated last)."""
    with register.session() as session:
        stmt = (
            select(MeetingRecord, GovernanceBodyRecord.name)
            .outerjoin(GovernanceBodyRecord, GovernanceBodyRecord.id == MeetingRecord.body_id)
            .where(MeetingRecord.is_live.is_(True))
            .order_by(MeetingRecord.meeting_date.desc().nulls_last(), MeetingRecord.id)
        )
        if body_id is not None:
            stmt = stmt.where(MeetingRecord.body_id == body_id)
        counts = {
            meeting_id: count
            for meeting_id, count in session.execute(
                select(PaperRecord.meeting_id, func.count())
                .where(PaperRecord.is_live)
                .group_by(PaperRecord.meeting_id)
            )
        }
        return [
            Meeting(
                id=m.id,
                body_id=m.body_id,
                body=_text(body),
                meeting_date=m.meeting_date,
                start_time=_text(m.start_time),
                location=_text(m.location),
                status=_text(m.status),
                paper_count=counts.get(m.id, 0),
            )
            for m, body in session.execute(stmt)
        ]


def _meeting_problems(values: Mapping[str, Any], *, creating: bool) -> None:
    _problems_for_unknown(values, MEETING_FIELDS, "A meeting")
    problems: list[FieldProblem] = []
    if (creating or "meeting_date" in values) and values.get("meeting_date") is None:
        problems.append(FieldProblem("meeting_date", "Date is required (dd/mm/yyyy)."))
    status = values.get("status")
    if status and status not in MEETING_STATUS_LABELS:
        problems.append(FieldProblem("status", "Choose planned, held or cancelled."))
    time = str(values.get("start_time") or "").strip()
    if time:
        try:
            dt.time.fromisoformat(time)
        except ValueError:
            problems.append(FieldProblem("start_time", f"{time} is not a time; write it as 14:00."))
    if problems:
        raise ValidationError(problems)


def create_meeting(register: Register, body_id: str | None, values: Mapping[str, Any]) -> str:
    """Add a meeting of a body (planned unless a status is given)."""
    full = {"status": "planned", **values, "body_id": body_id}
    _meeting_problems(full, creating=True)
    return register.write("Add meeting", lambda c: c.create("meeting", full))


def update_meeting(register: Register, meeting_id: str, values: Mapping[str, Any]) -> int:
    _meeting_problems(values, creating=False)
    return _update(register, "meeting", MeetingRecord, meeting_id, values)


def delete_meeting(register: Register, meeting_id: str) -> None:
    """Delete a meeting with its papers and decisions.

    Refused (`InUseError`) while an agreement records its approval at the meeting or a
    compliance review is put to it, or a decision of another meeting cites one of its papers.
    """
    register.write("Delete meeting", lambda changes: delete_in(changes, "meeting", meeting_id))


# ----------------------------------------------------------------------- papers


def list_papers(register: Register, meeting_id: str) -> list[Paper]:
    """List the papers of a meeting in letter order."""
    with register.session() as session:
        return [
            Paper(
                id=p.id,
                meeting_id=meeting_id,
                letter=letter,
                subject=_text(p.subject),
                discussion_minutes=p.discussion_minutes,
                key_issues=_text(p.key_issues),
                request=_text(p.request),
                resource_implications=_text(p.resource_implications),
                author_name=_text(p.author_name),
                author_contact=_text(p.author_contact),
                background=_text(p.background),
                appendices=_text(p.appendices),
                protective_marking=_text(p.protective_marking),
            )
            for letter, p in lettered_papers(session, meeting_id)
        ]


def _paper_problems(values: Mapping[str, Any], *, creating: bool) -> None:
    _problems_for_unknown(values, PAPER_FIELDS, "A paper")
    _require(values, "subject", "Subject", creating=creating)
    minutes = values.get("discussion_minutes")
    if minutes is not None and (not isinstance(minutes, int) or minutes < 0 or minutes > 600):
        raise ValidationError(
            [FieldProblem("discussion_minutes", "Give the time for discussion in minutes (0-600).")]
        )


def add_paper(register: Register, meeting_id: str, values: Mapping[str, Any]) -> str:
    """Add a paper to a meeting; it takes the next letter (A, B, C…)."""
    _paper_problems(values, creating=True)

    def build(changes: Changes) -> str:
        _live(changes.session, MeetingRecord, meeting_id, "meeting")
        count = _reletter(changes, meeting_id)
        return changes.create("paper", {**values, "meeting_id": meeting_id,
                                        "letter": letter_at(count)})  # fmt: skip

    return register.write(f"Add paper {values.get('subject', '')}", build)


def update_paper(register: Register, paper_id: str, values: Mapping[str, Any]) -> int:
    _paper_problems(values, creating=False)
    return _update(register, "paper", PaperRecord, paper_id, values)


def delete_paper(register: Register, paper_id: str) -> None:
    """Delete a paper; the papers after it move up a letter so the lettering has no gap.

    Refused (`InUseError`) while a decision cites it.
    """

    def build(changes: Changes) -> None:
        meeting_id = _live(changes.session, PaperRecord, paper_id, "paper").meeting_id
        delete_in(changes, "paper", paper_id)
        _reletter(changes, meeting_id)

    register.write("Delete paper", build)


def _reletter(changes: Changes, meeting_id: str | None) -> int:
    """Store each paper's letter as the one it is known by, its place; returns how many.

    Only letters that differ are written: after a paper went, or once two devices gave two
    papers one letter (what a spreadsheet export shows then matches the meeting again).
    """
    if meeting_id is None:
        return 0
    papers = lettered_papers(changes.session, meeting_id)
    for letter, paper in papers:
        changes.set("paper", paper.id, "letter", letter)
    return len(papers)


# ----------------------------------------------------------------------- decisions


def list_decisions(register: Register, meeting_id: str) -> list[Decision]:
    with register.session() as session:
        place = {p.id: n for n, (_, p) in enumerate(lettered_papers(session, meeting_id))}
        rows = session.execute(
            select(DecisionRecord, AgreementRecord.reference)
            .outerjoin(AgreementRecord, AgreementRecord.id == DecisionRecord.agreement_id)
            .where(DecisionRecord.meeting_id == meeting_id, DecisionRecord.is_live)
        )
        out = [
            Decision(
                id=d.id,
                meeting_id=meeting_id,
                paper_id=d.paper_id,
                paper_letter=letter_at(place[d.paper_id]) if d.paper_id in place else "",
                agreement_id=d.agreement_id,
                agreement_reference=_text(reference),
                decision=_text(d.decision),
                outcome=_text(d.outcome),
                decided_on=d.decided_on,
            )
            for d, reference in rows
        ]
    last = len(place)  # decisions on no paper after those on papers, B before AA
    return sorted(out, key=lambda d: (place.get(d.paper_id or "", last), d.agreement_reference,
                                      d.id))  # fmt: skip


def _decision_problems(values: Mapping[str, Any], *, creating: bool) -> None:
    _problems_for_unknown(values, DECISION_FIELDS, "A decision")
    _require(values, "decision", "The decision", creating=creating)
    outcome = values.get("outcome")
    if outcome and outcome not in DECISION_OUTCOME_LABELS:
        raise ValidationError(
            [FieldProblem("outcome", "Choose approved, deferred, rejected or noted.")]
        )


def add_decision(register: Register, meeting_id: str, values: Mapping[str, Any]) -> str:
    """Record a decision of a meeting (dated the meeting's date unless given)."""
    _decision_problems(values, creating=True)

    def build(changes: Changes) -> str:
        meeting = _live(changes.session, MeetingRecord, meeting_id, "meeting")
        full = {"decided_on": meeting.meeting_date, **values, "meeting_id": meeting_id}
        return changes.create("decision", full)

    return register.write("Record decision", build)


def update_decision(register: Register, decision_id: str, values: Mapping[str, Any]) -> int:
    _decision_problems(values, creating=False)
    return _update(register, "decision", DecisionRecord, decision_id, values)


def delete_decision(register: Register, decision_id: str) -> None:
    register.write("Delete decision", lambda changes: delete_in(changes, "decision", decision_id))


def agreement_choices(register: Register) -> list[AgreementChoice]:
    """Live agreements a decision may concern, by reference."""
    with register.session() as session:
        rows = session.execute(
            select(AgreementRecord.id, AgreementRecord.reference, AgreementRecord.title)
            .where(AgreementRecord.is_live.is_(True))
            .order_by(AgreementRecord.reference)
        )
        return [AgreementChoice(id=i, reference=_text(r), title=_text(t)) for i, r, t in rows]
