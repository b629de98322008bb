"""Search as you type: an SQLite FTS5 index inside the encrypted database, kept up to date.

The index holds agreements, data items, organisations and use cases. It is derived state: it is
rebuilt for the records each batch touched (through `Register.listeners`), and rebuilt whole
when it is found out of step with the operation log (a new register, an upgrade, a crash
between a commit and its reindex).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.oplog import Operation
from app.register import Register
from db.models import MetaRecord, OperationRecord, OrganisationRecord, PartyRecord

log = logging.getLogger(__name__)

INDEXED = ("agreement", "data_item", "organisation", "use_case")
KIND_LABELS = {
    "agreement": "Agreement",
    "data_item": "Data item",
    "organisation": "Organisation",
    "use_case": "Use case",
}
STAMP_KEY = "search_hlc"
DEFAULT_LIMIT = 50


def _joined(*parts: str) -> str:
    """Return SQL text joining nullable text columns with spaces."""
    return " || ' ' || ".join(f"coalesce({p}, '')" for p in parts)


_SPEC = ("source", "extract_mechanism", "destination", "frequency", "data_fields", "purpose",
         "safeguards")  # fmt: skip

# entity -> (table, agreement id expression, title expression, body expression)
_SOURCES: dict[str, tuple[str, str, str, str]] = {
    "agreement": (
        "agreement",
        "t.id",
        _joined("t.reference", "t.title"),
        _joined(
            "t.summary", "t.notes", "t.agreement_type", "t.category", "t.status",
            "(SELECT group_concat(o.name, ' ') FROM party p JOIN organisation o "
            "ON o.id = p.organisation_id WHERE p.agreement_id = t.id AND p.is_live)",
        ),
    ),
    "data_item": (
        "data_item",
        "t.agreement_id",
        _joined("t.title"),
        _joined(*(f"t.{k}" for k in _SPEC), "t.responsible_owner", "t.refresh_schedule"),
    ),
    "organisation": (
        "organisation",
        "NULL",
        _joined("t.name"),
        _joined("t.code", "t.ico_registration", "t.org_type", "t.dpo_name", "t.assurance_notes"),
    ),
    "use_case": (
        "use_case",
        "NULL",
        _joined("t.title"),
        _joined("t.summary", "t.owner", "t.risks", "t.next_steps", "t.stage"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class SearchHit:
    """One record found by a search."""

    entity: str
    record_id: str
    agreement_id: str | None  # the agreement to open (the record itself or its parent)
    kind_label: str
    title: str
    reference: str  # the agreement's reference for agreements and data items
    context: str  # the matching words in their surroundings

    @property
    def display(self) -> str:
        """One line for a list of results."""
        if self.entity == "data_item" and self.reference:
            return f"{self.kind_label}: {self.title} ({self.reference})"
        return f"{self.kind_label}: {self.title}"


def match_expression(query: str) -> str:
    """Return the FTS5 query for what a person typed: every word, each as a prefix."""
    words = re.findall(r"\w+", query, flags=re.UNICODE)
    return " ".join(f'"{word}"*' for word in words)


def search(register: Register, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """Return the records matching every word of `query` (prefixes count), best first."""
    expression = match_expression(query)
    if not expression:
        return []
    sql = text(
        "SELECT d.entity, d.record_id, d.agreement_id, search_index.title, "
        "snippet(search_index, 1, '', '', '…', 10), a.reference "
        "FROM search_index JOIN search_doc d ON d.id = search_index.rowid "
        "LEFT JOIN agreement a ON a.id = d.agreement_id "
        "WHERE search_index MATCH :q ORDER BY bm25(search_index, 4.0, 1.0) LIMIT :n"
    )
    with register.session() as session:
        rows = session.execute(sql, {"q": expression, "n": limit}).all()
    return [
        SearchHit(
            entity=entity,
            record_id=record_id,
            agreement_id=agreement_id,
            kind_label=KIND_LABELS.get(entity, entity),
            title=(title or "").strip(),
            reference=reference or "",
            context=" ".join((snippet or "").split()),
        )
        for entity, record_id, agreement_id, title, snippet, reference in rows
    ]


# ------------------------------------------------------------------------- maintaining


def _reindex(session: Session, entity: str, ids: list[str] | None) -> None:
    """Replace the index entries of `ids` (or of every record when None) of one kind."""
    table, agreement_expr, title_expr, body_expr = _SOURCES[entity]
    params: dict[str, object] = {"e": entity}
    if ids is None:
        only, only_doc = "", ""
    else:
        params["ids"] = json.dumps(ids)
        only = " AND t.id IN (SELECT value FROM json_each(:ids))"
        only_doc = " AND record_id IN (SELECT value FROM json_each(:ids))"
    session.execute(
        text(f"DELETE FROM search_index WHERE rowid IN "
             f"(SELECT id FROM search_doc WHERE entity = :e{only_doc})"),
        params,
    )  # fmt: skip
    session.execute(text(f"DELETE FROM search_doc WHERE entity = :e{only_doc}"), params)
    session.execute(
        text(f"INSERT INTO search_doc (entity, record_id, agreement_id) "
             f"SELECT :e, t.id, {agreement_expr} FROM {table} t WHERE t.is_live{only}"),
        params,
    )  # fmt: skip
    session.execute(
        text(f"INSERT INTO search_index (rowid, title, body) "
             f"SELECT d.id, {title_expr}, {body_expr} FROM search_doc d "
             f"JOIN {table} t ON t.id = d.record_id WHERE d.entity = :e{only}"),
        params,
    )  # fmt: skip


def _latest_stamp(session: Session) -> int:
    return int(session.scalar(select(func.max(OperationRecord.hlc))) or 0)


def _set_stamp(session: Session, stamp: int) -> None:
    session.merge(MetaRecord(key=STAMP_KEY, value=str(stamp)))


def rebuild_index(register: Register) -> None:
    """Rebuild the whole search index from the register's records."""
    with register.session() as session, session.begin():
        for entity in INDEXED:
            _reindex(session, entity, None)
        _set_stamp(session, _latest_stamp(session))


