"""Register core figures: edit_commit and unlock."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text

from app import agreements, keys
from app.register import Changes, Register
from bench.core import Result, bound_result, median_of, ratio_result, timed
from db.engine import open_engine

PASS = "benchmark passphrase 2026"
EDITS = 200


def _raw_commit_seconds(folder: Path) -> float:
    """Baseline: one UPDATE committed on SQLCipher with the same key and pragmas."""
    engine = open_engine(folder / "raw.db", os.urandom(32))
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, title TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (1, 'x')"))
    samples = []
    for n in range(EDITS):
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("UPDATE t SET title = :v WHERE id = 1"), {"v": f"title {n}"})
        samples.append(time.perf_counter() - start)
    engine.dispose()
    return statistics.median(samples)


def _edit_commit_seconds(register: Register) -> float:
    agreement_id = agreements.create_agreement(
        register, {"reference": "ISA-BENCH-1", "title": "Bench", "category": "aggregated"}
    )
    for n in range(500):  # a register with some history, not an empty one

        def seed(changes: Changes, n: int = n) -> str:
            return changes.create("agreement", {
                "reference": f"ISA-SEED-{n}", "title": f"Seed {n}", "category": "personal",
                "status": "active"})  # fmt: skip

        register.write("seed", seed)
    samples = []
    for n in range(EDITS):

        def edit(changes: Changes, n: int = n) -> bool:
            return changes.set("agreement", agreement_id, "title", f"T{n}")

        start = time.perf_counter()
        register.write("edit", edit)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run(wanted: set[str]) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not wanted or "edit_commit" in wanted:
            baseline = _raw_commit_seconds(folder)
            with Register.create(folder / "reg", PASS) as register:
                value = _edit_commit_seconds(register)
            result = ratio_result("edit_commit", value * 1000, baseline * 1000, "ms",
                                  max_ratio=float("inf"), max_value=20.0)  # fmt: skip
            yield result
        if not wanted or "unlock" in wanted:
            if not (folder / "reg").exists():
                Register.create(folder / "reg", PASS).close()
            header = keys.read_header(folder / "reg" / "register.key")
            argon = median_of(lambda: keys.derive_wrapping_key(PASS, header.salt, header.params), 3)
            unlock = statistics.median(
                timed(lambda: Register.open(folder / "reg", PASS).close()) for _ in range(3)
            )
            yield bound_result("unlock", unlock, "s", argon + 0.3,
                               f"<= Argon2id ({argon:.2f} s) + 0.3 s")  # fmt: skip
