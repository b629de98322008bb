"""Exporting the whole register to xlsx: a sheet per kind of record, to edit and import back.

Every kind of record an officer keeps is exported, each record with its register id so that
importing the workbook back matches (or, into another register, keeps) the same records. Left
out: the history of changes (a workbook is a snapshot), attachments (files, not cells), the
members and devices of a shared register (its keys), and records that were deleted.
"""

from __future__ import annotations

import datetime as dt
import io
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import RegisterError
from app.files import check_workbook_path, write_atomically
from app.importing.header import column_letter
from app.importing.layout import ABOUT_SHEET, EXPORT_FORMAT, EXPORT_MARKER, SHEETS, SheetLayout
from app.importing.mapping import CHOICES, TARGETS
from app.importing.plan import LINKS, SCOPES, RecordNames, collector_paused, entity_of
from app.importing.vocabulary import vocabulary
from app.oplog import model_for
from app.paths import display_path, portable_name
from app.progress import Cancel, Progress, checkpoint
from app.register import Register
from app.wording import count_of

Cell = Callable[[Any], Any]
DATE_FORMAT = "dd/mm/yyyy"
VALIDATION_ROWS = 5000  # drop-down lists reach this far below the last row, for new rows
LIST_SEPARATOR = "; "
SORTED_CELLS = 3  # rows are in the order of their first cells (reference, then number…)

REFERENCE_FIELDS: dict[str, tuple[str, str]] = {
    "agreement.owner": ("owner_id", "person"),
    "party.organisation": ("organisation_id", "organisation"),
    "person.organisation": ("organisation_id", "organisation"),
    "party.signatory": ("signatory_id", "person"),
    "basis.party": ("party_id", "party"),
}
"""Columns of the first sheets that name another record: (field holding its id, its kind)."""

# Characters a worksheet cannot hold (control characters other than tab and new lines).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


