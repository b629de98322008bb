"""Table models of the import wizard: the sheets of a file, the preview, and every row's problems.

Large sheets are filtered in Python (the list of rows shown is rebuilt, then the model reset), not
through a `QSortFilterProxyModel`, which is slow over thousands of rows (PERFORMANCE.md).
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from app.importing import CellProblem, ImportPlan, PlannedRow, SheetInfo, Table
from app.importing.normalise import cell_text
from app.importing.session import Preview

Index = QModelIndex | QPersistentModelIndex
ERROR = "error"
WARNING = "warning"
SEVERITY_BACKGROUND = {ERROR: QColor(253, 226, 229), WARNING: QColor(255, 242, 204)}
SEVERITY_TEXT = QColor(0, 0, 0)
LONGEST_CELL = 120
"""Characters of a cell shown in a table; the tooltip has the whole text."""
STATUS_COLUMN = 3
"""The column of the sheets table that says what happens to a sheet."""


def severity_icon(level: str) -> QIcon:
    """The standard error or warning icon (an empty icon for a cell without problems)."""
    style = QApplication.style()
    if level == ERROR:
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
    if level == WARNING:
        return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
    return QIcon()


def worst(problems: Sequence[CellProblem]) -> str:
    """'error' if any problem is an error, else 'warning' if any, else ''."""
    levels = {p.level for p in problems}
    if ERROR in levels:
        return ERROR
    return WARNING if WARNING in levels else ""


def one_line(text: str, longest: int = LONGEST_CELL) -> str:
    """A cell's text on one line, shortened to `longest` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= longest else flat[: longest - 1] + "…"


def cell_tip(said: Sequence[str], text: str, separator: str = "\n") -> str | None:
    """A cell's own tip: what is wrong with it (`said`), then its text, or None.

    The text is added where the cell has problems or where the table does not show it as it is
    (on several lines, or longer than `LONGEST_CELL`). A cell that is only cut short by its
    column gets its whole text as a tip from the table (`ui.widgets.tables.WholeTextTips`).
    """
    shown_as_is = one_line(text) == text
    lines = [*said, text] if said or not shown_as_is else []
    return separator.join(line for line in lines if line) or None


def _severity_data(level: str, role: int) -> Any:
    """Background, text colour and icon of a cell with problems of `level` (None otherwise)."""
    if not level:
        return None
    if role == Qt.ItemDataRole.BackgroundRole:
        return QBrush(SEVERITY_BACKGROUND[level])
    if role == Qt.ItemDataRole.ForegroundRole:
        return QBrush(SEVERITY_TEXT)  # readable on the light background in a dark theme too
    if role == Qt.ItemDataRole.DecorationRole:
        return severity_icon(level)
    return None


class _TableModel(QAbstractTableModel):
    """Read-only table: subclasses give the headings and a cell's data."""

    headings: tuple[str, ...] = ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headings)

    def row_total(self) -> int:
        raise NotImplementedError

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:  # the tooltip: a narrow column elides it
            return self.headings[section] if 0 <= section < len(self.headings) else None
        return self.row_heading(section) if 0 <= section < self.row_total() else None

    def row_heading(self, row: int) -> Any:
        return row + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < self.row_total()):
            return None
        if not 0 <= index.column() < len(self.headings):
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        raise NotImplementedError


# ------------------------------------------------------------------------------ sheets


def sheet_status(sheet: SheetInfo) -> str:
    """What the wizard does with a sheet, in words."""
    if sheet.is_data:
        return "Register data"
    if sheet.visible and sheet.columns:
        return f"Skipped: {sheet.reason} (choose it to match its columns yourself)"
    return f"Skipped: {sheet.reason}"


def can_choose(sheet: SheetInfo) -> bool:
    """A sheet can be imported when it is visible and has a header row."""
    return sheet.visible and sheet.columns > 0