def index_is_current(register: Register) -> bool:
    with register.session() as session:
        record = session.get(MetaRecord, STAMP_KEY)
        return record is not None and record.value == str(_latest_stamp(session))


def touched_records(session: Session, ops: Iterable[Operation]) -> dict[str, set[str]]:
    """Return the indexed records whose entries a batch of operations may have changed."""
    touched: dict[str, set[str]] = {entity: set() for entity in INDEXED}
    parties: set[str] = set()
    for op in ops:
        if op.entity in touched:
            touched[op.entity].add(op.record_id)
        elif op.entity == "party":
            parties.add(op.record_id)
    organisations = touched["organisation"]
    if parties:
        touched["agreement"].update(
            a for a in session.scalars(
                select(PartyRecord.agreement_id).where(PartyRecord.id.in_(parties))
            ) if a
        )  # fmt: skip
    if organisations:
        # an agreement's entry carries its parties' names
        touched["agreement"].update(
            a for a in session.scalars(
                select(PartyRecord.agreement_id)
                .join(OrganisationRecord, OrganisationRecord.id == PartyRecord.organisation_id)
                .where(OrganisationRecord.id.in_(organisations))
            ) if a
        )  # fmt: skip
    return touched


def update_index(register: Register, ops: list[Operation]) -> None:
    """Reindex what `ops` touched; on failure the index is marked stale for the next open."""
    try:
        with register.session() as session, session.begin():
            for entity, ids in touched_records(session, ops).items():
                if ids:
                    _reindex(session, entity, sorted(ids))
            _set_stamp(session, _latest_stamp(session))
    except Exception:  # the change itself is saved; only the index lags behind
        log.exception("search index update failed; it will be rebuilt on next open")
        with register.session() as session, session.begin():
            session.merge(MetaRecord(key=STAMP_KEY, value="stale"))


def attach(register: Register) -> Callable[[list[Operation]], None]:
    """Bring the index up to date and keep it so; returns the listener (to detach it)."""
    if not index_is_current(register):
        rebuild_index(register)

    def listener(ops: list[Operation]) -> None:
        update_index(register, ops)

    register.listeners.append(listener)
    return listener
