"""Writing files so that a crash or a full disk never leaves a half-written file in place."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from app.errors import StorageError

TEMP_SUFFIX = ".tmp"


def storage_error(exc: OSError, path: Path) -> StorageError:
    """Say what went wrong with the disk in words a person can act on."""
    if exc.errno == errno.ENOSPC:
        return StorageError(f"The disk holding {path} is full. Free some space and try again.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(
            f"Cannot write to {path}: permission denied or read-only. "
            "Choose a folder you can write to."
        )
    return StorageError(f"Cannot write {path}: {exc.strerror or exc}.")


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
    """Replace `path` with `data`: temp file, flush, rename over it."""
    try:
        tmp = _write_temp(path, data)
        os.replace(tmp, path)
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
