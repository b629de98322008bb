"""Every path the register uses comes from here; network locations are refused here."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import platformdirs

from app.errors import FolderError, NetworkPathError, RegisterError, RegisterExistsError

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
    while _taken(candidate):
        candidate = first.with_name(f"{first.name} {number}")
        number += 1
    return candidate


def _taken(folder: Path) -> bool:
    """Whether something is at `folder` that a new register cannot go in (the offer skips it).

    Only what is there is skipped: a folder above that cannot be read would refuse every name,
    so that name is offered, and the check on creating says why it cannot be used.
    """
    try:
        os.lstat(folder)
    except OSError:
        return False
    try:
        check_new_register_dir(folder)
    except RegisterError:
        return True
    return False


LOCAL_EXAMPLE = r"C:\Registers\Board" if os.name == "nt" else "~/Registers/Board"
"""A whole path to a folder on this computer, to show how one is written."""
SHARED_EXAMPLE = (
    r"\\server\share\Board register" if os.name == "nt" else "/mnt/share/Board register"
)
"""A whole path to a folder on the network drive, to show how one is written."""


def path_from_text(text: str, example: str = LOCAL_EXAMPLE) -> Path:
    """The folder a person typed, as a whole path: spaces around it go, `~` and `~name` expand.

    Raises `FolderError` when nothing is typed, when `~name` names no user of this computer, or
    when the text is only part of a path (it would land wherever the app happened to start);
    `example` shows how a whole path is written.
    """
    typed = text.strip()
    if not typed:
        raise FolderError("Choose or type a folder.")
    try:
        path = Path(typed).expanduser()
    except RuntimeError as exc:  # no such user, or no home folder known at all
        home = Path(typed).parts[0]
        why = (
            "this computer gives no home folder for '~'"
            if home == "~"
            else f"'{home}' is not a user on this computer"
        )
        raise FolderError(f"Write the folder's whole path; {why}.") from exc
    if not path.is_absolute():
        raise FolderError(f"Write the folder's whole path, such as {example}, not '{typed}'.")
    return path


def check_folder(path: Path) -> None:
    """Refuse `path` as a folder when it, or the nearest folder above it that is there, is a file.

    A folder that is not there yet is fine: it is made when it is needed.
    """
    try:
        for candidate in (path, *path.parents):
            if candidate.exists():
                if not candidate.is_dir():
                    raise FolderError(
                        f"{display_path(candidate)} is a file, not a folder. "
                        "Choose or type a folder."
                    )
                return
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def check_new_register_dir(path: Path) -> None:
    """Refuse a folder a new register cannot be made in: it must be a new or an empty folder.

    The one rule for the command line, joining and the desktop: a register already there keeps
    its own refusal (`RegisterExistsError`); a file, a folder holding anything else and a folder
    that cannot be read are refused (`FolderError`), each saying why. A network location is
    refused first, from the path alone, before anything there is read (`NetworkPathError`).
    """
    refuse_network(path)
    check_folder(path)
    try:
        if not path.is_dir():
            return  # new: made with the register
        if (path / KEY_FILE).exists() or (path / DB_FILE).exists():
            raise RegisterExistsError(path)
        if any(path.iterdir()):
            raise FolderError(
                f"{display_path(path)} already holds files. "
                "Choose a new or empty folder for the register."
            )
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: OSError) -> FolderError:
    shown = display_path(path)
    if isinstance(exc, PermissionError):
        return FolderError(
            f"Cannot open {shown}: permission denied. Choose a folder you can open, or a new one."
        )
    return FolderError(f"Cannot read {shown}: {exc.strerror or exc}. Choose another folder.")


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


def refuse_network(path: Path) -> None:
    """Refuse a register folder on a network location (`NetworkPathError`), saying why."""
    reason = network_reason(path)
    if reason is not None:
        raise NetworkPathError(display_path(path), reason)


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
