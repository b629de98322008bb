"""How the register words counts in what it tells people: "1 row", "5,776 rows"."""

from __future__ import annotations

import datetime as dt


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun agreeing with it, the count with thousands separated.

    `nouns` is the plural where adding "s" does not make it ("entry", "entries").
    """
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


_KIND_NAMES = {
    "person": ("person", "people"),
    "party": ("party", "parties"),
    "lawful_basis": ("lawful basis", "lawful bases"),
    "governance_body": ("governance body", "governance bodies"),
    "log_entry": ("log entry", "log entries"),
    "dpia": ("DPIA", "DPIAs"),
    "dpia_risk": ("DPIA risk", "DPIA risks"),
    "sign_off": ("sign-off", "sign-offs"),
}


def kind_names(entity: str) -> tuple[str, str]:
    """What one record, and several, of a kind are called in a sentence: ("party", "parties")."""
    if entity in _KIND_NAMES:
        return _KIND_NAMES[entity]
    one = entity.replace("_", " ")
    return one, one + "s"


def count_of(count: int, entity: str) -> str:
    """`count` records of a kind, in words: "1 person", "12 agreements", "2 DPIAs"."""
    return plural(count, *kind_names(entity))


def meeting_label(body: str, meeting_date: dt.date | None) -> str:
    """A meeting as the register names it: "Information Sharing Board, 12/03/2026"."""
    day = meeting_date.strftime("%d/%m/%Y") if meeting_date is not None else ""
    return ", ".join(part for part in (body, day) if part)
