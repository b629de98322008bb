"""File > Export register to Excel: the whole register to a workbook, off the GUI thread."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook

from app.paths import display_path
from tests.desktop_fixtures import Shown
from tests.ui.conftest import open_window
from ui.main_window import MainWindow
from ui.widgets.save_file import ask_workbook_path

# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def type_file_name(dialog: QFileDialog, text: str) -> None:
    """Type `text` as the file name in Qt's own (offscreen, not the system's) file dialog."""
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    assert edit is not None, "not Qt's own file dialog"
    edit.setText(text)


def answer_the_question(reply: QMessageBox.StandardButton, asked: list[str]) -> None:
    """Once Qt's own "Do you want to replace it?" box shows, note its question and press `reply`.

    The box is shown from inside the file dialog's Save (a static QMessageBox.warning), so it
    is answered from the event loop it runs.
    """

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            button = box.button(reply)
            assert button is not None
            button.click()

    QTimer.singleShot(0, answer)


class SaveAs:
    """The "Save as" dialog, answered by typing `answer` and pressing Save; notes its offers."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Path | None) -> None:
        self.answer = answer
        self.offered: list[str] = []
        self.asked: list[str] = []  # Qt's "replace it?" questions, each answered No
        monkeypatch.setattr(QFileDialog, "exec", lambda dialog: self._exec(dialog))

    def _exec(self, dialog: QFileDialog) -> int:
        self.offered.append(dialog.selectedFiles()[0])
        if self.answer is None:
            dialog.reject()
        else:
            type_file_name(dialog, str(self.answer))
            answer_the_question(QMessageBox.StandardButton.No, self.asked)
            dialog.accept()
        return int(dialog.result())


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
    assert save_as.asked == []
    assert window.export_spreadsheet() is None  # the same name again: not replaced unasked
    assert save_as.asked == ["register.xlsx already exists.\nDo you want to replace it?"]
    assert Path(save_as.offered[1]).parent == tmp_path / "Board pack"  # where the last one went


def test_a_folder_that_is_not_there_is_reported_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    shown: Shown,
) -> None:  # fmt: skip
    SaveAs(monkeypatch, tmp_path / "gone" / "register.xlsx")
    task = window.export_spreadsheet()
    assert task is not None
    with qtbot.waitSignal(task.ended, timeout=20_000):
        pass
    assert shown.errors == [
        f"{display_path(tmp_path / 'gone')} does not exist: choose a folder for the workbook. "
        "Nothing was written."
    ]  # said before the workbook is built
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


@pytest.mark.parametrize(
    ("reply", "kept"),
    [(QMessageBox.StandardButton.No, True), (QMessageBox.StandardButton.Yes, False)],
)
def test_a_name_typed_without_xlsx_asks_before_an_existing_workbook_is_replaced(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    reply: QMessageBox.StandardButton, kept: bool,
) -> None:  # fmt: skip
    existing = tmp_path / "register.xlsx"
    existing.write_bytes(b"last month's workbook")
    asked: list[str] = []

    def exec_(dialog: QFileDialog) -> int:
        type_file_name(dialog, "register")  # no .xlsx typed
        answer_the_question(reply, asked)
        dialog.accept()  # Save: the dialog adds .xlsx, then asks about register.xlsx
        return int(dialog.result())  # after No it stays open: here the person then cancels

    monkeypatch.setattr(QFileDialog, "exec", exec_)
    parent = QWidget()
    qtbot.addWidget(parent)
    chosen = ask_workbook_path(parent, "Export the register to Excel", tmp_path / "Board.xlsx")
    assert asked == ["register.xlsx already exists.\nDo you want to replace it?"]
    assert chosen == (None if kept else existing)
    assert existing.read_bytes() == b"last month's workbook"  # the dialog only asks
