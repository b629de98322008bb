"""Preferences: idle lock, author details for papers, protective marking, sharing and sync."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.settings import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    AUTHOR_PHONE,
    AUTHOR_TITLE,
    IDLE_LOCK_MINUTES,
    MARKINGS,
    PROTECTIVE_MARKING,
    SHARED_FOLDER,
    SYNC_INTERVAL_MINUTES,
    Settings,
)
from ui.widgets.modal import run_modal
from ui.widgets.path_edit import PathEdit, show_start

AUTHOR_PREFERENCES = (AUTHOR_NAME, AUTHOR_TITLE, AUTHOR_EMAIL, AUTHOR_PHONE)
TEXT_PREFERENCES = (*AUTHOR_PREFERENCES, SHARED_FOLDER)
MNEMONICS = {AUTHOR_NAME.key: "&Name", AUTHOR_TITLE.key: "&Job title",
             AUTHOR_EMAIL.key: "&Email", AUTHOR_PHONE.key: "&Phone",
             SHARED_FOLDER.key: "Shared &folder",
             SYNC_INTERVAL_MINUTES.key: "S&ync every"}  # fmt: skip
PLACEHOLDERS = {AUTHOR_NAME.key: "As papers name their author, e.g. Priya Shah",
                AUTHOR_TITLE.key: "e.g. Information Governance Manager",
                AUTHOR_EMAIL.key: "e.g. priya.shah@northshire.gov.uk",
                AUTHOR_PHONE.key: "e.g. 01632 960 000",
                SHARED_FOLDER.key: "The folder on the partnership's network drive"}  # fmt: skip


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555")
    return label


class PreferencesDialog(QDialog):
    """The preferences, grouped by what they are for; stored only when saved."""

    def __init__(self, parent: QWidget | None, settings: Settings) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.idle = QSpinBox()
        self.idle.setRange(0, 480)
        self.idle.setSuffix(" minutes")
        self.idle.setSpecialValueText("Never")
        self.idle.setValue(settings.get(IDLE_LOCK_MINUTES))
        self.idle.setAccessibleName(IDLE_LOCK_MINUTES.label)
        self.marking = QComboBox()
        self.marking.setEditable(True)
        self.marking.addItems(list(MARKINGS))
        self.marking.setCurrentText(settings.get(PROTECTIVE_MARKING))
        self.marking.setAccessibleName(PROTECTIVE_MARKING.label)
        self.texts: dict[str, QLineEdit] = {}
        for preference in TEXT_PREFERENCES:
            kind = PathEdit if preference is SHARED_FOLDER else QLineEdit
            edit = kind(settings.get(preference))
            edit.setAccessibleName(preference.label)
            edit.setPlaceholderText(PLACEHOLDERS[preference.key])
            show_start(edit)
            self.texts[preference.key] = edit
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Choose the shared folder")
        self.browse.clicked.connect(self._browse)
        self.sync_interval = QSpinBox()
        self.sync_interval.setRange(1, 120)
        self.sync_interval.setSuffix(" minutes")
        self.sync_interval.setSpecialValueText("1 minute")
        self.sync_interval.setValue(settings.get(SYNC_INTERVAL_MINUTES))
        self.sync_interval.setAccessibleName(SYNC_INTERVAL_MINUTES.label)

        security = QGroupBox("Security")
        security_form = QFormLayout(security)
        security_form.addRow(self._caption("&Lock after", self.idle), self.idle)
        security_form.addRow(_note("The register locks itself after this long without use, "
                                   "and closes its database until you unlock it."))  # fmt: skip
        author = QGroupBox("Author of Board papers")
        author_form = QFormLayout(author)
        for preference in AUTHOR_PREFERENCES:
            edit = self.texts[preference.key]
            author_form.addRow(self._caption(MNEMONICS[preference.key], edit), edit)
        author_form.addRow(self._caption("Default protective &marking", self.marking),
                           self.marking)  # fmt: skip
        sharing = QGroupBox("Sharing")
        sharing_form = QFormLayout(sharing)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.texts[SHARED_FOLDER.key], 1)
        folder_row.addWidget(self.browse)
        sharing_form.addRow(self._caption(MNEMONICS[SHARED_FOLDER.key],
                                          self.texts[SHARED_FOLDER.key]), folder_row)  # fmt: skip
        sharing_form.addRow(_note("Offered when you share a register or join one."))
        sharing_form.addRow(self._caption(MNEMONICS[SYNC_INTERVAL_MINUTES.key],
                                          self.sync_interval), self.sync_interval)  # fmt: skip
        sharing_form.addRow(_note("While a shared register is open, this device sends its "
                                  "changes to the shared folder and picks up colleagues' this "
                                  "often, and a few seconds after each save."))  # fmt: skip

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for group in (security, author, sharing):
            layout.addWidget(group)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    @staticmethod
    def _caption(text: str, buddy: QWidget) -> QLabel:
        caption = QLabel(text)
        caption.setBuddy(buddy)
        return caption

    def _browse(self) -> None:
        edit = self.texts[SHARED_FOLDER.key]
        chosen = QFileDialog.getExistingDirectory(self, "Shared folder", edit.text())
        if chosen:
            edit.setText(chosen)

    def store(self) -> None:
        self.settings.set(IDLE_LOCK_MINUTES, self.idle.value())
        self.settings.set(SYNC_INTERVAL_MINUTES, self.sync_interval.value())
        self.settings.set(PROTECTIVE_MARKING, self.marking.currentText().strip() or "OFFICIAL")
        for preference in TEXT_PREFERENCES:
            self.settings.set(preference, self.texts[preference.key].text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, settings: Settings) -> bool:
        """Show the preferences; returns True when they were saved."""
        dialog = cls(parent, settings)
        if not run_modal(dialog):
            return False
        dialog.store()
        return True
