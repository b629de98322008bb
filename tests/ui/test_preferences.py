"""Preferences: how often a shared register syncs, and the shared folder shown from its start."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QGroupBox, QLabel
from pytestqt.qtbot import QtBot

from ui.dialogs.preferences import PreferencesDialog
from ui.settings import SHARED_FOLDER, SYNC_INTERVAL_MINUTES, Settings
from ui.sync_controller import sync_interval_ms

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

LONG = ("/mnt/partnership-network-drive/Information Governance/Shared registers/"
        "Northshire Information Sharing Board/register")  # fmt: skip


def answering(monkeypatch: pytest.MonkeyPatch, act: object) -> None:
    """Make the dialog's `exec` run `act` on it (as a person would) instead of blocking."""

    def exec_(self: QDialog) -> int:
        act(self)  # type: ignore[operator]
        return int(self.result())

    monkeypatch.setattr(PreferencesDialog, "exec", exec_)


def test_sync_interval_is_in_the_sharing_group_with_a_letter_and_a_name(
    qtbot: QtBot, settings_file: Path
) -> None:
    settings = Settings(settings_file)
    settings.set(SYNC_INTERVAL_MINUTES, 10)
    dialog = PreferencesDialog(None, settings)
    qtbot.addWidget(dialog)
    box = dialog.sync_interval
    assert box.value() == 10 and box.text() == "10 minutes"
    assert box.accessibleName() == SYNC_INTERVAL_MINUTES.label
    group = box.parentWidget()
    assert isinstance(group, QGroupBox) and group.title() == "Sharing"
    caption = next(label for label in dialog.findChildren(QLabel) if label.buddy() is box)
    assert caption.text() == "S&ync every"
    box.setValue(1)
    assert box.text() == "1 minute"  # not "1 minutes"
    assert box.minimum() == 1  # never 0: a shared register always syncs

    # Alt+Y reaches it from anywhere in the dialog
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    dialog.idle.setFocus()
    qtbot.keyClick(dialog.idle, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert box.hasFocus()


def test_sync_interval_is_stored_only_when_saved_and_read_by_the_controller(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, settings_file: Path
) -> None:
    settings = Settings(settings_file)
    assert settings.get(SYNC_INTERVAL_MINUTES) == SYNC_INTERVAL_MINUTES.default

    def cancel(d: PreferencesDialog) -> None:
        d.sync_interval.setValue(30)
        d.reject()

    answering(monkeypatch, cancel)
    assert PreferencesDialog.ask(None, settings) is False
    assert Settings(settings_file).get(SYNC_INTERVAL_MINUTES) == SYNC_INTERVAL_MINUTES.default

    def save(d: PreferencesDialog) -> None:
        d.sync_interval.setValue(30)
        d.accept()

    answering(monkeypatch, save)
    assert PreferencesDialog.ask(None, settings) is True
    again = Settings(settings_file)
    assert again.get(SYNC_INTERVAL_MINUTES) == 30
    assert sync_interval_ms(again) == 30 * 60_000


def test_shared_folder_shows_from_its_start_even_after_browsing(
    qtbot: QtBot, settings_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(settings_file)
    settings.set(SHARED_FOLDER, LONG)
    dialog = PreferencesDialog(None, settings)
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    edit = dialog.texts[SHARED_FOLDER.key]
    assert edit.cursorPosition() == 0
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_a, **_k: LONG + "/elsewhere"))  # fmt: skip
    dialog.browse.click()
    assert edit.text() == LONG + "/elsewhere"
    assert edit.cursorPosition() == 0 and edit.cursorRect().left() < 12
