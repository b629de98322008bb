"""Fixtures of the sync suite: groups of real registers sharing one temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import sync
from app.canonical import canonical_state
from app.register import Changes, Register
from app.sync.transport import FolderStore
from db.models import OperationRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE


@dataclass
class Group:
    """Devices sharing one register: `devices[0]` is the first admin."""

    share: Path
    devices: list[Register] = field(default_factory=list)

    @property
    def store(self) -> FolderStore:
        return FolderStore(self.share)

    def sync_all(self, rounds: int = 1) -> None:
        for _ in range(rounds):
            for device in self.devices:
                report = sync.sync(device)
                assert report.ok, report.alarms

    def states(self) -> list[dict[str, Any]]:
        result = []
        for device in self.devices:
            with device.session() as session:
                result.append(canonical_state(session))
        return result

    def close(self) -> None:
        for device in self.devices:
            device.close()


def make_group(folder: Path, size: int, *, synced: bool = True) -> Group:
    """Create `size` registers in `folder`: one shares, the others join and are approved."""
    share = folder / "share"
    admin = Register.create(folder / "dev0", PASSPHRASE, name="Shared register", author="Ada",
                            kdf=FAST_KDF)  # fmt: skip
    group = Group(share, [admin])
    sync.share(admin, share, name="Ada, laptop")
    for n in range(1, size):
        joined = sync.join(share, folder / f"dev{n}", PASSPHRASE, f"Device {n}",
                           author=f"Author {n}", kdf=FAST_KDF)  # fmt: skip
        group.devices.append(joined.register)
        sync.approve(admin, joined.device)
    if synced:
        group.sync_all()
    return group


@pytest.fixture()
def group_factory(tmp_path: Path) -> Iterator[Callable[..., Group]]:
    made: list[Group] = []

    def factory(size: int = 2, name: str = "g", synced: bool = True) -> Group:
        group = make_group(tmp_path / name, size, synced=synced)
        made.append(group)
        return group

    yield factory
    for group in made:
        group.close()


def add_agreements(register: Register, tag: str, count: int = 1, **values: Any) -> list[str]:
    """Create `count` agreements referenced `<tag>-<n>` in one batch; returns their ids."""

    def build(changes: Changes) -> list[str]:
        return [
            changes.create(
                "agreement", {"reference": f"{tag}-{n}", "title": f"{tag} {n}", **values}
            )  # fmt: skip
            for n in range(count)
        ]

    return register.write(tag, build)


def op_ids(register: Register) -> set[str]:
    with register.session() as session:
        return set(session.scalars(select(OperationRecord.op_id)))


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
