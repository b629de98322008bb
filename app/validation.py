"""Domain validation: messages a person can act on, each against the field it concerns."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.domain import (
    SPEC_FIELDS,
    STATUS_TRANSITIONS,
    AgreementStatus,
    Category,
    format_uk_date,
)
from app.errors import FieldProblem, ValidationError

REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,49}$")
NEEDS_COMPLETE_ITEMS = frozenset({AgreementStatus.AWAITING_APPROVAL, AgreementStatus.ACTIVE})
DATE_ORDER = (
    ("start_date", "Start date"),
    ("review_date", "Next review"),
    ("end_date", "End date"),
)


def agreement_problems(
    values: Mapping[str, Any],
    *,
    previous_status: str | None,
    reference_taken: bool,
    incomplete_items: list[str],
) -> list[FieldProblem]:
    """Everything wrong with an agreement's fields as they would be saved."""
    problems: list[FieldProblem] = []
    for name, label in (("reference", "Reference"), ("title", "Title")):
        if not str(values.get(name) or "").strip():
            problems.append(FieldProblem(name, f"{label} is required."))
    reference = str(values.get("reference") or "").strip()
    if reference and not REFERENCE_PATTERN.match(reference):
        problems.append(
            FieldProblem(
                "reference",
                "Use letters, digits and - _ / . only, up to 50 characters (e.g. ISA-2026-014).",
            )
        )
    if reference and reference_taken:
        problems.append(
            FieldProblem("reference", f"{reference} is already used by another agreement.")
        )
    category = values.get("category")
    if category not in {c.value for c in Category}:
        problems.append(
            FieldProblem("category", "Choose aggregated or personal (personal-level data).")
        )
    problems += _status_problems(values.get("status"), previous_status, incomplete_items)
    problems += _date_order_problems(values)
    return problems


def _status_problems(
    status: Any, previous: str | None, incomplete_items: list[str]
) -> list[FieldProblem]:
    allowed = {s.value for s in AgreementStatus}
    if status not in allowed:
        return [FieldProblem("status", f"Unknown status {status!r}.")]
    new = AgreementStatus(status)
    problems: list[FieldProblem] = []
    if previous is not None and previous != status and previous in allowed:
        old = AgreementStatus(previous)
        if new not in STATUS_TRANSITIONS[old]:
            options = ", ".join(s.label.lower() for s in sorted(STATUS_TRANSITIONS[old])) or "none"
            problems.append(
                FieldProblem(
                    "status",
                    f"An agreement cannot go from {old.label.lower()} to {new.label.lower()}. "
                    f"From {old.label.lower()} it can go to: {options}.",
                )
            )
    if new in NEEDS_COMPLETE_ITEMS and new.value != previous and incomplete_items:
        problems.append(
            FieldProblem(
                "status",
                f"Before it is {new.label.lower()}, every data item needs all seven "
                f"specification fields; incomplete: {'; '.join(incomplete_items)}.",
            )
        )
    return problems


def _date_order_problems(values: Mapping[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    present = [(n, lbl, values.get(n)) for n, lbl in DATE_ORDER if values.get(n) is not None]
    for index, (name, label, later) in enumerate(present):
        for _, earlier_label, earlier in present[:index]:
            assert isinstance(earlier, dt.date) and isinstance(later, dt.date)
            if later < earlier:
                problems.append(
                    FieldProblem(
                        name,
                        f"{label} ({format_uk_date(later)}) is before the "
                        f"{earlier_label.lower()} ({format_uk_date(earlier)}).",
                    )
                )
                break
    return problems


def incomplete_item_names(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """Names of data items missing any of the seven fields, with what each is missing."""
    out: list[str] = []
    for item in items:
        missing = [label for key, label in SPEC_FIELDS if not str(item.get(key) or "").strip()]
        if missing:
            name = str(item.get("title") or f"item {item.get('position')}")
            out.append(f"{name} (missing: {', '.join(m.lower() for m in missing)})")
    return out


def raise_if(problems: list[FieldProblem]) -> None:
    if problems:
        raise ValidationError(problems)
