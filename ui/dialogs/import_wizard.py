"""The import wizard: a spreadsheet register brought in through file, mapping, problems and commit.

Reading the file, checking every row (the plan and a dry run of the commit) and the commit itself
run on the TaskRunner's worker: the main window's runner when the wizard has one, so that all work
on the register stays on one thread. Progress shows on the page itself after `PROGRESS_DELAY_MS`;
while a task runs, the wizard's Cancel button (and Esc) stops the task instead of closing the
wizard. The commit is all or nothing: a cancelled import leaves the register as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QEventLoop,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import RegisterError
from app.importing import (
    ImportResult,
    Mapping,
    ProfileError,
    list_profiles,
    propose_mapping,
    save_profile,
    write_report,
)
from app.importing.header import Table, column_letter
from app.importing.mapping import SPREADSHEET_TARGETS, TARGETS, user_profiles
from app.importing.normalise import cell_text
from app.importing.plan import ImportPlan
from app.importing.session import (
    PREVIEW_ROWS,
    ImportChoice,
    ImportSource,
    Rehearsal,
    commit,
    dry_run,
    plan_choice,
    preview,
    read_source,
)
from app.paths import display_path
from app.progress import Cancel, Progress
from app.register import Register
from app.wording import plural
from ui.errors import message_for
from ui.models.import_models import (
    STATUS_COLUMN,
    PreviewModel,
    ProblemRowsModel,
    SheetTableModel,
    can_choose,
    one_line,
)
from ui.widgets.modal import run_modal
from ui.widgets.save_file import ask_workbook_path
from ui.widgets.tables import STRETCH_LEAST, MeasuredColumns, record_table
from ui.workers import PROGRESS_DELAY_MS, Task, TaskRunner

T = TypeVar("T")

FILE_PAGE, MAPPING_PAGE, PROBLEMS_PAGE, COMMIT_PAGE, RESULT_PAGE = range(5)
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: #555555;"
FILE_FILTER = ("Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.tsv *.tab *.txt);;"
               "All files (*)")  # fmt: skip
AUTOMATIC = "Automatic: the profile that fits the headings, else the column names"
NOT_IMPORTED = "Not imported"
EXAMPLES = 3
EXAMPLE_SEARCH_ROWS = 500
CAPTION_LENGTH = 40
COLUMN_MOST = 38  # characters a column of the sheet grows to by itself (its tip has the rest)
HEADING_MOST = 60  # characters of a heading always shown whole (its tip has a longer one)
PROBLEMS_LEAST = 32  # characters the problems of a row keep before the table scrolls sideways
SHEET_ROWS = 10
GROUPS = (("agreement", "Agreement"), ("party", "Parties"), ("basis", "Lawful basis"),
          ("item", "Data item"), ("organisation", "Organisation"),
          ("person", "Person"))  # fmt: skip
WAIT_MS = 120_000


@dataclass(frozen=True)
class ImportOutcome:
    """What the wizard imported: the file, the sheet (or every sheet), and what was written."""

    path: Path
    sheet: str
    result: ImportResult

    @property
    def message(self) -> str:
        r = self.result
        return (f"Imported {self.path.name}: {plural(r.agreements_created, 'agreement')} "
                f"created, {r.agreements_updated} updated, {r.agreements_unchanged} unchanged; "
                f"{plural(r.rows_rejected, 'row')} rejected.")  # fmt: skip


class Choosers:
    """Every question the wizard asks through a standard dialog; tests patch these."""

    @classmethod
    def open_file(cls, parent: QWidget, start: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(parent, "Choose a spreadsheet to import", start,
                                                FILE_FILTER)  # fmt: skip
        return Path(chosen) if chosen else None

    @classmethod
    def report_file(cls, parent: QWidget, suggested: str) -> Path | None:
        return ask_workbook_path(parent, "Save the import report", Path(suggested))

    @classmethod
    def profile_name(cls, parent: QWidget, suggested: str) -> str | None:
        name, ok = QInputDialog.getText(parent, "Save mapping as profile",
                                        "Name of the profile (used again for files with the "
                                        "same columns):", QLineEdit.EchoMode.Normal,
                                        suggested)  # fmt: skip
        return name.strip() if ok and name.strip() else None


def _label(text: str, style: str = "", *, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        label.setStyleSheet(style)
    if name:
        label.setAccessibleName(name)
    return label


def _caption(text: str, buddy: QWidget) -> QLabel:
    """A caption with a mnemonic that moves the focus to `buddy`."""
    caption = QLabel(text)
    caption.setBuddy(buddy)
    return caption


def _table_view(model: QAbstractItemModel, name: str, description: str) -> QTableView:
    """A house table over `model` that Tab leaves (arrows move in it) and no key edits."""
    view = record_table(model, name)
    view.setAccessibleDescription(description)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    return view


def _fit_columns(view: QTableView, *, stretch: tuple[int, ...] = (), whole: tuple[int, ...] = (),
                 least: int = STRETCH_LEAST) -> MeasuredColumns:  # fmt: skip
    """Fit `view`'s columns to what they show now; a new fitter, as the columns may be new."""
    columns = MeasuredColumns(view, most=COLUMN_MOST, headings=HEADING_MOST, stretch=stretch,
                              whole=whole, least=least)  # fmt: skip
    columns.measure()
    return columns


def _fit_rows(view: QTableView, most: int) -> None:
    """Make `view` as tall as its rows, up to `most` rows (then it scrolls)."""
    rows = min(max(view.model().rowCount(), 1), most)
    height = view.horizontalHeader().height() + rows * view.verticalHeader().defaultSectionSize()
    view.setMaximumHeight(height + 2 * view.frameWidth())


