"""Every path the register uses comes from here; network locations are refused here."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import platformdirs

APP_NAME = "InformationSharingRegister"
APP_AUTHOR = "ISR"

DB_FILE = "register.db"
KEY_FILE = "register.key"
BACKUP_DIR = "backups"
LOCK_FILE = ".register.lock"

NETWORK_FS_TYPES = frozenset(
    {
        "nfs", "nfs4", "cifs", "smb", "smbfs", "smb2", "smb3", "afpfs", "webdav", "davfs",
        "fuse.sshfs", "sshfs", "9p", "ncpfs", "coda", "afs", "glusterfs", "ceph", "fuse.rclone",
        "fuse.davfs2", "fuse.smbnetfs",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Mount:
    """A mounted file system: where, and of which type."""

    mountpoint: str
    fstype: str


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_register_dir(name: str = "register") -> Path:
    """The folder in the user data folder for a register called `name`."""
    return data_dir() / portable_name(name)


def unused_register_dir(name: str) -> Path:
    """A folder for a new register called `name` that holds nothing yet ("Name 2"… if needed)."""
    first = default_register_dir(name)
    candidate, number = first, 2
    while holds_files(candidate):
        candidate = first.with_name(f"{first.name} {number}")
        number += 1
    return candidate


def holds_files(folder: Path) -> bool:
    """Whether `folder` is there and is not an empty folder."""
    if not folder.is_dir():
        return folder.exists()
    return any(folder.iterdir())


_NOT_IN_NAMES = frozenset('<>:"/\\|?*')
_RESERVED_ON_WINDOWS = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(1, 10))}
)
NAME_MOST = 80


def portable_name(name: str, fallback: str = "register") -> str:
    """`name` made a folder or file name Windows, macOS and Linux all take.

    Characters they refuse, and those that do not print, become spaces; runs of spaces, and dots
    or spaces at the end, go; a name Windows keeps for devices ("CON", "LPT1") gets " register"
    after it.
    """
    kept = "".join(c if c.isprintable() and c not in _NOT_IN_NAMES else " " for c in name)
    cleaned = " ".join(kept.split())
    cleaned = cleaned[:NAME_MOST].rstrip(". ")
    if not cleaned:
        return fallback
    if cleaned.split(".")[0].upper() in _RESERVED_ON_WINDOWS:
        return f"{cleaned} register"
    return cleaned


def display_path(path: Path) -> str:
    """`path` as shown to people: a path in the home folder starts with `~` (not on Windows).

    Windows users expect the whole path, and `~` means nothing to Explorer.
    """
    if os.name == "nt":
        return str(path)
    try:
        inside = path.relative_to(Path.home())
    except (ValueError, RuntimeError):  # elsewhere, or no home folder known
        return str(path)
    return str(Path("~") / inside)


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def _system_mounts() -> list[Mount]:
    import psutil

    return [Mount(p.mountpoint, p.fstype.lower()) for p in psutil.disk_partitions(all=True)]


def _windows_drive_is_remote(drive: str) -> bool:
    import ctypes

    drive_remote = 4
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
    return bool(kernel32.GetDriveTypeW(drive + "\\") == drive_remote)


def network_reason(path: Path, mounts: Iterable[Mount] | None = None) -> str | None:
    r"""Why `path` is on a network location, or None if it is local.

    UNC paths (``\\\\server\\share``, ``//server/share``) and mapped remote drives are
    network locations; so is any path under a mount of a network file system type.
    """
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "it is a network (UNC) path"
    if os.name == "nt":
        drive = PureWindowsPath(os.path.abspath(text)).drive
        if drive and _windows_drive_is_remote(drive):
            return f"drive {drive} is a mapped network drive"
        return None
    resolved = _existing_ancestor(path)
    best: Mount | None = None
    for mount in _system_mounts() if mounts is None else mounts:
        point = Path(mount.mountpoint)
        if (resolved == point or point in resolved.parents) and (
            best is None or len(mount.mountpoint) > len(best.mountpoint)
        ):
            best = mount
    if best is not None and best.fstype in NETWORK_FS_TYPES:
        return f"it is on a network file system ({best.fstype} mounted at {best.mountpoint})"
    return None


def _existing_ancestor(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve()
    return path