class ExportCancelledError(RegisterError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written.")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: dict[str, int]  # sheet name -> rows written

    def summary(self) -> str:
        """What was written, agreements first: "Exported 70 agreements, … and 44 organisations…".

        Kinds of record the register has none of are left out.
        """
        written = sorted(((n, name) for name, n in self.rows.items() if n),
                         key=lambda r: r[1] != "Agreements")  # fmt: skip
        where = display_path(self.path)
        if not written:
            return f"Exported the register, which is empty, to {where}"
        parts = [count_of(n, _ENTITY_OF_SHEET[name]) for n, name in written]
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"Exported {listed} to {where}"


def export_file_name(register_name: str, today: dt.date) -> str:
    """The name an export is offered under: the register's name and the day, sortable."""
    return f"{portable_name(register_name)} {today.isoformat()}.xlsx"


# ---------------------------------------------------------------------- reading the register


def sheet_family(layout: SheetLayout) -> str:
    """The family of targets a sheet's rows are records of ("party" for Parties)."""
    families = [c.target.split(".", 1)[0] for c in layout.columns]
    others = [f for f in families if f != "agreement"]
    return max(others, key=others.count) if others else "agreement"


_ENTITY_OF_SHEET = {layout.name: entity_of(sheet_family(layout)) for layout in SHEETS}


def _choice_label(list_name: str) -> Cell:
    labels = CHOICES[list_name]
    return lambda code: None if code is None else labels.get(code, code)


def _list_label(list_name: str) -> Cell:
    words = vocabulary()
    return lambda code: None if code is None else words.label(list_name, str(code))


def _yes_no(value: Any) -> Any:
    return None if value is None else ("Yes" if value else "No")


class _Sheets:
    """Builds the cells of each sheet from the register's live records."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.names = RecordNames(session)
        self._linked: dict[str, dict[str, list[str]]] = {}

    def rows(self, layout: SheetLayout) -> list[list[Any]]:
        """The sheet's cells, a row per live record.

        Fields are taken from each row by their place (`at`: column name -> place in the rows of
        the sheet's table): taking them by name was over a quarter of the time of reading a
        large register's sheets.
        """
        family = sheet_family(layout)
        table = model_for(entity_of(family)).__table__
        at = {column.name: place for place, column in enumerate(table.columns)}
        getters = [self._getter(family, c.target, layout, at) for c in layout.columns]
        records = self.session.execute(select(table).where(table.c.is_live.is_(True)))
        record_id = operator.itemgetter(at["id"])
        rows = [[get(record) for get in getters] + [record_id(record)] for record in records]
        rows.sort(key=_row_order)
        return [row[:-1] for row in rows]

    def _getter(self, family: str, target: str, layout: SheetLayout, at: dict[str, int]) -> Cell:
        kind = TARGETS[target].kind
        owner, name = target.split(".", 1)
        if owner != family:  # the agreement of a part of one (Parties, Data items…)
            return self._reference_of("agreement", at[f"{owner}_id"])
        if target in REFERENCE_FIELDS:
            column, entity = REFERENCE_FIELDS[target]
            return self._reference_of(entity, at[column])
        if kind == "id":
            return operator.itemgetter(at["id"])
        if kind.startswith("ref:"):
            other = kind[4:]
            if f"{name}_id" in at:
                return self._reference_of(other, at[f"{name}_id"])
            return self._scope_label(other, family, layout, at)
        if kind.startswith("refs:"):
            return self._links_of(target, at["id"])
        convert = _converter(kind)
        field = operator.itemgetter(at[name])
        if convert is None:
            return field
        return lambda record: convert(field(record))

    def _reference_of(self, entity: str, place: int) -> Cell:
        names, field = self.names, operator.itemgetter(place)
        return lambda record: names.reference(entity, field(record)) or None

    def _scope_label(self, scope: str, family: str, layout: SheetLayout,
                     at: dict[str, int]) -> Cell:  # fmt: skip
        """The agreement of a checklist answer: the scope of the record it points at."""
        sibling = next(
            c.target for c in layout.columns
            if c.target.startswith(f"{family}.") and TARGETS[c.target].kind.startswith("ref:")
            and SCOPES.get(TARGETS[c.target].kind[4:]) == scope
        )  # fmt: skip
        inner, column = TARGETS[sibling].kind[4:], f"{sibling.split('.', 1)[1]}_id"
        names, field = self.names, operator.itemgetter(at[column])
        return lambda record: names.reference(scope, names.scope_of(inner, field(record))) or None

    def _links_of(self, target: str, id_place: int) -> Cell:
        linked = self._linked.get(target)
        if linked is None:
            linked = self._linked[target] = self._link_labels(target)
        record_id = operator.itemgetter(id_place)
        return lambda record: LIST_SEPARATOR.join(sorted(linked.get(record_id(record), ()))) or None

    def _link_labels(self, target: str) -> dict[str, list[str]]:
        link, record_is_left = LINKS[target]
        other = TARGETS[target].kind[5:]
        table = model_for(link).__table__
        found: dict[str, list[str]] = {}
        ends = self.session.execute(
            select(table.c.left_id, table.c.right_id).where(table.c.is_live.is_(True))
        )
        for left, right in ends:
            mine, theirs = (left, right) if record_is_left else (right, left)
            label = self.names.reference(other, theirs)
            if label:
                found.setdefault(mine, []).append(label)
        return found


def _converter(kind: str) -> Cell | None:
    """How a field's stored value is shown in its cell: labels for codes, Yes/No."""
    if kind.startswith("list:"):
        return _list_label(kind[5:])
    if kind.startswith("choice:"):
        return _choice_label(kind[7:])
    if kind == "bool":
        return _yes_no
    return None


def _row_order(row: list[Any]) -> tuple[Any, ...]:
    """Sort key of a row: its first cells (numbers as numbers, text ignoring case), then id."""
    key: list[Any] = []
    for value in row[:SORTED_CELLS]:
        if value is None:
            key.append((0, ""))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            key.append((1, value))
        else:
            key.append((2, str(value).lower()))
    key.append(row[-1])
    return tuple(key)


def register_sheets(session: Session) -> list[tuple[SheetLayout, list[list[Any]]]]:
    """Every sheet of the export with its rows of cell values, in a stable order."""
    sheets = _Sheets(session)
    return [(layout, sheets.rows(layout)) for layout in SHEETS]


# ---------------------------------------------------------------------- writing the workbook


def _drop_down(target: str) -> str | None:
    """The choices of a controlled column, as a list validation's formula, or None."""
    kind = TARGETS[target].kind
    if kind.startswith("list:"):
        words = vocabulary()
        labels = [words.label(kind[5:], c) for c in words.codes(kind[5:])]
    elif kind.startswith("choice:"):
        labels = list(CHOICES[kind[7:]].values())
    elif kind == "bool":
        labels = ["Yes", "No"]
    else:
        return None
    return '"' + ",".join(labels) + '"'


def _text_cell(sheet: Any, value: str) -> Any:
    """A text that a worksheet would otherwise take for a formula, or cannot hold as it is."""
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]

    cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("", value))
    cell.data_type = "s"
    return cell


