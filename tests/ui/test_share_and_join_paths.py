"""Long folder paths in the share and join dialogs show from their start, where the drive is."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from ui.dialogs.join import JoinDialog
from ui.dialogs.share import ShareDialog
from ui.workers import TaskRunner

# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

LONG = ("/mnt/partnership-network-drive/Information Governance/Shared registers/"
        "Northshire Information Sharing Board/register")  # fmt: skip
LONG_NAME = "Priya Shah, Information Governance Manager, Northshire County Council laptop"


def shows_start(edit: QLineEdit) -> bool:
    """The text is scrolled to its start: its cursor at 0, drawn at the field's left edge."""
    return edit.cursorPosition() == 0 and edit.cursorRect().left() < 12


def choose_folder(monkeypatch: pytest.MonkeyPatch, folder: str) -> None:
    """The folder picker answers `folder` at once, as if a person had chosen it."""
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: folder))  # fmt: skip


def browse_button(dialog: QWidget, name: str) -> QPushButton:
    return next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == name)


def test_share_dialog_shows_the_start_of_a_long_folder_and_name(qtbot: QtBot) -> None:
    dialog = ShareDialog(None, LONG, LONG_NAME)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert dialog.folder.width() < dialog.folder.fontMetrics().horizontalAdvance(LONG)
    assert shows_start(dialog.folder) and shows_start(dialog.name)
    assert dialog.folder.toolTip() == LONG  # the whole path, on hovering


def test_share_dialog_shows_the_start_of_a_folder_chosen_by_browsing(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = ShareDialog(None)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    choose_folder(monkeypatch, LONG)
    browse_button(dialog, "Choose the shared folder").click()
    assert dialog.folder.text() == LONG
    assert shows_start(dialog.folder)


def test_join_dialog_shows_the_start_of_every_path_it_fills_in(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = JoinDialog(None, runner, LONG, LONG_NAME)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    for edit in (dialog.share, dialog.folder, dialog.name):
        assert shows_start(edit), edit.accessibleName()

    # typing the shared folder fills in this device's folder after it: shown from its start
    dialog.share.clear()
    dialog.share.setFocus()
    qtbot.keyClicks(dialog.share, LONG + " copy with a long name")
    assert dialog.folder.text().endswith("register copy with a long name")
    assert shows_start(dialog.folder)
    assert dialog.share.cursorPosition() == len(dialog.share.text())  # typing is left alone

    choose_folder(monkeypatch, str(Path(LONG) / "elsewhere"))
    for edit, button in ((dialog.share, "Choose the shared folder"),
                         (dialog.folder, "Choose the folder for this copy")):  # fmt: skip
        edit.setCursorPosition(len(edit.text()))
        browse_button(dialog, button).click()
        assert edit.text().endswith("elsewhere") and shows_start(edit), button
