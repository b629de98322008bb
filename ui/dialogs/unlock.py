"""The unlock dialog: a register's passphrase, and 'remember on this device' where it is safe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.remember import KeyringState, keyring_state
from ui.widgets.modal import run_modal


@dataclass(frozen=True)
class UnlockAnswer:
    passphrase: str
    remember: bool


class UnlockDialog(QDialog):
    def __init__(self, parent: QWidget | None, register_path: Path, error: str = "",
                 keyring: KeyringState | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Unlock the register")
        keyring = keyring or keyring_state()
        self.keyring = keyring
        intro = QLabel(f"Enter the passphrase of the register in<br><b>{register_path}</b>")
        intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.error = QLabel(error)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.setVisible(bool(error))
        self.remember = QCheckBox("&Remember on this device")
        self.remember.setAccessibleName("Remember on this device")
        self.remember.setEnabled(keyring.usable)
        self.remember_note = QLabel(
            "Opens this register without the passphrase when the app starts on this computer "
            "account; after locking, the passphrase is asked again." if keyring.usable
            else f"Not available: {keyring.reason}"
        )  # fmt: skip
        self.remember_note.setWordWrap(True)
        self.remember_note.setAccessibleName("About remembering the passphrase")
        form = QFormLayout()
        caption = QLabel("&Passphrase")
        caption.setBuddy(self.passphrase)
        form.addRow(caption, self.passphrase)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Unlock")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.remember)
        layout.addWidget(self.remember_note)
        layout.addWidget(buttons)
        self.passphrase.setFocus()
        self.resize(480, 220)

    def answer(self) -> UnlockAnswer:
        return UnlockAnswer(self.passphrase.text(),
                            self.remember.isEnabled() and self.remember.isChecked())  # fmt: skip

    @classmethod
    def ask(cls, parent: QWidget | None, register_path: Path,
            error: str = "") -> UnlockAnswer | None:  # fmt: skip
        dialog = cls(parent, register_path, error)
        return dialog.answer() if run_modal(dialog) else None