class BusyPanel(QWidget):
    """What a task is doing and how far it has got; appears only once the task takes a while."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = _label("", name="Progress")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Progress")
        self.bar.setTextVisible(True)
        self.hint = _label("Cancel stops it; nothing is changed.", NOTE_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.hint)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.show)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self._timer.start(PROGRESS_DELAY_MS)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def stopping(self) -> None:
        self.label.setText("Stopping…")

    def stop(self) -> None:
        self._timer.stop()
        self.hide()


# ==================================================================================== wizard


class ImportWizard(QWizard):
    """File and sheet → mapping with preview → problems → commit → result."""

    source_read = Signal()  # the file was read, or could not be (the first page says why)
    rehearsed = Signal()  # every row checked and the import dry-run (or that failed)
    imported = Signal()  # the commit ended: committed, cancelled or failed
    report_saved = Signal(str)  # the report was written (its path), or '' when it failed
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None, register: Register, path: Path | None = None,
                 *, runner: TaskRunner | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Import a spreadsheet")
        self.setAccessibleName("Import a spreadsheet")
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.register = register
        self._own_runner = runner is None and _runner_of(parent) is None
        self.runner = runner or _runner_of(parent) or TaskRunner(self)
        self.task: Task[Any] | None = None
        self.source: ImportSource | None = None
        self.sheet: str | None = None
        self.whole_register = False
        self.mapping: Mapping | None = None
        self.group = False
        self.rehearsal: Rehearsal | None = None
        self.written: ImportResult | None = None
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.problems_page = ProblemsPage(self)
        self.commit_page = CommitPage(self)
        self.result_page = ResultPage(self)
        for number, page in enumerate((self.file_page, self.mapping_page, self.problems_page,
                                       self.commit_page, self.result_page)):  # fmt: skip
            self.setPage(number, page)
        self.resize(1040, 720)
        if path is not None:
            self.file_page.path_edit.setText(display_path(Path(path)))
            self.read_file(Path(path))

    # -- the choice so far

    @property
    def table(self) -> Table | None:
        if self.source is None or self.sheet is None:
            return None
        return self.source.table(self.sheet)

    def choice(self) -> ImportChoice | None:
        if self.source is None:
            return None
        if self.whole_register:
            return ImportChoice(None, None, True)
        if self.sheet is None or self.mapping is None:
            return None
        return ImportChoice(self.sheet, replace(self.mapping, group_by_reference=self.group),
                            self.group)  # fmt: skip

    def outcome(self) -> ImportOutcome | None:
        if self.written is None or self.source is None:
            return None
        sheet = "every sheet" if self.whole_register else (self.sheet or "")
        return ImportOutcome(self.source.path, sheet, self.written)

    # -- steps that run on the worker

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(self, fn: Callable[[Progress, Cancel], T], on_done: Callable[[T], None] | None,
              on_error: Callable[[BaseException], None], *, label: str,
              panel: BusyPanel) -> Task[T]:  # fmt: skip
        """Run `fn` on the worker with the page's progress panel; one task at a time."""
        assert self.task is None, "one task at a time"
        task = self.runner.run_with_progress(fn, on_done, on_error, label=label, quiet=True)
        self.task = task
        panel.start(label)
        task.progressed.connect(panel.show_progress)
        task.ended.connect(lambda: self._ended(task, panel))
        self._page_changed()
        self.busy_changed.emit(True)
        return task

    def _ended(self, task: Task[Any], panel: BusyPanel) -> None:
        panel.stop()
        if self.task is task:
            self.task = None
        self._page_changed()
        self.busy_changed.emit(False)

    def _page_changed(self) -> None:
        page = self.currentPage()
        if page is not None:
            page.completeChanged.emit()

    def read_file(self, path: Path) -> None:
        """Read `path` on the worker; the first page shows its sheets or why it cannot."""
        self.source = None
        self.sheet = None
        self.mapping = None
        self.rehearsal = None
        self.file_page.reading(path)
        task = self.start(lambda progress, cancel: read_source(path), self._file_read,
                          self._file_failed, label=f"Reading {path.name}…",
                          panel=self.file_page.busy)  # fmt: skip
        task.ended.connect(lambda: self._file_ended(task, path))
        self.emit_when_done(self.source_read)

    def _file_ended(self, task: Task[Any], path: Path) -> None:
        if task.cancelled and self.source is None:
            self.file_page.show_error(f"Reading {path.name} was stopped. Choose a file to import.")

    def emit_when_done(self, signal: SignalInstance) -> None:
        """Emit `signal` when the current task ends, whatever its outcome."""
        task = self.task
        assert task is not None
        task.ended.connect(signal.emit)

    def _file_read(self, source: ImportSource) -> None:
        self.source = source
        self.whole_register = source.info.register_export
        self.file_page.show_source(source)

    def _file_failed(self, exc: BaseException) -> None:
        self.file_page.show_error(message_for(exc))

    def save_report(self, page: _Page) -> None:
        """Ask where, then write the report workbook (rejected rows and warnings) on the worker."""
        rehearsal = self.rehearsal
        source = self.source
        if rehearsal is None or source is None or self.busy:
            return
        suggested = str(source.path.with_name(f"{source.path.stem} - import report.xlsx"))
        path = Choosers.report_file(self, suggested)
        if path is None:
            return
        plan = rehearsal.plan

        def write(progress: Progress, cancel: Cancel) -> Path:
            write_report(plan, path)
            return path

        def written(done: Path) -> None:
            page.note.setText(f"Report saved to {display_path(done)}.")
            self.report_saved.emit(str(done))

        def failed(exc: BaseException) -> None:
            page.show_error(message_for(exc))
            self.report_saved.emit("")

        page.show_error("")
        self.start(write, written, failed, label="Saving the report…", panel=page.busy)

    # -- Cancel stops a task before it closes the wizard

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()
            page = self.currentPage()
            if isinstance(page, _Page):
                page.busy.stopping()
            return
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)
        if self._own_runner:
            self.runner.shutdown()


