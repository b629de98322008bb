"""Writing files so that a crash or a full disk never leaves a half-written file in place."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from app.errors import RegisterError, StorageError
from app.paths import display_path

TEMP_SUFFIX = ".tmp"


def storage_error(exc: OSError, path: Path) -> StorageError:
    """Say what went wrong with the disk in words a person can act on."""
    shown = display_path(path)
    if exc.errno == errno.ENOSPC:
        return StorageError(f"The disk holding {shown} is full. Free some space and try again.")
    if exc.errno == errno.EISDIR:
        return StorageError(f"Cannot write {shown}: it is a folder. Give the file a name in it.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(
            f"Cannot write to {shown}: permission denied, read-only, or the file is open in "
            "another program. Close it there, or choose a folder you can write to."
        )
    return StorageError(f"Cannot write {shown}: {exc.strerror or exc}.")


class WorkbookNameError(RegisterError):
    """A workbook (an export, a report) asked to be written under a name that cannot be one."""


def check_workbook_path(path: Path, what: str, example: str = "Register.xlsx") -> Path:
    """Refuse a name an Excel workbook cannot be written under, before any work is done.

    `what` says which workbook, to begin the message ("An export", "A report"); `example` is a
    name to suggest when a folder was given. The folder it goes in must be there.
    """
    path = Path(path)
    if path.is_dir():
        raise WorkbookNameError(
            f"{display_path(path)} is a folder: give the workbook a name in it, e.g. "
            f"{display_path(path / example)}. Nothing was written."
        )
    if path.suffix.lower() != ".xlsx":
        raise WorkbookNameError(
            f"{what} is an Excel workbook: give it a name ending in .xlsx, not "
            f"'{path.name}'. Nothing was written."
        )
    folder = path.absolute().parent
    if not folder.is_dir():
        said = "is a file, not a folder" if folder.exists() else "does not exist"
        raise WorkbookNameError(
            f"{display_path(folder)} {said}: choose a folder for the workbook. Nothing was written."
        )
    return path


def _fsync_dir(directory: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: temp file, flush, rename over it.

    If the rename fails (the name is a folder, or a file another program holds open), the temp
    file goes too: nothing of `data` is left on disk.
    """
    try:
        tmp = _write_temp(path, data)
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(path.parent)
    except OSError as exc:
        raise storage_error(exc, path) from exc


def write_new_file(path: Path, data: bytes) -> bool:
    """Create `path` with `data`, never replacing an existing file.

    Returns False (and writes nothing) when `path` already exists. The final name appears only
    once the content is flushed, so a reader never sees a partial file under it.
    """
    try:
        tmp = _write_temp(path, data)
        try:
            os.link(tmp, path)  # fails with EEXIST instead of replacing
        except FileExistsError:
            return False
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        _fsync_dir(path.parent)
        return True
    except OSError as exc:
        raise storage_error(exc, path) from exc


def remove_stale_temp_files(directory: Path) -> int:
    """Delete temp files left by a crash in the middle of a write; returns how many."""
    removed = 0
    if not directory.is_dir():
        return 0
    for entry in directory.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed
