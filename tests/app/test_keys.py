"""The key file: three failures with three exact messages, passphrase rules, rewrapping, cost."""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app import keys
from app.errors import (
    DamagedKeyFileError,
    NotAKeyFileError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from app.paths import KEY_FILE
from app.register import Register
from db.models import MetaRecord

WRONG = (
    "Wrong passphrase: the key file is intact but this passphrase does not open it. "
    "Check the passphrase (it is case-sensitive) and try again."
)


def damaged(path: Path) -> str:
    return (
        f"The key file {path} is damaged: its checksum does not match its contents. "
        "Restore register.key from a backup of this register folder (or ask a member of a "
        "shared register to re-approve this device)."
    )


def not_a_key_file(path: Path) -> str:
    return (
        f"{path} is not a register key file. Choose the folder of a register "
        "(it holds register.key and register.db)."
    )


@pytest.fixture()
def folder(core_template: Any, tmp_path: Path) -> Path:
    target = tmp_path / "register"
    shutil.copytree(core_template.path, target)
    return target


@pytest.fixture()
def key_bytes(core_template: Any) -> bytes:
    return (core_template.path / KEY_FILE).read_bytes()


def test_wrong_passphrase_has_its_own_message(folder: Path, core_passphrase: str) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        Register.open(folder, core_passphrase.upper())
    assert caught.value.message == WRONG
    assert caught.value.exit_code == 3


def test_every_flipped_byte_reads_as_damage_not_as_a_wrong_passphrase(
    tmp_path: Path, key_bytes: bytes, core_passphrase: str
) -> None:
    path = tmp_path / KEY_FILE
    for position in range(len(key_bytes)):
        flipped = bytearray(key_bytes)
        flipped[position] ^= 0xFF
        path.write_bytes(bytes(flipped))
        with pytest.raises(DamagedKeyFileError) as caught:
            keys.read_key_file(path, core_passphrase)
        assert caught.value.message == damaged(path), position


def test_every_single_bit_flip_is_damage(key_bytes: bytes) -> None:
    for position in range(len(key_bytes)):
        for bit in range(8):
            flipped = bytearray(key_bytes)
            flipped[position] ^= 1 << bit
            with pytest.raises(DamagedKeyFileError):
                keys.parse(bytes(flipped), "register.key")


def test_every_truncation_is_damage(tmp_path: Path, key_bytes: bytes, core_passphrase: str) -> None:
    path = tmp_path / KEY_FILE
    for length in range(1, len(key_bytes)):
        path.write_bytes(key_bytes[:length])
        with pytest.raises(DamagedKeyFileError) as caught:
            keys.read_key_file(path, core_passphrase)
        assert caught.value.message == damaged(path), length


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Reference", "Title"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        random.Random(1).randbytes(600),
        random.Random(2).randbytes(32),
        xlsx_bytes(),
        b"",
        b"Reference,Title\r\nISA-1,Hospital discharge\r\n",
    ],
    ids=["random", "short-random", "xlsx", "empty", "csv"],
)
def test_other_files_are_not_key_files(
    tmp_path: Path, content: bytes, core_passphrase: str
) -> None:
    path = tmp_path / KEY_FILE
    path.write_bytes(content)
    with pytest.raises(NotAKeyFileError) as caught:
        keys.read_key_file(path, core_passphrase)
    assert caught.value.message == not_a_key_file(path)


def test_the_three_messages_differ(tmp_path: Path) -> None:
    assert len({WRONG, damaged(tmp_path), not_a_key_file(tmp_path)}) == 3


def test_a_damaged_key_file_in_a_register_folder_is_reported_as_damaged(
    folder: Path, core_passphrase: str
) -> None:
    data = bytearray((folder / KEY_FILE).read_bytes())
    data[len(data) // 2] ^= 0x10
    (folder / KEY_FILE).write_bytes(bytes(data))
    with pytest.raises(DamagedKeyFileError):
        Register.open(folder, core_passphrase)


@pytest.mark.parametrize("passphrase", ["", "short", "eleven char", " " * 20])
def test_weak_passphrases_are_refused(passphrase: str) -> None:
    with pytest.raises(WeakPassphraseError):
        keys.check_passphrase(passphrase)


def test_twelve_characters_are_enough() -> None:
    keys.check_passphrase("twelve chars")


def test_rewrap_refuses_a_short_passphrase_and_changes_nothing(
    folder: Path, core_passphrase: str
) -> None:
    before = (folder / KEY_FILE).read_bytes()
    with pytest.raises(WeakPassphraseError, match="at least 12 characters"):
        keys.rewrap(folder / KEY_FILE, core_passphrase, "too short")
    assert (folder / KEY_FILE).read_bytes() == before


def test_rewrap_keeps_the_database_key(folder: Path, core_passphrase: str) -> None:
    new_passphrase = "a different long passphrase"
    before = keys.read_key_file(folder / KEY_FILE, core_passphrase).material
    keys.rewrap(folder / KEY_FILE, core_passphrase, new_passphrase)
    after = keys.read_key_file(folder / KEY_FILE, new_passphrase).material
    assert after == before
    with Register.open(folder, new_passphrase) as register:
        assert register.meta("name") == "Core template"
        register.write("Note", lambda c: c.create("organisation", {"name": "Kent Police"}))
        with register.session() as session:
            assert session.get(MetaRecord, "register_id") is not None
    with pytest.raises(WrongPassphraseError):
        Register.open(folder, core_passphrase)


def test_argon2id_cost_is_at_least_the_floor(core_template: Any) -> None:
    header = keys.read_header(core_template.path / KEY_FILE)
    assert header.params.memory_kib >= 65536
    assert header.params.iterations >= 3
    assert header.params.lanes == 4
    assert len(header.salt) >= 16
