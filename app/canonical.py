"""A deterministic dump of a register's materialised state, equal on replicas with the same log.

`canonical_state` reads every record and link table, the operation log (without the columns
that legitimately differ per replica: the local sequence number and the time of receipt), the
state of each record and the open conflicts. `replay_into_memory` applies operations to a fresh
in-memory database and dumps that, so a register can be checked against a replay of its own log.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from app.oplog import Operation, apply_operations
from db.base import Base
from db.models import (
    ENTITY_RECORDS,
    FieldHeadRecord,
    OperationRecord,
    RecordStateRecord,
)

# Columns of the log that each replica fills in for itself.
LOCAL_LOG_COLUMNS = frozenset({"seq", "received_at"})


def _plain(value: Any) -> Any:
    """Return a JSON-comparable form of a column value."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return value


def _rows(
    session: Session, table: Any, order: Iterable[Any], skip: frozenset[str]
) -> list[dict[str, Any]]:
    columns = [c for c in table.columns if c.key not in skip]
    result = session.execute(select(*columns).order_by(*order))
    return [{c.key: _plain(v) for c, v in zip(columns, row, strict=True)} for row in result]


def _heads(session: Session) -> list[list[Any]]:
    """Every field's stored heads (a field with none has its create as only, implicit, head)."""
    heads: dict[tuple[str, str, str], list[str]] = {}
    rows = session.execute(
        select(
            FieldHeadRecord.entity,
            FieldHeadRecord.record_id,
            FieldHeadRecord.field,
            FieldHeadRecord.op_id,
        )
    )
    for entity, record_id, name, op_id in rows:
        heads.setdefault((entity, record_id, name), []).append(op_id)
    return [
        [entity, record_id, name, sorted(ops)]
        for (entity, record_id, name), ops in sorted(heads.items())
    ]


def record_tables(session: Session, *, live_only: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every record and link table (entity name -> rows, all columns, ordered by id).

    With `live_only`, the rows of records that are live: what a register holds for its users,
    without deleted records and the placeholders of references still to arrive.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    for entity in sorted(ENTITY_RECORDS):
        table = ENTITY_RECORDS[entity].__table__
        rows = _rows(session, table, [table.c.id], frozenset())
        tables[entity] = [r for r in rows if r["is_live"]] if live_only else rows
    return tables


def canonical_state(session: Session) -> dict[str, Any]:
    """Dump everything two replicas holding the same operations must agree on, as plain data.

    Keys: ``tables`` (entity name → rows, all columns, ordered by id), ``op_ids`` (sorted),
    ``operations`` (the log without per-replica columns, ordered by op id), ``records`` (each
    record's liveness state), ``heads`` (``[entity, record id, field, [head op ids]]`` for every
    field whose heads are stored) and ``conflicts`` (those of ``heads`` with two or more).
    """
    tables = record_tables(session)
    log = OperationRecord.__table__
    operations = _rows(session, log, [log.c.op_id], LOCAL_LOG_COLUMNS)
    for op in operations:
        # The stored JSON is canonical already; parse it so key order cannot matter.
        op["value"] = json.loads(op["value"])
        op["bases"] = sorted(json.loads(op["bases"]))
    states = RecordStateRecord.__table__
    heads = _heads(session)
    return {
        "tables": tables,
        "op_ids": [op["op_id"] for op in operations],
        "operations": operations,
        "records": _rows(session, states, [states.c.entity, states.c.record_id], frozenset()),
        "heads": heads,
        "conflicts": [field for field in heads if len(field[3]) >= 2],
    }


@functools.cache
def _schema_template() -> sqlite3.Connection:
    """An in-memory database holding only the schema, copied into each new one (fast)."""
    template = sqlite3.connect(":memory:", check_same_thread=False)
    engine = create_engine("sqlite://", creator=lambda: template, poolclass=StaticPool)
    Base.metadata.create_all(engine)
    return template


def memory_engine() -> Engine:
    """Make a plain in-memory SQLite database with the register's schema, foreign keys on."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _schema_template().backup(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    return create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)


def replay_into_memory(ops: Iterable[Operation]) -> dict[str, Any]:
    """Apply `ops` in one transaction to a fresh in-memory database; return its state."""
    engine = memory_engine()
    try:
        with Session(engine) as session:
            with session.begin():
                apply_operations(session, list(ops))
            return canonical_state(session)
    finally:
        engine.dispose()
