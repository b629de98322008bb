"""Dialogs shown modally and then let go: the one way every `ask` shows its dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog


def run_modal(dialog: QDialog) -> bool:
    """Show `dialog` until it closes; whether it was accepted.

    The dialog is deleted once control is back in the event loop, so read its answer straight
    away. Otherwise a dialog with a parent lives on as the window's child for as long as the
    window does, holding what it was given: a passphrase typed, a spreadsheet's preview.
    """
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
