"""The demo partnership: complete, consistent content whose dates follow `today`."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.agreements import CLOSED_STATUSES
from app.dashboard import load_dashboard
from app.demo import DEMO_PASSPHRASE, DemoNotEmptyError, DemoSummary, build_demo
from app.domain import (
    SPEC_KEYS,
    AgreementStatus,
    AgreementType,
    ChecklistAnswer,
    ControllerRelationship,
    LogKind,
    OrganisationType,
    PartyRole,
    Rag,
    UseCaseStage,
)
from app.organisations import normalise_name
from app.register import Register
from app.validation import agreement_problems, incomplete_item_names
from db.models import (
    ENTITY_RECORDS,
    AgreementAssessmentLink,
    AgreementRecord,
    AgreementUseCaseLink,
    AssessmentDataItemLink,
    AssessmentRecord,
    BenefitRecord,
    ChecklistAnswerRecord,
    ChecklistRecord,
    ComplianceReviewRecord,
    DataItemRecord,
    DecisionRecord,
    IncidentRecord,
    LinkRecord,
    LogEntryRecord,
    MeetingRecord,
    OperationRecord,
    OrganisationRecord,
    PaperRecord,
    PartyRecord,
    SignOffRecord,
    UseCasePartnerLink,
    UseCaseRecord,
)

TODAY = dt.date(2026, 3, 15)
SHIFT = 100
OPEN = AgreementRecord.status.not_in(CLOSED_STATUSES)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Register, DemoSummary]]:
    register = Register.create(tmp_path_factory.mktemp("demo") / "reg", DEMO_PASSPHRASE)
    summary = build_demo(register, TODAY)
    yield register, summary
    register.close()


@pytest.fixture(scope="module")
def demo(built: tuple[Register, DemoSummary]) -> Register:
    return built[0]


@pytest.fixture()
def session(demo: Register) -> Iterator[Session]:
    with demo.session() as s:
        yield s


def live(session: Session, model: Any) -> list[Any]:
    return list(session.scalars(select(model).where(model.is_live.is_(True))))


def live_counts(register: Register) -> dict[str, int]:
    with register.session() as s:
        return {
            entity: s.scalar(select(func.count()).select_from(model).where(model.is_live)) or 0
            for entity, model in ENTITY_RECORDS.items()
        }


def test_summary_counts_what_the_register_holds(built: tuple[Register, DemoSummary]) -> None:
    register, summary = built
    counts = live_counts(register)
    assert summary.agreements == counts["agreement"] >= 25
    assert summary.data_items == counts["data_item"]
    assert summary.organisations == counts["organisation"]
    assert summary.people == counts["person"]
    assert summary.use_cases == counts["use_case"] == 6
    assert summary.links == sum(
        n for e, n in counts.items() if issubclass(ENTITY_RECORDS[e], LinkRecord)
    )
    assert "agreements" in str(summary) and "data items" in str(summary)


def test_agreements_have_references_and_cover_every_status(session: Session) -> None:
    agreements = live(session, AgreementRecord)
    references = [a.reference for a in agreements]
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"ISA-\d{4}-\d{3}", r) for r in references)
    statuses = Counter(a.status for a in agreements)
    assert set(statuses) == {s.value for s in AgreementStatus}
    assert statuses.most_common(1)[0][0] == AgreementStatus.ACTIVE
    assert {a.category for a in agreements} == {"aggregated", "personal"}
    assert {a.agreement_type for a in agreements} <= {t.value for t in AgreementType}
    assert {a.controller_relationship for a in agreements} <= {
        r.value for r in ControllerRelationship
    }
    assert {a.protective_marking for a in agreements} == {"OFFICIAL", "OFFICIAL-SENSITIVE"}
    for a in agreements:
        assert a.title and a.summary and a.owner_id and a.retention and a.rights_arrangements


def test_every_data_item_has_all_seven_fields_written_out(session: Session) -> None:
    items = live(session, DataItemRecord)
    assert items
    by_agreement: dict[str | None, list[DataItemRecord]] = {}
    for item in items:
        by_agreement.setdefault(item.agreement_id, []).append(item)
        for key in SPEC_KEYS:
            text = getattr(item, key) or ""
            assert 50 <= len(text.strip()) <= 400, (item.title, key, text)
        assert item.title and item.responsible_owner and item.refresh_schedule
    for agreement in live(session, AgreementRecord):
        positions = sorted(i.position or 0 for i in by_agreement.get(agreement.id, []))
        assert 1 <= len(positions) <= 4, agreement.reference
        assert positions == list(range(1, len(positions) + 1))


def test_agreements_pass_the_domain_checks(session: Session) -> None:
    items = live(session, DataItemRecord)
    for agreement in live(session, AgreementRecord):
        values = {name: getattr(agreement, name) for name in ("reference", "title", "category",
                  "status", "start_date", "review_date", "end_date")}  # fmt: skip
        mine = [
            {k: getattr(i, k) for k in (*SPEC_KEYS, "title", "position")}
            for i in items
            if i.agreement_id == agreement.id
        ]
        problems = agreement_problems(
            values,
            previous_status=None,
            reference_taken=False,
            incomplete_items=incomplete_item_names(mine),
        )
        assert problems == [], (agreement.reference, problems)


def test_every_reference_points_at_a_live_record_of_the_right_kind(session: Session) -> None:
    checked = 0
    for model in ENTITY_RECORDS.values():
        for column in model.__table__.columns:
            for fk in column.foreign_keys:
                target = fk.column.table
                rows = session.execute(select(column).where(column.is_not(None))).scalars()
                for value in rows:
                    alive = session.execute(
                        select(target.c.is_live).where(target.c.id == value)
                    ).scalar_one_or_none()
                    assert alive is True, (model.__tablename__, column.key, value)
                    checked += 1
    assert checked > 500
    organisations = {o.id for o in live(session, OrganisationRecord)}
    parties = live(session, PartyRecord)
    assert parties and all(p.organisation_id in organisations for p in parties)
    assert {p.role for p in parties} == {r.value for r in PartyRole}


def test_organisations_use_the_controlled_types(session: Session) -> None:
    organisations = live(session, OrganisationRecord)
    assert {o.org_type for o in organisations} == {t.value for t in OrganisationType}
    for o in organisations:
        assert o.name_key == normalise_name(o.name)
    assert sum(bool(o.protocol_signed) for o in organisations) > len(organisations) / 2
    names = {o.name for o in organisations}
    assert {"Suffolk Constabulary", "Worcestershire County Council", "West Mercia Police"} <= names


def test_the_worked_examples_are_assessments_sharing_data_items(session: Session) -> None:
    titles = {a.title for a in live(session, AssessmentRecord)}
    assert {
        "Joint Strategic Needs Assessment",
        "Children and Young People's Needs Analysis",
        "Neighbourhood Profiles — Safer Neighbourhood Team areas",
        "Community Safety Strategic Assessment",
    } <= titles
    per_item = Counter(link.right_id for link in live(session, AssessmentDataItemLink))
    shared = [item for item, n in per_item.items() if n >= 2]
    assert len(shared) >= 5
    shared_titles = {
        item.title or "" for item in live(session, DataItemRecord) if item.id in shared
    }
    assert any("Deprivation" in t for t in shared_titles)
    assert any("Population estimates" in t for t in shared_titles)
    assert live(session, AgreementAssessmentLink)


def test_two_meetings_with_lettered_papers_and_decisions(session: Session) -> None:
    meetings = sorted(live(session, MeetingRecord), key=lambda m: m.meeting_date)
    assert [m.status for m in meetings] == ["held", "planned"]
    held, planned = meetings
    assert 120 <= (TODAY - held.meeting_date).days <= 180
    assert 14 <= (planned.meeting_date - TODAY).days <= 60
    papers = live(session, PaperRecord)
    for meeting in meetings:
        mine = sorted(p.letter for p in papers if p.meeting_id == meeting.id)
        assert mine == ["A", "B", "C", "D"]
    for paper in papers:
        for name in ("subject", "key_issues", "request", "resource_implications",
                     "author_name", "author_contact", "background"):  # fmt: skip
            assert getattr(paper, name), (paper.subject, name)
        assert paper.discussion_minutes
    decisions = live(session, DecisionRecord)
    assert decisions and all(d.meeting_id == held.id for d in decisions)
    held_papers = {p.id for p in papers if p.meeting_id == held.id}
    assert all(d.paper_id in held_papers for d in decisions)
    approved = [d for d in decisions if d.outcome == "approved" and d.agreement_id]
    assert len(approved) >= 3
    for decision in approved:
        agreement = session.get(AgreementRecord, decision.agreement_id)
        assert agreement is not None
        assert agreement.approval_meeting_id == held.id
        assert agreement.approval_date == held.meeting_date


def test_reviews_fall_overdue_soon_and_later(session: Session) -> None:
    reviews = [
        a.review_date
        for a in session.scalars(select(AgreementRecord).where(OPEN))
        if a.review_date is not None
    ]
    overdue = [d for d in reviews if d < TODAY]
    soon = [d for d in reviews if TODAY <= d <= TODAY + dt.timedelta(days=90)]
    later = [d for d in reviews if d > TODAY + dt.timedelta(days=90)]
    assert len(overdue) >= 3 and len(soon) >= 3 and len(later) >= 3


def test_compliance_reviews_done_and_overdue(session: Session) -> None:
    reviews = live(session, ComplianceReviewRecord)
    done = [r for r in reviews if r.reviewed_on is not None]
    overdue = [r for r in reviews if r.reviewed_on is None and r.due_on < TODAY]
    assert len(done) >= 3 and len(overdue) >= 3
    assert all(r.outcome in {"continue", "amend", "terminate"} and r.recommendation for r in done)
    for review in overdue:
        agreement = session.get(AgreementRecord, review.agreement_id)
        assert agreement is not None and agreement.review_date is not None
        assert agreement.review_date < TODAY


def test_use_cases_have_stages_benefits_and_partners(session: Session) -> None:
    use_cases = live(session, UseCaseRecord)
    assert {u.title for u in use_cases} == {
        "Business Rate Register",
        "Patient Flow Integration",
        "Domestic Violence",
        "Falls & Frailty",
        "Local Resilience Planning",
        "Connecting Families",
    }
    assert {u.stage for u in use_cases} <= {s.value for s in UseCaseStage}
    assert len({u.stage for u in use_cases}) >= 5
    assert {u.rag for u in use_cases} <= {r.value for r in Rag}
    benefits = Counter(b.use_case_id for b in live(session, BenefitRecord))
    assert all(1 <= benefits[u.id] <= 3 for u in use_cases)
    for u in use_cases:
        assert u.summary and u.risks and u.next_steps and u.lead_organisation_id
    with_partners = {link.left_id for link in live(session, UseCasePartnerLink)}
    with_agreements = {link.right_id for link in live(session, AgreementUseCaseLink)}
    assert all(u.id in with_partners and u.id in with_agreements for u in use_cases)


def test_checklists_logs_incidents_and_sign_offs(session: Session) -> None:
    checklists = live(session, ChecklistRecord)
    assert len(checklists) >= 3
    assert {(c.template_key, c.template_version) for c in checklists} == {
        ("ico-data-sharing-2021", 1)
    }
    answers = live(session, ChecklistAnswerRecord)
    assert all(re.fullmatch(r"[a-c]\d{1,2}", a.item_key) for a in answers)
    assert {a.answer for a in answers} - {None} <= {v.value for v in ChecklistAnswer}
    answered = [a for a in answers if a.answer]
    assert all(a.evidence and a.answered_by and a.answered_on for a in answered)
    unanswered = {a.checklist_id for a in answers if not a.answer}
    assert len(unanswered) == 1  # one checklist still being filled in
    logs = Counter(entry.kind for entry in live(session, LogEntryRecord))
    assert set(logs) == {k.value for k in LogKind}
    assert all(3 <= n <= 5 for n in logs.values())
    incidents = live(session, IncidentRecord)
    assert "near_miss" in {i.kind for i in incidents} and len(incidents) >= 2
    sign_offs = live(session, SignOffRecord)
    assert any(s.signed_on for s in sign_offs) and any(not s.signed_on for s in sign_offs)


def test_a_second_build_gives_the_same_content_moved_with_today(
    demo: Register, core_register_copy: Callable[[str], Register]
) -> None:
    other = core_register_copy("again")
    build_demo(other, TODAY + dt.timedelta(days=SHIFT))
    assert live_counts(other) == live_counts(demo)

    def reviews(register: Register) -> dict[str, dt.date | None]:
        with register.session() as s:
            return {a.reference: a.review_date for a in live(s, AgreementRecord)}

    first, second = reviews(demo), reviews(other)
    assert first.keys() == second.keys()
    for reference, date in first.items():
        assert date is not None
        assert second[reference] == date + dt.timedelta(days=SHIFT)


def test_the_dashboard_shows_the_demo(demo: Register) -> None:
    board = load_dashboard(demo, TODAY)
    assert board.total_agreements == live_counts(demo)["agreement"]
    assert board.reviews_overdue >= 3 and board.reviews_due >= 3
    assert 0 < board.checklists.complete < board.checklists.checklists


def test_the_demo_goes_only_into_an_empty_register(demo: Register) -> None:
    def operations() -> int:
        with demo.session() as s:
            return s.scalar(select(func.count()).select_from(OperationRecord)) or 0

    before = operations()
    with pytest.raises(DemoNotEmptyError, match="new, empty register"):
        build_demo(demo, TODAY)
    assert operations() == before
