"""Opening a register database: the only place the key and the pragmas are applied."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

KEY_BYTES = 32
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536  # 64 MiB page cache: with a small cache SQLCipher decrypts every page again
WAL_KEEP_BYTES = 32 * 1024 * 1024
"""The most disk the write-ahead log may keep once a session ends (see `shrink_wal`).

A large transaction (an import) grows the log to its whole size; without a limit the file
keeps that size, hundreds of megabytes on a laptop, until the register is closed.
"""


STATS_SAMPLE_ROWS = 1000
"""Rows of each index `refresh_statistics` reads: a sample (SQLite's `analysis_limit`), so
analysing a table of 100,000 agreements takes a fraction of a second, yet shows its shape."""


class DatabaseKeyError(Exception):
    """The key does not open this database, or the file is not a database at all."""


def _connect(path: Path, key: bytes) -> Any:
    if len(key) != KEY_BYTES:
        raise ValueError("the database key must be 32 bytes")
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_memory_security = OFF")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        raise DatabaseKeyError(str(exc)) from exc
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_engine(path: Path, key: bytes) -> Engine:
    """An engine on the SQLCipher database at `path`, keyed with the raw 256-bit `key`.

    Raises `DatabaseKeyError` at once if the key does not open the file.
    """
    _connect(path, key).close()  # fail now, not at the first query
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,
        creator=lambda: _connect(path, key),
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=2,
    )

    # pysqlite-style drivers begin transactions lazily; take control so BEGIN is explicit
    # and a batch is one real transaction.
    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def shrink_wal(engine: Engine, path: Path) -> None:
    """Give back the disk a large transaction's write-ahead log took, if no one is reading now.

    The log's pages are copied into the database when a transaction commits (SQLite's automatic
    checkpoint); this copies any left and truncates the file. It does not wait for readers: if
    one is reading, the file is left for the next call (the register calls this as each of its
    sessions ends).
    """
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.stat().st_size <= WAL_KEEP_BYTES:
            return
    except FileNotFoundError:
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        raw.close()


def track_changes(engine: Engine) -> Callable[[], bool]:
    """A check of whether a transaction on `engine` has committed a change since this call.

    Reads commit too (every transaction begins IMMEDIATE), and SQLite's count of a
    connection's changed rows also counts rows a rolled-back transaction wrote (an import's
    preview), so a commit counts only when the count rose between its own begin and commit.
    """
    changed = [False]
    at_begin = f"changes at begin {id(changed)}"  # each tracker its own note on a connection

    def _count(conn: Any) -> int | None:
        raw = conn.connection.driver_connection
        return None if raw is None else int(raw.total_changes)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.info[at_begin] = _count(conn)

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        before = conn.info.pop(at_begin, None)
        if before is not None and _count(conn) != before:
            changed[0] = True

    return lambda: changed[0]


def refresh_statistics(engine: Engine) -> None:
    """Tell SQLite's query planner the tables' sizes and spreads, which it otherwise guesses.

    Without them a plan is chosen blind: an index that narrows nothing can be taken over the
    one that does (schema 0004 mended a case). `PRAGMA optimize` with mask 0x10002 analyses
    every table never analysed, or grown or shrunk much since, from a sample of each index:
    about 0.1-0.3 s the first time on 20,000 agreements, then nothing until they change a lot.
    The statistics are a hint: if they cannot be written (the disk is full, say), that is
    logged and nothing else.
    """
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(f"PRAGMA analysis_limit = {STATS_SAMPLE_ROWS}")
            cursor.execute("PRAGMA optimize = 0x10002").fetchall()
        finally:
            raw.close()
    except (sqlcipher3.Error, sqlite3.Error) as exc:
        log.warning("Could not refresh the query planner's statistics: %s", exc)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def backup_database(engine: Engine, target: Path, key: bytes) -> None:
    """Copy the database to `target` with SQLite's online backup API, encrypted with `key`.

    The copy is opened again and checked before this returns.
    """
    dest = _connect(target, key)
    try:
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            raw.close()
        result = dest.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            raise sqlite3.DatabaseError(f"backup check failed: {result}")
    finally:
        dest.close()


def check_integrity(engine: Engine) -> list[str]:
    """SQLCipher's page HMAC check and SQLite's integrity check; an empty list is healthy."""
    problems: list[str] = []
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()  # type: ignore[union-attr]
        problems += [row[0] for row in cur.execute("PRAGMA cipher_integrity_check").fetchall()]
        rows = [row[0] for row in cur.execute("PRAGMA integrity_check").fetchall()]
        problems += [r for r in rows if r != "ok"]
    finally:
        raw.close()
    return problems