def _runner_of(parent: QWidget | None) -> TaskRunner | None:
    """The main window's runner, so that register work stays on its one worker thread."""
    runner = getattr(parent, "runner", None)
    return runner if isinstance(runner, TaskRunner) else None


class _Page(QWizardPage):
    """A page that knows its wizard and has a progress panel and a place for messages."""

    def __init__(self, wizard: ImportWizard, title: str, subtitle: str) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.busy = BusyPanel()
        self.error = _label("", ERROR_STYLE, name="Problem")
        self.error.hide()
        self.note = _label("", NOTE_STYLE, name="Note")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def isComplete(self) -> bool:
        return not self.wizard_.busy


# ==================================================================================== page 1


class FilePage(_Page):
    """The file, its sheets (skipped ones with the reason), the header row, profile, grouping."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Choose the file and sheet",
                         "An .xlsx, .ods, .csv or .tsv register. Nothing is changed until the "
                         "last step.")  # fmt: skip
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Spreadsheet file")
        self.path_edit.setPlaceholderText("Type a file's path and press Enter, or browse")
        self.path_edit.returnPressed.connect(self._path_typed)
        self.browse = QPushButton("B&rowse…")
        self.browse.setAccessibleName("Choose the spreadsheet file")
        self.browse.clicked.connect(self._browse)
        self.sheets = SheetTableModel(self)
        self.sheet_view = _table_view(self.sheets, "Sheets",
                                      "The sheets of the file and which hold data")  # fmt: skip
        self.sheet_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sheet_view.selectionModel().currentRowChanged.connect(self._sheet_chosen)
        self.header_note = _label("", name="Header row")
        self.whole = QCheckBox("Import the &whole register export (every sheet)")
        self.whole.setAccessibleName("Import the whole register export")
        self.whole.toggled.connect(self._whole_toggled)
        self.whole.hide()
        self.profile = QComboBox()
        self.profile.setAccessibleName("Column mapping profile")
        self.profile.currentIndexChanged.connect(self._profile_chosen)
        self.profile_note = _label("", NOTE_STYLE, name="Profile used")
        self.profiles_skipped = _label("", ERROR_STYLE, name="Profiles skipped")
        self.profiles_skipped.hide()
        self.group = QCheckBox("Rows sharing a reference become &one agreement (each row a data "
                               "item)")  # fmt: skip
        self.group.setAccessibleName("Rows sharing a reference become one agreement")
        self.group.toggled.connect(self._group_toggled)

        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(_caption("Spreadsheet f&ile", self.path_edit), file_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(_caption("&Sheets", self.sheet_view))
        layout.addWidget(self.sheet_view)
        layout.addWidget(self.header_note)
        layout.addWidget(self.whole)
        layout.addSpacing(8)
        options = QFormLayout()
        options.addRow(_caption("Column mapping &profile", self.profile), self.profile)
        options.addRow(QLabel(), self.profile_note)
        options.addRow(QLabel(), self.profiles_skipped)
        layout.addLayout(options)
        layout.addWidget(self.group)
        layout.addStretch(1)
        self.load_profiles()
        self._set_choosing(False)
        wizard.busy_changed.connect(self._busy)

    def _busy(self, busy: bool) -> None:
        self.browse.setEnabled(not busy)
        self.path_edit.setReadOnly(busy)

    # -- the file

    def _browse(self) -> None:
        current = self.path_edit.text().strip()
        start = str(Path(current).expanduser().parent) if current else str(Path.home())
        chosen = Choosers.open_file(self, start)
        if chosen is not None:
            self.path_edit.setText(display_path(chosen))
            self.wizard_.read_file(chosen)

    def _path_typed(self) -> None:
        text = self.path_edit.text().strip()
        if text and not self.wizard_.busy:
            self.wizard_.read_file(Path(text).expanduser())

    def reading(self, path: Path) -> None:
        self.show_error("")
        self.sheets.set_sheets(())
        self.header_note.setText("")
        self.profile_note.setText("")
        self.load_profiles()  # the person may have saved, mended or removed one meanwhile
        self.whole.hide()
        self._set_choosing(False)

    def show_source(self, source: ImportSource) -> None:
        self.sheets.set_sheets(source.info.sheets)
        _fit_columns(self.sheet_view, stretch=(STATUS_COLUMN,))
        _fit_rows(self.sheet_view, SHEET_ROWS)
        self.whole.setVisible(source.info.register_export)
        self.whole.setChecked(source.info.register_export)
        self._set_choosing(True)
        chosen = source.info.default_sheet
        if chosen is None:
            self.show_error(f"{source.path.name} has no sheet with a header row to import.")
        else:
            self.choose_sheet(chosen)
        self._whole_toggled(self.whole.isChecked())
        self.completeChanged.emit()

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.completeChanged.emit()

    def _set_choosing(self, enabled: bool) -> None:
        for widget in (self.sheet_view, self.profile, self.group):
            widget.setEnabled(enabled)

    # -- sheet, profile, grouping

    def choose_sheet(self, name: str) -> None:
        row = self.sheets.row_of(name)
        if row >= 0:
            self.sheet_view.selectRow(row)
            self.sheet_view.setCurrentIndex(self.sheets.index(row, 0))

    def _sheet_chosen(self) -> None:
        row = self.sheet_view.currentIndex().row()
        if row < 0 or self.wizard_.source is None:
            return
        sheet = self.sheets.sheet_at(row)
        if not can_choose(sheet):
            return
        self.wizard_.sheet = sheet.name
        self._propose()
        table = self.wizard_.table
        self.header_note.setText(header_note(table) if table is not None else "")
        self.completeChanged.emit()

    def load_profiles(self, select: str | None = None) -> None:
        """Fill the profile list (the person's own profiles first); keep or set the choice."""
        current = select if select is not None else self.profile.currentData()
        self.profile.blockSignals(True)
        self.profile.clear()
        self.profile.addItem(AUTOMATIC, None)
        try:
            profiles = list_profiles()
        except ProfileError as exc:
            profiles = []
            self.show_error(exc.message)
        skipped = "\n".join(user_profiles().skipped)  # damaged files of one's own, by name
        self.profiles_skipped.setText(skipped)
        self.profiles_skipped.setVisible(bool(skipped))
        for profile in profiles:
            mine = "" if profile.shipped else " (yours)"
            self.profile.addItem(f"{profile.name}{mine}", profile.name)
            self.profile.setItemData(self.profile.count() - 1, profile.description or None,
                                     Qt.ItemDataRole.ToolTipRole)  # fmt: skip
        found = self.profile.findData(current) if current is not None else 0
        self.profile.setCurrentIndex(max(found, 0))
        self.profile.blockSignals(False)

    def _profile_chosen(self) -> None:
        self._propose()

    def _propose(self) -> None:
        table = self.wizard_.table
        if table is None:
            return
        name = self.profile.currentData()
        try:
            mapping = propose_mapping(table, name)
        except ProfileError as exc:  # e.g. the profile's file was removed meanwhile
            self.wizard_.mapping = None
            self.show_error(exc.message)
            if name is not None:
                self.profile.setCurrentIndex(0)  # back to automatic, which proposes again
            return
        self.wizard_.mapping = mapping
        self.wizard_.rehearsal = None
        self.group.setChecked(mapping.group_by_reference)
        if name is None:
            used = (
                f"Using the profile “{mapping.profile}”."
                if mapping.profile
                else ("No profile fits these headings: columns are matched by their names.")
            )
        else:
            used = "Columns not named in the profile are matched by their names."
        self.profile_note.setText(used)

    def _group_toggled(self, checked: bool) -> None:
        self.wizard_.group = checked
        self.wizard_.rehearsal = None

    def _whole_toggled(self, checked: bool) -> None:
        self.wizard_.whole_register = checked
        self.wizard_.rehearsal = None
        if self.wizard_.source is None:
            return
        self.sheet_view.setEnabled(not checked)
        self.profile.setEnabled(not checked)
        self.group.setEnabled(not checked)
        if checked:
            self.group.setChecked(True)
            self.header_note.setText(
                "Every sheet of the export is imported together: "
                "organisations, people, agreements and their parts."
            )
        else:
            self._sheet_chosen()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        wizard = self.wizard_
        return super().isComplete() and wizard.source is not None and (
            wizard.whole_register or (wizard.table is not None and wizard.table.width > 0
                                      and wizard.mapping is not None)
        )  # fmt: skip

    def nextId(self) -> int:
        return PROBLEMS_PAGE if self.wizard_.whole_register else MAPPING_PAGE


def left_out(skipped: tuple[str, ...]) -> list[str]:
    """What was left out of a sheet, rows above the headings counted rather than listed."""
    above = sum(1 for s in skipped if s.endswith("above the header"))
    said = [f"{plural(above, 'row')} above the headings (titles or notes)"] if above else []
    others = [s for s in skipped if not s.endswith("above the header")]
    said.extend(others[:3])
    if len(others) > 3:
        said.append(f"and {len(others) - 3} more")
    return said


def header_note(table: Table) -> str:
    """Where the headings were found and what was left out of the sheet."""
    if not table.headers:
        return "No header row was found in this sheet."
    said = [f"Headings found on row {table.header_row}", *left_out(table.skipped)]
    return "; ".join(said) + f". {plural(len(table.rows), 'row')} of data."


# ==================================================================================== page 2


def target_text(target: str) -> str:
    """A register field as the mapping lists show it: 'Data item: Source of data'."""
    family = target.split(".")[0]
    title = dict(GROUPS).get(family, family.capitalize())
    return f"{title}: {TARGETS[target].label}"


def target_choices() -> list[tuple[str, str | None]]:
    """The register fields a column can fill, as (shown text, target), grouped by record."""
    order = [family for family, _ in GROUPS]
    names = sorted(SPREADSHEET_TARGETS, key=lambda n: order.index(n.split(".")[0]))
    return [(NOT_IMPORTED, None), *((target_text(n), n) for n in names)]


def examples(table: Table, index: int) -> str:
    """The first few different values of a column, as text."""
    seen: list[str] = []
    for row in table.rows[:EXAMPLE_SEARCH_ROWS]:
        text = one_line(cell_text(row[index]), CAPTION_LENGTH) if index < len(row) else ""
        if text and text not in seen:
            seen.append(text)
            if len(seen) == EXAMPLES:
                break
    return "; ".join(seen)


class MappingPage(_Page):
    """Each column of the sheet → a register field, and a preview of the first rows."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Match the columns to register fields",
                         "Correct any column the register matched wrongly; “Not imported” "
                         "leaves a column out. The preview shows rows as they will be "
                         "imported.")  # fmt: skip
        self.combos: dict[str, QComboBox] = {}
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(16)
        self.columns_area = QScrollArea()
        self.columns_area.setWidgetResizable(True)
        self.columns_area.setWidget(self.grid_host)
        self.columns_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.columns_area.setAccessibleName("Columns of the sheet")
        self.warning = _label("", ERROR_STYLE, name="Mapping problem")
        self.saved_note = _label("", NOTE_STYLE, name="Profile saved")
        self.save_profile = QPushButton("Save mapping as &profile…")
        self.save_profile.setAccessibleName("Save mapping as profile")
        self.save_profile.clicked.connect(self._save_profile)
        self.preview = PreviewModel(self)
        self.preview_view = _table_view(self.preview, "Preview",
                                        "The first rows as they will be imported")  # fmt: skip
        self.preview_view.verticalHeader().show()  # each row's number in the file
        self.preview_caption = _caption("Pre&view", self.preview_view)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.columns_caption = _caption("&Columns of the sheet", self.columns_area)
        top_layout.addWidget(self.columns_caption)
        top_layout.addWidget(self.columns_area, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.warning, 1)
        buttons.addWidget(self.saved_note)
        buttons.addWidget(self.save_profile)
        top_layout.addLayout(buttons)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.preview_caption)
        bottom_layout.addWidget(self.preview_view, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([300, 220])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        table = self.wizard_.table
        mapping = self.wizard_.mapping
        if table is None or mapping is None:
            return
        self.saved_note.setText("")
        self._build_grid(table, mapping)
        self.refresh()

    def _build_grid(self, table: Table, mapping: Mapping) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.combos = {}
        for place, text in enumerate(("Column in the file", "Examples", "Register field")):
            self.grid.addWidget(QLabel(f"<b>{text}</b>"), 0, place)
        choices = target_choices()
        for row, column in enumerate(mapping.columns, start=1):
            heading = one_line(column.heading.splitlines()[0], CAPTION_LENGTH)
            caption = QLabel(f"{column_letter(column.index)}  {heading.replace('&', '&&')}")
            caption.setTextFormat(Qt.TextFormat.PlainText)
            caption.setToolTip(column.heading)
            shown = examples(table, column.index)
            sample = QLabel(shown)
            sample.setTextFormat(Qt.TextFormat.PlainText)
            sample.setToolTip(shown)
            sample.setStyleSheet(NOTE_STYLE)
            sample.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            combo = self._combo(choices, column.target)
            combo.setAccessibleName(f"Register field for column {column_letter(column.index)}, "
                                    f"{heading}")  # fmt: skip
            caption.setBuddy(combo)
            combo.currentIndexChanged.connect(
                lambda _=0, heading=column.heading, box=combo: self._target_chosen(heading, box)
            )
            self.grid.addWidget(caption, row, 0)
            self.grid.addWidget(sample, row, 1)
            self.grid.addWidget(combo, row, 2)
            self.combos[column.heading] = combo
        self.grid.setRowStretch(len(mapping.columns) + 1, 1)
        if self.combos:
            self.columns_caption.setBuddy(next(iter(self.combos.values())))

    @staticmethod
    def _combo(choices: list[tuple[str, str | None]], target: str | None) -> QComboBox:
        combo = QComboBox()
        combo.setMinimumContentsLength(36)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for text, name in choices:
            combo.addItem(text, name)
        if target is not None and combo.findData(target) < 0:  # from a profile: keep it
            combo.addItem(target_text(target), target)
        combo.setCurrentIndex(max(combo.findData(target), 0))
        return combo

    def _target_chosen(self, heading: str, combo: QComboBox) -> None:
        mapping = self.wizard_.mapping
        if mapping is None:
            return
        self.wizard_.mapping = mapping.with_target(heading, combo.currentData())
        self.wizard_.rehearsal = None
        self.refresh()

    def set_target(self, heading: str, target: str | None) -> None:
        """Choose `target` for the column `heading`, as a person would in its list."""
        combo = self.combos[heading]
        combo.setCurrentIndex(combo.findData(target))

    def refresh(self) -> None:
        table = self.wizard_.table
        mapping = self.wizard_.mapping
        if table is None or mapping is None:
            return
        shown = preview(table, mapping)
        self.preview.set_preview(shown)
        _fit_columns(self.preview_view)  # its columns follow the mapping
        total = shown.total_rows
        self.preview_caption.setText(
            f"Pre&view of the first {PREVIEW_ROWS} rows of {total:,}, as they will be imported"
            if total > PREVIEW_ROWS
            else f"Pre&view of {plural(total, 'row')}, as imported"
        )
        self.warning.setText(mapping_warning(mapping))
        self.completeChanged.emit()

    def _save_profile(self) -> None:
        mapping = self.wizard_.mapping
        if mapping is None:
            return
        name = Choosers.profile_name(self, mapping.profile or "")
        if name is None:
            return
        try:
            save_profile(name, replace(mapping, group_by_reference=self.wizard_.group))
        except RegisterError as exc:
            self.show_error(exc.message)
            return
        self.show_error("")
        self.wizard_.mapping = replace(mapping, profile=name)
        self.wizard_.file_page.load_profiles(select=name)
        self.saved_note.setText(f"Saved as the profile “{name}”.")

    def isComplete(self) -> bool:
        mapping = self.wizard_.mapping
        return super().isComplete() and mapping is not None and bool(mapping.targets())


def mapping_warning(mapping: Mapping) -> str:
    """What is wrong with a mapping as a whole, or ''."""
    targets = mapping.targets()
    if not targets:
        return "Choose a register field for at least one column."
    if "agreement.reference" not in targets:
        return (
            "No column fills Reference: every row will be rejected. Choose the column "
            "that holds each agreement's reference."
        )
    return ""


# ==================================================================================== page 3


class ProblemsPage(_Page):
    """Every row with its problems per cell, the counts, and the report."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(
            wizard,
            "Check the rows",
            "Rows with an error are not imported; rows with warnings are imported "
            "as the preview showed them. Point at a coloured cell to read why.",
        )
        self.counts = _label("", name="Counts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.only_problems = QCheckBox("Show &only rows with problems")
        self.only_problems.setAccessibleName("Show only rows with problems")
        self.only_problems.toggled.connect(self._filter)
        self.report = QPushButton("Save &report…")
        self.report.setAccessibleName("Save the report of rejected rows and warnings")
        self.report.clicked.connect(self._save_report)
        self.again = QPushButton("Check &again")
        self.again.setAccessibleName("Check the rows again")
        self.again.clicked.connect(self.check)
        self.again.hide()
        self.note = _label("", NOTE_STYLE, name="Report")
        self.rows = ProblemRowsModel(self)
        self.view = _table_view(  # the sheet's row number is a column of its own
            self.rows,
            "Rows and their problems",
            "Every row read, what happens to it and its problems per cell",
        )
        self.columns: MeasuredColumns | None = None
        self._planned: tuple[ImportChoice, ImportPlan] | None = None
        tools = QHBoxLayout()
        tools.addWidget(self.only_problems)
        tools.addStretch(1)
        tools.addWidget(self.again)
        tools.addWidget(self.report)
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addLayout(tools)
        layout.addWidget(_caption("Ro&ws", self.view))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)

    def initializePage(self) -> None:
        choice = self.wizard_.choice()
        rehearsal = self.wizard_.rehearsal
        if rehearsal is not None and rehearsal.choice == choice:
            self._show(rehearsal.plan, rehearsal.forecast)
            return
        self.check()

    def check(self) -> None:
        """Plan the import (the rows and their problems), then dry-run its commit."""
        wizard = self.wizard_
        choice = wizard.choice()
        source = wizard.source
        if choice is None or source is None or wizard.busy:
            return
        wizard.rehearsal = None
        self._planned = None
        self.again.hide()
        self.report.setEnabled(False)
        self.show_error("")
        self.note.setText("")
        self.counts.setText("")
        self.rows.set_plan(None, {})
        rows = sum(len(t.rows) for t in source.tables.values()) if choice.whole_register else (
            len(source.table(choice.sheet).rows) if choice.sheet is not None else 0
        )  # fmt: skip
        register = wizard.register
        task = wizard.start(
            lambda progress, cancel: plan_choice(register, source, choice, progress, cancel),
            lambda plan: self._plan_read(choice, plan), self._failed,
            label=f"Checking {plural(rows, 'row')}…", panel=self.busy,
        )  # fmt: skip
        task.ended.connect(lambda: self._plan_ended(task))

    def _plan_read(self, choice: ImportChoice, plan: ImportPlan) -> None:
        self._planned = (choice, plan)
        self._show(plan, None)

    def _plan_ended(self, task: Task[Any]) -> None:
        """With the rows shown, work out what will change (a dry run) while the person reads."""
        if self._planned is None:
            self._stopped(task)
            self.wizard_.rehearsed.emit()
            return
        choice, plan = self._planned
        register = self.wizard_.register
        dry = self.wizard_.start(
            lambda progress, cancel: dry_run(register, plan, progress, cancel),
            lambda forecast: self._rehearsed(Rehearsal(choice, plan, forecast)), self._failed,
            label="Working out what will change (a dry run)…", panel=self.busy,
        )  # fmt: skip
        dry.ended.connect(lambda: self._stopped(dry))
        self.wizard_.emit_when_done(self.wizard_.rehearsed)

    def _stopped(self, task: Task[Any]) -> None:
        if task.cancelled and self.wizard_.rehearsal is None:
            self.show_error("Checking was stopped; nothing was changed. Check again, or go "
                            "back and change your choices.")  # fmt: skip
            self.again.show()

    def _rehearsed(self, rehearsal: Rehearsal) -> None:
        self.wizard_.rehearsal = rehearsal
        self._show(rehearsal.plan, rehearsal.forecast)

    def _failed(self, exc: BaseException) -> None:
        self.show_error(message_for(exc))
        self.again.show()

    def _show(self, plan: ImportPlan, forecast: ImportResult | None) -> None:
        self.counts.setText(counts_text(plan, forecast))
        self.report.setEnabled(forecast is not None and bool(plan.rejected or plan.warnings))
        if forecast is not None and self.rows.rowCount() and self.rows.showing(plan):
            self.completeChanged.emit()
            return  # the rows are on show already; only the counts were waiting
        source = self.wizard_.source
        self.rows.set_plan(plan, source.tables if source is not None else {})
        has_problems = any(r.problems for r in plan.rows)
        self.only_problems.blockSignals(True)
        self.only_problems.setChecked(has_problems)
        self.only_problems.blockSignals(False)
        self.rows.set_only_problems(has_problems)
        self.only_problems.setEnabled(has_problems)
        self._fit_columns()
        table = self.wizard_.table
        skipped = list(plan.notes[:3]) if self.wizard_.whole_register or table is None else (
            left_out(table.skipped))  # fmt: skip
        self.note.setText(f"Left out of the sheet: {'; '.join(skipped)}." if skipped else "")
        self.completeChanged.emit()

    def _fit_columns(self) -> None:
        """A new plan's columns: its problems take the room the sheet's own columns leave.

        The fixed columns (sheet, row, outcome) are kept whole; the sheet's row number is how a
        person finds the row in their file.
        """
        fixed = self.rows.fixed_headings
        problems = fixed.index("Problems")
        whole = tuple(c for c in range(len(fixed)) if c != problems)
        self.columns = _fit_columns(self.view, stretch=(problems,), whole=whole,
                                    least=PROBLEMS_LEAST)  # fmt: skip

    def _filter(self, only: bool) -> None:
        self.rows.set_only_problems(only)
        if self.columns is not None:
            self.columns.measure()  # the same columns: widths the person gave are kept

    def _save_report(self) -> None:
        self.wizard_.save_report(self)

    def cleanupPage(self) -> None:
        if self.wizard_.task is not None:
            self.wizard_.task.cancel()  # going back stops the check

    def isComplete(self) -> bool:
        return super().isComplete() and self.wizard_.rehearsal is not None

    def nextId(self) -> int:
        return COMMIT_PAGE


