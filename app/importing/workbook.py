"""Services for the import wizard and `isr import`: inspect a file, read a sheet, plan, report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from app.files import check_workbook_path, write_atomically
from app.importing.header import Table, build_table
from app.importing.layout import ABOUT_SHEET, EXPORT_MARKER, SHEETS
from app.importing.mapping import ColumnMapping, Mapping, propose_mapping
from app.importing.plan import ImportPlan, plan_tables
from app.importing.reading import NoSuchSheetError, SpreadsheetError, file_kind, read_sheets
from app.importing.vocabulary import key_of, vocabulary
from app.progress import Cancel, Progress
from app.register import Register

MIN_MAPPED_COLUMNS = 2


@dataclass(frozen=True)
class SheetInfo:
    """One sheet as the wizard lists it, and whether it holds register data."""

    name: str
    visible: bool
    header_row: int
    columns: int
    rows: int
    mapped_columns: int
    is_data: bool
    reason: str  # why it is not a data sheet ("" when it is)


@dataclass(frozen=True)
class WorkbookInfo:
    path: Path
    kind: str  # "workbook" or "text"
    sheets: tuple[SheetInfo, ...]
    register_export: bool  # written by `isr export`: imported whole, every sheet

    @property
    def data_sheets(self) -> tuple[SheetInfo, ...]:
        return tuple(s for s in self.sheets if s.is_data)

    @property
    def default_sheet(self) -> str | None:
        """The data sheet with the most rows (the first on a tie).

        With no sheet recognised as register data, the largest visible sheet with a header row,
        so that a user can still map its columns by hand.
        """
        candidates = self.data_sheets or tuple(s for s in self.sheets if s.visible and s.columns)
        best: SheetInfo | None = None
        for sheet in candidates:
            if best is None or sheet.rows > best.rows:
                best = sheet
        return None if best is None else best.name


def _sheet_info(table: Table, visible: bool) -> SheetInfo:
    mapped = sum(1 for c in propose_mapping(table).columns if c.target is not None)
    reason = ""
    if not visible:
        reason = "hidden sheet"
    elif key_of(table.sheet) in vocabulary().non_data_sheets:
        reason = "notes or guidance sheet"
    elif not table.headers:
        reason = "no header row"
    elif mapped < MIN_MAPPED_COLUMNS:
        reason = "no columns that match register fields"
    return SheetInfo(table.sheet, visible, table.header_row, table.width, len(table.rows),
                     mapped, not reason, reason)  # fmt: skip


def inspect_file(path: Path, sheet: str | None = None) -> tuple[WorkbookInfo, dict[str, Table]]:
    """Read the file once: what its sheets are, and each sheet as a table."""
    path = Path(path)
    kind = file_kind(path)
    raw = read_sheets(path, sheet)
    tables = {s.name: build_table(path, s) for s in raw}
    infos = tuple(_sheet_info(tables[s.name], s.visible) for s in raw)
    about = next((s for s in raw if s.name == ABOUT_SHEET), None)
    is_export = (
        about is not None
        and bool(about.rows)
        and bool(about.rows[0])
        and (about.rows[0][0] == EXPORT_MARKER)
    )
    return WorkbookInfo(path, kind, infos, is_export), tables


def open_workbook(path: Path) -> WorkbookInfo:
    """The sheets of a workbook (or the one table of a csv/tsv file) and which hold data."""
    return inspect_file(path)[0]


def read_table(path: Path, sheet: str | None = None) -> Table:
    """One sheet as a table (the default data sheet when `sheet` is None)."""
    if sheet is not None:
        return build_table(Path(path), read_sheets(Path(path), sheet)[0])
    info, tables = inspect_file(path)
    chosen = info.default_sheet
    if chosen is None:
        raise SpreadsheetError(
            f"{Path(path).name} has no sheet that looks like a register (a header row with "
            "columns such as Reference, Title or Status). Choose the sheet and map its columns."
        )
    return tables[chosen]


def export_mappings(tables: dict[str, Table]) -> list[tuple[Table, Mapping]]:
    """Fixed mappings for the sheets of a workbook written by `isr export`."""
    sources = []
    for layout in SHEETS:
        table = tables.get(layout.name)
        if table is None:
            continue
        by_heading = {key_of(c.heading): c.target for c in layout.columns}
        columns = tuple(
            ColumnMapping(i, h, by_heading.get(key_of(h))) for i, h in enumerate(table.headers)
        )
        sources.append((table, Mapping(columns, group_by_reference=True,
                                       profile="isr-register-export")))  # fmt: skip
    return sources


def plan_register_workbook(
    register: Register,
    path: Path,
    tables: dict[str, Table] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """Plan importing a whole register exported by `isr export` (every sheet)."""
    if tables is None:
        tables = inspect_file(path)[1]
    sources = export_mappings(tables)
    if not sources:
        raise NoSuchSheetError(Path(path), SHEETS[0].name, list(tables))
    return plan_tables(register, sources, group_by_reference=True, source_name=Path(path).name,
                       progress=progress, cancel=cancel)  # fmt: skip


def check_report_path(path: Path) -> Path:
    """Refuse a name the import report cannot be written under, before any work is done."""
    return check_workbook_path(path, "A report", "Import report.xlsx")


def write_report(plan: ImportPlan, path: Path) -> None:
    """An xlsx listing every rejected row with its reasons, and every warning."""
    from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
    from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]

    book = Workbook(write_only=True)
    rejected = book.create_sheet("Rejected rows")
    rejected.freeze_panes = "A2"
    headers = ["Sheet", "Row", "Reference", "Reasons", *plan.headers]
    for letter, width in zip("ABCD", (18, 8, 22, 60), strict=True):
        rejected.column_dimensions[letter].width = width
    rejected.append(_bold(rejected, headers, Font))
    for row in plan.rejected:
        reasons = "\n".join(p.describe() for p in row.problems if p.level == "error")
        rejected.append([row.sheet, row.row, row.reference, reasons, *row.cells])
    warnings = book.create_sheet("Warnings")
    warnings.freeze_panes = "A2"
    for letter, width in zip("ABCD", (18, 8, 30, 80), strict=True):
        warnings.column_dimensions[letter].width = width
    warnings.append(_bold(warnings, ["Sheet", "Row", "Column", "Warning"], Font))
    for problem in plan.warnings:
        warnings.append([problem.sheet, problem.row, problem.column, problem.message])
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomically(check_report_path(path), buffer.getvalue())


def _bold(sheet: object, values: list[str], font: type) -> list[object]:
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = font(bold=True)
        cells.append(cell)
    return cells
