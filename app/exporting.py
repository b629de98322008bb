"""Exporting the whole register to xlsx: a sheet per kind of record, to edit and import back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import RegisterError
from app.files import write_atomically
from app.importing.header import column_letter
from app.importing.layout import ABOUT_SHEET, EXPORT_FORMAT, EXPORT_MARKER, SHEETS, SheetLayout
from app.importing.mapping import TARGETS
from app.importing.vocabulary import vocabulary
from app.register import Register
from db.models import (
    AgreementRecord,
    DataItemRecord,
    LawfulBasisRecord,
    OrganisationRecord,
    PartyRecord,
    PersonRecord,
)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
DATE_FORMAT = "dd/mm/yyyy"
VALIDATION_ROWS = 5000  # drop-down lists reach this far below the last row, for new rows


class ExportCancelledError(RegisterError):
    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written.")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: dict[str, int]  # sheet name -> rows written

    def summary(self) -> str:
        parts = ", ".join(f"{n} {name.lower()}" for name, n in self.rows.items())
        return f"Exported {parts} to {self.path}"


# ---------------------------------------------------------------------- reading the register


def _field(target: str) -> str:
    return target.split(".", 1)[1]


def _cell(target: str, value: Any) -> Any:
    """A register value as the cell an officer reads: labels for codes, Yes/No, real dates."""
    if value is None:
        return None
    kind = TARGETS[target].kind
    if kind.startswith("list:"):
        return vocabulary().label(kind[5:], str(value))
    if kind == "bool":
        return "Yes" if value else "No"
    return value


def _rows_of(records: Sequence[Any], layout: SheetLayout, extra: Callable[[Any, str], Any]
             ) -> list[list[Any]]:  # fmt: skip
    rows = []
    for record in records:
        row = []
        for column in layout.columns:
            value = extra(record, column.target)
            row.append(_cell(column.target, value))
        rows.append(row)
    return rows


def register_sheets(session: Session) -> list[tuple[SheetLayout, list[list[Any]]]]:
    """Every sheet of the export with its rows of cell values, in a stable order."""
    live = OrganisationRecord.is_live.is_(True)
    orgs = list(session.scalars(select(OrganisationRecord).where(live)))
    org_name = {o.id: o.name or "" for o in orgs}
    people = list(session.scalars(select(PersonRecord).where(PersonRecord.is_live.is_(True))))
    person_name = {p.id: p.name or "" for p in people}
    agreements = list(
        session.scalars(select(AgreementRecord).where(AgreementRecord.is_live.is_(True)))
    )
    reference = {a.id: a.reference or "" for a in agreements}

    def children(model: Any) -> list[Any]:
        rows = session.scalars(select(model).where(model.is_live.is_(True)))
        return [r for r in rows if r.agreement_id in reference]

    parties = children(PartyRecord)
    party_org = {p.id: org_name.get(p.organisation_id or "", "") for p in parties}
    bases = children(LawfulBasisRecord)
    items = children(DataItemRecord)

    def value(record: Any, target: str) -> Any:
        name = _field(target)
        if target == "agreement.reference" and not isinstance(record, AgreementRecord):
            return reference.get(record.agreement_id or "")
        if target == "agreement.owner":
            return person_name.get(record.owner_id or "")
        if target in ("party.organisation", "person.organisation"):
            return org_name.get(record.organisation_id or "")
        if target == "party.signatory":
            return person_name.get(record.signatory_id or "")
        if target == "basis.party":
            return party_org.get(record.party_id or "")
        return getattr(record, name)

    orgs.sort(key=lambda o: ((o.name or "").lower(), o.id))
    people.sort(key=lambda p: ((p.name or "").lower(), org_name.get(p.organisation_id or ""), p.id))
    agreements.sort(key=lambda a: (a.reference or "", a.id))
    parties.sort(key=lambda p: (reference[p.agreement_id], party_org[p.id].lower(), p.id))
    bases.sort(key=lambda b: (reference[b.agreement_id], party_org.get(b.party_id or "", ""),
                              b.article_6 or "", b.statutory_gateway or "", b.id))  # fmt: skip
    items.sort(key=lambda i: (reference[i.agreement_id], i.position or 0, i.id))
    records: dict[str, Sequence[Any]] = {
        "Organisations": orgs, "People": people, "Agreements": agreements, "Parties": parties,
        "Lawful bases": bases, "Data items": items,
    }  # fmt: skip
    return [(layout, _rows_of(records[layout.name], layout, value)) for layout in SHEETS]


# ---------------------------------------------------------------------- writing the workbook


def _validation_lists() -> dict[str, str]:
    words = vocabulary()
    lists = {}
    for target in TARGETS.values():
        if target.kind.startswith("list:"):
            name = target.kind[5:]
            lists[target.name] = ",".join(words.label(name, c) for c in words.codes(name))
        elif target.kind == "bool":
            lists[target.name] = "Yes,No"
    return lists


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
    lists = _validation_lists()
    bold = Font(bold=True)
    total = sum(len(rows) for _, rows in sheets)
    done = 0
    for layout, rows in sheets:
        sheet = book.create_sheet(layout.name)
        width = len(layout.columns)
        last = column_letter(width - 1)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 2)}"
        for index, column in enumerate(layout.columns):
            letter = column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            choices = lists.get(column.target)
            if choices is not None:
                check = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                check.add(f"{letter}2:{letter}{len(rows) + VALIDATION_ROWS}")
                sheet.data_validations.append(check)
        header = []
        for column in layout.columns:
            cell = WriteOnlyCell(sheet, value=column.heading)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        date_columns = [
            i for i, c in enumerate(layout.columns) if TARGETS[c.target].kind == "date"
        ]
        for row in rows:
            for index in date_columns:
                if isinstance(row[index], dt.date):
                    cell = WriteOnlyCell(sheet, value=row[index])
                    cell.number_format = DATE_FORMAT
                    row[index] = cell
            sheet.append(row)
            done += 1
            if done % 1000 == 0:
                if cancel is not None and cancel():
                    sheet.close()  # finish its temp file, so nothing is left half-open
                    raise ExportCancelledError()
                if progress is not None:
                    progress(done, total)
    info = book.create_sheet(ABOUT_SHEET)
    info.sheet_state = "hidden"
    info.append([EXPORT_MARKER])
    for label, value in about:
        info.append([label, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_register(
    register: Register,
    path: Path,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportResult:
    """Write the whole register to `path` (xlsx); the file appears only once complete."""
    path = Path(path)
    with register.session() as session:
        sheets = register_sheets(session)
    about = [
        ("Format", EXPORT_FORMAT),
        ("Register", register.info().name),
        ("Exported", dt.datetime.now(dt.UTC).strftime("%d/%m/%Y %H:%M UTC")),
    ]
    data = write_sheets(sheets, about, progress, cancel)
    write_atomically(path, data)
    total = sum(len(rows) for _, rows in sheets)
    if progress is not None:
        progress(total, total)
    return ExportResult(path, {layout.name: len(rows) for layout, rows in sheets})