def counts_text(plan: ImportPlan, forecast: ImportResult | None) -> str:
    """The figures of a planned import in one line of rich text; the dry run splits updates."""
    if forecast is None:
        agreements: tuple[tuple[int, str, str], ...] = (
            (plan.new_agreements, "new agreement", "new agreements"),
            (plan.existing_agreements, "already in the register", "already in the register"),
        )
    else:
        agreements = (
            (forecast.agreements_created, "new agreement", "new agreements"),
            (forecast.agreements_updated, "update", "updates"),
            (forecast.agreements_unchanged, "unchanged", "unchanged"),
        )
    figures = (
        (plan.rows_read, "row read", "rows read"),
        *agreements,
        (len(plan.rejected), "row rejected", "rows rejected"),
        (len(plan.warnings), "warning", "warnings"),
    )
    return " &nbsp;·&nbsp; ".join(
        f"<b>{n:,}</b> {one if n == 1 else many}" for n, one, many in figures
    )


# ==================================================================================== page 4


class CommitPage(_Page):
    """The dry run's summary; Import commits it on the worker, all or nothing."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Import",
                         "Nothing has been written yet. A dry run of this import found what "
                         "it will do:")  # fmt: skip
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.summary, self.fields = _summary_form()
        self.note = _label("The import is written as one change, all of it or nothing: Cancel "
                           "while it runs leaves the register as it was. Afterwards, Edit → "
                           "Undo takes the whole import back.", NOTE_STYLE)  # fmt: skip
        self.nothing = _label("", ERROR_STYLE, name="Nothing to import")
        layout = QVBoxLayout(self)
        layout.addLayout(self.summary)
        layout.addSpacing(12)
        layout.addWidget(self.note)
        layout.addWidget(self.nothing)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:
        rehearsal = self.wizard_.rehearsal
        source = self.wizard_.source
        if rehearsal is None or source is None:
            return
        self.show_error("")
        for name, text in summary_lines(rehearsal, source.path, future=True).items():
            self.fields[name].setText(text)
        self.nothing.setText("" if rehearsal.forecast.operations else (
            "There is nothing to import: the register already holds everything this file "
            "gives. Cancel to close."
        ))  # fmt: skip

    def validatePage(self) -> bool:
        if self.wizard_.written is not None:
            return True
        if not self.wizard_.busy:
            self._commit()
        return False

    def _commit(self) -> None:
        wizard = self.wizard_
        rehearsal = wizard.rehearsal
        if rehearsal is None:
            return
        self.show_error("")
        register = wizard.register
        written: list[ImportResult] = []

        def work(progress: Progress, cancel: Cancel) -> ImportResult:
            written.append(commit(register, rehearsal, progress, cancel))
            return written[0]

        agreements = len(rehearsal.plan.agreements)
        wizard.start(work, None, self._failed,
                     label=f"Importing {plural(agreements, 'agreement')}…",
                     panel=self.busy)  # fmt: skip
        task = wizard.task
        assert task is not None
        task.ended.connect(lambda: self._ended(task, written))
        wizard.emit_when_done(wizard.imported)
        for button in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CommitButton):
            wizard.button(button).setEnabled(False)

    def _ended(self, task: Task[Any], written: list[ImportResult]) -> None:
        if written:  # committed, even when Cancel came too late to stop it
            self.wizard_.written = written[0]
            if self.wizard_.currentPage() is self:
                self.wizard_.next()
        elif task.cancelled:
            self.show_error("The import was cancelled; nothing was changed.")

    def _failed(self, exc: BaseException) -> None:
        self.show_error(f"{message_for(exc)} Nothing was changed.")

    def isComplete(self) -> bool:
        rehearsal = self.wizard_.rehearsal
        return super().isComplete() and rehearsal is not None and (
            rehearsal.forecast.operations > 0 or self.wizard_.written is not None
        )  # fmt: skip


SUMMARY = ("File", "Rows", "Agreements", "Data items", "Organisations", "People", "Changes")


def _summary_form() -> tuple[QFormLayout, dict[str, QLabel]]:
    """A form of the summary's lines, each value a label named for screen readers."""
    form = QFormLayout()
    form.setHorizontalSpacing(24)
    fields: dict[str, QLabel] = {}
    for name in SUMMARY:
        fields[name] = _label("", name=name)
        form.addRow(QLabel(f"<b>{name}</b>"), fields[name])
    return form, fields


