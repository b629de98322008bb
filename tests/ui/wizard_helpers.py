"""Driving the import wizard as a person would: the files it reads and the buttons it presses.

Shared by the wizard's tests and its column tests.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.agreements import agreement_details, agreement_json
from app.register import Register
from tests.register_helpers import operation_count
from ui.dialogs.import_wizard import COMMIT_PAGE, PROBLEMS_PAGE, RESULT_PAGE, ImportWizard
from ui.workers import TaskRunner

REGISTERS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "registers"
NHS = REGISTERS / "ReleaseRegister-sep-nov-2017.xlsx"
HDR = REGISTERS / "DataUseUploadTemplate_v2.xlsx"
DEA = REGISTERS / "2019-02-07_update_isa-main.tsv"
WAIT_MS = 60_000
NEXT = QWizard.WizardButton.NextButton
COMMIT = QWizard.WizardButton.CommitButton
CANCEL = QWizard.WizardButton.CancelButton
BACK = QWizard.WizardButton.BackButton

HEADINGS = ["Our ref", "Agreement title", "Status", "Partner organisations", "Start date",
            "Review date", "Frequency", "Data shared", "Comments"]  # fmt: skip


def messy_workbook(path: Path) -> Path:
    """A council register as officers keep them: title rows, notes and hidden sheets, odd cells."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["How to keep this register"])
    notes.append(["One row per agreement; partners separated by semicolons."])
    sheet = book.create_sheet("Register")
    sheet.append(["Northshire Information Sharing Register"])
    sheet.append(["Last updated 01/04/2026 by the IG team"])
    sheet.append([])
    sheet.append(HEADINGS)
    rows: list[list[Any]] = [
        ["ISA-2026-001", "Hospital discharge data (revised)", "Live",
         "Northshire County Council; Northshire Hospitals NHS Trust", "1 April 2020",
         "31/03/2027", "Monthly", "Discharges", "Reviewed by the Board"],
        ["ISA-2026-101", "Youth offending cohort", "Draft",
         "Northshire Police & Northshire Fire and Rescue Service", "01.04.24", "TBC",
         "Quarterly", "Cohort list", ""],
        ["ISA-2026-102", "Troubled families outcomes", "Sort of", "Northshire County Council",
         "", "", "", "", ""],
        ["", "A row with no reference", "Live", "", "", "", "", "", ""],
        ["ISA-2026-103", "School nursing", "Active", "Northshire Hospitals NHS Trust",
         "31/02/2026", "", "Annually", "Immunisations", ""],
        ["ISA-2026-104", "Falls service evaluation", "Live", "Northshire Hospitals NHS Trust",
         dt.datetime(2024, 4, 1), 46477, "Monthly", "Falls admissions", ""],
        ["*****End of sheet*****"],
        ["ISA-2026-999", "Below the end marker", "Live", "", "", "", "", "", ""],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    lookups = book.create_sheet("Lists")
    lookups.append(["Status", "Category"])
    lookups.append(["Live", "Personal"])
    lookups.sheet_state = "hidden"
    book.save(path)
    return path


def open_wizard(qtbot: QtBot, register: Register, runner: TaskRunner, path: Path
                ) -> ImportWizard:  # fmt: skip
    wizard = ImportWizard(None, register, runner=runner)
    qtbot.addWidget(wizard)
    wizard.show()
    with qtbot.waitSignal(wizard.source_read, timeout=WAIT_MS):
        wizard.file_page.path_edit.setText(str(path))
        qtbot.keyClick(wizard.file_page.path_edit, Qt.Key.Key_Return)
    return wizard


def press(qtbot: QtBot, wizard: ImportWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isEnabled() and button.isVisible(), f"{button.text()} is not available"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def to_problems(qtbot: QtBot, wizard: ImportWizard) -> None:
    with qtbot.waitSignal(wizard.rehearsed, timeout=WAIT_MS):
        press(qtbot, wizard, NEXT)
    assert wizard.currentId() == PROBLEMS_PAGE
    assert wizard.problems_page.error.text() == ""


def commit(qtbot: QtBot, wizard: ImportWizard) -> None:
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == COMMIT_PAGE
    with qtbot.waitSignal(wizard.imported, timeout=WAIT_MS):
        press(qtbot, wizard, COMMIT)
    assert wizard.currentId() == RESULT_PAGE, wizard.commit_page.error.text()


def state(register: Register) -> tuple[list[dict[str, Any]], int]:
    """Everything about the agreements, and the length of the operation log."""
    return [agreement_json(a) for a in agreement_details(register)], operation_count(register)
