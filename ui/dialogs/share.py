"""Sharing a register through a folder, and approving a request to join after its fingerprint."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import RegisterError
from app.paths import SHARED_EXAMPLE
from app.sync import JoinRequest
from ui.dialogs.join import FingerprintLabel
from ui.models.sync_models import iso_when_text
from ui.widgets.modal import run_modal
from ui.widgets.path_edit import PathEdit, show_start


@dataclass(frozen=True)
class ShareAnswer:
    folder: Path
    name: str  # this device's name as other members see it


class ShareDialog(QDialog):
    """Where to share the register, and this device's name."""

    def __init__(self, parent: QWidget | None, folder: str = "", name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Share this register")
        self.folder = PathEdit(folder, example=SHARED_EXAMPLE)
        self.folder.setAccessibleName("Shared folder on the network drive")
        self.folder.setPlaceholderText("an empty folder on the partnership's network drive")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose the shared folder")
        browse.clicked.connect(self._browse)
        self.name = QLineEdit(name)
        show_start(self.name)
        self.name.setAccessibleName("Your name and device, as other members see it")
        self.name.setPlaceholderText("e.g. Priya Shah, laptop")
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        caption = QLabel("Shared &folder")
        caption.setBuddy(self.folder)
        form.addRow(caption, row)
        caption = QLabel("Your &name and device")
        caption.setBuddy(self.name)
        form.addRow(caption, self.name)
        note = QLabel(
            "Choose an empty folder on the partnership's network drive. Changes are written "
            "there encrypted and signed; no database is ever opened there. Colleagues join from "
            "that folder, and you approve each of them after checking the fingerprint they read "
            "out to you. This device becomes the register's first admin."
        )
        note.setWordWrap(True)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)  # a message may quote a long path
        self.error.setAccessibleName("Problem")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.share_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.share_button.setText("&Share")
        self.share_button.setAccessibleName("Share the register in this folder")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.resize(600, 260)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Shared folder",
                                                  self.folder.start_folder())  # fmt: skip
        if chosen:
            self.folder.setText(chosen)

    def problem(self) -> str:
        if not self.folder.text().strip():
            return "Choose the folder on the network drive to share the register in."
        try:
            self.folder.path()  # read only: a network drive is looked at off the GUI thread
        except RegisterError as exc:
            return exc.message
        if not self.name.text().strip():
            return "Give your name and device so that colleagues know who approves them."
        return ""

    def _check_and_accept(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.error.setVisible(bool(problem))
        if not problem:
            self.accept()

    def answer(self) -> ShareAnswer:
        return ShareAnswer(self.folder.path(), self.name.text().strip())  # `problem` checked it

    @classmethod
    def ask(cls, parent: QWidget | None, folder: str = "", name: str = "") -> ShareAnswer | None:
        dialog = cls(parent, folder, name)
        return dialog.answer() if run_modal(dialog) else None


@dataclass(frozen=True)
class ApproveAnswer:
    admin: bool  # make the device an admin too


class ApproveDialog(QDialog):
    """Approve a request only once the admin confirms its fingerprint is the one read out."""

    def __init__(self, parent: QWidget | None, request: JoinRequest) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve a request to join")
        self.request = request
        intro = QLabel(
            f"<b>{escape(request.name)}</b> (device {request.device}) asked to join on "
            f"{iso_when_text(request.requested)}. Ask them to read out the fingerprint shown on "
            "their screen, and compare it with this one, character by character:"
        )
        intro.setWordWrap(True)
        self.fingerprint = FingerprintLabel("the request", 2.2)
        self.fingerprint.set_fingerprint(request.fingerprint)
        warning = QLabel(
            "If it differs in any way, do not approve: someone else may be asking in their "
            "name. Approving seals the register's key to that device; it then receives "
            "everything in the register."
        )
        warning.setWordWrap(True)
        self.matches = QCheckBox("The fingerprint &read out to me matches this one exactly")
        self.matches.setAccessibleName("The fingerprint read out to me matches this one exactly")
        self.admin = QCheckBox("Make this device an ad&min too (it can approve and remove others)")
        self.admin.setAccessibleName("Make this device an admin too")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.approve_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.approve_button.setText("&Approve")
        self.approve_button.setAccessibleName(f"Approve {request.name}")
        self.approve_button.setEnabled(False)
        self.matches.toggled.connect(self.approve_button.setEnabled)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        buttons.accepted.connect(self._accept_if_checked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.fingerprint)
        layout.addWidget(warning)
        layout.addWidget(self.matches)
        layout.addWidget(self.admin)
        layout.addWidget(buttons)
        self.resize(560, 300)
        self.matches.setFocus()

    def _accept_if_checked(self) -> None:
        if self.matches.isChecked():
            self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, request: JoinRequest) -> ApproveAnswer | None:
        dialog = cls(parent, request)
        if not run_modal(dialog) or not dialog.matches.isChecked():
            return None
        return ApproveAnswer(admin=dialog.admin.isChecked())
