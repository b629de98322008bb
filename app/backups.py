"""Encrypted backups of a register: daily, before every migration, verified after writing."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app.files import storage_error, write_atomically
from app.paths import BACKUP_DIR, KEY_FILE
from db.engine import backup_database

log = logging.getLogger(__name__)

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
        _remove(partial)
        raise storage_error(exc, target) from exc
    except BaseException:
        _remove(partial)
        raise
    return Backup(target, now, reason)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # the cause of the failure is what to report
        path.unlink(missing_ok=True)


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


def _daily_backups(register_dir: Path) -> list[Backup]:
    return [b for b in list_backups(register_dir) if b.reason == "daily"]


def daily_due(register_dir: Path) -> bool:
    """Whether the newest daily backup is missing or older than a day."""
    daily = _daily_backups(register_dir)
    return not daily or dt.datetime.now(dt.UTC) - daily[-1].taken >= dt.timedelta(days=1)


def take_daily(engine: Engine, register_dir: Path, db_key: bytes) -> Backup | None:
    """Take the day's backup if the newest daily one is older than a day; prune old ones."""
    if not daily_due(register_dir):
        return None
    daily = _daily_backups(register_dir)
    backup = take(engine, register_dir, db_key, "daily")
    for old in daily[: max(0, len(daily) + 1 - KEEP_DAILY)]:
        old.path.unlink(missing_ok=True)
    return backup


class DailyBackup:
    """The day's backup taken on a thread of its own, so that opening a register need not wait.

    Copying a large register takes seconds; reads and writes go on meanwhile (the copy reads
    one consistent snapshot of the WAL database through its own connection). Call `wait`
    before the engine is disposed. A failure is logged and kept in `error`: the register
    stays usable, and the next opening tries again.
    """

    def __init__(self) -> None:
        self.backup: Backup | None = None
        self.error: Exception | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls, engine: Engine, register_dir: Path, db_key: bytes) -> DailyBackup:
        """Start the day's backup if one is due; returns at once."""
        daily = cls()
        if daily_due(register_dir):
            daily._thread = threading.Thread(
                target=daily._run, args=(engine, register_dir, db_key), name="daily-backup"
            )
            daily._thread.start()
        return daily

    def _run(self, engine: Engine, register_dir: Path, db_key: bytes) -> None:
        try:
            self.backup = take_daily(engine, register_dir, db_key)
        except Exception as exc:  # kept for the app to report; the thread must not die unseen
            log.exception("the daily backup of %s failed", register_dir)
            self.error = exc

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self) -> Backup | None:
        """Let the backup finish; the backup taken, or None (none was due, or it failed)."""
        if self._thread is not None:
            self._thread.join()
        return self.backup


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
