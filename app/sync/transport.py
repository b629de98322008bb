"""Where shared files live: one `SharedStore` interface, and a folder on a network drive.

Names are relative ``/``-separated paths of the grammar in `app.sync.format`. A store never
opens a database; apart from heads, files are only ever created, never replaced.
"""

from __future__ import annotations

import abc
import errno
import os
from pathlib import Path

from app.errors import StorageError
from app.files import remove_stale_temp_files, write_atomically, write_new_file
from app.sync.errors import ShareUnreachableError

_UNREACHABLE = {
    errno.ENOENT, errno.ENOTDIR, errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ENETDOWN,
    errno.ENETUNREACH, errno.ETIMEDOUT, errno.ESTALE, errno.EIO, errno.ECONNREFUSED,
    errno.ECONNRESET, errno.ENODEV,
}  # fmt: skip


class SharedStore(abc.ABC):
    """The shared files of one register, wherever they are kept."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the store is, in words for a person."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise `ShareUnreachableError` unless the store can be read and written now."""

    @abc.abstractmethod
    def read(self, name: str) -> bytes | None:
        """The bytes of `name`, or None when there is no such file."""

    @abc.abstractmethod
    def exists(self, name: str) -> bool: ...

    @abc.abstractmethod
    def list(self, directory: str) -> list[str]:
        """Names of the entries directly in `directory` (empty if it does not exist)."""

    @abc.abstractmethod
    def write_new(self, name: str, data: bytes) -> bool:
        """Create `name`; False (nothing written) if it exists already. Never replaces."""

    @abc.abstractmethod
    def replace(self, name: str, data: bytes) -> None:
        """Atomically replace `name` (used only for a device's own head)."""

    @abc.abstractmethod
    def remove_unfinished(self, name: str) -> None:
        """Remove this device's file `name` that was never made part of the register.

        Only for what a change of members cut short left: key slots of an epoch whose roster
        was never written, or the first roster of a share whose identity file was never
        written. Nothing reads them, and the epoch is started again with a new key.
        """

    @abc.abstractmethod
    def clean(self, directory: str) -> int:
        """Remove temp files a crash left in `directory`; returns how many."""


class FolderStore(SharedStore):
    """A shared folder (typically on a network drive)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return str(self.root)

    def _path(self, name: str) -> Path:
        parts = name.split("/")
        if any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"not a shared file name: {name!r}")
        return self.root.joinpath(*parts)

    def _unreachable(self, exc: OSError) -> ShareUnreachableError:
        return ShareUnreachableError(self.root, exc.strerror or str(exc))

    def check(self) -> None:
        try:
            if not self.root.is_dir():
                raise ShareUnreachableError(self.root, "folder not found")
            os.listdir(self.root)
        except OSError as exc:
            raise self._unreachable(exc) from exc

    def read(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            if not self.root.is_dir():
                raise ShareUnreachableError(self.root, "folder not found") from None
            return None
        except IsADirectoryError:
            return None
        except OSError as exc:
            raise self._unreachable(exc) from exc

    def exists(self, name: str) -> bool:
        try:
            return self._path(name).is_file()
        except OSError as exc:
            raise self._unreachable(exc) from exc

    def list(self, directory: str) -> list[str]:
        try:
            return sorted(os.listdir(self._path(directory)))
        except (FileNotFoundError, NotADirectoryError):
            if not self.root.is_dir():
                raise ShareUnreachableError(self.root, "folder not found") from None
            return []
        except OSError as exc:
            raise self._unreachable(exc) from exc

    def _parent(self, name: str) -> Path:
        path = self._path(name)
        if not self.root.is_dir():
            raise ShareUnreachableError(self.root, "folder not found")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unreachable(exc) from exc
        return path

    def write_new(self, name: str, data: bytes) -> bool:
        path = self._parent(name)
        try:
            return write_new_file(path, data)
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
                raise self._unreachable(cause) from exc
            raise

    def replace(self, name: str, data: bytes) -> None:
        path = self._parent(name)
        try:
            write_atomically(path, data)
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, OSError) and cause.errno in _UNREACHABLE:
                raise self._unreachable(cause) from exc
            raise

    def remove_unfinished(self, name: str) -> None:
        try:
            self._path(name).unlink(missing_ok=True)
        except OSError as exc:
            raise self._unreachable(exc) from exc

    def clean(self, directory: str) -> int:
        try:
            return remove_stale_temp_files(self._path(directory))
        except OSError:
            return 0
