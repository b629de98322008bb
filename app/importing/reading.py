"""Reading spreadsheets: xlsx, xls and ods through python-calamine; csv and tsv in any encoding."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.errors import RegisterError

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
Row = tuple[CellValue, ...]

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".tab", ".txt"})
DELIMITERS = (",", "\t", ";", "|")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SNIFF_BYTES = 64 * 1024
MAX_COLUMNS = 1000
"""Widest table read; a used range running to column XFD is trimmed to its filled cells."""


class SpreadsheetError(RegisterError):
    """A file that cannot be read as a spreadsheet; the register is left untouched."""


class NotASpreadsheetError(SpreadsheetError):
    def __init__(self, path: Path, why: str) -> None:
        super().__init__(
            f"{path.name} is not a spreadsheet ({why}). The register can import .xlsx, .xlsm, "
            ".xls and .ods workbooks and .csv or .tsv files; nothing was changed."
        )


class DamagedSpreadsheetError(SpreadsheetError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"{path.name} looks like a spreadsheet but cannot be read: it is damaged or "
            f"incomplete ({detail}). Open it in Excel or LibreOffice, save a fresh copy and "
            "import that; nothing was changed."
        )


class NoSuchSheetError(SpreadsheetError):
    def __init__(self, path: Path, sheet: str, names: Sequence[str]) -> None:
        listed = ", ".join(f"'{n}'" for n in names) or "none"
        super().__init__(f"{path.name} has no sheet called '{sheet}'. Its sheets are: {listed}.")


@dataclass(frozen=True)
class RawSheet:
    """The cells of one sheet, trailing empty cells trimmed, before any header is found."""

    name: str
    visible: bool
    rows: tuple[Row, ...]


def file_kind(path: Path) -> str:
    """'workbook' or 'text', from the file's first bytes and its name; refuses anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise SpreadsheetError(f"{path} does not exist; check the name and folder.") from None
    except IsADirectoryError:
        raise NotASpreadsheetError(path, "it is a folder") from None
    except OSError as exc:
        raise SpreadsheetError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    suffix = path.suffix.lower()
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return "workbook"
    if suffix in WORKBOOK_SUFFIXES:
        if not head:
            raise DamagedSpreadsheetError(path, "the file is empty")
        raise DamagedSpreadsheetError(path, "it does not start like a workbook")
    if suffix not in TEXT_SUFFIXES:
        what = f"'{suffix}' files" if suffix else "files without an extension"
        raise NotASpreadsheetError(path, f"{what} are not spreadsheets")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotASpreadsheetError(path, "it holds binary data, not text")
    return "text"


# ------------------------------------------------------------------------------ workbooks


def _trim(row: Sequence[CellValue]) -> Row:
    end = min(len(row), MAX_COLUMNS)
    while end and (row[end - 1] is None or row[end - 1] == ""):
        end -= 1
    return tuple(row[:end])


def read_workbook_sheets(path: Path, only: str | None = None) -> list[RawSheet]:
    """Every sheet of a workbook (or just `only`), with each sheet's visibility."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        metadata = {m.name: m for m in book.sheets_metadata}
        names = list(book.sheet_names)
        if only is not None and only not in names:
            raise NoSuchSheetError(path, only, names)
        sheets: list[RawSheet] = []
        for name in names:
            if only is not None and name != only:
                continue
            meta = metadata.get(name)
            visible = meta is None or str(meta.visible).rsplit(".", 1)[-1].lower() == "visible"
            sheet = book.get_sheet_by_name(name)
            rows = tuple(_trim(r) for r in sheet.iter_rows())
            sheets.append(RawSheet(name, visible, rows))
        return sheets
    except SpreadsheetError:
        raise
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError) as exc:
        raise DamagedSpreadsheetError(path, _short(exc)) from exc
    except Exception as exc:  # calamine raises its own error classes for damaged files
        if type(exc).__module__.startswith("python_calamine"):
            raise DamagedSpreadsheetError(path, _short(exc)) from exc
        raise


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


# ------------------------------------------------------------------------------ text files


def decode_text(data: bytes) -> str:
    """Text in any encoding Excel writes: UTF-8 with or without BOM, UTF-16 with BOM, cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    return [row for row in reader]


def sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter that splits the first lines into the most consistent, widest rows."""
    sample = text[:SNIFF_BYTES]
    cut = sample.rfind("\n")
    if cut > 0 and len(text) > len(sample):
        sample = sample[:cut]
    preferred = "\t" if suffix in (".tsv", ".tab") else ","
    order = (preferred, *(d for d in DELIMITERS if d != preferred))
    best, best_score = preferred, (0, 0)
    for delimiter in order:
        try:
            rows = [r for r in _parse(sample, delimiter)[:50] if any(c.strip() for c in r)]
        except csv.Error:
            continue
        widths = [len(r) for r in rows]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common), common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_text_sheet(path: Path) -> RawSheet:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    text = decode_text(data)
    delimiter = sniff_delimiter(text, path.suffix.lower())
    try:
        rows = _parse(text, delimiter)
    except csv.Error as exc:
        raise DamagedSpreadsheetError(path, _short(exc)) from exc
    cleaned = tuple(_trim([_clean_text(c) for c in row]) for row in rows)
    return RawSheet(path.stem, True, cleaned)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean_text(cell: str) -> str:
    cell = cell.replace("\r\n", "\n")
    return _CONTROL.sub("", cell) if _CONTROL.search(cell) else cell


def read_sheets(path: Path, only: str | None = None) -> list[RawSheet]:
    """Every sheet of the file at `path`; a csv or tsv file is one sheet named after the file."""
    path = Path(path)
    if file_kind(path) == "workbook":
        return read_workbook_sheets(path, only)
    sheet = read_text_sheet(path)
    if only is not None and only != sheet.name:
        raise NoSuchSheetError(path, only, [sheet.name])
    return [sheet]
