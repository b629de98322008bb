"""Starting out: the recent registers listed, and the folder a new register is offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import paths
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.dialogs.first_run import MISSING_TIP, OPEN_RECENT, FirstRunDialog
from ui.dialogs.new_register import NewRegisterDialog


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own, holding the user data folder registers go in."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(paths, "data_dir", lambda: tmp_path / "Registers")
    return tmp_path


def test_recent_registers_show_their_name_and_where_they_are(qtbot: QtBot, home: Path) -> None:
    there = home / "Registers" / "Northshire"
    there.mkdir(parents=True)
    gone = home / "Old laptop copy"
    dialog = FirstRunDialog(None, [there, gone])
    qtbot.addWidget(dialog)

    shown, missing = dialog.recent.item(0), dialog.recent.item(1)
    assert shown.text() == "Northshire\n~/Registers"
    assert shown.toolTip() == "~/Registers/Northshire"
    assert missing.text() == "Old laptop copy (not found)\n~"
    assert missing.toolTip() == MISSING_TIP
    assert not missing.flags() & Qt.ItemFlag.ItemIsEnabled

    dialog.recent.itemActivated.emit(missing)  # nothing to open: the dialog stays
    assert dialog.choice is None
    dialog.recent.itemActivated.emit(shown)
    assert dialog.choice is not None
    assert (dialog.choice.action, dialog.choice.path) == (OPEN_RECENT, there)


def test_a_new_register_folder_follows_its_name_until_one_is_chosen(
    qtbot: QtBot, home: Path
) -> None:
    with Register.create(home / "Registers" / "Northshire ISR", PASSPHRASE, kdf=FAST_KDF):
        pass
    dialog = NewRegisterDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.folder.text() == "~/Registers/register"

    qtbot.keyClicks(dialog.name, "Northshire ISR")
    assert dialog.folder.text() == "~/Registers/Northshire ISR 2"  # the first is taken

    dialog.folder.selectAll()
    qtbot.keyClicks(dialog.folder, "~/Elsewhere/Board")
    qtbot.keyClicks(dialog.name, " (Board)")
    assert dialog.folder.text() == "~/Elsewhere/Board"  # the person's choice stays
    dialog.passphrase.setText("correct horse battery")
    dialog.repeat.setText("correct horse battery")
    answer = dialog.answer()
    assert (answer.folder, answer.name) == (home / "Elsewhere" / "Board", "Northshire ISR (Board)")


def test_a_folder_that_holds_files_is_refused_before_anything_is_made(
    qtbot: QtBot, home: Path
) -> None:
    documents = home / "Documents"
    documents.mkdir()
    (documents / "minutes.docx").write_bytes(b"not ours")
    dialog = NewRegisterDialog(None)
    qtbot.addWidget(dialog)
    dialog.folder.setText("~/Documents")
    dialog.passphrase.setText("correct horse battery")
    dialog.repeat.setText("correct horse battery")
    dialog._check_and_accept()
    assert dialog.error.text() == (
        "~/Documents already holds files. Choose a new or empty folder for the register."
    )
    assert dialog.result() != dialog.DialogCode.Accepted
    assert sorted(p.name for p in documents.iterdir()) == ["minutes.docx"]
