"""A register: a folder with its encrypted database, key file and backups, opened for use.

Every write goes through `Register.write`, which runs one batch of operations in one
transaction: the operations are appended to the log and materialised together, so a crash
leaves all of the batch or none of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import filelock
import sqlcipher3
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app import backups, keys
from app.clock import HybridClock
from app.errors import (
    DamagedDatabaseError,
    NotARegisterError,
    NothingToUndoError,
    RegisterLockedError,
    StorageError,
)
from app.files import storage_error
from app.oplog import (
    EXISTS,
    JsonValue,
    Operation,
    OpKind,
    apply_operations,
    batch_operations,
    current_heads,
    encode_value,
    encode_values,
    link_id,
    model_for,
    new_id,
    operations_by_record,
    value_before,
)
from app.paths import DB_FILE, KEY_FILE, LOCK_FILE, check_new_register_dir, refuse_network
from db import migrate
from db.engine import (
    DatabaseKeyError,
    open_engine,
    refresh_statistics,
    session_factory,
    shrink_wal,
    track_changes,
)
from db.models import BatchRecord, MetaRecord, OperationRecord

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RegisterInfo:
    """What the window title and status bar say about an open register."""

    name: str
    register_id: str
    path: Path
    device_id: str
    author: str


def default_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Changes:
    """Builds one batch of operations inside `Register.write`.

    Creates are buffered and applied together (fast for imports); any read of the current
    state applies the buffer first, so later writes in the batch see earlier ones.
    """

    def __init__(self, register: Register, session: Session, batch_id: str) -> None:
        self._register = register
        self.session = session
        self.batch_id = batch_id
        self._buffer: list[Operation] = []
        self.operations: list[Operation] = []

    # -- the six kinds of change

    def create(self, entity: str, values: Mapping[str, Any], record_id: str | None = None) -> str:
        record_id = record_id or new_id()
        self._emit(OpKind.CREATE, entity, record_id, EXISTS, encode_values(entity, values))
        return record_id

    def set(self, entity: str, record_id: str, name: str, value: Any) -> bool:
        """Set one field; returns False (and writes nothing) when the value is unchanged."""
        encoded = encode_value(entity, name, value)
        self.apply_pending()
        model = model_for(entity)
        row = self.session.get(model, record_id)
        heads = current_heads(self.session, entity, record_id, name)
        if row is not None and len(heads) <= 1:
            current = encode_value(entity, name, getattr(row, name))
            if current == encoded:
                return False
        self._emit(OpKind.SET, entity, record_id, name, encoded, heads)
        return True

    def resolve(self, entity: str, record_id: str, name: str, value: Any) -> None:
        """Settle a conflict: a write that supersedes every head of the field."""
        encoded = encode_value(entity, name, value)
        self.apply_pending()
        heads = current_heads(self.session, entity, record_id, name)
        self._emit(OpKind.RESOLVE, entity, record_id, name, encoded, heads)

    def delete(self, entity: str, record_id: str) -> None:
        self._emit(OpKind.DELETE, entity, record_id, EXISTS, False)

    def undelete(self, entity: str, record_id: str) -> None:
        self._emit(OpKind.UNDELETE, entity, record_id, EXISTS, True)

    def link(self, entity: str, left: str, right: str) -> None:
        self._emit(OpKind.LINK, entity, link_id(left, right), EXISTS, True)

    def unlink(self, entity: str, left: str, right: str) -> None:
        self._emit(OpKind.UNLINK, entity, link_id(left, right), EXISTS, False)

    # -- machinery

    def emit_raw(self, op_kind: OpKind, entity: str, record_id: str, name: str,
                 value: JsonValue) -> None:  # fmt: skip
        """An operation with an already-encoded value (undo and redo use this).

        A delete, undelete, link or unlink waits in the buffer with the creates: the caller
        applies them (`apply_pending`) before it reads the register. Undoing an import of
        10,000 rows writes some 55,000 deletes; applied one by one they took half a minute.
        """
        bases: tuple[str, ...] = ()
        if op_kind in (OpKind.SET, OpKind.RESOLVE):
            self.apply_pending()
            bases = current_heads(self.session, entity, record_id, name)
        self._emit(op_kind, entity, record_id, name, value, bases, apply=False)

    def _emit(
        self,
        kind: OpKind,
        entity: str,
        record_id: str,
        name: str,
        value: JsonValue,
        bases: tuple[str, ...] = (),
        *,
        apply: bool = True,
    ) -> None:
        """Make one operation of the batch.

        A change of an existing record is applied at once, so that what the batch reads next
        sees it, unless `apply` is false.
        """
        model_for(entity)
        op = Operation(
            op_id=new_id(),
            batch_id=self.batch_id,
            hlc=self._register.clock.tick(),
            device=self._register.device_id,
            author=self._register.author,
            kind=kind,
            entity=entity,
            record_id=record_id,
            field=name,
            value=value,
            bases=bases,
        )
        self._buffer.append(op)
        self.operations.append(op)
        if apply and kind not in (OpKind.CREATE, OpKind.LINK):
            self.apply_pending()

    def apply_pending(self) -> None:
        if self._buffer:
            apply_operations(self.session, self._buffer, known_new=True)
            self._buffer = []


class Register:
    """An open register. Create one with `Register.create` or `Register.open`."""

    def __init__(
        self,
        path: Path,
        engine: Engine,
        material: keys.KeyMaterial,
        wrapping_key: bytes,
        author: str,
        lock: filelock.BaseFileLock,
    ) -> None:
        self.path = path
        self.engine = engine
        self.material = material
        self.wrapping_key = wrapping_key
        self.author = author
        self._lock = lock
        self._sessions: sessionmaker[Session] = session_factory(engine)
        self._changed = track_changes(engine)
        with self.session() as session:
            last = session.scalar(select(func.max(OperationRecord.hlc))) or 0
            named = session.get(MetaRecord, "name")
        # read once: a register's name is given when it is created and never changes
        self.name = named.value if named is not None else path.name
        self.clock = HybridClock(last)
        self._undo: list[str] = []
        self._redo: list[str] = []
        self.listeners: list[Callable[[list[Operation]], None]] = []
        self.daily_backup = backups.DailyBackup()

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        name: str | None = None,
        author: str | None = None,
        kdf: keys.KdfParams | None = None,
    ) -> Register:
        """Create a new, empty register in the folder `path` (made if missing)."""
        keys.check_passphrase(passphrase)
        path = Path(path)
        check_new_register_dir(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, path) from exc
        # The device id must be random through and through (new ids begin with the time).
        device_id = uuid.uuid4().hex[:8]
        material = keys.new_key_material(register_id=new_id(), device_id=device_id)
        lock = _acquire(path)
        try:
            engine = open_engine(path / DB_FILE, material.db_key)
            migrate.upgrade(engine, lambda current, head: None)
            wrapping_key = keys.write_key_file(path / KEY_FILE, material, passphrase, kdf)
            backups.keep_key_copy(path)
            register = cls(path, engine, material, wrapping_key, author or default_author(), lock)
            register.name = name or path.name
            with register.session() as session, session.begin():
                session.add_all(
                    [
                        MetaRecord(key="name", value=register.name),
                        MetaRecord(key="register_id", value=material.register_id),
                        MetaRecord(key="created", value=dt.datetime.now(dt.UTC).isoformat()),
                    ]
                )
        except BaseException:
            lock.release()
            raise
        return register

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str | None = None,
        *,
        wrapping_key: bytes | None = None,
        author: str | None = None,
    ) -> Register:
        """Open the register in folder `path` with its passphrase (or a remembered key)."""
        path = Path(path)
        refuse_network(path)
        if not (path / KEY_FILE).exists():
            raise NotARegisterError(path, KEY_FILE)
        if not (path / DB_FILE).exists():
            raise NotARegisterError(path, DB_FILE)
        if wrapping_key is None:
            if passphrase is None:
                raise ValueError("a passphrase or a wrapping key is needed")
            unlocked = keys.read_key_file(path / KEY_FILE, passphrase)
            material, wrapping_key = unlocked.material, unlocked.wrapping_key
        else:
            material = keys.read_key_file_with_wrapping_key(path / KEY_FILE, wrapping_key)
        lock = _acquire(path)
        try:
            engine = _open_database(path, material.db_key)

            def backup_first(current: str | None, head: str) -> None:
                backups.take(engine, path, material.db_key, f"before-upgrade-{current}-to-{head}")

            migrate.upgrade(engine, backup_first)
            register = cls(path, engine, material, wrapping_key, author or default_author(), lock)
            register.daily_backup = backups.DailyBackup.start(engine, path, material.db_key)
        except BaseException:
            lock.release()
            raise
        return register

    def close(self) -> None:
        """Close the register; if it was written to, refresh the query planner's statistics.

        Only then: a register opened and read, or whose writes were all refused, is left
        byte for byte as it was.
        """
        self.daily_backup.wait()
        if self._changed():
            refresh_statistics(self.engine)
        self.engine.dispose()
        self._lock.release()
        self._undo.clear()
        self._redo.clear()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session; when it ends, a write-ahead log a large transaction grew is cut back.

        Every write goes through a session (batches, dry runs, sync, the search index), so
        this is the one place that sees each transaction end; the check is one `stat`.
        """
        with self._sessions() as session:
            yield session
        shrink_wal(self.engine, self.path / DB_FILE)

    @property
    def device_id(self) -> str:
        return self.material.device_id

    def meta(self, key: str) -> str | None:
        with self.session() as session:
            record = session.get(MetaRecord, key)
            return None if record is None else record.value

    def info(self) -> RegisterInfo:
        """What the window says about this register; reads nothing from the database."""
        return RegisterInfo(
            name=self.name,
            register_id=self.material.register_id,
            path=self.path,
            device_id=self.device_id,
            author=self.author,
        )

    # ------------------------------------------------------------------ writing

    def write(self, label: str, build: Callable[[Changes], T], *, undoable: bool = True) -> T:
        """Run `build` as one batch of operations, committed in one transaction."""
        result, changes = self._write_batch(label, build, undoes=None)
        if undoable and changes.operations:
            self._undo.append(changes.batch_id)
            self._redo.clear()
        return result

    def _write_batch(
        self, label: str, build: Callable[[Changes], T], undoes: str | None
    ) -> tuple[T, Changes]:
        batch_id = new_id()
        with self._storage_errors(), self.session() as session, session.begin():
            changes = Changes(self, session, batch_id)
            result = build(changes)
            changes.apply_pending()
            if changes.operations:
                session.add(
                    BatchRecord(
                        batch_id=batch_id,
                        hlc=changes.operations[0].hlc,
                        device=self.device_id,
                        author=self.author,
                        label=label[:200],
                        undoes=undoes,
                    )
                )
        if changes.operations:
            for listener in list(self.listeners):
                listener(changes.operations)
        return result, changes

    def rehearse(self, build: Callable[[Changes], T]) -> T:
        """Build a batch as `write` would, then roll it back: the register is left as it was.

        The same checks run and the same failures are raised; returns what `build` returned.
        """
        with self._storage_errors(), self.session() as session:
            session.begin()
            try:
                changes = Changes(self, session, new_id())
                result = build(changes)
                changes.apply_pending()
                session.flush()
                return result
            finally:
                session.rollback()

    @contextlib.contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """A full disk, a read-only or vanished folder: said as what it is, not as SQL."""
        try:
            yield
        except OperationalError as exc:
            known = _environment_error(exc, self.path)
            if known is None:
                raise
            raise known from exc

    def apply_remote(self, ops: list[Operation]) -> list[Operation]:
        """Apply operations from other devices (sync): idempotent, one transaction."""
        for op in ops:
            self.clock.observe(op.hlc)
        with self.session() as session, session.begin():
            fresh = apply_operations(session, ops)
        if fresh:
            for listener in list(self.listeners):
                listener(fresh)
        return fresh

    # ------------------------------------------------------------------ undo / redo

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> str:
        """Undo this session's latest batch by writing its inverse; returns its label.

        Refused (`InUseError`, nothing written, still there to undo) when the inverse would delete
        a record something has come to refer to since.
        """
        if not self._undo:
            raise NothingToUndoError("There is nothing to undo.")
        batch_id = self._undo[-1]
        label = self._batch_label(batch_id)
        _, changes = self._write_batch(
            f"Undo: {label}", self._inverse(batch_id, f"Can't undo “{label}”"), undoes=batch_id
        )
        self._undo.pop()
        self._redo.append(changes.batch_id)
        return label

    def redo(self) -> str:
        """Redo the latest undone batch (refused, as undo is, when it would leave a reference)."""
        if not self._redo:
            raise NothingToUndoError("There is nothing to redo.")
        undo_batch = self._redo[-1]
        label = self._batch_label(undo_batch).removeprefix("Undo: ")
        _, changes = self._write_batch(
            label, self._inverse(undo_batch, f"Can't redo “{label}”"), undoes=undo_batch
        )
        self._redo.pop()
        self._undo.append(changes.batch_id)
        return label

    def _batch_label(self, batch_id: str) -> str:
        with self.session() as session:
            record = session.get(BatchRecord, batch_id)
            return record.label if record else "change"

    def _inverse(self, batch_id: str, doing: str) -> Callable[[Changes], None]:
        def build(changes: Changes) -> None:
            from app.dependants import refuse_dangling  # not needed to start the window

            ops = batch_operations(changes.session, batch_id)
            write_inverse(changes, ops)
            refuse_dangling(changes, doing, since=max(op.hlc for op in ops))

        return build


