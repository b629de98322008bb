"""A dialog asked through `ask` is let go once answered: it does not live on in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.register import Register
from tests.fast_keys import PASSPHRASE
from ui.dialogs import import_wizard
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.unlock import UnlockDialog


def _deleted_later() -> None:
    """Carry out the deletions the dialogs asked for, as the event loop does when back in it."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _answering(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], passphrase: str) -> None:
    def exec_(self: QDialog) -> int:
        if isinstance(self, UnlockDialog):
            self.passphrase.setText(passphrase)
            self.accept()
        else:
            self.reject()
        return int(self.result())

    monkeypatch.setattr(cls, "exec", exec_)


def test_the_unlock_dialog_and_the_passphrase_typed_in_it_are_let_go(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    _answering(monkeypatch, UnlockDialog, PASSPHRASE)
    answer = UnlockDialog.ask(window, Path("register"))
    assert answer is not None and answer.passphrase == PASSPHRASE
    assert len(window.findChildren(UnlockDialog)) == 1  # until the event loop is back
    _deleted_later()
    assert window.findChildren(UnlockDialog) == []
    holding = [w for w in QApplication.allWidgets()
               if isinstance(w, QLineEdit) and w.text() == PASSPHRASE]  # fmt: skip
    assert holding == []  # no field anywhere still holds what was typed


def test_the_import_wizard_and_what_it_read_are_let_go(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, register: Register
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    _answering(monkeypatch, ImportWizard, "")
    assert import_wizard.ask(window, register) is None  # cancelled
    _deleted_later()
    assert window.findChildren(ImportWizard) == []
