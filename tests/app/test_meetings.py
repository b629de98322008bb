"""Governance bodies, meetings, papers lettered A, B, C… and decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.agreements import create_agreement
from app.conflicts import open_conflicts
from app.errors import InUseError, ValidationError
from app.history import record_names
from app.lettering import letter_at
from app.meetings import (
    add_decision,
    add_paper,
    agreement_choices,
    create_body,
    create_meeting,
    delete_body,
    delete_decision,
    delete_meeting,
    delete_paper,
    list_bodies,
    list_decisions,
    list_meetings,
    list_papers,
    update_decision,
    update_meeting,
    update_paper,
)
from app.register import Register
from db.models import PaperRecord
from tests.fast_keys import FAST_KDF
from tests.register_helpers import operation_count


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("meetings") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        yield reg


@pytest.fixture(scope="module")
def board(register: Register) -> str:
    return create_body(register, {"name": "Information Sharing Board", "meets": "Twice a year"})


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (1, "B"), (25, "Z"), (26, "AA"), (27, "AB"), (701, "ZZ")]
)
def test_paper_letters(index: int, letter: str) -> None:
    assert letter_at(index) == letter


def test_meetings_of_a_body(register: Register, board: str) -> None:
    spring = create_meeting(
        register, board, {"meeting_date": dt.date(2026, 4, 14), "start_time": "14:00"}
    )
    autumn = create_meeting(register, board, {"meeting_date": dt.date(2026, 10, 13)})
    meetings = list_meetings(register, board)
    assert [m.id for m in meetings][:2] == [autumn, spring]
    assert meetings[1].status == "planned" and meetings[1].body == "Information Sharing Board"
    update_meeting(register, spring, {"status": "held", "location": "County Hall"})
    assert next(m for m in list_meetings(register) if m.id == spring).location == "County Hall"
    with pytest.raises(ValidationError) as caught:
        create_meeting(register, board, {"start_time": "2pm", "status": "maybe"})
    assert {p.field for p in caught.value.problems} == {"meeting_date", "start_time", "status"}
    written = operation_count(register)
    with pytest.raises(InUseError) as refused:  # its meetings would be left without their body
        delete_body(register, board)
    assert refused.value.message == (
        "Information Sharing Board holds 2 meetings (14/04/2026 and 13/10/2026). Delete them first."
    )
    assert operation_count(register) == written
    assert [b.name for b in list_bodies(register)] == ["Information Sharing Board"]


def test_papers_are_lettered_and_relettered(register: Register, board: str) -> None:
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2027, 4, 1)})
    ids = [
        add_paper(register, meeting, {"subject": s, "discussion_minutes": 10})
        for s in ("Agreements for approval", "Reviews due", "Gaps log")
    ]
    assert [(p.letter, p.subject) for p in list_papers(register, meeting)] == [
        ("A", "Agreements for approval"),
        ("B", "Reviews due"),
        ("C", "Gaps log"),
    ]
    update_paper(register, ids[1], {"request": "Note the reviews due.", "author_name": "J Bloggs"})
    assert list_papers(register, meeting)[1].request == "Note the reviews due."
    with pytest.raises(ValidationError):
        update_paper(register, ids[1], {"discussion_minutes": -5})
    with pytest.raises(ValidationError):
        add_paper(register, meeting, {"subject": ""})
    delete_paper(register, ids[0])
    assert [(p.letter, p.id) for p in list_papers(register, meeting)] == [
        ("A", ids[1]),
        ("B", ids[2]),
    ]
    register.undo()
    assert [p.letter for p in list_papers(register, meeting)] == ["A", "B", "C"]
    assert next(m for m in list_meetings(register) if m.id == meeting).paper_count == 3


def test_decisions_concern_agreements(register: Register, board: str) -> None:
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2027, 10, 1)})
    paper = add_paper(register, meeting, {"subject": "Approvals"})
    agreement = create_agreement(
        register, {"reference": "ISA-2027-001", "title": "Schools", "category": "aggregated"}
    )
    assert [c.reference for c in agreement_choices(register)] == ["ISA-2027-001"]
    decision = add_decision(
        register,
        meeting,
        {"decision": "Approve ISA-2027-001", "outcome": "approved", "agreement_id": agreement,
         "paper_id": paper},
    )  # fmt: skip
    (got,) = list_decisions(register, meeting)
    assert (got.agreement_reference, got.paper_letter, got.decided_on) == (
        "ISA-2027-001",
        "A",
        dt.date(2027, 10, 1),
    )
    update_decision(register, decision, {"outcome": "deferred"})
    assert list_decisions(register, meeting)[0].outcome == "deferred"
    with pytest.raises(ValidationError):
        update_decision(register, decision, {"outcome": "maybe"})
    delete_decision(register, decision)
    assert list_decisions(register, meeting) == []


def test_delete_meeting_takes_its_papers(register: Register, board: str) -> None:
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2028, 1, 1)})
    add_paper(register, meeting, {"subject": "Only paper"})
    delete_meeting(register, meeting)
    assert meeting not in [m.id for m in list_meetings(register)]
    assert list_papers(register, meeting) == []


def test_papers_added_on_two_devices_at_once_read_a_b_c_on_both(
    isa_pair: tuple[Register, Register],
) -> None:
    """Ada and Sam, offline, each add a paper to one meeting: both took letter B. After a sync
    the meeting reads A, B, C on both laptops (the older paper first), decisions follow their
    papers' letters, and deleting a paper letters them again with no gap."""
    from .test_conflicts import sync_round

    ada, sam = isa_pair
    board = create_body(ada, {"name": "Information Sharing Board"})
    meeting = create_meeting(ada, board, {"meeting_date": dt.date(2026, 12, 3)})
    approvals = add_paper(ada, meeting, {"subject": "Agreements for approval"})
    sync_round([ada, sam])
    reviews = add_paper(ada, meeting, {"subject": "Reviews due"})
    gaps = add_paper(sam, meeting, {"subject": "Gaps log"})
    decision = add_decision(sam, meeting, {"decision": "Note the gaps", "paper_id": gaps})
    assert [p.letter for p in list_papers(sam, meeting)] == ["A", "B"]  # before the sync

    sync_round([ada, sam])

    for device in (ada, sam):
        papers = list_papers(device, meeting)
        assert [(p.letter, p.id) for p in papers] == [("A", approvals), ("B", reviews),
                                                      ("C", gaps)]  # fmt: skip
        assert [(d.id, d.paper_letter) for d in list_decisions(device, meeting)] == [
            (decision, "C")
        ]
        with device.session() as session:  # History, questions and refusals say the same
            assert record_names(session, "paper", gaps) == ("Paper C", "Paper C: Gaps log")
        with pytest.raises(InUseError, match="^Paper C is cited by 1 decision"):
            delete_paper(device, gaps)
    assert stored_letters(ada, meeting) == ["A", "B", "B"]  # as each device gave them
    # the next paper added stores the letters the meeting shows, for a spreadsheet export
    minutes = add_paper(ada, meeting, {"subject": "Minutes of the last meeting"})
    sync_round([ada, sam])
    for device in (ada, sam):
        assert stored_letters(device, meeting) == ["A", "B", "C", "D"]
        assert [p.id for p in list_papers(device, meeting)] == [approvals, reviews, gaps, minutes]
        assert open_conflicts(device) == []
    delete_paper(ada, reviews)
    sync_round([ada, sam])
    for device in (ada, sam):
        papers = list_papers(device, meeting)
        assert [(p.letter, p.id) for p in papers] == [("A", approvals), ("B", gaps),
                                                      ("C", minutes)]  # fmt: skip
        assert stored_letters(device, meeting) == ["A", "B", "C"]


def stored_letters(register: Register, meeting: str) -> list[str]:
    """The letters a meeting's live papers store (what an export writes), in order."""
    with register.session() as session:
        return sorted(session.scalars(select(PaperRecord.letter).where(
            PaperRecord.meeting_id == meeting, PaperRecord.is_live)))  # fmt: skip


def test_decisions_are_listed_in_the_order_of_their_papers(register: Register, board: str) -> None:
    meeting = create_meeting(register, board, {"meeting_date": dt.date(2027, 12, 1)})
    papers = [add_paper(register, meeting, {"subject": f"Item {n}"}) for n in range(28)]
    on_aa = add_decision(register, meeting, {"decision": "Noted", "paper_id": papers[26]})
    on_b = add_decision(register, meeting, {"decision": "Approved", "paper_id": papers[1]})
    on_none = add_decision(register, meeting, {"decision": "Any other business"})
    decisions = list_decisions(register, meeting)
    assert [(d.id, d.paper_letter) for d in decisions] == [
        (on_b, "B"), (on_aa, "AA"), (on_none, "")
    ]  # fmt: skip
