"""Kill -9 during publish: nothing committed is lost, no damaged file under a final name.

A child process opens a real register that is a member of a real shared folder, commits a
large batch (acknowledged: it is in the local log), then publishes it in many small segments
and is killed with SIGKILL at a random moment of that. After each kill every file under a final
name in the share verifies; every other run the next start (a sync in this process) must clean
up the temp files, publish what is left and let the other device receive all of it; the other
runs leave that to the next child, which may be killed in the middle of it too.

Kills land at random, so the deterministic tests below pin the two windows a kill can hit:
a segment under its final name that the device did not record, and a temp file left behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app import sync
from app.canonical import canonical_state
from app.register import Register
from app.sync import engine
from app.sync import format as fmt
from app.sync import state as st
from app.sync.transport import FolderStore
from db.models import AgreementRecord, OperationRecord

from .conftest import Group, add_agreements, make_group, op_ids

ROOT = Path(__file__).resolve().parents[3]
RUNS = 16
ITEMS = 800  # one batch of creates, each with a paragraph of text
SEGMENT_OPS = 50  # small segments: 16 files per publish, so kills land between and inside them

CHILD = """
import os, sys, time
from pathlib import Path
from app import sync
from app.register import Register
from app.sync import engine

folder, run, items, segment_ops = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
engine.SEGMENT_OPS = segment_ops
register = Register.open(folder, wrapping_key=bytes.fromhex(os.environ["ISR_TEST_KEY"]))
text = "Pseudonymised extract sent monthly over SFTP to the county data warehouse. " * 4

def build(changes):
    for i in range(items):
        changes.create("agreement", {"reference": f"PUB-{run}-{i:05d}", "title": f"Run {run}",
                                     "summary": text})

register.write(f"publish batch {run}", build)
print("committed", flush=True)
started = time.perf_counter()
report = sync.sync(register)
assert report.ok, report.alarms
print(f"published {report.published} {time.perf_counter() - started:.3f}", flush=True)
register.close()
"""


@dataclass
class Tally:
    """What the kills hit, to show they landed in the windows that matter."""

    mid_publish: int = 0  # some but not all of the batch published when killed
    orphans: int = 0  # a segment under its final name that the device had not recorded
    temp_files: int = 0  # temp files the kill left in the share
    outcomes: list[str] = field(default_factory=list)


def run_child(folder: Path, key: bytes, run: str, delay: float | None) -> str:
    """Commit a batch in a child process, then SIGKILL it `delay` s into its publish."""
    env = {**os.environ, "ISR_TEST_KEY": key.hex()}
    args = [sys.executable, "-c", CHILD, str(folder), run, str(ITEMS), str(SEGMENT_OPS)]
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout is not None
    line = child.stdout.readline().strip()
    if line != "committed":
        child.kill()
        pytest.fail(f"child did not commit: {line} {child.communicate()[1]}")
    if delay is not None:
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=120)
    if delay is None:
        assert child.returncode == 0, err
    else:
        assert child.returncode in (0, -signal.SIGKILL), err
    return out


def dump(register: Register) -> dict[str, Any]:
    with register.session() as session:
        return canonical_state(session)


def temp_files(share: Path) -> list[Path]:
    return [p for p in share.rglob("*") if p.is_file() and p.name.startswith(".")]


def check_share(group: Group, writer: str) -> None:
    """Every file under a final name verifies; anything else of the writer's is a temp file."""
    admin = group.devices[0]
    assert engine.verify_share(admin) == []
    names = sorted(os.listdir(group.share / fmt.segment_dir(writer)))
    numbers = [fmt.segment_seq(n) for n in names if fmt.segment_seq(n) is not None]
    assert numbers == list(range(1, len(numbers) + 1))
    strays = [n for n in names if fmt.segment_seq(n) is None]
    strays += [n for n in os.listdir(group.share / fmt.device_dir(writer))
               if n not in ("seg", "device.pub", "head.json")]  # fmt: skip
    assert all(n.startswith(".") and n.endswith(".tmp") for n in strays), strays


def look_after_kill(group: Group, folder: Path, key: bytes, tally: Tally) -> None:
    """Count what the kill hit, from the share and the writer's (closed) register."""
    with Register.open(folder, wrapping_key=key) as register:
        state = st.load(register)
        writer = register.device_id
        with register.session() as session:
            unpublished = session.scalar(
                select(func.count())
                .select_from(OperationRecord)
                .where(OperationRecord.device == writer, OperationRecord.seq > state.published_seq)
            )
    on_disk = [n for n in os.listdir(group.share / fmt.segment_dir(writer))
               if fmt.segment_seq(n) is not None]  # fmt: skip
    tally.orphans += len(on_disk) > state.my_seq
    tally.mid_publish += 0 < (unpublished or 0) < ITEMS
    tally.temp_files += len(temp_files(group.share)) > 0


def recover_and_check(group: Group, folder: Path, key: bytes, runs: list[str]) -> None:
    """The next start: sync the writer, then the other device receives every committed batch."""
    admin = group.devices[0]
    with Register.open(folder, wrapping_key=key) as register:
        report = sync.sync(register)
        assert report.ok, report.alarms
        assert temp_files(group.share) == []
        assert sync.sync_status(register).waiting == 0
        written = op_ids(register)
    assert sync.sync(admin).ok
    assert written <= op_ids(admin), "operations committed on the writer are missing"
    with admin.session() as session:
        references = set(session.scalars(select(AgreementRecord.reference)))
    for run in runs:
        assert {f"PUB-{run}-{i:05d}" for i in range(ITEMS)} <= references, run


