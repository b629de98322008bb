"""What the register and the disk hold, for tests to compare before and after (Qt-free)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.agreements import find_agreement_id, get_agreement
from app.organisations import list_organisations
from app.register import Register
from db.models import OperationRecord


def operation_count(register: Register) -> int:
    """How many operations the register's log holds: a refused write adds none."""
    with register.session() as session:
        return int(session.scalar(select(func.count()).select_from(OperationRecord)) or 0)


def files_in(folder: Path) -> list[str]:
    """Every file and folder below `folder`, as paths from it (forward slashes)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def unreadable(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Listing `folder` is refused, as for a folder of another user (tests may run as root)."""
    listing = Path.iterdir

    def iterdir(self: Path):  # type: ignore[no-untyped-def]
        if self == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)


def agreement_id(register: Register, reference: str) -> str:
    """The id of the agreement with that reference."""
    with register.session() as session:
        return find_agreement_id(session, reference)


def organisation_names(register: Register) -> list[str]:
    """The names of the register's live organisations, as listed."""
    return [o.name for o in list_organisations(register)]


def party_names(register: Register, agreement: str) -> list[str]:
    """The organisations that are parties to an agreement (its id), as listed."""
    return [p.organisation for p in get_agreement(register, agreement).parties]
