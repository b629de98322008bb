"""Errors a person can act on; the UI and the command line show their message, never a traceback.

Anything that is not a `RegisterError` is a bug: it is logged with its traceback and reported
as an unexpected failure.
"""

from __future__ import annotations

from dataclasses import dataclass


class RegisterError(Exception):
    """Base of every error caused by the environment or the input, not by a bug."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongPassphraseError(RegisterError):
    exit_code = 3

    def __init__(self) -> None:
        super().__init__(
            "Wrong passphrase: the key file is intact but this passphrase does not open it. "
            "Check the passphrase (it is case-sensitive) and try again."
        )


class DamagedKeyFileError(RegisterError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The key file {path} is damaged: its checksum does not match its contents. "
            "Restore register.key from a backup of this register folder (or ask a member of a "
            "shared register to re-approve this device)."
        )


class NotAKeyFileError(RegisterError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} is not a register key file. Choose the folder of a register "
            "(it holds register.key and register.db)."
        )


class NotARegisterError(RegisterError):
    def __init__(self, path: object, missing: str) -> None:
        super().__init__(
            f"{path} is not a register folder: {missing} is missing. "
            "Choose the folder you created with 'isr init' or the desktop app."
        )


class RegisterExistsError(RegisterError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} already holds a register. Choose an empty or new folder, "
            "or open the existing register."
        )


class FolderError(RegisterError):
    """A folder typed or chosen cannot be used: not a whole path, a file, in use or unreadable."""


class DamagedDatabaseError(RegisterError):
    def __init__(self, path: object, detail: str) -> None:
        super().__init__(
            f"The register database {path} is damaged ({detail}). "
            "Restore it from the newest file in the register's backups folder."
        )


class NetworkPathError(RegisterError):
    def __init__(self, path: object, why: str) -> None:
        super().__init__(
            f"A register cannot be kept at {path}: {why}. A database on a network drive can be "
            "corrupted when two computers use it at once. Keep the register on this computer "
            "and share it through the network drive instead (File › Share in the app, or "
            "'isr share' on the command line)."
        )


class WeakPassphraseError(RegisterError):
    pass


class StorageError(RegisterError):
    """The disk is full, read-only, or the file is locked by another program."""


class RegisterLockedError(RegisterError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The register at {path} is open in another window or program. Close it there first."
        )


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field, said so a person can fix it."""

    field: str
    message: str


class ValidationError(RegisterError):
    """One or more fields are not acceptable; nothing was saved."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        text = " ".join(f"[{p.field}] {p.message}" for p in problems)
        super().__init__(f"Nothing was saved. {text}")


class NotFoundError(RegisterError):
    pass


class InUseError(RegisterError):
    """Other live records refer to the record to delete; nothing was deleted.

    The message names them and says what to change first (see `app.dependants`).
    """


class NothingToUndoError(RegisterError):
    pass