def test_kill_during_publish_loses_nothing_committed(tmp_path: Path) -> None:
    group = make_group(tmp_path, 2)
    writer = group.devices.pop()
    folder, key, writer_id = writer.path, writer.wrapping_key, writer.device_id
    writer.close()
    tally = Tally()
    try:
        out = run_child(folder, key, "calibration", delay=None)
        _, published, seconds = out.splitlines()[-1].split()
        assert int(published) == ITEMS
        duration = float(seconds)
        recover_and_check(group, folder, key, ["calibration"])

        rng = random.Random(20260415)
        runs: list[str] = ["calibration"]
        for run in range(RUNS):
            out = run_child(folder, key, str(run), delay=rng.uniform(0.0, 1.2 * duration))
            runs.append(str(run))
            tally.outcomes.append("finished" if "published" in out else "killed")
            if "published" in out:  # the machine's pace changes (other work): follow it
                duration = float(out.splitlines()[-1].split()[2])
            check_share(group, writer_id)
            look_after_kill(group, folder, key, tally)
            if run % 2:
                recover_and_check(group, folder, key, runs)
        recover_and_check(group, folder, key, runs)
        check_share(group, writer_id)
        with Register.open(folder, wrapping_key=key) as register:
            assert dump(register) == dump(group.devices[0])
    finally:
        group.close()
    print(f"publish of {ITEMS} operations took {duration:.2f} s; {tally}")
    assert tally.outcomes.count("killed") >= RUNS // 2
    assert tally.mid_publish > 0  # the kills did land inside publishing


# ------------------------------------------------------------- the windows, deterministically


class KilledError(Exception):
    """Stands for the process dying at this point."""


class DiesAfterWriting(FolderStore):
    """The real folder; the process 'dies' right after its n-th new file lands."""

    def __init__(self, root: Path, die_after: int) -> None:
        super().__init__(root)
        self.left = die_after

    def write_new(self, name: str, data: bytes) -> bool:
        written = super().write_new(name, data)
        self.left -= 1
        if self.left == 0:
            raise KilledError(name)
        return written


def segment_files(group: Group, device: str) -> list[str]:
    names = os.listdir(group.share / fmt.segment_dir(device))
    return sorted(n for n in names if fmt.segment_seq(n) is not None)


@pytest.mark.parametrize("die_after", [1, 2, 3])
def test_a_segment_written_but_not_recorded_is_adopted_not_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, die_after: int
) -> None:
    monkeypatch.setattr(engine, "SEGMENT_OPS", 4)
    group = make_group(tmp_path, 2)
    try:
        admin, member = group.devices
        add_agreements(member, "ORPHAN", 10)  # three segments: 4 + 4 + 2
        before = st.load(member)
        with pytest.raises(KilledError):
            sync.sync(member, store=DiesAfterWriting(group.share, die_after))
        after_kill = st.load(member)
        assert after_kill.my_seq == before.my_seq + die_after - 1  # the last one not recorded
        assert len(segment_files(group, member.device_id)) == after_kill.my_seq + 1

        report = sync.sync(member)
        assert report.ok and report.published == max(0, 10 - 4 * die_after)
        assert len(segment_files(group, member.device_id)) == 3  # nothing published twice
        assert sync.sync_status(member).waiting == 0
        assert sync.sync(admin).ok
        assert op_ids(member) == op_ids(admin)
        assert engine.verify_share(admin) == [] and engine.verify_share(member) == []
    finally:
        group.close()


def test_temp_files_left_by_a_kill_are_removed_at_the_next_sync(tmp_path: Path) -> None:
    group = make_group(tmp_path, 2)
    try:
        admin, member = group.devices
        add_agreements(member, "TEMP", 3)
        me = member.device_id
        half = b"ISRSEG\x01\n" + b"\x00" * 40  # a segment cut short, as a kill leaves it
        left = [
            group.share / fmt.segment_dir(me) / ".0000000002.seg.k1ll3d.tmp",
            group.share / fmt.device_dir(me) / ".head.json.k1ll3d.tmp",
        ]
        for path in left:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(half)
        assert sync.sync(admin).ok  # readers never look at temp files
        assert all(path.exists() for path in left)  # nor remove another device's

        assert sync.sync(member).published == 3
        assert [p for p in left if p.exists()] == []
        assert sync.sync(admin).ok
        assert op_ids(member) == op_ids(admin)
    finally:
        group.close()


def test_a_register_restored_from_an_older_copy_gets_its_own_changes_back(
    tmp_path: Path,
) -> None:
    """Restored from a backup after publishing: no fork, and nothing it had published is lost."""
    group = make_group(tmp_path, 2)
    try:
        admin, member = group.devices
        add_agreements(member, "KEPT", 2)
        assert sync.sync(member).ok
        folder, key = member.path, member.wrapping_key
        group.devices.pop().close()
        shutil.copytree(folder, tmp_path / "old-copy")
        with Register.open(folder, wrapping_key=key) as register:
            add_agreements(register, "AFTER-COPY", 3)
            assert sync.sync(register).published == 3
            published = op_ids(register)
        shutil.rmtree(folder)
        shutil.copytree(tmp_path / "old-copy", folder)  # the laptop is restored from the copy
        with Register.open(folder, wrapping_key=key) as register:
            assert not published <= op_ids(register)
            add_agreements(register, "AFTER-RESTORE", 2)
            report = sync.sync(register)
            assert report.ok, report.alarms
            assert published <= op_ids(register)  # its own lost changes came back
            assert sync.sync_status(register).waiting == 0
            assert sync.sync(admin).ok
            assert op_ids(register) == op_ids(admin)
            assert dump(register) == dump(admin)
        assert engine.verify_share(admin) == []
    finally:
        group.close()
