"""Kill -9 in the middle of a batch: afterwards all of the batch is there or none of it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.canonical import canonical_state, replay_into_memory
from app.oplog import stored_operation
from app.register import Register
from db.engine import check_integrity
from db.models import AgreementRecord, BatchRecord, OperationRecord

ROOT = Path(__file__).resolve().parents[2]
RUNS = 25
ITEMS = 120  # creates, then as many sets: 240 operations in one batch

CHILD = """
import os, sys, time
from pathlib import Path
from app.register import Register

folder, run, items = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
register = Register.open(folder, wrapping_key=bytes.fromhex(os.environ["ISR_TEST_KEY"]))

def build(changes):
    ids = [
        changes.create("agreement", {"reference": f"CRASH-{run}-{i:04d}", "title": "new",
                                     "summary": "A realistic paragraph of text. " * 10})
        for i in range(items)
    ]
    for i, record_id in enumerate(ids):
        changes.set("agreement", record_id, "title", f"Agreement {i}")

print("ready", flush=True)
started = time.perf_counter()
register.write(f"crash batch {run}", build)
print(f"done {time.perf_counter() - started:.3f}", flush=True)
register.close()
"""


def run_child(folder: Path, key: bytes, run: str, delay: float | None) -> str:
    """Run the batch in a child process, SIGKILL it `delay` seconds after it starts writing."""
    env = {**os.environ, "ISR_TEST_KEY": key.hex()}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), run, str(ITEMS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    if delay is not None:
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=60)
    if delay is None:
        assert child.returncode == 0, err
    return out


def check_after(folder: Path, key: bytes, run: str, acknowledged: bool) -> int:
    """Open the register after the crash; return how many of the run's records it holds."""
    with Register.open(folder, wrapping_key=key) as register:
        assert check_integrity(register.engine) == []
        with register.session() as session:
            created = session.scalar(
                select(func.count())
                .select_from(AgreementRecord)
                .where(AgreementRecord.reference.like(f"CRASH-{run}-%"))
            )
            titled = session.scalar(
                select(func.count())
                .select_from(AgreementRecord)
                .where(
                    AgreementRecord.reference.like(f"CRASH-{run}-%"),
                    AgreementRecord.title.like("Agreement %"),
                )
            )
            batches = session.scalar(
                select(func.count())
                .select_from(BatchRecord)
                .where(BatchRecord.label == f"crash batch {run}")
            )
            rows = session.scalar(select(func.count()).select_from(AgreementRecord))
            creates = session.scalar(
                select(func.count())
                .select_from(OperationRecord)
                .where(OperationRecord.entity == "agreement", OperationRecord.kind == "create")
            )
            sets = session.scalar(
                select(func.count())
                .select_from(OperationRecord)
                .where(OperationRecord.entity == "agreement", OperationRecord.kind == "set")
            )
    assert created in (0, ITEMS), f"run {run}: {created} of {ITEMS} records survived"
    assert titled == created  # the sets of the batch came with its creates
    assert batches == (1 if created else 0)
    assert rows == creates  # every materialised row has its create in the log, and back
    assert sets == creates
    if acknowledged:
        assert created == ITEMS, f"run {run}: the batch was reported saved but is missing"
    return int(created or 0)


@pytest.mark.slow
def test_kill_during_a_batch_leaves_all_or_nothing(core_template: Any, tmp_path: Path) -> None:
    folder = tmp_path / "register"
    shutil.copytree(core_template.path, folder)
    key = core_template.wrapping_key

    out = run_child(folder, key, "calibration", delay=None)
    duration = float(out.split("done", 1)[1])
    assert check_after(folder, key, "calibration", acknowledged=True) == ITEMS

    rnd = random.Random(20260414)
    outcomes = []
    for run in range(RUNS):
        # Half anywhere in the batch; half near its end, where the commit is written.
        low, high = (0.8, 1.1) if run % 2 else (0.0, 1.0)
        delay = rnd.uniform(low * duration, high * duration)
        out = run_child(folder, key, str(run), delay)
        outcomes.append(check_after(folder, key, str(run), acknowledged="done" in out))
    assert 0 in outcomes  # the kills did land inside batches
    print(f"batch of {2 * ITEMS} operations took {duration:.2f} s; kept: {outcomes}")

    with Register.open(folder, wrapping_key=key) as register, register.session() as session:
        log = [stored_operation(r) for r in session.scalars(select(OperationRecord))]
        assert canonical_state(session) == replay_into_memory(log)
