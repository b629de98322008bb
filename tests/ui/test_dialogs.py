"""Every dialog through its ask() entry point (exec replaced by a person's actions)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from PySide6.QtWidgets import QDialog

from app.demo import DEMO_PASSPHRASE
from ui.dialogs.first_run import DEMO, OPEN_RECENT, FirstRunDialog
from ui.dialogs.new_register import NewRegisterDialog
from ui.dialogs.preferences import PreferencesDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.dialogs.unlock import UnlockDialog
from ui.settings import AUTHOR_NAME, IDLE_LOCK_MINUTES, PROTECTIVE_MARKING, Settings


def _acting(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog],
            act: Callable[[QDialog], None]) -> list[QDialog]:  # fmt: skip
    """Make `cls.exec` run `act` on the dialog (as a person would) instead of blocking."""
    seen: list[QDialog] = []

    def exec_(self: QDialog) -> int:
        seen.append(self)
        act(self)
        return int(self.result())

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


class MemoryKeyring(KeyringBackend):
    priority = 5  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        pass

    def delete_password(self, service: str, username: str) -> None:
        pass


@pytest.fixture()
def restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


def test_first_run_offers_the_four_starts_and_tells_the_demo_passphrase(
    monkeypatch: pytest.MonkeyPatch, qtbot: object, tmp_path: Path
) -> None:
    seen = _acting(monkeypatch, FirstRunDialog, lambda d: d.demo_button.click())  # type: ignore[attr-defined]
    choice = FirstRunDialog.ask(None, [Path("/registers/a")])
    assert choice is not None and choice.action == DEMO
    dialog = seen[0]
    texts = " ".join(w.text() for w in dialog.findChildren(type(dialog.join_note)))  # type: ignore[attr-defined]
    assert DEMO_PASSPHRASE in texts
    assert dialog.join_button.isEnabled()  # type: ignore[attr-defined]
    assert "fingerprint" in dialog.join_note.text()  # type: ignore[attr-defined]

    def recent(d: QDialog) -> None:
        item = d.recent.item(0)  # type: ignore[attr-defined]
        d.recent.itemActivated.emit(item)  # type: ignore[attr-defined]

    _acting(monkeypatch, FirstRunDialog, recent)
    choice = FirstRunDialog.ask(None, [tmp_path])  # a recent register that is there
    assert choice is not None
    assert (choice.action, choice.path) == (OPEN_RECENT, tmp_path)
    _acting(monkeypatch, FirstRunDialog, lambda d: d.reject())
    assert FirstRunDialog.ask(None, []) is None


@pytest.mark.usefixtures("restore_keyring")
def test_unlock_without_a_usable_keyring_disables_remember_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    keyring.set_keyring(fail.Keyring())

    def act(d: QDialog) -> None:
        assert not d.remember.isEnabled()  # type: ignore[attr-defined]
        assert "no keyring service" in d.remember_note.text()  # type: ignore[attr-defined]
        assert d.error.text() == "Wrong passphrase."  # type: ignore[attr-defined]
        d.passphrase.setText("my pass phrase")  # type: ignore[attr-defined]
        d.remember.setChecked(True)  # type: ignore[attr-defined]
        d.accept()

    _acting(monkeypatch, UnlockDialog, act)
    answer = UnlockDialog.ask(None, Path("/registers/a"), "Wrong passphrase.")
    assert answer is not None
    assert answer.passphrase == "my pass phrase" and answer.remember is False


@pytest.mark.usefixtures("restore_keyring")
def test_unlock_with_a_usable_keyring_offers_remember(
    monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    keyring.set_keyring(MemoryKeyring())

    def act(d: QDialog) -> None:
        assert d.remember.isEnabled()  # type: ignore[attr-defined]
        d.passphrase.setText("my pass phrase")  # type: ignore[attr-defined]
        d.remember.setChecked(True)  # type: ignore[attr-defined]
        d.accept()

    _acting(monkeypatch, UnlockDialog, act)
    answer = UnlockDialog.ask(None, Path("/registers/a"))
    assert answer is not None and answer.remember is True
    _acting(monkeypatch, UnlockDialog, lambda d: d.reject())
    assert UnlockDialog.ask(None, Path("/registers/a")) is None


def test_new_register_checks_the_passphrase_before_accepting(
    monkeypatch: pytest.MonkeyPatch, qtbot: object, tmp_path: Path
) -> None:
    problems: list[str] = []

    def act(d: QDialog) -> None:
        d.folder.setText(str(tmp_path / "new"))  # type: ignore[attr-defined]
        d.name.setText("Northshire")  # type: ignore[attr-defined]
        d.passphrase.setText("correct horse battery")  # type: ignore[attr-defined]
        d.repeat.setText("correct horse battery!")  # type: ignore[attr-defined]
        d._check_and_accept()  # type: ignore[attr-defined]
        problems.append(d.error.text())  # type: ignore[attr-defined]
        d.passphrase.setText("short")  # type: ignore[attr-defined]
        d.repeat.setText("short")  # type: ignore[attr-defined]
        d._check_and_accept()  # type: ignore[attr-defined]
        problems.append(d.error.text())  # type: ignore[attr-defined]
        d.passphrase.setText("correct horse battery")  # type: ignore[attr-defined]
        d.repeat.setText("correct horse battery")  # type: ignore[attr-defined]
        d._check_and_accept()  # type: ignore[attr-defined]

    _acting(monkeypatch, NewRegisterDialog, act)
    answer = NewRegisterDialog.ask(None)
    assert problems[0] == "The two passphrases are not the same."
    assert "at least" in problems[1]
    assert answer is not None
    assert (answer.folder, answer.name, answer.passphrase) == (
        tmp_path / "new",
        "Northshire",
        "correct horse battery",
    )


def test_preferences_are_stored_only_when_saved(
    monkeypatch: pytest.MonkeyPatch, qtbot: object, settings_file: Path
) -> None:
    settings = Settings(settings_file)
    assert settings.get(IDLE_LOCK_MINUTES) == 15
    assert settings.get(PROTECTIVE_MARKING) == "OFFICIAL"

    def act(d: QDialog) -> None:
        d.idle.setValue(5)  # type: ignore[attr-defined]
        d.texts[AUTHOR_NAME.key].setText("Priya Shah")  # type: ignore[attr-defined]
        d.marking.setCurrentText("OFFICIAL-SENSITIVE")  # type: ignore[attr-defined]
        d.accept()

    _acting(monkeypatch, PreferencesDialog, act)
    assert PreferencesDialog.ask(None, settings) is True
    again = Settings(settings_file)
    assert again.get(IDLE_LOCK_MINUTES) == 5
    assert again.get(AUTHOR_NAME) == "Priya Shah"
    assert again.get(PROTECTIVE_MARKING) == "OFFICIAL-SENSITIVE"

    def cancel(d: QDialog) -> None:
        d.idle.setValue(60)  # type: ignore[attr-defined]
        d.reject()

    _acting(monkeypatch, PreferencesDialog, cancel)
    assert PreferencesDialog.ask(None, settings) is False
    assert Settings(settings_file).get(IDLE_LOCK_MINUTES) == 5


def test_shortcuts_lists_the_given_keys_and_the_general_ones(
    monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    seen = _acting(monkeypatch, ShortcutsDialog, lambda d: d.reject())
    ShortcutsDialog.ask(None, [("Ctrl+L", "Lock the register"), ("", "Quit")])
    dialog = seen[0]
    assert isinstance(dialog, ShortcutsDialog)
    rows = dialog.rows()
    assert rows[0] == ("Ctrl+L", "Lock the register")
    assert "Quit" not in [does for _, does in rows]  # no key on this platform: not listed blank
    assert ("Ctrl+]", "Move the selected use case to the next stage") in rows
    assert any(keys.startswith("Tab") for keys, _ in rows)
    headings = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())
                if dialog.table.columnSpan(r, 0) == 2]  # fmt: skip
    assert headings == ["Everywhere", "In Use cases", "In Logs", "Moving around"]


def test_settings_keep_recent_registers_and_remembered_ids(settings_file: Path) -> None:
    settings = Settings(settings_file)
    assert settings.last_register() is None
    for name in ("a", "b", "a"):
        settings.add_recent_register(Path("/registers") / name)
    assert Settings(settings_file).recent_registers() == [Path("/registers/a"),
                                                          Path("/registers/b")]  # fmt: skip
    settings.set_remembered_register_id(Path("/registers/a"), "rid-1")
    assert Settings(settings_file).remembered_register_id(Path("/registers/a")) == "rid-1"
    settings.set_remembered_register_id(Path("/registers/a"), None)
    assert Settings(settings_file).remembered_register_id(Path("/registers/a")) is None
