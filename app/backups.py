"""Encrypted backups of a register: daily, before every migration, verified after writing."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app.files import storage_error, write_atomically
from app.paths import BACKUP_DIR, KEY_FILE
from db.engine import backup_database

KEEP_DAILY = 14
KEY_COPY = "register.key.bak"
PREFIX = "register-"


@dataclass(frozen=True)
class Backup:
    """One backup file of a register's database."""

    path: Path
    taken: dt.datetime
    reason: str


def backup_dir(register_dir: Path) -> Path:
    return register_dir / BACKUP_DIR


def take(engine: Engine, register_dir: Path, db_key: bytes, reason: str) -> Backup:
    """Copy the database into the backups folder (encrypted with the same key), verified."""
    folder = backup_dir(register_dir)
    now = dt.datetime.now(dt.UTC)
    target = folder / f"{PREFIX}{now:%Y%m%dT%H%M%S%fZ}-{reason}.db"
    partial = target.with_suffix(".partial")
    try:
        folder.mkdir(exist_ok=True)
        backup_database(engine, partial, db_key)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise storage_error(exc, target) from exc
    return Backup(target, now, reason)


def list_backups(register_dir: Path) -> list[Backup]:
    found: list[Backup] = []
    for path in sorted(backup_dir(register_dir).glob(f"{PREFIX}*.db")):
        stamp, _, reason = path.stem.removeprefix(PREFIX).partition("-")
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        found.append(Backup(path, taken, reason))
    return found


def take_daily(engine: Engine, register_dir: Path, db_key: bytes) -> Backup | None:
    """Take the day's backup if the newest daily one is older than a day; prune old ones."""
    daily = [b for b in list_backups(register_dir) if b.reason == "daily"]
    now = dt.datetime.now(dt.UTC)
    if daily and now - daily[-1].taken < dt.timedelta(days=1):
        return None
    backup = take(engine, register_dir, db_key, "daily")
    for old in daily[: max(0, len(daily) + 1 - KEEP_DAILY)]:
        old.path.unlink(missing_ok=True)
    return backup


def keep_key_copy(register_dir: Path) -> None:
    """A copy of the key file to restore from if the key file is damaged."""
    folder = backup_dir(register_dir)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, folder) from exc
    write_atomically(folder / KEY_COPY, (register_dir / KEY_FILE).read_bytes())


def restore_key_copy(register_dir: Path) -> None:
    shutil.copyfile(backup_dir(register_dir) / KEY_COPY, register_dir / KEY_FILE)
