"""After sharing, syncing, conflicting and resolving, no register text is on disk in plain text.

A sentinel is typed into every text field of every kind of record (and an attachment), the
register is shared, a second device joins and syncs, both edit one field at once and one edits
a record the other deleted, the conflicts are resolved with the sentinel again, and both sync.
Then every byte of every file in the shared folder and in both register folders is scanned for
the sentinel in UTF-8 and UTF-16. Segments are written uncompressed for this test, so that only
the encryption stands between the text and the disk (compression alone would hide it from a
byte scan); the positive control turns the encryption off too and the scan finds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import sync
from app.canonical import canonical_state
from app.conflicts import FieldConflict, RevivedRecord, open_conflicts, resolve_conflict
from app.register import Changes, Register
from app.sync import crypto
from app.sync import format as fmt
from db.models import ENTITY_RECORDS, AgreementRecord, DataItemRecord, LinkRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE

from ..test_sentinel import find_in_files, text_fields

SENTINEL = "SYNCSENTINEL-3e8a51"


def fill_everything(changes: Changes) -> dict[str, str]:
    """One record of every kind with the sentinel in each text field, links, then edits."""
    ids: dict[str, str] = {}
    plain = {e: m for e, m in ENTITY_RECORDS.items() if not issubclass(m, LinkRecord)}
    for entity in plain:
        values: dict[str, object] = {name: f"{SENTINEL} {name}" for name in text_fields(entity)}
        if entity == "attachment":
            values["content"] = f"scanned agreement {SENTINEL}".encode()
        ids[entity] = changes.create(entity, values)
    for entity, model in ENTITY_RECORDS.items():
        if issubclass(model, LinkRecord):
            left, right = model.__ends__
            changes.link(entity, ids[left], ids[right])
    for entity in plain:
        for name in text_fields(entity):
            changes.set(entity, ids[entity], name, f"edited {SENTINEL} {name}")
    return ids


def dump(register: Register) -> dict[str, Any]:
    with register.session() as session:
        return canonical_state(session)


def share_conflict_and_resolve(folder: Path) -> tuple[Register, Register, Path]:
    """The whole story; returns both (open) registers and the shared folder."""
    share = folder / "share"
    admin = Register.create(folder / "ada", PASSPHRASE, name=f"Register {SENTINEL}",
                            author="Ada Lovelace", kdf=FAST_KDF)  # fmt: skip
    ids = admin.write(f"Fill {SENTINEL}", fill_everything)
    sync.share(admin, share, name="Ada, laptop")
    assert sync.sync(admin).ok
    joined = sync.join(share, folder / "sam", PASSPHRASE, "Sam, laptop", author="Sam Patel",
                       kdf=FAST_KDF)  # fmt: skip
    member = joined.register
    sync.approve(admin, joined.device)
    assert sync.sync(member).ok

    agreement, item = ids["agreement"], ids["data_item"]
    admin.write("edit", lambda c: c.set("agreement", agreement, "title", f"Ada's {SENTINEL}"))
    member.write("edit", lambda c: c.set("agreement", agreement, "title", f"Sam's {SENTINEL}"))
    admin.write("delete", lambda c: c.delete("data_item", item))
    member.write("edit", lambda c: c.set("data_item", item, "purpose", f"revived {SENTINEL}"))
    for device in (admin, member, admin):
        assert sync.sync(device).ok

    conflicts = open_conflicts(member)
    assert {type(c) for c in conflicts} == {FieldConflict, RevivedRecord}
    assert open_conflicts(admin) == conflicts
    for conflict in conflicts:
        chosen = f"settled {SENTINEL}" if isinstance(conflict, FieldConflict) else True
        resolve_conflict(member, conflict, chosen)
    for device in (member, admin, member):
        assert sync.sync(device).ok
    assert open_conflicts(admin) == [] and open_conflicts(member) == []
    assert dump(admin) == dump(member)
    return admin, member, share


def test_no_register_text_in_the_share_or_either_register_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fmt, "COMPRESSION_LEVEL", 0)
    admin, member, share = share_conflict_and_resolve(tmp_path)
    try:
        with member.session() as session:  # it really is in there, once decrypted
            titles = set(session.scalars(select(AgreementRecord.title)))
            purposes = set(session.scalars(select(DataItemRecord.purpose)))
        assert titles == {f"settled {SENTINEL}"} and f"revived {SENTINEL}" in purposes
        assert member.meta("name") != admin.meta("name")  # the name stays on its device
        scanned = [share, admin.path, member.path]
        assert len([p for folder in scanned for p in folder.rglob("*.seg")]) == 4
        for folder in scanned:  # while open: WAL and -shm files too
            assert find_in_files(folder, SENTINEL) == [], folder
    finally:
        admin.close()
        member.close()
    for folder in scanned:
        assert find_in_files(folder, SENTINEL) == [], folder


def test_the_scan_finds_the_sentinel_if_the_share_is_not_encrypted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Positive control: with segments and key slots left unencrypted, the scan finds it."""
    monkeypatch.setattr(fmt, "COMPRESSION_LEVEL", 0)

    def no_encryption(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return plaintext + bytes(16)

    def no_decryption(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        return ciphertext[:-16]

    monkeypatch.setattr(crypto, "encrypt", no_encryption)
    monkeypatch.setattr(crypto, "decrypt", no_decryption)
    admin, member, share = share_conflict_and_resolve(tmp_path)
    admin.close()
    member.close()
    found = find_in_files(share, SENTINEL)
    assert {Path(name).suffix for name, _ in found} == {".seg"}
    assert {codec for _, codec in found} == {"utf-8"}
    assert len(found) >= 4  # both devices' segments, before and after the conflicts

    (share / "notes.txt").write_bytes(f"a {SENTINEL} b".encode("utf-16-le"))
    assert (str(share / "notes.txt"), "utf-16-le") in find_in_files(share, SENTINEL)


def test_the_sentinel_fills_every_kind_of_record(tmp_path: Path) -> None:
    with Register.create(tmp_path / "r", PASSPHRASE, kdf=FAST_KDF) as register:
        ids = register.write("fill", fill_everything)
        plain = [e for e, m in ENTITY_RECORDS.items() if not issubclass(m, LinkRecord)]
        assert sorted(ids) == sorted(plain)
        with register.session() as session:
            for entity in plain:
                record = session.get(ENTITY_RECORDS[entity], ids[entity])
                assert record is not None
                for name in text_fields(entity):
                    assert getattr(record, name) == f"edited {SENTINEL} {name}"
