"""Replicas converge: random edits, deletions and syncs, syncs cut short, skewed clocks.

In the style of Joplin's sync fuzzer: 3 to 5 devices share one temporary folder; each step a
device edits or syncs; half of the syncs are cut short at a random point (the transport or the
progress callback raises, as when the network drops or the laptop sleeps). Each device's clock
is minutes off. After three full rounds every device holds the same register and no operation
any device made is missing anywhere. (Real kill -9 during publish: test_publish_crash.py.)
"""

from __future__ import annotations

import contextlib
import os
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app import sync
from app.clock import HybridClock, wall_ms
from app.register import Changes, Register
from app.sync.errors import ShareUnreachableError, SyncCancelledError
from app.sync.transport import FolderStore
from db.models import AgreementRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE

from .conftest import Group, make_group, op_ids

# Each long seed costs about 25 s of CPU (most of it applying operations, app.oplog); CI runs
# 6, with the 2 short ones 8 seeds, within the sync suite's budget. ISR_FUZZ_SEEDS=50 for more.
LONG_SEEDS = int(os.environ.get("ISR_FUZZ_SEEDS", "6"))


class CutShortError(Exception):
    """The sync was interrupted (the laptop went to sleep, the window was closed…)."""


class FlakyStore(FolderStore):
    """The real shared folder, that stops answering after a given number of calls."""

    def __init__(self, root: Path, fail_at: int) -> None:
        super().__init__(root)
        self.calls = 0
        self.fail_at = fail_at

    def _tick(self) -> None:
        self.calls += 1
        if self.calls >= self.fail_at:
            raise ShareUnreachableError(self.root, "connection dropped")

    def read(self, name: str) -> bytes | None:
        self._tick()
        return super().read(name)

    def exists(self, name: str) -> bool:
        self._tick()
        return super().exists(name)

    def write_new(self, name: str, data: bytes) -> bool:
        self._tick()
        return super().write_new(name, data)

    def replace(self, name: str, data: bytes) -> None:
        self._tick()
        super().replace(name, data)


def skew_clocks(group: Group, rng: random.Random) -> None:
    for device in group.devices:
        skew = rng.randint(-4 * 60_000, 4 * 60_000)
        device.clock = HybridClock(device.clock.last, now_ms=lambda s=skew: wall_ms() + s)


def live_and_dead(register: Register) -> tuple[list[str], list[str]]:
    with register.session() as session:
        rows = session.execute(select(AgreementRecord.id, AgreementRecord.is_live)).all()
    return [r for r, live in rows if live], [r for r, live in rows if not live]


def random_edit(register: Register, rng: random.Random, step: int) -> None:
    live, dead = live_and_dead(register)

    def build(changes: Changes) -> None:
        for n in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.3 or not live:
                ref = f"ISA-{register.device_id}-{step}-{n}"
                live.append(changes.create("agreement", {"reference": ref, "title": ref}))
            elif roll < 0.8:
                target = rng.choice(live + dead[:1])
                name = rng.choice(["title", "summary", "status"])
                changes.set("agreement", target, name, f"{name} {rng.randint(0, 9)}")
            elif roll < 0.92:
                changes.delete("agreement", rng.choice(live))
            elif dead:
                changes.undelete("agreement", rng.choice(dead))

    register.write("fuzz", build)


def interrupted_sync(group: Group, device: Register, rng: random.Random) -> None:
    """A sync cut short at a random point, by the transport or by the progress callback."""
    if rng.random() < 0.5:
        store = FlakyStore(group.share, rng.randint(1, 40))
        with contextlib.suppress(ShareUnreachableError):
            sync.sync(device, store=store)
        return
    stop_after = rng.randint(0, 3)
    calls = 0

    def progress(done: int, total: int, text: str) -> None:
        nonlocal calls
        calls += 1
        if calls > stop_after:
            raise CutShortError()

    def cancel() -> bool:
        return rng.random() < 0.05

    with contextlib.suppress(CutShortError, SyncCancelledError):
        sync.sync(device, progress, cancel)


def fuzz(tmp_path: Path, seed: int, steps: int, *, late_joiner: bool = False) -> int:
    """Run one seed; returns how many operations the devices made."""
    rng = random.Random(seed)
    folder = tmp_path / f"seed{seed}"
    group = make_group(folder, rng.randint(3, 5))
    made: dict[str, set[str]] = {d.device_id: set() for d in group.devices}
    try:
        for device in group.devices:
            device.listeners.append(
                lambda ops, d=device: made[d.device_id].update(
                    o.op_id for o in ops if o.device == d.device_id
                )
            )
        skew_clocks(group, rng)
        for step in range(steps):
            device = rng.choice(group.devices)
            roll = rng.random()
            if roll < 0.7:
                random_edit(device, rng, step)
            elif roll < 0.85:
                interrupted_sync(group, device, rng)
            else:
                report = sync.sync(device)
                assert report.ok, report.alarms
                assert report.held_back == 0
        if late_joiner:  # someone joins after all that: they receive the same register
            joined = sync.join(group.share, folder / "late", PASSPHRASE, "Late", kdf=FAST_KDF)
            group.devices.append(joined.register)
            sync.approve(group.devices[0], joined.device)
        group.sync_all(rounds=3)
        states = group.states()
        for other in states[1:]:
            assert _diff(states[0], other) == []
        everything = set().union(*made.values())
        assert len(everything) >= steps  # each edit step makes one to three operations
        for device in group.devices:
            assert everything <= op_ids(device), f"seed {seed}: operations lost"
            assert sync.sync_status(device).waiting == 0
    finally:
        group.close()
    return len(everything)


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [key for key in a if a[key] != b[key]]


@pytest.mark.parametrize("seed", [1, 2])
def test_replicas_converge(tmp_path: Path, seed: int) -> None:
    fuzz(tmp_path, seed, steps=150, late_joiner=True)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 100 + LONG_SEEDS))
def test_replicas_converge_under_long_fuzzing(tmp_path: Path, seed: int) -> None:
    made = fuzz(tmp_path, seed, steps=1200)
    print(f"seed {seed}: {made} operations converged")