def summary_lines(rehearsal: Rehearsal, path: Path, *, future: bool,
                  result: ImportResult | None = None) -> dict[str, str]:  # fmt: skip
    """The summary of an import: the dry run's (`future`) or the commit's."""
    plan = rehearsal.plan
    r = result or rehearsal.forecast
    kept = plan.rows_read - len(plan.rejected)
    with_warnings = sum(1 for row in plan.rows if row.problems and not row.rejected)
    new, updated = ("to create", "to update") if future else ("created", "updated")
    sheet = "every sheet" if rehearsal.choice.whole_register else f"sheet “{plan.sheet}”"
    return {
        "File": f"{path.name}, {sheet}",
        "Rows": (f"{plan.rows_read:,} read: {kept:,} {'to import' if future else 'imported'} "
                 f"({with_warnings:,} with warnings), {len(plan.rejected):,} rejected"),
        "Agreements": f"{r.agreements_created:,} {new}, {r.agreements_updated:,} {updated}, "
                      f"{r.agreements_unchanged:,} unchanged",
        "Data items": f"{r.items_created:,} {new}, {r.items_updated:,} {updated}",
        "Organisations": f"{r.organisations_created:,} {'to add' if future else 'added'}",
        "People": f"{r.people_created:,} {'to add' if future else 'added'}",
        "Changes": f"{plural(r.operations, 'change')} written as one batch",
    }  # fmt: skip


