"""File > Export register to Excel: the whole register to a workbook, off the GUI thread."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook

from app.paths import display_path
from tests.desktop_fixtures import Shown
from tests.ui.conftest import open_window
from ui.main_window import MainWindow

# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


class SaveAs:
    """The "Save as" dialog, answered with `answer`; remembers what it offered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Path | None) -> None:
        self.answer = answer
        self.offered: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._ask)

    def _ask(self, parent: object, title: str, suggested: str, filters: str) -> tuple[str, str]:
        self.offered.append(suggested)
        return (str(self.answer) if self.answer else "", filters)


@pytest.fixture()
def window(qtbot: QtBot, register_folder: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # fmt: skip
    return open_window(qtbot, register_folder, tmp_path, monkeypatch)


def _references(path: Path) -> list[str]:
    """The references in the Agreements sheet of the workbook at `path`."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Agreements")
    return sorted(str(row[0]) for row in sheet.to_python()[1:])


def test_the_register_is_exported_where_the_person_chose(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_as = SaveAs(monkeypatch, tmp_path / "Board pack" / "register")  # typed without .xlsx
    (tmp_path / "Board pack").mkdir()
    task = window.export_spreadsheet()
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=20_000):
        pass
    written = tmp_path / "Board pack" / "register.xlsx"
    assert _references(written) == [
        "ISA-2025-010", "ISA-2026-001", "ISA-2026-002", "ISA-2026-003", "ISA-2026-004",
    ]  # fmt: skip
    message = window.statusBar().currentMessage()
    assert message.startswith("Exported 5 agreements, ")
    assert message.endswith(f"{display_path(written)}.")
    assert not re.search(r"(?<![\d,])0 ", message)  # kinds the register has none of: left out

    assert Path(save_as.offered[0]).name == f"Northshire {dt.date.today().isoformat()}.xlsx"
    window.export_spreadsheet()  # the next export is offered where the last one went
    assert Path(save_as.offered[1]).parent == tmp_path / "Board pack"


def test_a_folder_that_is_not_there_is_reported_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    shown: Shown,
) -> None:  # fmt: skip
    SaveAs(monkeypatch, tmp_path / "gone" / "register.xlsx")
    task = window.export_spreadsheet()
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=20_000):
        pass
    assert len(shown.errors) == 1 and "Cannot write" in shown.errors[0]
    assert not (tmp_path / "gone").exists()


def test_a_cancelled_export_leaves_no_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SaveAs(monkeypatch, tmp_path / "register.xlsx")
    release = threading.Event()
    window.runner.run(lambda: release.wait(20))  # the worker is busy: the export waits its turn
    task = window.export_spreadsheet()
    assert task is not None
    task.cancel()  # as the progress dialog's Cancel does
    with qtbot.waitSignal(task.ended, timeout=20_000):
        release.set()
    assert not (tmp_path / "register.xlsx").exists()
    assert list(tmp_path.glob("*.xlsx*")) == []
    assert window.statusBar().currentMessage() == "The export was cancelled; no file was written."


def test_nothing_is_asked_when_the_person_does_not_choose_a_file(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    SaveAs(monkeypatch, None)
    assert window.export_spreadsheet() is None
