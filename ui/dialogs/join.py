"""Joining a shared register: the shared folder, this device's own copy, a name, a passphrase.

The join itself (a new local register and a request written into the shared folder) runs off
the GUI thread; then the dialog shows this device's short fingerprint, to be read out to an
admin of the register who checks it before approving. No passphrase is ever shared.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import sync
from app.errors import RegisterError
from app.keys import check_passphrase
from app.paths import SHARED_EXAMPLE, check_new_register_dir, display_path, unused_register_dir
from app.sync import JoinResult
from ui.errors import message_for
from ui.widgets.modal import run_modal
from ui.widgets.path_edit import PathEdit, show_start
from ui.workers import TaskRunner

READ_OUT = (
    "Phone an admin of the shared register (or see them in person) and read them this "
    "fingerprint. They compare it with the request they see before they approve this device, "
    "so that nobody else can join in your name. No passphrase is shared."
)
AFTER_APPROVAL = (
    "Until they approve, the window says “waiting for approval” and asks again every little "
    "while. Once approved, everything in the shared register arrives at the next sync."
)


def spaced(fingerprint: str) -> str:
    """The fingerprint as a screen reader should spell it: one character at a time."""
    return " ".join(c if c != "-" else "," for c in fingerprint)


class FingerprintLabel(QLabel):
    """A device's fingerprint: large, fixed-width, framed, spelt out to screen readers."""

    def __init__(self, whose: str, scale: float = 2.4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.whose = whose
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(max(self.font().pointSizeF(), 9.0) * scale)
        font.setBold(True)
        self.setFont(font)
        self.setStyleSheet(
            "padding: 12px; border: 2px solid #1f4e79; border-radius: 6px; background: #eef4fa;"
            "color: #10273d;"
        )
        self.set_fingerprint("")

    def set_fingerprint(self, fingerprint: str) -> None:
        self.setText(fingerprint)
        self.setAccessibleName(f"Fingerprint of {self.whose}: {spaced(fingerprint)}")


class JoinDialog(QDialog):
    """Two pages: what to join and where to keep it; then the fingerprint to read out."""

    joined = Signal(object)
    """The request was written (the `JoinResult`); the fingerprint page shows."""

    def __init__(self, parent: QWidget | None, runner: TaskRunner, share: str = "",
                 author: str = "") -> None:  # fmt: skip
        super().__init__(parent)
        self.author = author
        self.setWindowTitle("Join a shared register")
        self._runner = runner
        self.result_: JoinResult | None = None
        self.busy = False
        self._folder_chosen = False
        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_form(share, author))
        self.pages.addWidget(self._build_fingerprint_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(620, 380)

    # ------------------------------------------------------------------ building

    def _line(self, text: str, accessible: str, secret: bool = False) -> QLineEdit:
        edit = QLineEdit(text)
        show_start(edit)
        edit.setAccessibleName(accessible)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def _browse_row(self, edit: PathEdit, text: str, accessible: str,
                    title: str) -> QHBoxLayout:  # fmt: skip
        button = QPushButton(text)
        button.setAccessibleName(accessible)
        button.clicked.connect(lambda: self._browse(edit, title))
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(button)
        return row

    def _build_form(self, share: str, name: str) -> QWidget:
        page = QWidget()
        self.share = PathEdit(share, example=SHARED_EXAMPLE)
        self.share.setAccessibleName("Shared folder on the network drive")
        self.share.setPlaceholderText("the folder an admin shared the register in")
        self.share.textEdited.connect(self._share_edited)
        self.folder = PathEdit(display_path(self._default_folder(share)))
        self.folder.setAccessibleName("Folder for this device's copy")
        self.folder.textEdited.connect(lambda _t: setattr(self, "_folder_chosen", True))
        self.name = self._line(name, "Your name and device, as other members see it")
        self.name.setPlaceholderText("e.g. Sam Patel, laptop")
        self.passphrase = self._line("", "Passphrase for this device's copy", secret=True)
        self.repeat = self._line("", "Passphrase again", secret=True)
        form = QFormLayout()
        rows = (
            ("Shared &folder", self.share,
             self._browse_row(self.share, "&Browse…", "Choose the shared folder",
                              "The shared register's folder")),
            ("&Keep this device's copy in", self.folder,
             self._browse_row(self.folder, "B&rowse…", "Choose the folder for this copy",
                              "Folder for this device's copy")),
            ("Your &name and device", self.name, None),
            ("&Passphrase", self.passphrase, None),
            ("Passphrase &again", self.repeat, None),
        )  # fmt: skip
        for text, edit, row in rows:
            caption = QLabel(text)
            caption.setBuddy(edit)
            form.addRow(caption, row if row is not None else edit)
        note = QLabel(
            "This device keeps its own encrypted copy of the register, on this computer; the "
            "passphrase protects that copy and is not shared with anyone. An admin of the "
            "register approves this device after checking its fingerprint."
        )
        note.setWordWrap(True)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.hide()
        self.join_button = QPushButton("Ask to &join")
        self.join_button.setAccessibleName("Ask to join the shared register")
        self.join_button.setDefault(True)
        self.join_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setAccessibleName("Cancel joining")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.join_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _build_fingerprint_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel("<h2>Read this fingerprint to an admin</h2>")
        heading.setAccessibleName("Read this fingerprint to an admin")
        self.fingerprint = FingerprintLabel("this device", 2.6)
        self.device_note = QLabel("")
        self.device_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.device_note.setAccessibleName("This device")
        read_out = QLabel(READ_OUT)
        read_out.setWordWrap(True)
        after = QLabel(AFTER_APPROVAL)
        after.setWordWrap(True)
        self.done_button = QPushButton("&Done")
        self.done_button.setAccessibleName("Done: open the register and wait for approval")
        self.done_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(page)
        layout.addWidget(heading)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.device_note)
        layout.addWidget(read_out)
        layout.addWidget(after)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    # ------------------------------------------------------------------ behaviour

    @staticmethod
    def _default_folder(share: str) -> Path:
        name = Path(share.strip()).name if share.strip() else ""
        return unused_register_dir(name or "shared register")

    def _share_edited(self, text: str) -> None:
        if not self._folder_chosen:
            self.folder.setText(display_path(self._default_folder(text)))

    def _browse(self, edit: PathEdit, title: str) -> None:
        chosen = QFileDialog.getExistingDirectory(self, title, edit.start_folder())
        if not chosen:
            return
        if edit is self.share:
            edit.setText(chosen)
            self._share_edited(chosen)
        else:
            edit.setText(display_path(Path(chosen)))
            self._folder_chosen = True

    def problem(self) -> str:
        """What stops the request being sent, or ''."""
        if not self.share.text().strip():
            return "Choose the shared folder an admin shared the register in."
        if not self.folder.text().strip():
            return "Choose a folder on this computer for this device's copy."
        try:
            self.share.path()  # read only: the shared folder is looked at off the GUI thread
            check_new_register_dir(self.folder.path())
        except RegisterError as exc:
            return exc.message
        if not self.name.text().strip():
            return "Give your name and device (e.g. 'Sam Patel, laptop') so the admin knows you."
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases are not the same."
        try:
            check_passphrase(self.passphrase.text())
        except RegisterError as exc:
            return exc.message
        return ""

    def _show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def submit(self) -> None:
        """Check the answers, then write the request off the GUI thread."""
        if self.busy:
            return
        problem = self.problem()
        self._show_problem(problem)
        if problem:
            return
        share, folder = self.share.path(), self.folder.path()  # whole paths: `problem` checked
        name, passphrase = self.name.text().strip(), self.passphrase.text()
        author = self.author or name.split(",")[0].strip()
        self._set_busy(True)
        self._runner.run(lambda: sync.join(share, folder, passphrase, name, author=author),
                         self._joined, self._failed, label="Asking to join…")  # fmt: skip

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.join_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.join_button.setText("Asking…" if busy else "Ask to &join")

    def _joined(self, result: JoinResult) -> None:
        self._set_busy(False)
        self.result_ = result
        self.fingerprint.set_fingerprint(result.fingerprint)
        self.device_note.setText(f"Device {result.device}, {self.name.text().strip()}")
        self.pages.setCurrentIndex(1)
        self.done_button.setFocus()
        self.joined.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self._show_problem(message_for(exc))

    def reject(self) -> None:
        if self.busy:
            return  # the request is being written; the dialog closes once it is done
        if self.result_ is not None:
            self.accept()  # joined: closing the dialog opens the register all the same
            return
        super().reject()

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, share: str = "",
            author: str = "") -> JoinResult | None:  # fmt: skip
        """Show the dialog; the result of a join that was made, else None."""
        dialog = cls(parent, runner, share, author)
        run_modal(dialog)
        return dialog.result_
