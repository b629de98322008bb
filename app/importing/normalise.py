"""Turning spreadsheet cells into register values: UK dates, controlled lists, partner lists."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.importing.reading import CellValue
from app.importing.vocabulary import (
    is_empty_marker,
    is_reference_placeholder,
    key_of,
    short_key,
    vocabulary,
)
from app.wording import plural

ERROR = "error"
WARNING = "warning"
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (10_000, 2_958_466)  # 1927 to 9999: smaller numbers are not dates
TWO_DIGIT_PIVOT = 70  # '69' is 2069, '70' is 1970

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9

_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?z?)?$")
_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DAY_MONTH_YEAR = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s\-]+([a-z]+)\.?[\s\-,]+(\d{4}|\d{2})$"
)
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?[\s\-,]+(\d{4}|\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_LIST_SPLIT = re.compile(r"\s*(?:;|\n|&)\s*")
_BULLET = re.compile(r"^[\s\u2022\u25cf\u25aa\u2013\u2014~*\-]+")


@dataclass(frozen=True)
class Note:
    """What reading one cell found: an error rejects the row, a warning keeps it."""

    level: str
    message: str


class BadValueError(ValueError):
    """A cell that cannot be read as the field's kind of value."""


def is_empty(value: CellValue) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def cell_text(value: CellValue) -> str:
    """A cell as text the way a person reads it: 12.0 -> '12', dates in UK order."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < TWO_DIGIT_PIVOT else 1900
    return year


def _make_date(year: int, month: int, day: int, original: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValueError(
            f"'{original}' is not a real date (dates are read day first, as dd/mm/yyyy)"
        ) from None


def _serial(number: float, original: str) -> dt.date:
    if not SERIAL_RANGE[0] <= number < SERIAL_RANGE[1]:
        raise BadValueError(f"{original} is a number, not a date; write it as dd/mm/yyyy")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_date(value: CellValue) -> dt.date:
    """A UK date from a cell: dd/mm/yyyy, d Month yyyy, Month yyyy, dd.mm.yy, serials, ISO."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValueError(f"'{cell_text(value)}' is not a date; write it as dd/mm/yyyy")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValueError("not a date; write it as dd/mm/yyyy")
        return _serial(value, cell_text(value))
    original = " ".join(value.split())
    text = original.lower()
    if match := _NUMERIC.match(text):
        day, month, year = match.groups()
        return _make_date(_year(year), int(month), int(day), original)
    if (match := _ISO.match(text)) or (match := _YMD.match(text)):
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day), original)
    if match := _DAY_MONTH_YEAR.match(text):
        day, month_name, year = match.groups()
        if month_name in _MONTHS:
            return _make_date(_year(year), _MONTHS[month_name], int(day), original)
    if match := _MONTH_YEAR.match(text):
        month_name, year = match.groups()
        if month_name in _MONTHS:
            return _make_date(_year(year), _MONTHS[month_name], 1, original)
    if _SERIAL_TEXT.match(text):
        return _serial(float(text), original)
    raise BadValueError(f"'{original[:60]}' is not a date; write it as dd/mm/yyyy, e.g. 31/03/2027")


def parse_bool(value: CellValue) -> bool:
    if isinstance(value, bool):
        return value
    code = vocabulary().code("boolean", cell_text(value))
    if code is None:
        raise BadValueError(f"'{cell_text(value)[:60]}' is not yes or no")
    return code == "yes"


