"""Folders typed into the desktop's dialogs: one reading of the text, refusals said in words.

Also: where the screenshots put their demo register (never in the person's own data folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from platformdirs.windows import Windows
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from app import paths
from app.errors import FolderError
from app.paths import APP_AUTHOR, APP_NAME, SHARED_EXAMPLE, data_dir, display_path
from tests.fast_keys import PASSPHRASE
from tests.register_helpers import files_in, unreadable
from ui.dialogs.join import JoinDialog
from ui.dialogs.new_register import NewRegisterDialog
from ui.dialogs.share import ShareDialog
from ui.screenshots import home_in, inside
from ui.widgets.path_edit import PathEdit
from ui.workers import TaskRunner

# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

NOBODY = "~nosuchuser/reg"
NOBODY_SAID = "Write the folder's whole path; '~nosuchuser' is not a user on this computer."
needs_users = pytest.mark.skipif(os.name == "nt", reason="Windows guesses ~name from the home")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own, holding the user data folder registers go in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "Registers")
    return tmp_path


def a_file(home: Path) -> Path:
    book = home / "out.xlsx"
    book.write_bytes(b"a workbook")
    return book


def file_said(path: Path) -> str:
    return f"{display_path(path)} is a file, not a folder. Choose or type a folder."


def pick_folder(monkeypatch: pytest.MonkeyPatch, answer: str) -> list[str]:
    """The folder picker answers `answer`; returns the folders it was asked to start in."""
    starts: list[str] = []

    def ask(_parent: object, _title: str, start: str = "", *_a: object) -> str:
        starts.append(start)
        return answer

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(ask))
    return starts


def test_a_path_edit_reads_its_text_one_way(qtbot: QtBot, home: Path) -> None:
    edit = PathEdit("  ~/Registers/Board ")
    qtbot.addWidget(edit)
    assert edit.path() == home / "Registers" / "Board"
    assert edit.start_folder() == str(home / "Registers" / "Board")
    edit.setText("")
    with pytest.raises(FolderError):
        edit.path()
    assert edit.start_folder() == ""


# ---------------------------------------------------------------------------- a new register


def new_register(qtbot: QtBot, folder: str) -> NewRegisterDialog:
    dialog = NewRegisterDialog(None)
    qtbot.addWidget(dialog)
    dialog.folder.setText(folder)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE)
    return dialog


def create(dialog: NewRegisterDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@needs_users
def test_a_new_register_in_the_home_of_nobody_is_refused_in_words(qtbot: QtBot, home: Path) -> None:
    dialog = new_register(qtbot, NOBODY)
    create(dialog)
    assert dialog.error.text() == NOBODY_SAID
    assert dialog.result() != dialog.DialogCode.Accepted


def test_a_new_register_on_a_network_drive_is_refused_before_it_is_made(
    qtbot: QtBot, home: Path
) -> None:
    """Said in the dialog, from the path alone: nothing on the share is read or made."""
    dialog = new_register(qtbot, "//server/share/Board")
    create(dialog)
    assert "is a network (UNC) path" in dialog.error.text()
    assert "File › Share" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted


def test_a_new_register_is_not_made_in_a_file(qtbot: QtBot, home: Path) -> None:
    book = a_file(home)
    dialog = new_register(qtbot, "~/out.xlsx")
    create(dialog)
    assert dialog.error.text() == file_said(book)
    assert dialog.result() != dialog.DialogCode.Accepted
    assert book.read_bytes() == b"a workbook"


def test_an_unreadable_folder_is_refused_and_passed_over_when_offering_one(
    qtbot: QtBot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = home / "Registers" / "Board"
    theirs.mkdir(parents=True)
    unreadable(monkeypatch, theirs)
    dialog = new_register(qtbot, "")
    qtbot.keyClicks(dialog.name, "Board")  # every keystroke looks for a free folder
    assert dialog.folder.text() == "~/Registers/Board 2"
    dialog.folder.setText("~/Registers/Board")
    create(dialog)
    assert dialog.error.text() == (
        "Cannot open ~/Registers/Board: permission denied. "
        "Choose a folder you can open, or a new one."
    )


def test_browsing_for_a_new_register_starts_where_the_typed_folder_is(
    qtbot: QtBot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = pick_folder(monkeypatch, str(home / "Chosen"))
    dialog = new_register(qtbot, "~/Elsewhere")
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…").click()
    assert starts == [str(home / "Elsewhere")]
    assert dialog.folder.text() == "~/Chosen"


# ---------------------------------------------------------------------------- joining


def join_dialog(qtbot: QtBot, runner: TaskRunner, share: str, folder: str) -> JoinDialog:
    dialog = JoinDialog(None, runner, share, "Sam Patel, laptop")
    qtbot.addWidget(dialog)
    dialog.folder.setText(folder)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.repeat.setText(PASSPHRASE)
    return dialog


@needs_users
def test_joining_from_or_into_the_home_of_nobody_is_refused_in_words(
    qtbot: QtBot, runner: TaskRunner, home: Path
) -> None:
    for share, folder in ((NOBODY, "~/copy"), (str(home), NOBODY)):
        dialog = join_dialog(qtbot, runner, share, folder)
        dialog.join_button.click()
        assert dialog.error.text() == NOBODY_SAID and dialog.error.isVisibleTo(dialog)
        assert not dialog.busy and dialog.pages.currentIndex() == 0
    assert not (home / "copy").exists()


def test_joining_refuses_a_file_for_this_devices_copy(
    qtbot: QtBot, runner: TaskRunner, home: Path
) -> None:
    book = a_file(home)
    dialog = join_dialog(qtbot, runner, str(home), "~/out.xlsx")
    dialog.join_button.click()
    assert dialog.error.text() == file_said(book)
    assert not dialog.busy
    assert book.read_bytes() == b"a workbook"


def test_joining_into_a_folder_that_holds_files_is_refused_before_anything_is_written(
    qtbot: QtBot, runner: TaskRunner, home: Path
) -> None:
    documents = home / "Documents"
    documents.mkdir()
    (documents / "minutes.docx").write_bytes(b"not ours")
    dialog = join_dialog(qtbot, runner, str(home), "~/Documents")
    dialog.join_button.click()
    assert dialog.error.text() == (
        "~/Documents already holds files. Choose a new or empty folder for the register."
    )
    assert not dialog.busy
    assert [p.name for p in documents.iterdir()] == ["minutes.docx"]


# ---------------------------------------------------------------------------- sharing


@needs_users
def test_sharing_in_the_home_of_nobody_is_refused_in_words(qtbot: QtBot, home: Path) -> None:
    dialog = ShareDialog(None, NOBODY, "Priya Shah, laptop")
    qtbot.addWidget(dialog)
    dialog.share_button.click()
    assert dialog.error.text() == NOBODY_SAID and dialog.error.isVisibleTo(dialog)
    assert dialog.result() != dialog.DialogCode.Accepted


def test_a_refusal_quoting_a_long_path_wraps_in_the_share_dialog(qtbot: QtBot) -> None:
    typed = "Partnership drive/Information Governance/Shared registers/Northshire Board"
    dialog = ShareDialog(None, typed, "Priya Shah, laptop")
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    width = dialog.width()
    dialog.share_button.click()
    assert dialog.error.text().startswith(
        f"Write the folder's whole path, such as {SHARED_EXAMPLE}, not "
    )  # a folder on the network drive, as a shared folder is
    assert typed in dialog.error.text()
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert dialog.width() == width  # the message wraps; the dialog does not grow


def test_sharing_answers_the_whole_path_and_browses_from_it(
    qtbot: QtBot, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = pick_folder(monkeypatch, "")  # the person cancels the picker
    dialog = ShareDialog(None, "~/Shares/Board", "Priya Shah, laptop")
    qtbot.addWidget(dialog)
    next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Browse…").click()
    assert starts == [str(home / "Shares" / "Board")]
    assert dialog.folder.text() == "~/Shares/Board"
    dialog.share_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.answer().folder == home / "Shares" / "Board"


# ---------------------------------------------------------------------------- command line


def isr_init(folder: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "ISR_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", "init", str(folder)],
        capture_output=True, text=True, env=environ, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def test_the_command_line_refuses_a_used_folder_or_a_file_and_makes_nothing(
    tmp_path: Path,
) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    (tmp_path / "out.xlsx").write_bytes(b"a workbook")
    for folder, said in (
        (full, "already holds files. Choose a new or empty folder for the register."),
        (tmp_path / "out.xlsx", "is a file, not a folder. Choose or type a folder."),
    ):
        done = isr_init(folder)
        assert done.returncode == 1, done.stderr
        assert said in done.stderr and "Traceback" not in done.stderr
    assert files_in(tmp_path) == ["full", "full/notes.txt", "out.xlsx"]
    assert (tmp_path / "out.xlsx").read_bytes() == b"a workbook"
    done = isr_init(tmp_path / "fresh")
    assert done.returncode == 0, done.stderr
    assert {"register.db", "register.key"} <= set(files_in(tmp_path / "fresh"))


# ---------------------------------------------------------------------------- screenshots


def test_the_screenshots_home_holds_the_data_folder_on_every_system(tmp_path: Path) -> None:
    before = dict(os.environ)
    with home_in(tmp_path):
        assert Path.home() == tmp_path
        inside(data_dir(), tmp_path)
    with home_in(Path("C:/Users/demo")):  # the local app data folder, as platformdirs reads it
        windows = Path(Windows(APP_NAME, APP_AUTHOR).user_data_dir)
    assert windows == Path("C:/Users/demo/AppData/Local") / APP_AUTHOR / APP_NAME
    assert dict(os.environ) == before


def test_the_screenshots_write_nothing_outside_their_home(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="nothing was written"):
        inside(tmp_path.parent / "elsewhere", tmp_path)
