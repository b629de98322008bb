"""Creating a register: its folder, name and passphrase (typed twice)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
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
from app.keys import check_passphrase
from app.paths import check_new_register_dir, display_path, unused_register_dir
from ui.widgets.modal import run_modal
from ui.widgets.path_edit import PathEdit
from ui.widgets.record_form import ProblemLabel


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555")
    return label


@dataclass(frozen=True)
class NewRegisterAnswer:
    folder: Path
    name: str
    passphrase: str


class NewRegisterDialog(QDialog):
    """The name, folder and passphrase of a new register; checked before it is accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create a register")
        self.name = QLineEdit()
        self.name.setAccessibleName("Name of the register")
        self.name.setPlaceholderText("e.g. Northshire Information Sharing Register")
        self._folder_chosen = False  # once the person types or browses, the name stops leading
        self.name.textEdited.connect(self._name_edited)
        self.folder = PathEdit(display_path(unused_register_dir("register")))
        self.folder.setAccessibleName("Folder of the register")
        self.folder.textEdited.connect(lambda _t: setattr(self, "_folder_chosen", True))
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose the folder")
        browse.clicked.connect(self._browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Passphrase again")
        self.error = ProblemLabel("Problem")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        notes = {
            "&Folder": "A new, empty folder on this computer (not a network drive): the register "
                       "keeps its encrypted database, its key and its backups there.",
            "Passphrase &again": "A few unrelated words make a strong passphrase. Nobody can "
                                 "recover the register without it: keep it somewhere safe.",
        }  # fmt: skip
        form = QFormLayout()
        for text, field in (
            ("&Name", self.name),
            ("&Folder", self.folder),
            ("&Passphrase", self.passphrase),
            ("Passphrase &again", self.repeat),
        ):
            caption = QLabel(text)
            caption.setBuddy(field)
            form.addRow(caption, folder_row if field is self.folder else field)
            if text in notes:
                form.addRow("", _note(notes[text]))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("C&reate")
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(600)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder for the register",
                                                  self.folder.start_folder())  # fmt: skip
        if chosen:
            self.folder.setText(display_path(Path(chosen)))
            self._folder_chosen = True

    def _name_edited(self, name: str) -> None:
        """Until a folder is chosen, the register's folder is named after it."""
        if not self._folder_chosen:
            self.folder.setText(display_path(unused_register_dir(name.strip() or "register")))

    def problem(self) -> str:
        """Return what stops the register being created, or ''."""
        if not self.folder.text().strip():
            return "Choose a folder for the register."
        try:
            check_new_register_dir(self.folder.path())
        except RegisterError as exc:
            return exc.message
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases are not the same."
        try:
            check_passphrase(self.passphrase.text())
        except RegisterError as exc:
            return exc.message
        return ""

    def _check_and_accept(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        if not problem:
            self.accept()

    def answer(self) -> NewRegisterAnswer:
        folder = self.folder.path()  # a whole path once `problem` says nothing is wrong
        return NewRegisterAnswer(folder, self.name.text().strip() or folder.name,
                                 self.passphrase.text())  # fmt: skip

    @classmethod
    def ask(cls, parent: QWidget | None = None) -> NewRegisterAnswer | None:
        dialog = cls(parent)
        return dialog.answer() if run_modal(dialog) else None
