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

from db.models import PaperRecord

CHUNK = 500  # ids per query


def letter_at(index: int) -> str:
    """The letter of the place at 0-based `index`: A…Z, then AA, AB… as spreadsheets do."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def index_of(letter: str) -> int:
    """The 0-based place a letter stands for: `letter_at`'s inverse."""
    n = 0
    for char in letter:
        n = n * 26 + (ord(char) - ord("A") + 1)
    return n - 1


def _order(paper: PaperRecord) -> tuple[int, str, str]:
    letter = paper.letter or ""
    return (len(letter), letter, paper.id)


def lettered_papers(session: Session, meeting_id: str) -> list[tuple[str, PaperRecord]]:
    """The live papers of a meeting in order, each with the letter it is known by."""
    papers = session.scalars(
        select(PaperRecord).where(PaperRecord.meeting_id == meeting_id, PaperRecord.is_live)
    ).all()
    return [(letter_at(n), p) for n, p in enumerate(sorted(papers, key=_order))]


def paper_letters(session: Session, paper_ids: Iterable[str]) -> dict[str, str]:
    """The letter each of these papers is known by; a deleted paper keeps its stored letter."""
    ids = list(dict.fromkeys(paper_ids))
    meetings: set[str] = set()
    letters: dict[str, str] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(PaperRecord.id, PaperRecord.meeting_id, PaperRecord.letter,
                   PaperRecord.is_live).where(PaperRecord.id.in_(ids[start : start + CHUNK]))
        )  # fmt: skip
        for paper_id, meeting_id, letter, live in rows:
            letters[paper_id] = letter or ""
            if live and meeting_id is not None:
                meetings.add(meeting_id)
    for meeting_id in meetings:
        for letter, paper in lettered_papers(session, meeting_id):
            if paper.id in letters:
                letters[paper.id] = letter
    return letters
