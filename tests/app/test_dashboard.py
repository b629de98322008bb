"""The dashboard's figures, counted from a real register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.dashboard import load_dashboard
from app.register import Changes, Register
from tests.fast_keys import FAST_KDF

TODAY = dt.date(2026, 6, 1)


def _agreement(c: Changes, ref: str, status: str, review: dt.date | None) -> str:
    return c.create("agreement", {"reference": ref, "title": ref, "category": "personal",
                                  "status": status, "review_date": review})  # fmt: skip


def test_counts_by_status_reviews_use_cases_and_checklists(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", "correct horse battery staple", kdf=FAST_KDF) as reg:

        def build(c: Changes) -> str:
            _agreement(c, "A1", "active", TODAY - dt.timedelta(days=1))  # overdue
            _agreement(c, "A2", "active", TODAY)  # due today
            _agreement(c, "A3", "under_review", TODAY + dt.timedelta(days=90))  # due, last day
            _agreement(c, "A4", "draft", TODAY + dt.timedelta(days=91))  # not yet due
            _agreement(c, "A5", "expired", TODAY - dt.timedelta(days=400))  # closed: not overdue
            gone = _agreement(c, "A6", "active", TODAY - dt.timedelta(days=5))
            c.delete("agreement", gone)
            for stage in ("design", "design", "live"):
                c.create("use_case", {"title": stage, "stage": stage})
            full = c.create("checklist", {"agreement_id": gone})  # deleted agreement: ignored
            c.create("checklist_answer", {"checklist_id": full, "answer": "yes"})
            return "ok"

        reg.write("seed", build)
        ids = {a: reg.write("x", lambda c, a=a: c.create("checklist", {"agreement_id": a}))
               for a in _ids(reg, ("A1", "A2"))}  # fmt: skip
        first, second = ids.values()

        def answers(c: Changes) -> None:
            c.create("checklist_answer", {"checklist_id": first, "answer": "yes"})
            c.create("checklist_answer", {"checklist_id": first, "answer": "not_applicable"})
            c.create("checklist_answer", {"checklist_id": second, "answer": "no"})
            c.create("checklist_answer", {"checklist_id": second})  # not answered yet

        reg.write("answers", answers)
        board = load_dashboard(reg, today=TODAY)

    counts = dict(board.by_status)
    assert counts["active"] == 2 and counts["under_review"] == 1
    assert counts["draft"] == 1 and counts["expired"] == 1 and counts["terminated"] == 0
    assert [s for s, _ in board.by_status][:3] == ["draft", "negotiation", "awaiting_approval"]
    assert board.total_agreements == 5
    assert board.reviews_overdue == 1
    assert board.reviews_due == 2
    stages = dict(board.use_cases_by_stage)
    assert stages["design"] == 2 and stages["live"] == 1 and stages["proposed"] == 0
    assert board.checklists.checklists == 2
    assert board.checklists.complete == 1
    assert (board.checklists.items, board.checklists.answered) == (4, 3)
    assert board.checklists.percent == 75


def _ids(reg: Register, refs: tuple[str, ...]) -> list[str]:
    from app.agreements import agreement_ids_by_reference

    found = agreement_ids_by_reference(reg, refs)
    return [found[r] for r in refs]
