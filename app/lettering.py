"""Letters by place, A…Z then AA, AB…: a meeting's papers, and a spreadsheet's columns.

A paper's stored letter orders the papers of its meeting; the letter it is known by is its place
in that order. Two papers given one letter on two devices at once, or a paper brought back after
those behind it moved up, still read A, B, C… with no letter twice and none missed (the older
paper first): in the meeting, in History, in questions and refusals, wherever a paper is named.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.oplog import CHUNK
from db.models import PaperRecord


def letter_at(index: int) -> str:
    """The letter of the place at 0-based `index`: A…Z, then AA, AB… as spreadsheets do."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _order(letter: str | None, paper_id: str) -> tuple[int, str, str]:
    """Where a paper stands in its meeting: by its stored letter (B before AA), then its id."""
    return (len(letter or ""), letter or "", paper_id)


def lettered_papers(session: Session, meeting_id: str) -> list[tuple[str, PaperRecord]]:
    """The live papers of a meeting in order, each with the letter it is known by."""
    papers = session.scalars(
        select(PaperRecord).where(PaperRecord.meeting_id == meeting_id, PaperRecord.is_live)
    ).all()
    ordered = sorted(papers, key=lambda p: _order(p.letter, p.id))
    return [(letter_at(n), p) for n, p in enumerate(ordered)]


def paper_letters(session: Session, paper_ids: Iterable[str]) -> dict[str, str]:
    """The letter each of these papers is known by; a deleted paper keeps its stored letter.

    Reads the papers' meetings, then the ids and stored letters of those meetings' live papers.
    """
    ids = list(dict.fromkeys(paper_ids))
    letters: dict[str, str] = {}
    meetings: set[str] = set()
    paper = PaperRecord
    for start in range(0, len(ids), CHUNK):
        for paper_id, meeting_id, letter, live in session.execute(
            select(paper.id, paper.meeting_id, paper.letter, paper.is_live).where(
                paper.id.in_(ids[start : start + CHUNK])
            )
        ):
            letters[paper_id] = letter or ""
            if live and meeting_id is not None:
                meetings.add(meeting_id)
    listed = sorted(meetings)
    in_meeting: dict[str, list[tuple[str | None, str]]] = {}
    for start in range(0, len(listed), CHUNK):
        for paper_id, meeting_id, letter in session.execute(
            select(paper.id, paper.meeting_id, paper.letter).where(
                paper.meeting_id.in_(listed[start : start + CHUNK]), paper.is_live
            )
        ):
            in_meeting.setdefault(str(meeting_id), []).append((letter, paper_id))
    for papers in in_meeting.values():
        for n, (_, paper_id) in enumerate(sorted(papers, key=lambda p: _order(*p))):
            if paper_id in letters:
                letters[paper_id] = letter_at(n)
    return letters
