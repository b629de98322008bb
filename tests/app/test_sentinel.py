"""A sentinel typed into every text field is found nowhere on disk in plain text."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import String, Text, create_engine, select
from sqlalchemy.orm import Session

from app import backups
from app.oplog import apply_operations, field_names, model_for, stored_operation
from app.register import Changes, Register
from db.base import Base
from db.models import ENTITY_RECORDS, LinkRecord, OperationRecord
from tests.fast_keys import PASSPHRASE

SENTINEL = "SENTINEL-7d1f9c"


def text_fields(entity: str) -> list[str]:
    """Fields holding free text: string columns that are not references to other records."""
    columns = model_for(entity).__table__.columns
    return [
        name
        for name in field_names(entity)
        if isinstance(columns[name].type, String | Text) and not columns[name].foreign_keys
    ]


def needles(text: str) -> dict[str, bytes]:
    return {codec: text.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be")}


def find_in_files(folder: Path, text: str) -> list[tuple[str, str]]:
    """Every (file, encoding) under `folder` whose bytes contain `text`."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [(str(path), codec) for codec, needle in needles(text).items() if needle in data]
    return found


def fill_everything(changes: Changes) -> dict[str, str]:
    """Create one record of every kind with the sentinel in each text field, then edit them."""
    ids: dict[str, str] = {}
    for entity, model in ENTITY_RECORDS.items():
        if issubclass(model, LinkRecord):
            continue
        values: dict[str, object] = {name: f"{SENTINEL} {name}" for name in text_fields(entity)}
        if entity == "attachment":
            values["content"] = f"scanned agreement {SENTINEL}".encode()
        ids[entity] = changes.create(entity, values)
    for entity, model in ENTITY_RECORDS.items():
        if issubclass(model, LinkRecord):
            left, right = model.__ends__
            changes.link(entity, ids[left], ids[right])
            continue
        for name in text_fields(entity):
            changes.set(entity, ids[entity], name, f"edited {SENTINEL} {name}")
    return ids


def test_every_entity_kind_has_text_fields_to_fill() -> None:
    plain = [e for e, m in ENTITY_RECORDS.items() if not issubclass(m, LinkRecord)]
    assert all(text_fields(entity) for entity in plain)
    assert "source" in text_fields("data_item") and "agreement_id" not in text_fields("data_item")
    links = [e for e, m in ENTITY_RECORDS.items() if issubclass(m, LinkRecord)]
    assert links and all(text_fields(entity) == [] for entity in links)  # only record ids


def test_the_sentinel_is_nowhere_on_disk_in_plain_text(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    register = Register.create(folder, PASSPHRASE, name=SENTINEL, author=SENTINEL)
    try:
        ids = register.write(f"Fill {SENTINEL}", fill_everything)
        with register.session() as session:
            # It really is in there: the database gives it back once decrypted.
            row = session.get(model_for("data_item"), ids["data_item"])
            assert row is not None and row.source == f"edited {SENTINEL} source"
            log_count = len(session.scalars(select(OperationRecord.op_id)).all())
        assert register.meta("name") == SENTINEL
        assert log_count > sum(len(text_fields(e)) for e in ids)
        backups.take(register.engine, folder, register.material.db_key, "manual")
        assert find_in_files(folder, SENTINEL) == []  # while open: WAL and -shm on disk too
        assert any(p.name.endswith("-wal") for p in folder.iterdir())
    finally:
        register.close()
    assert {p.name for p in folder.iterdir()} >= {"register.db", "register.key", "backups"}
    assert find_in_files(folder, SENTINEL) == []


def test_the_scan_finds_the_sentinel_where_it_is_in_plain_text(
    tmp_path: Path, core_register: Register
) -> None:
    """Positive control: the same writes into an unencrypted database are found by the scan."""
    core_register.write("Fill", fill_everything)
    with core_register.session() as session:
        log = [stored_operation(r) for r in session.scalars(select(OperationRecord))]

    plain = tmp_path / "plain"
    plain.mkdir()
    engine = create_engine(f"sqlite:///{plain / 'plain.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        apply_operations(session, log)
    engine.dispose()
    assert (str(plain / "plain.db"), "utf-8") in find_in_files(plain, SENTINEL)

    utf16 = sqlite3.connect(plain / "utf16.db")
    utf16.execute("PRAGMA encoding = 'UTF-16le'")
    utf16.execute("CREATE TABLE t (v TEXT)")
    utf16.execute("INSERT INTO t VALUES (?)", (f"a {SENTINEL} b",))
    utf16.commit()
    utf16.close()
    (plain / "notes.txt").write_bytes(f"x{SENTINEL}y".encode("utf-16-be"))
    found = find_in_files(plain, SENTINEL)
    assert (str(plain / "utf16.db"), "utf-16-le") in found
    assert (str(plain / "notes.txt"), "utf-16-be") in found