# ==================================================================================== page 5


class ResultPage(_Page):
    """What the commit wrote."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard, "Imported", "The import was written to the register as one "
                         "change.")  # fmt: skip
        self.summary, self.fields = _summary_form()
        self.note = _label("", NOTE_STYLE, name="Report")
        self.report = QPushButton("Save &report…")
        self.report.setAccessibleName("Save the report of rejected rows and warnings")
        self.report.clicked.connect(lambda: self.wizard_.save_report(self))
        report_row = QHBoxLayout()
        report_row.addWidget(self.note, 1)
        report_row.addWidget(self.report)
        layout = QVBoxLayout(self)
        layout.addLayout(self.summary)
        layout.addSpacing(12)
        layout.addLayout(report_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:
        rehearsal = self.wizard_.rehearsal
        source = self.wizard_.source
        result = self.wizard_.written
        if rehearsal is None or source is None or result is None:
            return
        lines = summary_lines(rehearsal, source.path, future=False, result=result)
        for name, text in lines.items():
            self.fields[name].setText(text)
        plan = rehearsal.plan
        rejected, warnings = len(plan.rejected), len(plan.warnings)
        if rejected:
            said = f"{plural(rejected, 'row was', 'rows were')} not imported: the report lists why."
        elif warnings:
            said = f"Imported with {plural(warnings, 'warning')}: the report lists them."
        else:
            said = "Every row was imported without a problem."
        self.report.setVisible(bool(rejected or warnings))
        self.note.setText(f"{said} Edit → Undo takes the whole import back.")


# ==================================================================================== entry


def ask(parent: QWidget | None, register: Register, path: Path | None = None, *,
        runner: TaskRunner | None = None) -> ImportOutcome | None:  # fmt: skip
    """Run the wizard; what was imported, or None when the person cancelled before importing."""
    wizard = ImportWizard(parent, register, path, runner=runner)
    run_modal(wizard)
    return wizard.outcome()


def _wait(signal: SignalInstance, trigger: Callable[[], object]) -> None:
    """Run `trigger` and wait in an event loop until `signal` fires (for screenshots only)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(WAIT_MS, loop.quit)
    trigger()
    loop.exec()
    signal.disconnect(loop.quit)


