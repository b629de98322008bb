"""The first-run screen: create a register, open one, join a shared one, or open the demo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.demo import DEMO_PASSPHRASE
from app.paths import display_path
from ui.widgets.modal import run_modal

CREATE, OPEN, OPEN_RECENT, JOIN, DEMO = "create", "open", "open_recent", "join", "demo"


@dataclass(frozen=True)
class FirstRunChoice:
    """What the person chose; `path` is set for a recent register."""

    action: str
    path: Path | None = None


MISSING_TIP = ("This folder is not there now: it may have been moved or renamed, or be on a "
               "drive that is not connected. Open it from where it is now with "
               "\u201cOpen a register\u2026\u201d.")  # fmt: skip


def recent_item(path: Path) -> QListWidgetItem:
    """A recent register as listed: its folder's name, and on a second line where it is.

    A folder no longer there is listed greyed out, and cannot be chosen.
    """
    where = display_path(path.parent)
    item = QListWidgetItem(f"{path.name}\n{where}")
    item.setData(Qt.ItemDataRole.UserRole, str(path))
    item.setToolTip(display_path(path))
    if not path.is_dir():
        item.setText(f"{path.name} (not found)\n{where}")
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        item.setToolTip(MISSING_TIP)
    return item


class FirstRunDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, recent: list[Path] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Information Sharing Register")
        self.choice: FirstRunChoice | None = None
        heading = QLabel("<h2>Information Sharing Register</h2>"
                         "<p>Keep your partnership's information sharing agreements, use cases "
                         "and Board papers in one encrypted register.</p>")  # fmt: skip
        heading.setWordWrap(True)

        self.create_button = QPushButton("&Create a new register…")
        self.create_button.setAccessibleName("Create a new register")
        self.open_button = QPushButton("&Open a register…")
        self.open_button.setAccessibleName("Open a register folder")
        self.join_button = QPushButton("&Join a shared register…")
        self.join_button.setAccessibleName("Join a shared register")
        self.demo_button = QPushButton("Open the &demo register")
        self.demo_button.setAccessibleName("Open the demo register")
        self.quit_button = QPushButton("&Quit")
        self.create_button.clicked.connect(lambda: self._choose(CREATE))
        self.open_button.clicked.connect(lambda: self._choose(OPEN))
        self.join_button.clicked.connect(lambda: self._choose(JOIN))
        self.demo_button.clicked.connect(lambda: self._choose(DEMO))
        self.quit_button.clicked.connect(self.reject)
        self.join_note = QLabel(
            "Join a register colleagues share on the network drive: you read a short "
            "fingerprint to one of its admins, who approves this device."
        )
        self.join_note.setWordWrap(True)
        self.join_note.setAccessibleName("About joining a shared register")
        demo_note = QLabel(
            "The demo is a made-up partnership to try things out. Its passphrase is "
            f"<b>{DEMO_PASSPHRASE}</b>."
        )
        demo_note.setWordWrap(True)
        demo_note.setAccessibleName(f"The demo register's passphrase is {DEMO_PASSPHRASE}")

        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent registers")
        self.recent.setSpacing(3)  # each register's two lines stand apart from the next
        for path in recent or []:
            self.recent.addItem(recent_item(path))
        self.recent.itemActivated.connect(self._open_recent)
        recent_label = QLabel("&Recent registers")
        recent_label.setBuddy(self.recent)

        buttons = QVBoxLayout()
        for widget in (self.create_button, self.open_button, self.join_button, self.join_note,
                       self.demo_button, demo_note):  # fmt: skip
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        recent_box = QVBoxLayout()
        recent_box.addWidget(recent_label)
        recent_box.addWidget(self.recent)
        recent_label.setVisible(bool(recent))
        self.recent.setVisible(bool(recent))
        body = QHBoxLayout()
        body.addLayout(buttons, 1)
        body.addLayout(recent_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(body)
        self.resize(640, 360)

    def _open_recent(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self._choose(OPEN_RECENT, Path(item.data(Qt.ItemDataRole.UserRole)))

    def _choose(self, action: str, path: Path | None = None) -> None:
        self.choice = FirstRunChoice(action, path)
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None = None,
            recent: list[Path] | None = None) -> FirstRunChoice | None:  # fmt: skip
        dialog = cls(parent, recent)
        return dialog.choice if run_modal(dialog) else None
