"""Finding the header row of a sheet (title rows, group bands and notes may sit above it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.importing.reading import CellValue, RawSheet, Row
from app.importing.vocabulary import key_of, vocabulary
from app.lettering import letter_at
from app.wording import plural

HEADER_SEARCH_ROWS = 30
MAX_HEADING_LENGTH = 200


@dataclass(frozen=True)
class Table:
    """One sheet as a table: its header row, the data rows under it and what was skipped."""

    path: Path
    sheet: str
    header_row: int  # 1-based row number of the header in the sheet
    headers: tuple[str, ...]
    rows: tuple[Row, ...]  # each as wide as `headers`
    row_numbers: tuple[int, ...]  # 1-based sheet row number of each row
    skipped: tuple[str, ...]  # what was left out and why, e.g. "row 1: above the header"

    @property
    def width(self) -> int:
        return len(self.headers)


def column_letter(index: int) -> str:
    """'A' for 0, 'AA' for 26: the column name a spreadsheet shows."""
    return letter_at(index)


def match_heading(heading: object) -> str | None:
    """The register field a column heading means, by synonyms (exact, then a leading phrase)."""
    key = key_of(heading)
    if not key:
        return None
    columns = vocabulary().columns
    found = columns.get(key)
    if found is not None:
        return found
    words = key.split()
    for size in range(min(len(words) - 1, 8), 1, -1):
        found = columns.get(" ".join(words[:size]))
        if found is not None:
            return found
    return None


def _is_text(value: CellValue) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _header_score(row: Row) -> int:
    texts = [v for v in row if _is_text(v)]
    if len(texts) < 2:
        return 0
    matches = len({m for v in texts if (m := match_heading(v)) is not None})
    short = sum(1 for v in texts if isinstance(v, str) and len(v) <= MAX_HEADING_LENGTH)
    return 3 * matches + short


def find_header_row(rows: Sequence[Row]) -> int | None:
    """Index of the header row among the first rows, or None when no row looks like one."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(row)
        if score > best_score:
            best, best_score = index, score
    return best


def is_blank(row: Row) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def is_end_marker(row: Row) -> bool:
    """A row like '*****End of sheet*****': the table stops there."""
    filled = [v for v in row if not (v is None or (isinstance(v, str) and not v.strip()))]
    return (
        len(filled) == 1
        and isinstance(filled[0], str)
        and key_of(filled[0]) in vocabulary().end_markers
    )


def _headings(row: Row, width: int) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for index in range(width):
        value = row[index] if index < len(row) else None
        text = " ".join(str(value).split()) if value not in (None, "") else ""
        name = text or f"Column {column_letter(index)}"
        unique, n = name, 2
        while unique.lower() in seen:
            unique, n = f"{name} ({n})", n + 1
        seen.add(unique.lower())
        names.append(unique)
    return tuple(names)


def build_table(path: Path, sheet: RawSheet) -> Table:
    """The sheet as a table; a sheet with no header row gives a table with no columns."""
    index = find_header_row(sheet.rows)
    if index is None:
        why = ("no row looks like a header row (two or more headings)",) if sheet.rows else ()
        return Table(path, sheet.name, 0, (), (), (), why)
    skipped = [
        f"row {n + 1}: above the header" for n in range(index) if not is_blank(sheet.rows[n])
    ]
    header = sheet.rows[index]
    header_key = tuple(key_of(v) for v in header)
    body: list[tuple[int, Row]] = []
    width = len(header)
    for number, row in enumerate(sheet.rows[index + 1 :], start=index + 2):
        if is_blank(row):
            continue
        if is_end_marker(row):
            rest = sum(1 for r in sheet.rows[number:] if not is_blank(r))
            note = f"row {number}: end-of-sheet marker"
            skipped.append(note + (f"; {plural(rest, 'row')} below it left out" if rest else ""))
            break
        if row[:1] == header[:1] and tuple(key_of(v) for v in row) == header_key:
            skipped.append(f"row {number}: repeats the header")
            continue
        body.append((number, row))
        width = max(width, len(row))
    headers = _headings(header, width)
    rows = tuple(tuple(r) + (None,) * (width - len(r)) for _, r in body)
    return Table(path, sheet.name, index + 1, headers, rows, tuple(n for n, _ in body),
                 tuple(skipped))  # fmt: skip
