"""The import wizard's steps, each safe off the GUI thread: read, preview, plan, dry run, commit.

The wizard reads a file once (`read_source`), lets the person choose a sheet and correct the
mapping (`preview` shows the first rows as they will be imported), plans the import
(`plan_choice`: every row and its problems), then dry-runs the commit (`dry_run`: the commit
itself, rolled back, so the counts of new, updated and unchanged agreements are the ones the
commit will find), then commits it.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.importing.commit import ImportResult, commit_import
from app.importing.header import Table
from app.importing.mapping import TARGETS, Mapping
from app.importing.normalise import ERROR, WARNING, cell_text
from app.importing.plan import ImportOptions, ImportPlan, plan_import, read_row
from app.importing.vocabulary import vocabulary
from app.importing.workbook import WorkbookInfo, inspect_file, plan_register_workbook
from app.progress import Cancel, Progress
from app.register import Register

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class ImportSource:
    """A file read once: what its sheets are, and each sheet as a table."""

    info: WorkbookInfo
    tables: MappingOf[str, Table]

    @property
    def path(self) -> Path:
        return self.info.path

    def table(self, sheet: str) -> Table:
        return self.tables[sheet]


def read_source(path: Path) -> ImportSource:
    """Read `path` (raises a `SpreadsheetError` with a message for a damaged or foreign file)."""
    info, tables = inspect_file(Path(path))
    return ImportSource(info, dict(tables))


@dataclass(frozen=True)
class ImportChoice:
    """What the person chose: a sheet and its mapping, or a whole register export."""

    sheet: str | None  # None: every sheet of a workbook written by `isr export`
    mapping: Mapping | None
    group_by_reference: bool

    @property
    def whole_register(self) -> bool:
        return self.sheet is None


# ------------------------------------------------------------------------------ preview


@dataclass(frozen=True)
class PreviewCell:
    """A field of a previewed row: the value as imported, or what the file says when it fails."""

    text: str  # the value as the register will hold it ("" when it cannot be read)
    level: str  # "", "warning" or "error"
    message: str
    original: str  # the cell as the file has it (the first column, when several fill the field)


@dataclass(frozen=True)
class PreviewRow:
    row: int  # 1-based sheet row
    cells: tuple[PreviewCell, ...]


@dataclass(frozen=True)
class Preview:
    """The first rows of a sheet as the register will read them, one column per field filled."""

    targets: tuple[str, ...]
    labels: tuple[str, ...]
    rows: tuple[PreviewRow, ...]
    total_rows: int


def display_value(target: str, value: Any) -> str:
    """A normalised value as the register shows it: labels of codes, UK dates, lists."""
    kind = TARGETS[target].kind
    if value is None:
        return ""
    if kind.startswith("list:"):
        return vocabulary().label(kind[5:], str(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return cell_text(value)


def _worst(levels: list[str]) -> str:
    if ERROR in levels:
        return ERROR
    return WARNING if WARNING in levels else ""


def preview(table: Table, mapping: Mapping, limit: int = PREVIEW_ROWS) -> Preview:
    """The first `limit` rows of `table` read through `mapping` (fast: no register needed)."""
    targets = mapping.targets()
    order = sorted(targets, key=lambda t: targets[t][0])
    defaults = dict(mapping.defaults)
    headings_of = {t: {table.headers[i] for i in targets[t]} for t in order}
    rows = []
    for number, cells in zip(table.row_numbers[:limit], table.rows[:limit], strict=True):
        read = read_row(table.sheet, number, cells, table.headers, targets, defaults)
        shown = []
        for target in order:
            problems = [p for p in read.problems if p.column in headings_of[target]]
            first = targets[target][0]
            shown.append(PreviewCell(
                display_value(target, read.values.get(target)),
                _worst([p.level for p in problems]),
                "\n".join(p.message for p in problems),
                cell_text(cells[first]) if first < len(cells) else "",
            ))  # fmt: skip
        rows.append(PreviewRow(number, tuple(shown)))
    return Preview(tuple(order), tuple(TARGETS[t].label for t in order), tuple(rows),
                   len(table.rows))  # fmt: skip


# ------------------------------------------------------------------------------ rehearsal


@dataclass(frozen=True)
class Rehearsal:
    """The plan of an import and what committing it would do, found by a rolled-back dry run."""

    choice: ImportChoice
    plan: ImportPlan
    forecast: ImportResult


def plan_choice(
    register: Register,
    source: ImportSource,
    choice: ImportChoice,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """The plan of importing `choice` from `source`; reads the register, writes nothing."""
    if choice.whole_register:
        return plan_register_workbook(register, source.path, dict(source.tables),
                                      progress, cancel)  # fmt: skip
    assert choice.sheet is not None and choice.mapping is not None
    return plan_import(register, source.table(choice.sheet), choice.mapping,
                       ImportOptions(group_by_reference=choice.group_by_reference),
                       progress, cancel)  # fmt: skip


def dry_run(
    register: Register,
    plan: ImportPlan,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """What `commit_import(register, plan)` would do, found by doing it and rolling it back."""
    return commit_import(register, plan, progress, cancel, dry_run=True)


def commit(
    register: Register,
    rehearsal: Rehearsal,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Commit a rehearsed import as one batch of operations: all or nothing."""
    return commit_import(register, rehearsal.plan, progress, cancel)
