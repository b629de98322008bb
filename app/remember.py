"""'Remember on this device': a register's wrapping key kept in the operating system's keyring.

Only a keyring that keeps secrets safely counts as usable: the fail and null backends, a chain
with no backends, and the plain-file keyrings of keyrings.alt (priority below 1, which store the
secret unencrypted or ask for a password of their own) are refused with a reason a person reads.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any

from app.errors import RegisterError

log = logging.getLogger(__name__)

SERVICE = "Information Sharing Register"
MIN_PRIORITY = 1.0  # keyring's own secure backends (Secret Service, macOS, Windows) rank 5


class RememberError(RegisterError):
    """The keyring could not keep the key."""


@dataclass(frozen=True)
class KeyringState:
    """Whether 'remember on this device' can be offered, and why not when it cannot."""

    usable: bool
    reason: str  # empty when usable
    backend: str


def _usable_backends(backend: Any) -> list[Any]:
    from keyring.backends import chainer, fail

    if isinstance(backend, chainer.ChainerBackend):
        return [b for b in backend.backends if _usable_backends(b)]
    if isinstance(backend, fail.Keyring):
        return []
    try:
        priority = float(backend.priority)
    except Exception:  # a backend that cannot even say its priority is not usable
        return []
    return [backend] if priority >= MIN_PRIORITY else []


def keyring_state() -> KeyringState:
    import keyring  # lazily: loading the keyring backends is slow at startup

    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # keyring's discovery can fail in many platform-specific ways
        return KeyringState(False, f"the keyring could not be loaded ({exc}).", "none")
    name = type(backend).__module__ + "." + type(backend).__name__
    if _usable_backends(backend):
        return KeyringState(True, "", name)
    if name.startswith("keyrings.alt"):
        reason = ("this computer's only keyring stores secrets in a plain file, "
                  "which would not keep the key safe.")  # fmt: skip
    else:
        reason = ("this computer has no keyring service (such as Windows Credential Manager, "
                  "macOS Keychain or GNOME Keyring) that the app can use.")  # fmt: skip
    return KeyringState(False, reason, name)


def remember(register_id: str, wrapping_key: bytes) -> None:
    """Keep the wrapping key in the keyring; raises `RememberError` when it cannot."""
    import keyring  # lazily: loading the keyring backends is slow at startup
    import keyring.errors

    state = keyring_state()
    if not state.usable:
        raise RememberError(f"The key cannot be remembered: {state.reason}")
    try:
        keyring.set_password(SERVICE, register_id, base64.b64encode(wrapping_key).decode())
    except keyring.errors.KeyringError as exc:
        raise RememberError(f"The keyring refused to keep the key: {exc}") from exc


def recall(register_id: str) -> bytes | None:
    """Return the remembered wrapping key of a register, or None."""
    import keyring  # lazily: loading the keyring backends is slow at startup
    import keyring.errors

    if not keyring_state().usable:
        return None
    try:
        stored = keyring.get_password(SERVICE, register_id)
    except keyring.errors.KeyringError:
        log.warning("the keyring could not be read", exc_info=True)
        return None
    if not stored:
        return None
    try:
        return base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        return None


def forget(register_id: str) -> None:
    """Remove a remembered key; nothing happens when none was kept."""
    import keyring  # lazily: loading the keyring backends is slow at startup
    import keyring.errors

    if not keyring_state().usable:
        return
    try:
        keyring.delete_password(SERVICE, register_id)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError:
        log.warning("the keyring could not forget a key", exc_info=True)
