"""Showing a failure to the user: a `RegisterError`'s own message, never a traceback."""

from __future__ import annotations

import logging

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import RegisterError
from ui.widgets.modal import run_modal

log = logging.getLogger(__name__)

UNDO_KEYS = "Ctrl+Z"
"""The window's Edit › Undo shortcut (Qt reads Ctrl as Command on a Mac)."""


def message_for(exc: BaseException) -> str:
    """Return the text a person reads for a failure."""
    if isinstance(exc, RegisterError):
        return exc.message
    log.error("unexpected failure", exc_info=exc)
    return ("Something went wrong that the register did not expect; nothing further was saved. "
            "The details are in the log file.")  # fmt: skip


class ErrorMessage:
    """The one place errors are shown; tests patch `show`."""

    @classmethod
    def show(cls, parent: QWidget | None, exc: BaseException, title: str = "Register") -> None:
        QMessageBox.warning(parent, title, message_for(exc))


class Question:
    """Yes/no and save/discard questions; tests patch `ask`."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str,
            buttons: QMessageBox.StandardButton,
            default: QMessageBox.StandardButton) -> QMessageBox.StandardButton:  # fmt: skip
        return QMessageBox.question(parent, title, text, buttons, default)


def undo_hint() -> str:
    """Said under every delete question: the window's Edit menu and its Undo shortcut."""
    keys = QKeySequence(UNDO_KEYS).toString(QKeySequence.SequenceFormat.NativeText)
    return f"You can undo this with Edit › Undo ({keys})."


def delete_box(parent: QWidget | None, title: str, text: str,
               action: str = "&Delete") -> QMessageBox:  # fmt: skip
    """The question before a delete: `action` (Delete, Remove), or Cancel (default, Escape)."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)  # fmt: skip
    box.setInformativeText(undo_hint())
    box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def chose_delete(box: QMessageBox) -> bool:
    """Whether the person answered `box` with its Delete (or Remove) button."""
    clicked = box.clickedButton()
    return clicked is not None and (
        box.buttonRole(clicked) == QMessageBox.ButtonRole.DestructiveRole
    )


class DeleteQuestion:
    """Asks before a record is deleted; True for Delete (or Remove). Tests patch `ask`."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, text: str, action: str = "&Delete") -> bool:
        box = delete_box(parent, title, text, action)
        run_modal(box)
        return chose_delete(box)
