"""`isr verify`: check a register's key file, database, operation log (and shared folder).

Verification only reads: it takes no backup, runs no migration and holds no lock, so it can
look at a damaged register without making anything worse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from app import keys
from app.errors import DamagedDatabaseError, RegisterError
from app.paths import DB_FILE, KEY_FILE
from db import migrate
from db.engine import DatabaseKeyError, check_integrity, open_engine, session_factory


@dataclass(frozen=True)
class Check:
    """One verification step and its outcome."""

    name: str
    ok: bool
    message: str
    exit_code: int = 0


@dataclass(frozen=True)
class VerifyReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def _failed(name: str, error: RegisterError) -> Check:
    return Check(name, False, error.message, error.exit_code)


def verify_register(folder: Path, passphrase: str) -> VerifyReport:
    checks: list[Check] = []
    try:
        material = keys.read_key_file(folder / KEY_FILE, passphrase).material
    except RegisterError as exc:
        return VerifyReport((_failed("key file", exc),))
    checks.append(Check("key file", True, "intact, and the passphrase opens it"))
    db_path = folder / DB_FILE
    try:
        engine = open_engine(db_path, material.db_key)
    except DatabaseKeyError:
        error = DamagedDatabaseError(db_path, "it cannot be decrypted with the register's key")
        return VerifyReport((*checks, _failed("database", error)))
    except Exception as exc:  # sqlcipher raises its own DatabaseError for a torn file
        error = DamagedDatabaseError(db_path, str(exc))
        return VerifyReport((*checks, _failed("database", error)))
    try:
        for name, step in _database_steps(engine):
            try:
                checks.append(Check(name, True, step()))
            except RegisterError as exc:
                checks.append(_failed(name, exc))
                break
            except Exception as exc:  # any read failure past this point is damage
                checks.append(_failed(name, DamagedDatabaseError(db_path, str(exc))))
                break
    finally:
        engine.dispose()
    return VerifyReport(tuple(checks))


def _database_steps(engine: Engine) -> list[tuple[str, Callable[[], str]]]:
    def integrity() -> str:
        problems = check_integrity(engine)
        if problems:
            raise DamagedDatabaseError(DB_FILE, "; ".join(problems[:3]))
        return "every page decrypts and authenticates; SQLite integrity check ok"

    def schema() -> str:
        with engine.connect() as conn:
            current = migrate.current_revision(conn)
        head = migrate.head_revision()
        if current is None:
            raise DamagedDatabaseError(DB_FILE, "it has no schema version")
        return f"schema version {current}" + (
            "" if current == head else f" (will upgrade to {head})"
        )

    def log_replay() -> str:
        return _check_log_replay(engine)

    return [("database", integrity), ("schema", schema), ("operation log", log_replay)]


def _check_log_replay(engine: Engine) -> str:
    """Replaying the whole log into an empty database must give the same register."""
    from app.canonical import canonical_state, replay_into_memory
    from app.oplog import stored_operation
    from db.models import OperationRecord

    with session_factory(engine)() as session:
        ops = [stored_operation(r) for r in session.scalars(select(OperationRecord))]
        stored = canonical_state(session)
    replayed = replay_into_memory(ops)
    if stored != replayed:
        differing = sorted(
            k for k in set(stored) | set(replayed) if stored.get(k) != replayed.get(k)
        )
        raise DamagedDatabaseError(
            DB_FILE,
            "its tables do not match its operation log (" + ", ".join(differing[:5]) + ")",
        )
    return f"{len(ops)} operations replay to exactly the stored register"
