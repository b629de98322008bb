"""Preferences of the desktop app, each declared once with its type and default (QSettings)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSettings

T = TypeVar("T", int, str, bool)

ORGANISATION = "ISR"
APPLICATION = "InformationSharingRegister"
MAX_RECENT = 8


@dataclass(frozen=True)
class Preference(Generic[T]):
    """One stored preference: where it lives, its type, default and label."""

    key: str
    kind: type[T]
    default: T
    label: str


IDLE_LOCK_MINUTES = Preference(
    "security/idle_lock_minutes", int, 15, "Lock after this many idle minutes (0: never)"
)
AUTHOR_NAME = Preference("papers/author_name", str, "", "Author name")
AUTHOR_TITLE = Preference("papers/author_title", str, "", "Author job title")
AUTHOR_EMAIL = Preference("papers/author_email", str, "", "Author email")
AUTHOR_PHONE = Preference("papers/author_phone", str, "", "Author phone")
PROTECTIVE_MARKING = Preference(
    "papers/protective_marking", str, "OFFICIAL", "Default protective marking"
)
SHARED_FOLDER = Preference("sharing/shared_folder", str, "", "Shared folder")
SYNC_INTERVAL_MINUTES = Preference(
    "sharing/sync_interval_minutes", int, 5, "Sync with the shared folder every this many minutes"
)
# fmt: skip

PREFERENCES: tuple[Preference[int] | Preference[str] | Preference[bool], ...] = (
    IDLE_LOCK_MINUTES,
    AUTHOR_NAME,
    AUTHOR_TITLE,
    AUTHOR_EMAIL,
    AUTHOR_PHONE,
    PROTECTIVE_MARKING,
    SHARED_FOLDER,
    SYNC_INTERVAL_MINUTES,
)
RECENT_KEY = "registers/recent"
EXPORT_FOLDER_KEY = "export/folder"  # where the last export was saved: the next is offered there
REMEMBERED_KEY = "registers/remembered"  # JSON: register folder -> register id in the keyring
MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE: PERSONAL")


class Settings:
    """The only reader and writer of QSettings in the app."""

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            self._qsettings = QSettings(ORGANISATION, APPLICATION)
        else:
            self._qsettings = QSettings(str(path), QSettings.Format.IniFormat)

    def get(self, preference: Preference[T]) -> T:
        raw: Any = self._qsettings.value(preference.key, preference.default)
        try:
            if preference.kind is bool and isinstance(raw, str):
                raw = raw.lower() == "true"
            value: T = preference.kind(raw)
        except (TypeError, ValueError):
            return preference.default
        return value

    def set(self, preference: Preference[T], value: T) -> None:
        self._qsettings.setValue(preference.key, preference.kind(value))
        self._qsettings.sync()

    # -- recent registers

    def recent_registers(self) -> list[Path]:
        raw: Any = self._qsettings.value(RECENT_KEY, [])
        if isinstance(raw, str):
            raw = [raw] if raw else []
        if not isinstance(raw, list):
            return []
        return [Path(p) for p in raw if isinstance(p, str) and p]

    def add_recent_register(self, path: Path) -> None:
        entries = [str(path)] + [str(p) for p in self.recent_registers() if p != path]
        self._qsettings.setValue(RECENT_KEY, entries[:MAX_RECENT])
        self._qsettings.sync()

    def last_register(self) -> Path | None:
        recent = self.recent_registers()
        return recent[0] if recent else None

    # -- where exports go

    def export_folder(self) -> Path | None:
        raw: Any = self._qsettings.value(EXPORT_FOLDER_KEY, "")
        return Path(raw) if isinstance(raw, str) and raw else None

    def set_export_folder(self, folder: Path) -> None:
        self._qsettings.setValue(EXPORT_FOLDER_KEY, str(folder))
        self._qsettings.sync()

    # -- registers whose key the keyring remembers (the keyring is keyed by register id)

    def _remembered(self) -> dict[str, str]:
        raw: Any = self._qsettings.value(REMEMBERED_KEY, "")
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def remembered_register_id(self, path: Path) -> str | None:
        return self._remembered().get(str(path))

    def set_remembered_register_id(self, path: Path, register_id: str | None) -> None:
        data = self._remembered()
        if register_id is None:
            data.pop(str(path), None)
        else:
            data[str(path)] = register_id
        self._qsettings.setValue(REMEMBERED_KEY, json.dumps(data))
        self._qsettings.sync()