def write_inverse(changes: Changes, ops: Sequence[Operation]) -> None:
    """Write, last first, the operations that undo `ops`: what undo writes, and restoring.

    A delete is undone by an undelete, a link by an unlink (and back); a value set, by the
    value it replaced: only for those is the log read, for the records they set.
    """
    setting = {(o.entity, o.record_id) for o in ops if o.kind not in _INVERSE_KIND}
    by_record = operations_by_record(changes.session, setting)
    for op in reversed(ops):
        inverse = _INVERSE_KIND.get(op.kind)
        if inverse is not None:
            changes.emit_raw(inverse, op.entity, op.record_id, EXISTS, inverse in
                             (OpKind.UNDELETE, OpKind.LINK))  # fmt: skip
        else:
            old = value_before(by_record[(op.entity, op.record_id)], op, op.field)
            changes.emit_raw(OpKind.SET, op.entity, op.record_id, op.field, old)
    changes.apply_pending()


_INVERSE_KIND = {
    OpKind.CREATE: OpKind.DELETE,
    OpKind.DELETE: OpKind.UNDELETE,
    OpKind.UNDELETE: OpKind.DELETE,
    OpKind.LINK: OpKind.UNLINK,
    OpKind.UNLINK: OpKind.LINK,
}


def _acquire(path: Path) -> filelock.BaseFileLock:
    lock = filelock.FileLock(str(path / LOCK_FILE), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise RegisterLockedError(path) from None
    except OSError as exc:
        raise storage_error(exc, path) from exc
    return lock


def _open_database(path: Path, db_key: bytes) -> Engine:
    try:
        return open_engine(path / DB_FILE, db_key)
    except DatabaseKeyError as exc:
        raise DamagedDatabaseError(path / DB_FILE, "it cannot be decrypted") from exc
    except (sqlcipher3.DatabaseError, sqlite3.DatabaseError, DatabaseError) as exc:
        raise DamagedDatabaseError(path / DB_FILE, str(exc)) from exc


def _environment_error(exc: OperationalError, path: Path) -> StorageError | None:
    """The user-facing error for a failure caused by the disk, or None for a bug."""
    text = str(exc.orig).lower()
    if "full" in text:
        return StorageError(
            f"The disk holding {path} is full; nothing was saved. Free some space and try again."
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            "The register is busy with another task; nothing was saved. Try again in a moment."
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(f"{path} is read-only; nothing was saved.")
    return None
