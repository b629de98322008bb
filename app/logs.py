"""The Intelligence Network's logs: data gaps, planned reviews, local research, Board barriers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.domain import LogKind
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.register import Changes, Register
from db.models import LogEntryRecord

LOG_KIND_LABELS: dict[str, str] = {
    LogKind.GAP: "Data and intelligence gaps",
    LogKind.PLANNED_REVIEW: "Planned service reviews",
    LogKind.RESEARCH: "Local research",
    LogKind.BARRIER: "Barriers raised at the Board",
}
"""Each log as its tab is titled."""

LOG_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("description", "Description"),
    ("raised_by", "Raised by"),
    ("raised_on", "Raised on"),
    ("owner", "Owner"),
    ("status", "Status"),
    ("due_on", "Due"),
)
"""The editable fields of a log entry with their column labels, in table order."""

LOG_STATUSES: tuple[str, ...] = ("Open", "In progress", "Closed")
"""Suggested statuses; the status is free text."""

_EDITABLE = frozenset(name for name, _ in LOG_FIELDS)


@dataclass(frozen=True)
class LogEntry:
    id: str
    kind: str
    title: str
    description: str
    raised_by: str
    raised_on: dt.date | None
    owner: str
    status: str
    due_on: dt.date | None


def _text(value: str | None) -> str:
    return value or ""


def _view(record: LogEntryRecord) -> LogEntry:
    return LogEntry(
        id=record.id,
        kind=_text(record.kind),
        title=_text(record.title),
        description=_text(record.description),
        raised_by=_text(record.raised_by),
        raised_on=record.raised_on,
        owner=_text(record.owner),
        status=_text(record.status),
        due_on=record.due_on,
    )


def list_log_entries(register: Register, kind: str | None = None) -> list[LogEntry]:
    """Live entries of one log (or all), oldest raised first, undated last."""
    with register.session() as session:
        stmt = select(LogEntryRecord).where(LogEntryRecord.is_live.is_(True))
        if kind is not None:
            stmt = stmt.where(LogEntryRecord.kind == kind)
        stmt = stmt.order_by(
            LogEntryRecord.raised_on.asc().nulls_last(), LogEntryRecord.title, LogEntryRecord.id
        )
        return [_view(r) for r in session.scalars(stmt)]


def get_log_entry(register: Register, entry_id: str) -> LogEntry:
    with register.session() as session:
        record = session.get(LogEntryRecord, entry_id)
        if record is None or not record.is_live:
            raise NotFoundError("That log entry no longer exists (it may have been deleted).")
        return _view(record)


def _check(values: Mapping[str, Any], *, creating: bool) -> None:
    problems = [
        FieldProblem(name, f"A log entry has no field called {name}.")
        for name in sorted(set(values) - _EDITABLE)
    ]
    if (creating or "title" in values) and not str(values.get("title") or "").strip():
        problems.append(FieldProblem("title", "Title is required."))
    raised, due = values.get("raised_on"), values.get("due_on")
    if isinstance(raised, dt.date) and isinstance(due, dt.date) and due < raised:
        problems.append(FieldProblem("due_on", "The due date is before the date it was raised."))
    if problems:
        raise ValidationError(problems)


def add_log_entry(register: Register, kind: str, values: Mapping[str, Any]) -> str:
    """Add an entry to the log `kind`."""
    if kind not in LOG_KIND_LABELS:
        raise ValidationError([FieldProblem("kind", f"There is no log called {kind!r}.")])
    _check(values, creating=True)
    return register.write(
        f"Add to {LOG_KIND_LABELS[kind].lower()}",
        lambda c: c.create("log_entry", {**values, "kind": kind}),
    )


def update_log_entry(register: Register, entry_id: str, values: Mapping[str, Any]) -> int:
    """Set fields of a log entry; returns how many changed."""
    _check(values, creating=False)

    def build(changes: Changes) -> int:
        record = changes.session.get(LogEntryRecord, entry_id)
        if record is None or not record.is_live:
            raise NotFoundError("That log entry no longer exists (it may have been deleted).")
        merged = {"raised_on": record.raised_on, "due_on": record.due_on, **values}
        _check({k: merged[k] for k in ("raised_on", "due_on")}, creating=False)
        return sum(changes.set("log_entry", entry_id, n, v) for n, v in values.items())

    labels = dict(LOG_FIELDS)
    names = ", ".join(labels[n].lower() for n in sorted(values))
    return register.write(f"Edit log entry: {names}", build)


def delete_log_entries(register: Register, entry_ids: list[str]) -> None:
    """Delete entries (one batch, so one undo brings them all back)."""
    if not entry_ids:
        return
    noun = "entry" if len(entry_ids) == 1 else f"{len(entry_ids)} entries"

    def build(changes: Changes) -> None:
        for entry_id in entry_ids:
            changes.delete("log_entry", entry_id)

    register.write(f"Delete log {noun}", build)