def _prepare(sheet: Any, layout: SheetLayout, rows: list[list[Any]]) -> None:
    """Give dates their UK format and keep texts as texts, in place."""
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]

    dates = [i for i, c in enumerate(layout.columns) if TARGETS[c.target].kind == "date"]
    texts = [i for i, c in enumerate(layout.columns) if TARGETS[c.target].kind != "date"]
    for row in rows:
        for index in dates:
            value = row[index]
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                row[index] = cell
        for index in texts:
            value = row[index]
            if isinstance(value, str) and (value[:1] == "=" or _ILLEGAL.search(value)):
                row[index] = _text_cell(sheet, value)


def write_sheets(
    sheets: Sequence[tuple[SheetLayout, list[list[Any]]]],
    about: Sequence[tuple[str, Any]],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> bytes:
    """The xlsx bytes: frozen header, filters, drop-down lists, widths, UK dates."""
    from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped,unused-ignore]
        DataValidation,
    )

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    total = sum(len(rows) for _, rows in sheets)
    done = 0
    for layout, rows in sheets:
        sheet = book.create_sheet(layout.name)
        last = column_letter(len(layout.columns) - 1)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
        for index, column in enumerate(layout.columns):
            letter = column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            choices = _drop_down(column.target)
            if choices is not None:
                check = DataValidation(type="list", formula1=choices, allow_blank=True)
                check.add(f"{letter}2:{letter}{len(rows) + VALIDATION_ROWS}")
                sheet.data_validations.append(check)
        header = []
        for column in layout.columns:
            cell = WriteOnlyCell(sheet, value=column.heading)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        _prepare(sheet, layout, rows)
        for row in rows:
            sheet.append(row)
            done += 1
            if done % 1000 == 0:
                try:
                    checkpoint(done, total, progress, cancel, ExportCancelledError)
                except ExportCancelledError:
                    sheet.close()  # finish its temp file, so nothing is left half-open
                    raise
    info = book.create_sheet(ABOUT_SHEET)
    info.sheet_state = "hidden"
    info.append([EXPORT_MARKER])
    for label, value in about:
        info.append([label, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check_export_path(path: Path) -> Path:
    """Refuse a name the export cannot be written under, before any work is done."""
    return check_workbook_path(path, "An export")


def export_register(
    register: Register,
    path: Path,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportResult:
    """Write the whole register to `path` (xlsx); the file appears only once complete."""
    path = check_export_path(path)
    with collector_paused():
        with register.session() as session:
            sheets = register_sheets(session)
        about = [
            ("Format", EXPORT_FORMAT),
            ("Register", register.info().name),
            ("Exported", dt.datetime.now(dt.UTC).strftime("%d/%m/%Y %H:%M UTC")),
        ]
        data = write_sheets(sheets, about, progress, cancel)
    total = sum(len(rows) for _, rows in sheets)
    # Cancel asked for while the workbook was put together still stops it before it is written
    checkpoint(total, total, progress, cancel, ExportCancelledError)
    write_atomically(path, data)
    return ExportResult(path, {layout.name: len(rows) for layout, rows in sheets})
