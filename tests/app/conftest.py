"""Fixtures of the register core's reliability suite: template registers and in-memory schemas."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from app.agreements import create_agreement
from app.canonical import memory_engine
from app.meetings import create_body, create_meeting
from app.register import Register
from db.base import Base

CORE_PASSPHRASE = "correct horse battery staple"


@dataclass(frozen=True)
class RegisterTemplate:
    """A closed register folder to copy, and the wrapping key that opens it without Argon2id."""

    path: Path
    wrapping_key: bytes


@pytest.fixture(scope="session")
def core_template(tmp_path_factory: pytest.TempPathFactory) -> RegisterTemplate:
    path = tmp_path_factory.mktemp("core-template") / "register"
    with Register.create(path, CORE_PASSPHRASE, name="Core template") as register:
        wrapping_key = register.wrapping_key
    # Open once so the day's backup exists and copies do not each take one.
    Register.open(path, wrapping_key=wrapping_key).close()
    return RegisterTemplate(path, wrapping_key)


@pytest.fixture()
def core_register_copy(
    core_template: RegisterTemplate, tmp_path: Path
) -> Iterator[Callable[[str], Register]]:
    """Open fresh copies of the template register (each a real SQLCipher folder)."""
    opened: list[Register] = []

    def make(name: str = "register") -> Register:
        target = tmp_path / name
        shutil.copytree(core_template.path, target)
        register = Register.open(target, wrapping_key=core_template.wrapping_key)
        opened.append(register)
        return register

    yield make
    for register in opened:
        register.close()


@pytest.fixture()
def core_register(core_register_copy: Callable[[str], Register]) -> Register:
    return core_register_copy("register")


class MemoryDatabases:
    """Plain in-memory databases with the register's schema, wiped and reused.

    Reusing an engine keeps SQLAlchemy's compiled statements, which makes a fresh database
    about five times cheaper than a new engine: property tests need hundreds of them.
    """

    def __init__(self) -> None:
        self._engines: list[Engine] = []

    def fresh(self, slot: int = 0) -> Engine:
        while len(self._engines) <= slot:
            self._engines.append(memory_engine())
        engine = self._engines[slot]
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        return engine

    def dispose(self) -> None:
        for engine in self._engines:
            engine.dispose()


@pytest.fixture(scope="module")
def memory_databases() -> Iterator[MemoryDatabases]:
    databases = MemoryDatabases()
    yield databases
    databases.dispose()


@pytest.fixture(scope="session")
def core_passphrase() -> str:
    return CORE_PASSPHRASE


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """A one-sheet workbook of `rows` (the first is the heading), saved at `path`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture()
def spring_board(register: Register) -> str:
    """A meeting of the Information Sharing Board on 14/04/2026, in the test module's register."""
    board = create_body(register, {"name": "Information Sharing Board"})
    return create_meeting(register, board, {"meeting_date": dt.date(2026, 4, 14)})


@pytest.fixture()
def isa_pair(tmp_path: Path) -> Iterator[tuple[Register, Register]]:
    """Two synced devices of one register, Ada Jones's and Sam Patel's, holding ISA-2026-014."""
    from .sync.conftest import make_group
    from .test_conflicts import sync_round

    group = make_group(tmp_path, 2)
    ada, sam = group.devices
    ada.author, sam.author = "Ada Jones", "Sam Patel"
    create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending cohort",
                           "category": "personal"})  # fmt: skip
    sync_round(group.devices)
    yield ada, sam
    group.close()
