"""The import wizard driven page by page, as a person would, on real registers and messy files."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from app.agreements import get_agreement, list_agreements
from app.exporting import export_register
from app.importing import load_profile
from app.importing.mapping import user_profile_dir
from app.register import Register
from tests.ui.conftest import open_window
from tests.ui.wizard_helpers import (
    BACK,
    CANCEL,
    COMMIT,
    DEA,
    HDR,
    NEXT,
    NHS,
    REGISTERS,
    WAIT_MS,
    commit,
    messy_workbook,
    open_wizard,
    press,
    state,
    to_problems,
)
from ui.dialogs import import_wizard
from ui.dialogs.import_wizard import (
    COMMIT_PAGE,
    FILE_PAGE,
    MAPPING_PAGE,
    PROBLEMS_PAGE,
    RESULT_PAGE,
    Choosers,
    ImportOutcome,
    ImportWizard,
    ask,
)
from ui.models.import_models import ERROR, SEVERITY_BACKGROUND, WARNING
from ui.workers import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

# ----------------------------------------------------------------------------- fixtures


@pytest.fixture()
def real_registers() -> Path:
    if not REGISTERS.is_dir():
        pytest.skip("the shared registers folder is not beside this checkout")
    return REGISTERS


# ----------------------------------------------------------------------------- real registers


def test_real_register_through_every_page(
    qtbot: QtBot, qtmodeltester: Any, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    wizard = open_wizard(qtbot, register, runner, DEA)
    page = wizard.file_page
    assert page.error.text() == ""
    assert page.sheets.rowCount() == 1
    assert "Headings found on row 1" in page.header_note.text()
    assert "GOV.UK Digital Economy Act" in page.profile_note.text()
    qtmodeltester.check(page.sheets)

    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == MAPPING_PAGE
    mapping = wizard.mapping_page
    assert mapping.combos  # one list per column of the file
    assert mapping.preview.rowCount() == 3
    labels = [mapping.preview.headerData(c, Qt.Orientation.Horizontal)
              for c in range(mapping.preview.columnCount())]  # fmt: skip
    assert "Reference" in labels and "Title" in labels
    qtmodeltester.check(mapping.preview)

    before = state(register)
    to_problems(qtbot, wizard)
    problems = wizard.problems_page
    qtmodeltester.check(problems.rows)
    assert "<b>3</b> new agreements" in problems.counts.text()
    assert "<b>0</b> rows rejected" in problems.counts.text()
    assert state(register) == before  # the dry run left nothing behind
    assert not register.can_undo

    commit(qtbot, wizard)
    result = wizard.result_page.fields["Agreements"].text()
    assert result.startswith("3 created")
    agreement = get_agreement(register, "2")
    assert agreement.title == "Exploring Potential Fraud in the Help to Buy Scheme"
    assert any(p.organisation == "Homes England" for p in agreement.parties)
    assert register.can_undo  # one batch, which Edit → Undo takes back
    outcome = wizard.outcome()
    assert outcome is not None and outcome.result.agreements_created == 3
    press(qtbot, wizard, QWizard.WizardButton.FinishButton)
    assert not wizard.isVisible()


def test_nhs_register_grouped_by_reference(qtbot: QtBot, qtmodeltester: Any,
                                           empty_register: Register, runner: TaskRunner,
                                           real_registers: Path) -> None:  # fmt: skip
    wizard = open_wizard(qtbot, empty_register, runner, NHS)
    page = wizard.file_page
    chosen = page.sheet_view.currentIndex().row()
    assert page.sheets.sheet_at(chosen).name == "DataReleases"
    statuses = {page.sheets.sheet_at(r).name: page.sheets.index(r, 3).data()
                for r in range(page.sheets.rowCount())}  # fmt: skip
    assert statuses["README"] == "Skipped: notes or guidance sheet"
    assert statuses["NBO"].startswith("Skipped: no columns that match register fields")
    assert not page.sheets.flags(page.sheets.index(page.sheets.row_of("README"), 0))
    assert page.group.isChecked()  # the NHS profile groups release rows by NIC number

    press(qtbot, wizard, NEXT)
    to_problems(qtbot, wizard)
    assert "<b>5,776</b> rows read" in wizard.problems_page.counts.text()
    assert "<b>568</b> new agreements" in wizard.problems_page.counts.text()
    qtmodeltester.check(wizard.problems_page.rows)
    press(qtbot, wizard, NEXT)
    assert wizard.commit_page.fields["Data items"].text().startswith("3,320 to create")
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        press(qtbot, wizard, COMMIT)
    assert wizard.currentId() == RESULT_PAGE
    summaries = list_agreements(empty_register)
    assert len(summaries) == 568
    assert sum(s.item_count for s in summaries) == 3320


def test_reimporting_the_same_file_finds_nothing_to_do(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    first = open_wizard(qtbot, register, runner, DEA)
    press(qtbot, first, NEXT)
    to_problems(qtbot, first)
    commit(qtbot, first)
    before = state(register)

    again = open_wizard(qtbot, register, runner, DEA)
    press(qtbot, again, NEXT)
    to_problems(qtbot, again)
    assert "<b>3</b> unchanged" in again.problems_page.counts.text()
    press(qtbot, again, NEXT)
    assert "nothing to import" in again.commit_page.nothing.text()
    assert not again.button(COMMIT).isEnabled()
    press(qtbot, again, CANCEL)
    assert again.outcome() is None
    assert state(register) == before


def test_whole_register_export_skips_the_mapping(qtbot: QtBot, register: Register,
                                                 empty_register: Register, runner: TaskRunner,
                                                 tmp_path: Path) -> None:  # fmt: skip
    exported = tmp_path / "register.xlsx"
    export_register(register, exported)
    wizard = open_wizard(qtbot, empty_register, runner, exported)
    assert wizard.file_page.whole.isVisible() and wizard.file_page.whole.isChecked()
    assert not wizard.file_page.sheet_view.isEnabled()
    to_problems(qtbot, wizard)  # straight from the file to the problems: the layout is known
    commit(qtbot, wizard)
    assert ({a.reference for a in list_agreements(empty_register)}
            == {a.reference for a in list_agreements(register)})  # fmt: skip
    assert get_agreement(empty_register, "ISA-2026-001").items[0].source == (
        "Patient administration system"
    )


# ----------------------------------------------------------------------------- a messy workbook


def test_messy_workbook_mapping_corrected_problems_report_and_commit(
    qtbot: QtBot, qtmodeltester: Any, register: Register, runner: TaskRunner, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    path = messy_workbook(tmp_path / "Northshire register.xlsx")
    wizard = open_wizard(qtbot, register, runner, path)
    page = wizard.file_page
    sheets = {page.sheets.sheet_at(r).name: page.sheets.index(r, 3).data()
              for r in range(page.sheets.rowCount())}  # fmt: skip
    assert sheets == {
        "Read me": "Skipped: notes or guidance sheet",
        "Register": "Register data",
        "Lists": "Skipped: hidden sheet",
    }
    assert wizard.sheet == "Register"
    note = page.header_note.text()
    assert "Headings found on row 4" in note and "2 rows above the headings" in note
    assert "end-of-sheet marker" in note

    press(qtbot, wizard, NEXT)
    mapping = wizard.mapping_page
    assert mapping.combos["Our ref"].currentData() is None  # not a heading the register knows
    assert "No column fills Reference" in mapping.warning.text()
    reference_column = [mapping.preview.headerData(c, Qt.Orientation.Horizontal)
                        for c in range(mapping.preview.columnCount())]  # fmt: skip
    assert "Reference" not in reference_column

    mapping.set_target("Our ref", "agreement.reference")  # the person corrects the mapping
    assert mapping.warning.text() == ""
    labels = [mapping.preview.headerData(c, Qt.Orientation.Horizontal)
              for c in range(mapping.preview.columnCount())]  # fmt: skip
    assert labels[0] == "Reference"
    assert mapping.preview.index(0, 0).data() == "ISA-2026-001"
    status = labels.index("Status")
    bad = mapping.preview.index(2, status)
    assert bad.data(Qt.ItemDataRole.BackgroundRole).color() == SEVERITY_BACKGROUND[ERROR]
    assert "Sort of" in bad.data(Qt.ItemDataRole.ToolTipRole)
    review = mapping.preview.index(1, labels.index("Next review"))
    assert review.data(Qt.ItemDataRole.BackgroundRole).color() == SEVERITY_BACKGROUND[WARNING]
    start = mapping.preview.index(5, labels.index("Start date"))
    assert start.data() == "01/04/2024"  # UK dates
    qtmodeltester.check(mapping.preview)

    monkeypatch.setattr(
        Choosers, "profile_name", classmethod(lambda cls, parent, suggested: "Northshire register")
    )
    qtbot.mouseClick(mapping.save_profile, Qt.MouseButton.LeftButton)
    assert load_profile("Northshire register").columns["our ref"] == "agreement.reference"
    assert page.profile.currentData() == "Northshire register"
    assert "Saved" in mapping.saved_note.text()

    to_problems(qtbot, wizard)
    problems = wizard.problems_page
    model = problems.rows
    counts = problems.counts.text()
    assert "<b>6</b> rows read" in counts
    assert "<b>3</b> new agreements" in counts and "<b>1</b> update" in counts
    assert "<b>2</b> rows rejected" in counts
    assert problems.only_problems.isChecked()
    shown = {model.planned_row(r).row: model.index(r, 1).data() for r in range(model.rowCount())}
    # rows 5, 9 and 10 are live agreements lacking some of the seven specification fields
    assert shown == {
        5: "Imported, with warnings",
        6: "Imported, with warnings",
        7: "Rejected",
        8: "Rejected",
        9: "Imported, with warnings",
        10: "Imported, with warnings",
    }
    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    status_cell = model.index(list(shown).index(7), headings.index("Status"))
    assert status_cell.data() == "Sort of"
    assert status_cell.data(Qt.ItemDataRole.BackgroundRole).color() == SEVERITY_BACKGROUND[ERROR]
    assert not status_cell.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "not one of" in status_cell.data(Qt.ItemDataRole.ToolTipRole)
    reference_cell = model.index(list(shown).index(8), headings.index("Our ref"))
    assert "no reference" in reference_cell.data(Qt.ItemDataRole.ToolTipRole)
    qtmodeltester.check(model)

    qtbot.mouseClick(problems.only_problems, Qt.MouseButton.LeftButton)
    assert not model.only_problems and model.rowCount() == 6
    qtmodeltester.check(model)

    report = tmp_path / "report.xlsx"
    monkeypatch.setattr(Choosers, "report_file", classmethod(lambda cls, parent, s: report))
    with qtbot.waitSignal(wizard.report_saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(problems.report, Qt.MouseButton.LeftButton)
    assert saved.args == [str(report)]
    rejected = openpyxl.load_workbook(report)["Rejected rows"]
    assert [rejected.cell(r, 2).value for r in (2, 3)] == [7, 8]
    assert "Status" in str(rejected.cell(2, 4).value)

    commit(qtbot, wizard)
    references = {a.reference for a in list_agreements(register)}
    assert {"ISA-2026-101", "ISA-2026-103", "ISA-2026-104"} <= references
    assert not {"ISA-2026-102", "ISA-2026-999"} & references
    updated = get_agreement(register, "ISA-2026-001")
    assert updated.title == "Hospital discharge data (revised)"
    youth = get_agreement(register, "ISA-2026-101")
    assert {p.organisation for p in youth.parties} == {
        "Northshire Police",
        "Northshire Fire and Rescue Service",
    }
    assert youth.review_date is None  # 'TBC' read as empty
    falls = get_agreement(register, "ISA-2026-104")
    assert falls.start_date == dt.date(2024, 4, 1)
    assert falls.review_date == dt.date(2027, 3, 31)  # an Excel serial
    assert "2 rows were not imported" in wizard.result_page.note.text()


def test_going_back_and_changing_the_sheet_plans_again(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    wizard = open_wizard(qtbot, register, runner, NHS)
    press(qtbot, wizard, NEXT)
    to_problems(qtbot, wizard)
    assert "<b>5,776</b> rows read" in wizard.problems_page.counts.text()
    press(qtbot, wizard, BACK)
    press(qtbot, wizard, BACK)
    wizard.file_page.choose_sheet("AmendmentsToPreviousRegisters")
    assert wizard.sheet == "AmendmentsToPreviousRegisters"
    press(qtbot, wizard, NEXT)
    to_problems(qtbot, wizard)
    assert "<b>12</b> rows read" in wizard.problems_page.counts.text()


# ----------------------------------------------------------------------------- cancel


def test_cancel_while_importing_leaves_the_register_unchanged(
    qtbot: QtBot, register: Register, runner: TaskRunner, tmp_path: Path
) -> None:
    path = messy_workbook(tmp_path / "messy.xlsx")
    wizard = open_wizard(qtbot, register, runner, path)
    press(qtbot, wizard, NEXT)
    wizard.mapping_page.set_target("Our ref", "agreement.reference")
    to_problems(qtbot, wizard)
    press(qtbot, wizard, NEXT)
    before = state(register)

    gate = threading.Event()
    runner.run(gate.wait)  # the worker is busy, so the import waits its turn
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        press(qtbot, wizard, COMMIT)
        assert not wizard.button(BACK).isEnabled()
        press(qtbot, wizard, CANCEL)  # stops the import; does not close the wizard
        gate.set()
    assert wizard.isVisible() and wizard.currentId() == COMMIT_PAGE
    assert "cancelled; nothing was changed" in wizard.commit_page.error.text()
    assert state(register) == before
    assert wizard.outcome() is None and not register.can_undo

    commit_again = wizard.button(COMMIT)
    assert commit_again.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        qtbot.mouseClick(commit_again, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == RESULT_PAGE
    assert state(register) != before


def test_cancel_while_checking_then_check_again(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    wizard = open_wizard(qtbot, register, runner, DEA)
    press(qtbot, wizard, NEXT)
    gate = threading.Event()
    runner.run(gate.wait)
    with qtbot.waitSignal(wizard.rehearsed, timeout=WAIT_MS):
        press(qtbot, wizard, NEXT)
        assert not wizard.button(NEXT).isEnabled()
        press(qtbot, wizard, CANCEL)
        gate.set()
    problems = wizard.problems_page
    assert wizard.isVisible() and "Checking was stopped" in problems.error.text()
    assert not wizard.button(NEXT).isEnabled()
    with qtbot.waitSignal(wizard.rehearsed, timeout=WAIT_MS):
        qtbot.mouseClick(problems.again, Qt.MouseButton.LeftButton)
    assert problems.error.text() == "" and wizard.button(NEXT).isEnabled()


def test_rows_show_while_the_dry_run_works_out_what_will_change(
    qtbot: QtBot, register: Register, runner: TaskRunner, tmp_path: Path
) -> None:
    wizard = open_wizard(qtbot, register, runner, messy_workbook(tmp_path / "messy.xlsx"))
    press(qtbot, wizard, NEXT)
    wizard.mapping_page.set_target("Our ref", "agreement.reference")
    gate = threading.Event()

    def hold_the_worker(busy: bool) -> None:  # once the plan is in, before the dry run starts
        if not busy:
            wizard.busy_changed.disconnect(hold_the_worker)
            runner.run(gate.wait)

    wizard.busy_changed.connect(hold_the_worker)
    press(qtbot, wizard, NEXT)
    problems = wizard.problems_page
    qtbot.waitUntil(lambda: problems.rows.rowCount() > 0, timeout=WAIT_MS)
    assert "<b>1</b> already in the register" in problems.counts.text()
    assert not wizard.button(NEXT).isEnabled()
    with qtbot.waitSignal(wizard.rehearsed, timeout=WAIT_MS):
        gate.set()
    assert "<b>1</b> update" in problems.counts.text()
    assert wizard.button(NEXT).isEnabled()


def test_ask_returns_what_was_imported_or_none(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    before = state(register)

    def cancel_at_once(wizard: ImportWizard) -> int:
        qtbot.waitUntil(lambda: wizard.source is not None, timeout=WAIT_MS)
        wizard.show()
        press(qtbot, wizard, CANCEL)
        return int(wizard.result())

    monkeypatch.setattr(ImportWizard, "exec", cancel_at_once)
    assert ask(None, register, DEA, runner=runner) is None
    assert state(register) == before

    def import_all(wizard: ImportWizard) -> int:
        qtbot.waitUntil(lambda: wizard.source is not None, timeout=WAIT_MS)
        wizard.show()
        press(qtbot, wizard, NEXT)
        to_problems(qtbot, wizard)
        commit(qtbot, wizard)
        press(qtbot, wizard, QWizard.WizardButton.FinishButton)
        return int(wizard.result())

    monkeypatch.setattr(ImportWizard, "exec", import_all)
    outcome = ask(None, register, DEA, runner=runner)
    assert isinstance(outcome, ImportOutcome)
    assert outcome.path == DEA and outcome.result.agreements_created == 3
    assert "Imported 2019-02-07_update_isa-main.tsv: 3 agreements created" in outcome.message


def test_file_import_spreadsheet_in_the_main_window(
    qtbot: QtBot, register_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    real_registers: Path,
) -> None:  # fmt: skip
    window = open_window(qtbot, register_folder, tmp_path, monkeypatch)
    seen: list[ImportWizard] = []

    def person(wizard: ImportWizard) -> int:
        seen.append(wizard)
        wizard.show()
        with qtbot.waitSignal(wizard.source_read, timeout=WAIT_MS):
            wizard.read_file(DEA)
        press(qtbot, wizard, NEXT)
        to_problems(qtbot, wizard)
        commit(qtbot, wizard)
        press(qtbot, wizard, QWizard.WizardButton.FinishButton)
        return int(wizard.result())

    monkeypatch.setattr(ImportWizard, "exec", person)
    window.import_action.trigger()
    assert seen and seen[0].runner is window.runner  # register work stays on one thread
    window.runner.wait_idle()
    assert window.register is not None
    assert get_agreement(window.register, "2").title.startswith("Exploring Potential Fraud")
    assert window.register.can_undo
    assert "3 agreements created" in window.statusBar().currentMessage()


# ----------------------------------------------------------------------------- bad files


@pytest.mark.parametrize("kind", ["rsf", "truncated_xlsx", "binary_csv", "empty_xlsx", "missing"])
def test_bad_file_shows_a_clear_message_and_changes_nothing(
    qtbot: QtBot, register: Register, runner: TaskRunner, tmp_path: Path, real_registers: Path,
    kind: str,
) -> None:  # fmt: skip
    if kind == "rsf":
        bad = real_registers / "information-sharing-agreement-0001.rsf"
    elif kind == "truncated_xlsx":
        bad = tmp_path / "cut.xlsx"
        bad.write_bytes(NHS.read_bytes()[:40_000])
    elif kind == "binary_csv":
        bad = tmp_path / "bin.csv"
        bad.write_bytes(bytes(range(256)) * 4)
    elif kind == "empty_xlsx":
        bad = tmp_path / "empty.xlsx"
        bad.write_bytes(b"")
    else:
        bad = tmp_path / "nothing.xlsx"
    before = state(register)
    wizard = open_wizard(qtbot, register, runner, bad)
    page = wizard.file_page
    message = page.error.text()
    assert page.error.isVisible()
    assert re.search(r"not a spreadsheet|damaged|does not exist", message), message
    assert "Traceback" not in message and bad.name in message
    assert page.sheets.rowCount() == 0
    assert not wizard.button(NEXT).isEnabled()
    assert state(register) == before

    good = tmp_path / "good.xlsx"
    shutil.copy(HDR, good)
    with qtbot.waitSignal(wizard.source_read, timeout=WAIT_MS):
        wizard.read_file(good)  # the person picks another file: the message goes
    assert not page.error.isVisible() and wizard.button(NEXT).isEnabled()


def test_browse_reads_the_chosen_file(qtbot: QtBot, register: Register, runner: TaskRunner,
                                      real_registers: Path, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:  # fmt: skip
    wizard = ImportWizard(None, register, runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    assert not wizard.button(NEXT).isEnabled()
    monkeypatch.setattr(Choosers, "open_file", classmethod(lambda cls, parent, start: HDR))
    with qtbot.waitSignal(wizard.source_read, timeout=WAIT_MS):
        qtbot.mouseClick(wizard.file_page.browse, Qt.MouseButton.LeftButton)
    assert wizard.file_page.path_edit.text() == str(HDR)
    assert wizard.sheet == "Data Uses Template"
    lookups = wizard.file_page.sheets.row_of("Lookups")
    assert wizard.file_page.sheets.index(lookups, 3).data() == "Skipped: hidden sheet"


def test_a_broken_profile_of_ones_own_is_named_and_skipped(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    folder = user_profile_dir()
    folder.mkdir(parents=True)
    broken = folder / "broken.json"
    broken.write_text("{ not json", encoding="utf-8")
    (folder / "not-utf8.json").write_bytes(b"\xff\xfe{")
    (folder / "unknown-field.json").write_text(
        '{"name": "Odd", "columns": {"Ref": "agreement.no_such_field"}}', encoding="utf-8"
    )
    before = state(register)
    wizard = open_wizard(qtbot, register, runner, DEA)
    page = wizard.file_page
    skipped = page.profiles_skipped.text()
    assert page.profiles_skipped.isVisibleTo(wizard)
    for name in ("broken.json", "not-utf8.json", "unknown-field.json"):
        assert name in skipped
    assert "cannot be read" in skipped and "skipped" in skipped
    assert not page.error.isVisibleTo(wizard)
    # the other profiles are offered and the file is mapped by the one that fits it
    assert page.profile.findData("GOV.UK Digital Economy Act information sharing agreements") > 0
    assert "GOV.UK Digital Economy Act" in page.profile_note.text()
    assert wizard.button(NEXT).isEnabled()
    assert state(register) == before
    for path in folder.glob("*.json"):
        path.unlink()  # the person removes them and reads the file again
    with qtbot.waitSignal(wizard.source_read, timeout=WAIT_MS):
        wizard.read_file(DEA)
    assert not page.profiles_skipped.isVisibleTo(wizard)
    assert wizard.button(NEXT).isEnabled()


# ----------------------------------------------------------------------------- accessibility


def _inside_a_composite(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QAbstractItemView, QComboBox)):
            return True
        parent = parent.parentWidget()
    return False


def _mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def test_every_control_has_a_name_and_every_page_distinct_mnemonics(
    qtbot: QtBot, register: Register, runner: TaskRunner, real_registers: Path
) -> None:
    wizard = open_wizard(qtbot, register, runner, DEA)
    press(qtbot, wizard, NEXT)
    to_problems(qtbot, wizard)
    press(qtbot, wizard, NEXT)
    buttons_of = {
        FILE_PAGE: (BACK, NEXT),
        MAPPING_PAGE: (BACK, NEXT),
        PROBLEMS_PAGE: (BACK, NEXT),
        COMMIT_PAGE: (BACK,),
        RESULT_PAGE: (QWizard.WizardButton.FinishButton,),
    }
    for number, buttons in buttons_of.items():
        page = wizard.page(number)
        controls = [
            w
            for w in page.findChildren(QWidget)
            if isinstance(w, (QAbstractButton, QComboBox, QLineEdit, QAbstractItemView))
            and not isinstance(w, QHeaderView)
            and not _inside_a_composite(w)
        ]
        for control in controls:
            assert control.accessibleName(), f"page {number}: {control!r} has no name"
        keys = [_mnemonic(b.text()) for b in controls if isinstance(b, QAbstractButton)]
        grid = wizard.mapping_page.grid_host
        keys += [
            _mnemonic(label.text())
            for label in page.findChildren(QLabel)
            if label.buddy() is not None and not grid.isAncestorOf(label)
        ]
        assert None not in keys, f"page {number}: a control without a mnemonic"
        keys += [_mnemonic(wizard.buttonText(b)) for b in buttons]
        if number == COMMIT_PAGE:
            keys.append(_mnemonic(page.buttonText(COMMIT)))
        assert len(keys) == len(set(keys)), f"page {number}: mnemonics {keys} repeat"


def test_screenshot_pages_walks_every_page(qtbot: QtBot, register: Register, runner: TaskRunner,
                                           tmp_path: Path) -> None:  # fmt: skip
    path = messy_workbook(tmp_path / "messy.xlsx")
    seen: list[tuple[str, int]] = []

    def shoot(name: str, widget: QWidget) -> None:
        assert isinstance(widget, ImportWizard)
        seen.append((name, widget.currentId()))

    import_wizard.screenshot_pages(
        register, path, shoot, runner=runner, corrections={"Our ref": "agreement.reference"}
    )
    assert seen == [
        ("import-1-file", FILE_PAGE),
        ("import-2-mapping", MAPPING_PAGE),
        ("import-3-problems", PROBLEMS_PAGE),
        ("import-4-commit", COMMIT_PAGE),
        ("import-5-result", RESULT_PAGE),
    ]