class SheetTableModel(_TableModel):
    """The sheets of a workbook (or the one table of a csv file) and what will be done with each."""

    headings = ("Sheet", "Rows", "Header row", "What happens")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sheets: tuple[SheetInfo, ...] = ()

    def set_sheets(self, sheets: Sequence[SheetInfo]) -> None:
        self.beginResetModel()
        self._sheets = tuple(sheets)
        self.endResetModel()

    def sheet_at(self, row: int) -> SheetInfo:
        return self._sheets[row]

    def row_of(self, name: str) -> int:
        return next((n for n, s in enumerate(self._sheets) if s.name == name), -1)

    def row_total(self) -> int:
        return len(self._sheets)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if can_choose(self._sheets[index.row()]):
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.NoItemFlags  # shown greyed: it cannot be imported

    def cell(self, row: int, column: int, role: int) -> Any:
        sheet = self._sheets[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                sheet.name,
                f"{sheet.rows:,}" if sheet.columns else "",
                str(sheet.header_row) if sheet.header_row else "none found",
                sheet_status(sheet),
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


# ------------------------------------------------------------------------------ preview


class PreviewModel(_TableModel):
    """The first rows of the sheet as they will be imported, a column per register field."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._preview: Preview | None = None

    def set_preview(self, preview: Preview | None) -> None:
        self.beginResetModel()
        self._preview = preview
        self.headings = () if preview is None else preview.labels
        self.endResetModel()

    def row_total(self) -> int:
        return 0 if self._preview is None else len(self._preview.rows)

    def row_heading(self, row: int) -> Any:
        assert self._preview is not None
        return self._preview.rows[row].row

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def cell(self, row: int, column: int, role: int) -> Any:
        assert self._preview is not None
        shown = self._preview.rows[row].cells[column]
        unread = bool(shown.level) and not shown.text and bool(shown.original)
        if role == Qt.ItemDataRole.DisplayRole:
            return one_line(f"“{shown.original}”" if unread else shown.text)
        if role == Qt.ItemDataRole.FontRole and unread:
            font = QFont()
            font.setItalic(True)  # what the file says, not what will be imported
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{shown.text}. {shown.message}" if shown.message else shown.text
        if role == Qt.ItemDataRole.ToolTipRole:
            if unread:  # what the file says, which is not what the cell shows
                return "\n\n".join(
                    t for t in (shown.message, f"In the file: “{shown.original}”") if t
                )
            return cell_tip([shown.message] if shown.message else [], shown.text, "\n\n")
        return _severity_data(shown.level, role)


# ------------------------------------------------------------------------------ problems

OUTCOME = {ERROR: "Rejected", WARNING: "Imported, with warnings", "": "Imported"}


class ProblemRowsModel(_TableModel):
    """Every row the import read, with its problems per cell; optionally only rows with problems.

    Columns: the sheet row, what happens to the row, its problems, then (for one sheet) the cells
    of the row as the file has them, each coloured by the worst problem found in it.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[PlannedRow, ...] = ()
        self._shown: list[int] = []
        self._only_problems = False
        self._many_sheets = False
        self._cells: dict[tuple[str, int], tuple[Any, ...]] = {}
        self._cell_headings: tuple[str, ...] = ()
        self._fixed: tuple[str, ...] = ()

    # -- feeding

    def set_plan(self, plan: ImportPlan | None, tables: MappingOf[str, Table]) -> None:
        """Show `plan`'s rows; `tables` give the cells of rows that have no problems."""
        self.beginResetModel()
        self._rows = () if plan is None else plan.rows
        sheets = {r.sheet for r in self._rows}
        self._many_sheets = len(sheets) > 1
        self._fixed = (("Sheet",) if self._many_sheets else ()) + ("Row", "Outcome", "Problems")
        single = next(iter(sheets)) if len(sheets) == 1 else None
        table = tables.get(single) if single is not None else None
        self._cell_headings = table.headers if table is not None else ()
        self._cells = {}
        if table is not None:
            self._cells = {(table.sheet, n): r for n, r in zip(table.row_numbers, table.rows,
                                                                strict=True)}  # fmt: skip
        self.headings = self._fixed + self._cell_headings
        self._select()
        self.endResetModel()

    def set_only_problems(self, only: bool) -> None:
        if only == self._only_problems:
            return
        self.beginResetModel()
        self._only_problems = only
        self._select()
        self.endResetModel()

    def _select(self) -> None:
        self._shown = [n for n, r in enumerate(self._rows)
                       if r.problems or not self._only_problems]  # fmt: skip

    # -- reading

    def showing(self, plan: ImportPlan) -> bool:
        """Whether these are `plan`'s rows."""
        return self._rows is plan.rows

    @property
    def only_problems(self) -> bool:
        return self._only_problems

    @property
    def fixed_headings(self) -> tuple[str, ...]:
        """The headings of the columns before the sheet's own: sheet, row, outcome, problems."""
        return self._fixed

    def row_total(self) -> int:
        return len(self._shown)

    def planned_row(self, row: int) -> PlannedRow:
        return self._rows[self._shown[row]]

    def row_heading(self, row: int) -> Any:
        return self.planned_row(row).row

    def cell_problems(self, row: int, column: int) -> tuple[CellProblem, ...]:
        """The problems a cell shows: the whole row's in the fixed columns, else its column's."""
        planned = self.planned_row(row)
        fixed = len(self._fixed)
        if column < fixed:
            return planned.problems if self._fixed[column] in ("Outcome", "Problems") else ()
        heading = self._cell_headings[column - fixed]
        return tuple(p for p in planned.problems if p.column == heading)

    def _text(self, planned: PlannedRow, column: int) -> str:
        fixed = len(self._fixed)
        if column >= fixed:
            cells = self._cells.get((planned.sheet, planned.row))
            index = column - fixed
            if cells is not None and index < len(cells):
                return cell_text(cells[index])
            return planned.cells[index] if index < len(planned.cells) else ""
        name = self._fixed[column]
        if name == "Sheet":
            return planned.sheet
        if name == "Row":
            return str(planned.row)
        if name == "Outcome":
            return OUTCOME[worst(planned.problems)]
        return "; ".join(f"{p.level.capitalize()}: {p.describe()}" for p in planned.problems)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def cell(self, row: int, column: int, role: int) -> Any:
        planned = self.planned_row(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return one_line(self._text(planned, column))
        problems = self.cell_problems(row, column)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            said = "; ".join(p.message for p in problems) if column >= len(self._fixed) else ""
            text = self._text(planned, column)
            return f"{text}. {said}" if said else text
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{p.level.capitalize()}: {p.describe()}" for p in problems]
            if column < len(self._fixed) and problems:
                return "\n".join(lines)  # the outcome and the problems: a problem a line
            return cell_tip(lines, self._text(planned, column))
        if role == Qt.ItemDataRole.TextAlignmentRole and self._fixed[column : column + 1] == (
            "Row",
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if column < len(self._fixed) and self._fixed[column] != "Outcome":
            return None  # colour and icon on the outcome and on the cells at fault
        return _severity_data(worst(problems), role)