def split_organisations(value: CellValue) -> list[str]:
    """Partner names split on ';', new lines and '&' (never on 'and'), bullets removed."""
    names: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SPLIT.split(cell_text(value)):
        name = " ".join(_BULLET.sub("", part).split()).strip(" ,")
        key = key_of(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def duration_text(text: str) -> str:
    """An ISO-8601 period such as P3M as words ('3 months'); other text unchanged."""
    match = _DURATION.match(text.strip())
    if not match or not any(match.groups()):
        return text
    parts = []
    for amount, unit in zip(match.groups(), ("year", "month", "week", "day"), strict=True):
        if amount is not None:
            count = int(amount)
            parts.append(plural(count, unit))
    return " ".join(parts)


Normaliser = Callable[[CellValue], tuple[Any, list[Note]]]
"""Reads one cell of a field: the register value and what was wrong with it."""

Converter = Callable[[CellValue, str], tuple[Any, list[Note]]]
"""Reads a filled cell (its value and its text), once blanks and empty markers are set aside."""


def normalise_cell(kind: str, value: CellValue) -> tuple[Any, list[Note]]:
    """The register value of one cell for a field of `kind`, and what was wrong with it.

    Empty cells give None. 'TBC' and the like give None with a warning (with an error for a
    reference, which every row needs and no placeholder can stand for). A cell that cannot be
    read gives None with an error (or, for dates and yes/no, a warning: the text is kept in the
    notes by the caller).
    """
    return cell_normaliser(kind)(value)


@functools.cache
def cell_normaliser(kind: str) -> Normaliser:
    """The reader of the cells of fields of `kind` (see `normalise_cell`), chosen once per kind.

    An import reads every cell of a column with the same kind: deciding how to read that kind
    once, rather than per cell, is most of the cost of reading a large sheet.
    """
    convert = _converter(kind)
    is_nothing, read_as_empty = is_empty_marker, _read_as_empty
    if kind == "reference":  # 'TBC' is not a reference: rows of several agreements would share it
        is_nothing, read_as_empty = is_reference_placeholder, not_a_reference

    def normalise(value: CellValue) -> tuple[Any, list[Note]]:
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None, []
            if is_nothing(text):
                return None, [read_as_empty(text)]
            return convert(value, text)
        if is_empty(value):
            return None, []
        return convert(value, cell_text(value))

    return normalise


def _read_as_empty(text: str) -> Note:
    return Note(WARNING, f"'{text}' read as empty")


def not_a_reference(text: str) -> Note:
    return Note(ERROR, f"'{text}' is a placeholder, not a reference: every row needs the "
                "agreement's reference")  # fmt: skip


def _as_text(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    return text, []


def _as_reference(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    return " ".join(text.split()), []


def _kept_in_notes(error: BadValueError) -> Note:
    return Note(WARNING, f"{error}; left empty, the text is kept in the notes")


def _as_date(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    try:
        return parse_date(value), []
    except BadValueError as exc:
        return None, [_kept_in_notes(exc)]


def _as_bool(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    try:
        return parse_bool(value), []
    except BadValueError as exc:
        return None, [_kept_in_notes(exc)]


def _as_frequency(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    return vocabulary().frequencies.get(short_key(text) if len(text) < 80 else "", text), []


def _as_duration(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    return duration_text(text), []


def _as_int(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    try:
        number = float(text)
    except ValueError:
        return None, [Note(ERROR, f"'{text[:60]}' is not a whole number")]
    if not number.is_integer() or number < 1 or number > 1_000_000:
        return None, [Note(ERROR, f"'{text[:60]}' is not a whole number from 1")]
    return int(number), []


def _as_organisations(value: CellValue, text: str) -> tuple[Any, list[Note]]:
    return split_organisations(value) or None, []


def _list_converter(list_name: str) -> Converter:
    """Reads a value of the controlled list `list_name` through its synonyms."""

    def convert(value: CellValue, text: str) -> tuple[Any, list[Note]]:
        words = vocabulary()
        code = words.code(list_name, text)
        if code is None:
            allowed = ", ".join(words.label(list_name, c) for c in words.codes(list_name))
            return None, [Note(ERROR, f"'{text[:60]}' is not one of: {allowed}")]
        return code, []

    return convert


def _unknown_kind(kind: str) -> Converter:
    def convert(value: CellValue, text: str) -> tuple[Any, list[Note]]:
        raise ValueError(f"unknown kind of field {kind!r}")

    return convert


_CONVERTERS: dict[str, Converter] = {
    "text": _as_text,
    "org": _as_text,
    "person": _as_text,
    "reference": _as_reference,
    "date": _as_date,
    "bool": _as_bool,
    "frequency": _as_frequency,
    "duration": _as_duration,
    "int": _as_int,
    "orgs": _as_organisations,
}


def _converter(kind: str) -> Converter:
    found = _CONVERTERS.get(kind)
    if found is not None:
        return found
    if kind.startswith("list:"):
        return _list_converter(kind[5:])
    return _unknown_kind(kind)
