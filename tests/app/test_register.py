"""Creating, opening, locking and backing up a register folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app import backups
from app.agreements import (
    create_agreement,
    create_agreement_in,
    list_agreements,
    update_agreement,
)
from app.errors import (
    NetworkPathError,
    NotARegisterError,
    RegisterExistsError,
    RegisterLockedError,
    ValidationError,
    WeakPassphraseError,
)
from app.paths import DB_FILE, Mount, network_reason
from app.register import Register
from db import migrate
from db.models import AgreementRecord

PASS = "correct horse battery staple"


def test_create_then_open_keeps_name_and_identity(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", PASS, name="Suffolk ISB") as reg:
        info = reg.info()
    with Register.open(tmp_path / "reg", PASS) as reg:
        assert reg.info().name == "Suffolk ISB"
        assert reg.info().register_id == info.register_id
        assert reg.info().device_id == info.device_id


def _planner_statistics(path: Path) -> set[str]:
    """The tables SQLite's query planner has statistics for, in the register at `path`."""
    with Register.open(path, PASS) as reg, reg.engine.connect() as conn:
        found = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).all()
        if not found:
            return set()
        return set(conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1").scalars())


def test_closing_a_register_written_to_gives_the_planner_statistics(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", PASS) as reg:
        create_agreement(reg, {"reference": "ISA-2026-001", "title": "Hospital discharge",
                               "category": "personal"})  # fmt: skip
    assert {"agreement", "operation", "record_state"} <= _planner_statistics(tmp_path / "reg")


def test_a_register_only_read_is_left_byte_for_byte_as_it_was(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", PASS) as reg:
        create_agreement(reg, {"reference": "ISA-2026-001", "title": "Hospital discharge",
                               "category": "personal"})  # fmt: skip
    with Register.open(tmp_path / "reg", PASS) as reg, reg.engine.connect() as conn:
        conn.exec_driver_sql("DROP TABLE sqlite_stat1")  # as a register from before statistics
        conn.commit()
    database = tmp_path / "reg" / DB_FILE
    before = database.read_bytes()
    with Register.open(tmp_path / "reg", PASS) as reg:
        (listed,) = list_agreements(reg)
        assert listed.reference == "ISA-2026-001"
        with pytest.raises(ValidationError):  # a refused write writes nothing
            create_agreement(reg, {"reference": "ISA-2026-001", "title": "Again",
                                   "category": "personal"})  # fmt: skip
        rehearsed = {"reference": "ISA-2026-002", "title": "Rehearsed", "category": "personal"}
        reg.rehearse(lambda changes: create_agreement_in(changes, rehearsed))  # as a preview
        assert update_agreement(reg, listed.id, {"title": "Hospital discharge"}) == 0
    assert database.read_bytes() == before
    assert _planner_statistics(tmp_path / "reg") == set()


def test_create_refuses_existing_register_and_weak_passphrase(tmp_path: Path) -> None:
    Register.create(tmp_path / "reg", PASS).close()
    with pytest.raises(RegisterExistsError):
        Register.create(tmp_path / "reg", PASS)
    with pytest.raises(WeakPassphraseError, match="at least 12"):
        Register.create(tmp_path / "other", "short")
    assert not (tmp_path / "other").exists()


def test_open_refuses_a_folder_that_is_not_a_register(tmp_path: Path) -> None:
    with pytest.raises(NotARegisterError, match="register.key is missing"):
        Register.open(tmp_path, PASS)


def test_second_open_of_the_same_register_is_refused(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", PASS), pytest.raises(RegisterLockedError):
        Register.open(tmp_path / "reg", PASS)
    Register.open(tmp_path / "reg", PASS).close()  # released on close


@pytest.mark.parametrize("path", ["//fileserver/ig/register", "\\\\fileserver\\ig\\register"])
def test_unc_paths_are_refused_with_the_reason(path: str) -> None:
    with pytest.raises(NetworkPathError, match="network \\(UNC\\) path.*isr share"):
        Register.create(Path(path), PASS)


def test_network_mounts_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()  # a mount point always exists
    mounts = [Mount("/", "ext4"), Mount(str(tmp_path), "cifs"), Mount(str(tmp_path / "x"), "ext4")]
    assert network_reason(tmp_path / "reg", mounts) is not None
    assert "cifs" in (network_reason(tmp_path / "reg", mounts) or "")
    assert network_reason(tmp_path / "x" / "reg", mounts) is None  # deepest mount wins
    assert network_reason(Path("/srv/reg"), [Mount("/", "ext4")]) is None


def test_opening_takes_a_daily_backup_once_a_day(tmp_path: Path) -> None:
    Register.create(tmp_path / "reg", PASS).close()
    Register.open(tmp_path / "reg", PASS).close()
    Register.open(tmp_path / "reg", PASS).close()
    daily = [b for b in backups.list_backups(tmp_path / "reg") if b.reason == "daily"]
    assert len(daily) == 1
    assert (tmp_path / "reg" / "backups" / "register.key.bak").exists()


def test_upgrade_takes_a_verified_backup_first(tmp_path: Path) -> None:
    """Open a register whose schema is one revision behind: a backup precedes the upgrade."""
    previous = migrate.previous_revision(migrate.head_revision())
    if previous is None:
        pytest.skip("only one schema revision exists")
    with Register.create(tmp_path / "reg", PASS) as reg:
        reg.write("add", lambda c: c.create("agreement", {"reference": "ISA-1", "title": "Kept"}))
        migrate.downgrade(reg.engine, previous)
    with Register.open(tmp_path / "reg", PASS) as reg, reg.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    found = [
        b for b in backups.list_backups(tmp_path / "reg") if b.reason.startswith("before-upgrade")
    ]
    assert len(found) == 1
    assert found[0].taken <= dt.datetime.now(dt.UTC)
    with Register.open(tmp_path / "reg", PASS) as reg, reg.session() as session:
        titles = [a.title for a in session.query(AgreementRecord)]
    assert titles == ["Kept"]
