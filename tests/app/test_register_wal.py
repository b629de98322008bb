"""The write-ahead log gives its disk back after a large transaction (an import, a big pull)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

import app.register
import db.engine
from app import search
from app.paths import DB_FILE
from app.register import Changes, Register

LIMIT = 1024 * 1024  # a small limit, so that a few megabytes of notes are a "large" batch
NOTES = "Assurance reviewed at the partnership board; evidence filed. " * 160  # ~10 KB


def _wal(register: Register) -> Path:
    return register.path / f"{DB_FILE}-wal"


def _partners(count: int) -> Callable[[Changes], None]:
    """A batch of `count` organisations with long notes (about 10 KB each)."""

    def build(changes: Changes) -> None:
        for n in range(count):
            changes.create("organisation", {"name": f"Partner {n}", "assurance_notes": NOTES})

    return build


def _write_many(register: Register, count: int = 400) -> None:
    register.write("Add partners", _partners(count))


@pytest.fixture()
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db.engine, "WAL_KEEP_BYTES", LIMIT)


def test_a_large_batch_leaves_no_large_log(
    small_limit: None, core_register_copy: Callable[[str], Register]
) -> None:
    register = core_register_copy("register")
    _write_many(register)
    assert _wal(register).stat().st_size <= LIMIT
    with register.engine.connect() as connection:  # and every row was written
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM organisation WHERE name LIKE 'Partner %'"
        ).scalar_one()
    assert count == 400


def test_a_large_dry_run_leaves_no_large_log(
    small_limit: None,
    core_register_copy: Callable[[str], Register],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A small page cache, so that the batch spills into the log before it is rolled back,
    # as an import of many thousand rows does with the usual cache.
    monkeypatch.setattr(db.engine, "CACHE_KIB", 512)
    register = core_register_copy("register")
    grown: list[int] = []  # the log's size each time a session ends, before it is cut back
    real_shrink = app.register.shrink_wal

    def shrink(engine: Engine, path: Path) -> None:
        grown.append(_wal(register).stat().st_size)
        real_shrink(engine, path)

    monkeypatch.setattr(app.register, "shrink_wal", shrink)
    register.rehearse(_partners(400))
    assert max(grown) > LIMIT  # the rolled-back batch did spill into the log
    assert _wal(register).stat().st_size <= LIMIT


def test_a_reader_is_not_waited_for_and_the_log_shrinks_later(
    small_limit: None, core_register_copy: Callable[[str], Register]
) -> None:
    register = core_register_copy("register")
    reader = register.engine.raw_connection()  # a plain read transaction: BEGIN, not IMMEDIATE
    try:
        cursor = reader.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("BEGIN")
        cursor.execute("SELECT count(*) FROM organisation").fetchone()
        _write_many(register)  # commits although a reader holds an older snapshot
        assert _wal(register).stat().st_size > LIMIT  # cannot be cut while it is read
        cursor.execute("COMMIT")
    finally:
        reader.close()
    register.meta("name")  # the next use of the register, even a read, copies back and cuts
    assert _wal(register).stat().st_size <= LIMIT


def test_the_search_index_written_after_a_large_batch_leaves_no_large_log(
    small_limit: None, core_register_copy: Callable[[str], Register]
) -> None:
    """In the app the search index follows each batch in a transaction of its own."""
    register = core_register_copy("register")
    search.attach(register)

    def build(changes: Changes) -> None:
        for n in range(200):
            changes.create("agreement", {"reference": f"ISA-{n}", "summary": NOTES})

    register.write("Add agreements", build)
    assert search.search(register, "partnership board")  # the index holds them
    assert _wal(register).stat().st_size <= LIMIT
