"""Preferences: idle lock, author details for papers, protective marking, shared folder."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
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
    Settings,
)

TEXT_PREFERENCES = (AUTHOR_NAME, AUTHOR_TITLE, AUTHOR_EMAIL, AUTHOR_PHONE, SHARED_FOLDER)
MNEMONICS = {AUTHOR_NAME.key: "Author &name", AUTHOR_TITLE.key: "Author job &title",
             AUTHOR_EMAIL.key: "Author &email", AUTHOR_PHONE.key: "Author p&hone",
             SHARED_FOLDER.key: "S&hared folder"}  # fmt: skip


class PreferencesDialog(QDialog):
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
        form = QFormLayout()
        caption = QLabel("&Lock after")
        caption.setBuddy(self.idle)
        form.addRow(caption, self.idle)
        for preference in TEXT_PREFERENCES:
            edit = QLineEdit(settings.get(preference))
            edit.setAccessibleName(preference.label)
            caption = QLabel(MNEMONICS[preference.key])
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.texts[preference.key] = edit
        caption = QLabel("Default protective &marking")
        caption.setBuddy(self.marking)
        form.addRow(caption, self.marking)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def store(self) -> None:
        self.settings.set(IDLE_LOCK_MINUTES, self.idle.value())
        self.settings.set(PROTECTIVE_MARKING, self.marking.currentText().strip() or "OFFICIAL")
        for preference in TEXT_PREFERENCES:
            self.settings.set(preference, self.texts[preference.key].text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, settings: Settings) -> bool:
        """Show the preferences; returns True when they were saved."""
        dialog = cls(parent, settings)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        dialog.store()
        return True
