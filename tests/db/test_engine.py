"""The database layer: pragmas, keys, migrations matching the models, backups."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text

from db import migrate
from db.base import Base
from db.engine import (
    DatabaseKeyError,
    backup_database,
    check_integrity,
    open_engine,
    refresh_statistics,
    track_changes,
)


@pytest.fixture
def key() -> bytes:
    return os.urandom(32)


def test_pragmas_are_applied_on_every_connection(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -65536
        assert conn.execute(text("PRAGMA cipher_version")).scalar().startswith("4.")
    engine.dispose()


def test_wrong_key_is_refused_at_open(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    migrate.upgrade(engine, lambda current, head: None)
    engine.dispose()
    with pytest.raises(DatabaseKeyError):
        open_engine(tmp_path / "r.db", os.urandom(32))


def test_file_is_not_readable_as_plain_sqlite(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    migrate.upgrade(engine, lambda current, head: None)
    engine.dispose()
    assert not (tmp_path / "r.db").read_bytes().startswith(b"SQLite format 3")
    plain = sqlcipher3.connect(str(tmp_path / "r.db"))
    with pytest.raises(sqlcipher3.DatabaseError):
        plain.execute("SELECT * FROM sqlite_master").fetchall()


def test_migrations_create_exactly_the_models(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    assert migrate.upgrade(engine, lambda current, head: None)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_name": lambda name, kind, _: (
                    kind != "table" or migrate.is_managed_table(name)
                )
            },
        )
        diff = compare_metadata(context, Base.metadata)
        assert migrate.current_revision(conn) == migrate.head_revision()
    assert diff == []
    assert not migrate.upgrade(engine, lambda current, head: None)  # already at head
    engine.dispose()


def test_backup_is_encrypted_and_verified(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    migrate.upgrade(engine, lambda current, head: None)
    backup_database(engine, tmp_path / "copy.db", key)
    engine.dispose()
    copy = open_engine(tmp_path / "copy.db", key)
    assert check_integrity(copy) == []
    with copy.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    copy.dispose()
    with pytest.raises(DatabaseKeyError):
        open_engine(tmp_path / "copy.db", os.urandom(32))


def test_head_revision_is_the_newest_migration_script() -> None:
    """`HEAD_REVISION` lets opening skip Alembic; it must name the scripts' real head."""
    assert migrate.head_revision() == migrate.scripted_head_revision()


def test_a_new_database_has_no_revision(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) is None
    engine.dispose()


def test_a_stale_schema_is_upgraded_after_the_hook(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    migrate.upgrade(engine, lambda current, head: None)
    previous = migrate.previous_revision(migrate.head_revision())
    if previous is None:
        pytest.skip("only one schema revision exists")
    migrate.downgrade(engine, previous)
    calls: list[tuple[str | None, str, str | None]] = []

    def before(current: str | None, head: str) -> None:
        with engine.connect() as conn:  # the hook runs while the schema is still the old one
            calls.append((current, head, migrate.current_revision(conn)))

    assert migrate.upgrade(engine, before)
    assert calls == [(previous, migrate.head_revision(), previous)]
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
    engine.dispose()


def test_opening_at_head_does_not_import_alembic(tmp_path: Path, key: bytes) -> None:
    """The open path of an up-to-date register stays free of Alembic (a fast start)."""
    engine = open_engine(tmp_path / "r.db", key)
    migrate.upgrade(engine, lambda current, head: None)
    engine.dispose()
    code = (
        "import sys; from pathlib import Path; from db import migrate; "
        "from db.engine import open_engine; "
        "engine = open_engine(Path(sys.argv[1]), bytes.fromhex(sys.argv[2])); "
        "ran = migrate.upgrade(engine, lambda current, head: None); "
        "print(ran, sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.db"), key.hex()],
                         cwd=root, capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.split() == ["False", "[]"]


def test_track_changes_sees_commits_that_changed_rows_only(tmp_path: Path, key: bytes) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    changed = track_changes(engine)
    with engine.begin() as conn:  # a read commits too
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
    assert not changed()
    with pytest.raises(RuntimeError), engine.begin() as conn:  # rolled back
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        raise RuntimeError("refused")
    assert not changed()
    with engine.begin() as conn:  # a read on the same connection, after the rolled-back write
        conn.exec_driver_sql("SELECT count(*) FROM t").scalar()
    assert not changed()
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (2)")
    assert changed()
    engine.dispose()


def _indexed_table(engine: Any) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (n INTEGER, kind TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_t_kind ON t (kind)")
        conn.exec_driver_sql(
            "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5000) "
            "INSERT INTO t SELECT n, 'k' || (n % 3) FROM c"
        )


def test_refresh_statistics_tells_the_planner_the_tables_shapes(tmp_path: Path,
                                                                key: bytes) -> None:  # fmt: skip
    engine = open_engine(tmp_path / "r.db", key)
    _indexed_table(engine)
    refresh_statistics(engine)
    with engine.connect() as conn:
        stats = dict(conn.exec_driver_sql("SELECT idx, stat FROM sqlite_stat1").all())
    assert stats["ix_t_kind"].split()[0] == "5000"  # rows, then rows per distinct kind
    engine.dispose()


def test_statistics_that_cannot_be_written_are_logged_and_nothing_else(
    tmp_path: Path, key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_engine(tmp_path / "r.db", key)
    _indexed_table(engine)
    engine.dispose()

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    with caplog.at_level(logging.WARNING, logger="db.engine"):
        refresh_statistics(engine)
    assert "Could not refresh the query planner's statistics" in caplog.text
    engine.dispose()
    engine = open_engine(tmp_path / "r.db", key)
    with engine.connect() as conn:
        assert not conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).all()
    engine.dispose()
