"""Showing a failure to the user: a `RegisterError`'s own message, never a traceback."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import RegisterError

log = logging.getLogger(__name__)


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
