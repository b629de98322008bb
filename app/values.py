"""Turning text typed by a person (command line, forms) into typed field values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, Integer

from app.errors import FieldProblem, ValidationError
from app.oplog import model_for

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


def parse_uk_date(text: str) -> dt.date:
    """A date written dd/mm/yyyy (or ISO yyyy-mm-dd, or 1 April 2026); never US order."""
    cleaned = " ".join(text.strip().split())
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date; write it as dd/mm/yyyy, e.g. 31/03/2027")


def parse_field_text(entity: str, name: str, text: str) -> Any:
    """The typed value of `entity.name` written as `text`; empty text clears the field."""
    column = model_for(entity).__table__.columns.get(name)
    if column is None or name in ("id", "is_live"):
        raise ValidationError([FieldProblem(name, f"There is no field called {name}.")])
    if text.strip() == "":
        return None
    kind = column.type
    try:
        if isinstance(kind, Date):
            return parse_uk_date(text)
        if isinstance(kind, Boolean):
            word = text.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError(f"{text!r} is not yes or no")
        if isinstance(kind, Integer):
            return int(text.strip())
    except ValueError as exc:
        raise ValidationError([FieldProblem(name, str(exc))]) from None
    return text
