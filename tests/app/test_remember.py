"""'Remember on this device' against real keyring backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from app import remember


class MemoryKeyring(KeyringBackend):
    """A secure-ranked keyring kept in memory, standing in for the OS keyring."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture()
def restore_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    yield
    keyring.set_keyring(before)


@pytest.mark.usefixtures("restore_keyring")
def test_fail_backend_is_not_usable_and_says_why() -> None:
    keyring.set_keyring(fail.Keyring())
    state = remember.keyring_state()
    assert not state.usable
    assert "no keyring service" in state.reason
    assert remember.recall("reg") is None
    with pytest.raises(remember.RememberError, match="cannot be remembered"):
        remember.remember("reg", b"k" * 32)


@pytest.mark.usefixtures("restore_keyring")
def test_plain_file_keyring_is_refused(tmp_path: Path) -> None:
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "plain.cfg")  # type: ignore[misc]
    keyring.set_keyring(plain)
    state = remember.keyring_state()
    assert not state.usable
    assert "plain file" in state.reason


@pytest.mark.usefixtures("restore_keyring")
def test_remember_recall_forget_round_trip() -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    assert remember.keyring_state().usable
    key = bytes(range(32))
    remember.remember("register-1", key)
    assert remember.recall("register-1") == key
    assert remember.recall("register-2") is None
    remember.forget("register-1")
    remember.forget("register-1")  # twice is harmless
    assert remember.recall("register-1") is None
    backend.store[(remember.SERVICE, "register-3")] = "not base64!"
    assert remember.recall("register-3") is None
