"""Backups: the daily copy taken beside the open register, pruning, failures that leave it open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

from app import backups
from app.errors import StorageError
from app.register import Register
from db.engine import check_integrity, open_engine
from db.models import AgreementRecord


def _agreements(engine_path: Path, key: bytes) -> int:
    engine = open_engine(engine_path, key)
    try:
        assert check_integrity(engine) == []
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(AgreementRecord)).scalar()
    finally:
        engine.dispose()
    return int(count or 0)


def _forget_daily_backups(folder: Path) -> None:
    for backup in backups.list_backups(folder):
        if backup.reason == "daily":
            backup.path.unlink()


def test_daily_backup_runs_beside_writes_and_is_a_verified_copy(
    core_register: Register,
) -> None:
    register = core_register
    register.write("one", lambda c: c.create("agreement", {"reference": "ISA-1", "title": "A"}))
    _forget_daily_backups(register.path)
    assert backups.daily_due(register.path)

    daily = backups.DailyBackup.start(register.engine, register.path, register.material.db_key)
    register.write("two", lambda c: c.create("agreement", {"reference": "ISA-2", "title": "B"}))
    taken = daily.wait()

    assert daily.error is None and taken is not None and not daily.running
    assert taken.reason == "daily" and taken.path.exists()
    assert not backups.daily_due(register.path)
    assert not list(backups.backup_dir(register.path).glob("*.partial"))
    # the copy is one consistent snapshot: before or after the concurrent write, never between
    assert _agreements(taken.path, register.material.db_key) in (1, 2)
    with register.session() as session:
        assert session.scalar(select(func.count()).select_from(AgreementRecord)) == 2


def test_no_daily_backup_when_one_was_taken_today(core_register: Register) -> None:
    register = core_register
    assert not backups.daily_due(register.path)  # the template was opened today
    before = backups.list_backups(register.path)
    daily = backups.DailyBackup.start(register.engine, register.path, register.material.db_key)
    assert not daily.running
    assert daily.wait() is None and daily.error is None
    assert backups.list_backups(register.path) == before


def test_a_failed_daily_backup_is_kept_as_an_error_and_leaves_nothing(
    core_register_copy: Callable[[str], Register], tmp_path: Path
) -> None:
    register = core_register_copy("register")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / backups.backup_dir(Path()).name).write_text("a file where the folder goes")

    daily = backups.DailyBackup.start(register.engine, elsewhere, register.material.db_key)

    assert daily.wait() is None
    assert isinstance(daily.error, StorageError)
    assert "Cannot write" in daily.error.message
    assert sorted(p.name for p in elsewhere.iterdir()) == ["backups"]
    with register.session() as session:  # the register is still usable
        assert session.scalar(select(func.count()).select_from(AgreementRecord)) == 0


def test_daily_backups_are_pruned_to_the_newest(core_register: Register) -> None:
    register = core_register
    _forget_daily_backups(register.path)
    folder = backups.backup_dir(register.path)
    old = [folder / f"register-202001{day:02d}T000000000000Z-daily.db" for day in range(1, 21)]
    for path in old:
        path.write_bytes(b"an old copy")

    taken = backups.take_daily(register.engine, register.path, register.material.db_key)

    assert taken is not None
    kept = [b.path for b in backups.list_backups(register.path) if b.reason == "daily"]
    assert len(kept) == backups.KEEP_DAILY
    assert kept == [*old[-(backups.KEEP_DAILY - 1) :], taken.path]