def screenshot_pages(register: Register, path: Path, shoot: Callable[[str, QWidget], object],
                     *, corrections: dict[str, str | None] | None = None,
                     parent: QWidget | None = None,
                     runner: TaskRunner | None = None) -> None:  # fmt: skip
    """Walk the wizard through every page on `path`, calling `shoot(name, wizard)` on each.

    Names are import-1-file … import-5-result; `corrections` (heading → register field) are
    made on the mapping page as a person would. The last step really imports `path` into
    `register` (the result page shows what was written); when there is nothing to import, the
    result page is not shot.
    """
    wizard = ImportWizard(parent, register, runner=runner)
    wizard.file_page.path_edit.setText(display_path(Path(path)))
    wizard.show()
    _wait(wizard.source_read, lambda: wizard.read_file(Path(path)))
    shoot("import-1-file", wizard)
    if wizard.source is None:
        wizard.reject()
        return
    if not wizard.whole_register:
        wizard.next()
        for heading, target in (corrections or {}).items():
            wizard.mapping_page.set_target(heading, target)
        shoot("import-2-mapping", wizard)
    _wait(wizard.rehearsed, wizard.next)
    shoot("import-3-problems", wizard)
    wizard.next()
    shoot("import-4-commit", wizard)
    if wizard.button(QWizard.WizardButton.CommitButton).isEnabled():
        _wait(wizard.imported, wizard.next)
        shoot("import-5-result", wizard)
    wizard.done(QWizard.DialogCode.Accepted if wizard.written else QWizard.DialogCode.Rejected)
