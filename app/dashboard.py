"""The dashboard's figures: agreements by status, reviews due and overdue, use cases, checklists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.agreements import CLOSED_STATUSES
from app.domain import AgreementStatus, UseCaseStage
from app.register import Register
from db.models import (
    AgreementRecord,
    ChecklistAnswerRecord,
    ChecklistRecord,
    UseCaseRecord,
)

DUE_WITHIN_DAYS = 90
NO_VALUE = ""  # the key of records with no status or stage


@dataclass(frozen=True)
class ChecklistProgress:
    """How far the agreements' checklists are filled in."""

    checklists: int
    complete: int  # checklists with every item answered
    items: int
    answered: int

    @property
    def percent(self) -> int:
        return 0 if self.items == 0 else round(100 * self.answered / self.items)


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows, counted in SQL."""

    today: dt.date
    total_agreements: int
    by_status: tuple[tuple[str, int], ...]  # every status in lifecycle order, zeros included
    reviews_due: int  # open agreements whose review falls in the next `due_within_days`
    reviews_overdue: int  # open agreements whose review date has passed
    due_within_days: int
    use_cases_by_stage: tuple[tuple[str, int], ...]  # every stage in order, zeros included
    checklists: ChecklistProgress


def _ordered(counts: dict[str, int], order: list[str]) -> tuple[tuple[str, int], ...]:
    rows = [(key, counts.pop(key, 0)) for key in order]
    rows += sorted((key or NO_VALUE, n) for key, n in counts.items() if n)
    return tuple(rows)


def load_dashboard(
    register: Register, today: dt.date | None = None, due_within_days: int = DUE_WITHIN_DAYS
) -> Dashboard:
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=due_within_days)
    review = AgreementRecord.review_date
    statuses: dict[str, int] = {}
    overdue = due = 0
    with register.session() as session:
        # One pass over the agreements' (status, review date, liveness) index, which holds all
        # three figures; a condition on the review date would send SQLite to that date's own
        # index and every agreement's row instead.
        for status, count, late, soon in session.execute(
            select(
                AgreementRecord.status,
                func.count(),
                func.sum(case((review < today, 1), else_=0)),
                func.sum(case((and_(review >= today, review <= horizon), 1), else_=0)),
            )
            .where(AgreementRecord.is_live.is_(True))
            .group_by(AgreementRecord.status)
        ):
            statuses[status or NO_VALUE] = count
            if status is not None and status not in CLOSED_STATUSES:  # as SQL NOT IN does
                overdue += int(late or 0)
                due += int(soon or 0)
        stages: dict[str, int] = {
            stage or NO_VALUE: n
            for stage, n in session.execute(
                select(UseCaseRecord.stage, func.count())
                .where(UseCaseRecord.is_live.is_(True))
                .group_by(UseCaseRecord.stage)
            )
        }
        checklists = _checklist_progress(session)
    total = sum(statuses.values())
    return Dashboard(
        today=today,
        total_agreements=total,
        by_status=_ordered(statuses, [s.value for s in AgreementStatus]),
        reviews_due=due,
        reviews_overdue=overdue,
        due_within_days=due_within_days,
        use_cases_by_stage=_ordered(stages, [s.value for s in UseCaseStage]),
        checklists=checklists,
    )


def _checklist_progress(session: Session) -> ChecklistProgress:
    answered = func.coalesce(
        func.sum(case((func.coalesce(ChecklistAnswerRecord.answer, "") != "", 1), else_=0)), 0
    )
    per_list = (
        select(
            ChecklistRecord.id,
            func.count(ChecklistAnswerRecord.id).label("items"),
            answered.label("answered"),
        )
        .select_from(ChecklistRecord)
        .join(AgreementRecord, AgreementRecord.id == ChecklistRecord.agreement_id)
        .outerjoin(
            ChecklistAnswerRecord,
            and_(
                ChecklistAnswerRecord.checklist_id == ChecklistRecord.id,
                ChecklistAnswerRecord.is_live.is_(True),
            ),
        )
        .where(ChecklistRecord.is_live.is_(True), AgreementRecord.is_live.is_(True))
        .group_by(ChecklistRecord.id)
    )
    rows = session.execute(per_list).all()
    items = sum(int(r.items) for r in rows)
    done = sum(int(r.answered) for r in rows)
    complete = sum(1 for r in rows if r.items and r.items == r.answered)
    return ChecklistProgress(len(rows), complete, items, done)
