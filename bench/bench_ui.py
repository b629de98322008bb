"""Desktop benchmarks: startup, type-ahead filter, sort and memory (PERFORMANCE.md)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.core import Result, bound_result, ratio_result

STARTUP_AGREEMENTS = 10_000
LARGE_AGREEMENTS = 100_000
PASSPHRASE = "benchmark passphrase"
WORDS = (
    "hospital",
    "discharge",
    "falls",
    "prevention",
    "adult",
    "social",
    "care",
    "children",
    "school",
    "attendance",
    "community",
    "safety",
    "housing",
    "homelessness",
    "public",
    "health",
    "mental",
    "health",
    "police",
    "fire",
    "ambulance",
    "primary",
    "care",
    "frailty",
    "dementia",
    "carers",
    "domestic",
    "abuse",
    "youth",
    "offending",
    "substance",
    "misuse",
    "employment",
    "skills",
    "transport",
    "air",
    "quality",
    "obesity",
    "smoking",
)
ORGS = [
    f"{place} {kind}"
    for place in ("Northshire", "Southshire", "Eastborough", "Westdale")
    for kind in ("County Council", "NHS Trust", "ICB", "Police", "Fire and Rescue")
]


def _text(rng: random.Random, low: int, high: int) -> str:
    out: list[str] = []
    size = rng.randint(low, high)
    while sum(len(w) + 1 for w in out) < size:
        out.append(rng.choice(WORDS))
    return " ".join(out)[:high]


def build_register(folder: Path, count: int, items: bool) -> bytes:
    """A register of `count` agreements written in one batch (the bulk path); its wrapping key."""
    import datetime as dt

    from app import search
    from app.keys import KdfParams
    from app.register import Changes, Register

    rng = random.Random(count)
    statuses = (
        "draft",
        "negotiation",
        "awaiting_approval",
        "active",
        "active",
        "active",
        "under_review",
        "suspended",
        "expired",
        "terminated",
    )

    def build(changes: Changes) -> None:
        orgs = [changes.create("organisation", {"name": name}) for name in ORGS]
        today = dt.date(2026, 6, 1)
        for n in range(count):
            agreement = changes.create("agreement", {
                "reference": f"ISA-{2015 + n % 12}-{n:06d}",
                "title": _text(rng, 20, 90).capitalize(),
                "category": rng.choice(("aggregated", "personal")),
                "status": rng.choice(statuses),
                "summary": _text(rng, 50, 400),
                "notes": _text(rng, 50, 200),
                "retention": _text(rng, 50, 150),
                "protective_marking": "OFFICIAL",
                "start_date": today - dt.timedelta(days=rng.randint(0, 2000)),
                "review_date": today + dt.timedelta(days=rng.randint(-200, 500)),
            })  # fmt: skip
            changes.create(
                "party",
                {
                    "agreement_id": agreement,
                    "organisation_id": rng.choice(orgs),
                    "role": "provider",
                },
            )
            if items:
                changes.create("data_item", {
                    "agreement_id": agreement, "position": 1, "title": _text(rng, 10, 40),
                    **{key: _text(rng, 50, 400) for key in (
                        "source", "extract_mechanism", "destination", "frequency",
                        "data_fields", "purpose", "safeguards")},
                })  # fmt: skip

    kdf = KdfParams(memory_kib=8192, iterations=1, lanes=1)
    with Register.create(folder, PASSPHRASE, name="Benchmark", kdf=kdf) as register:
        register.write("Benchmark data", build, undoable=False)
        search.rebuild_index(register)
        return register.wrapping_key


# Both scripts print one line the moment their window is on screen; the clock stops there.
_BASELINE = """
from PySide6.QtWidgets import QApplication, QMainWindow
import sqlalchemy.orm, sqlcipher3
app = QApplication([])
w = QMainWindow(); w.resize(1400, 900); w.show(); app.processEvents()
print("shown", flush=True)
"""

_OURS = """
import sys
from pathlib import Path
import ui.cli  # what `isr` runs first
from PySide6.QtCore import QEventLoop
from ui.main import application
from ui.main_window import MainWindow
from ui.settings import Settings
from app.register import Register
app = application()
w = MainWindow(Settings(Path(sys.argv[2])))
w.show()
loop = QEventLoop()  # not app.quit(): in Qt 6 that closes the windows
w.dashboard.loaded.connect(loop.quit)
key = bytes.fromhex(sys.argv[3])
w.runner.run(lambda: w._prepare(Register.open(Path(sys.argv[1]), wrapping_key=key)),
             w.set_register, lambda exc: (print(exc, file=sys.stderr), loop.quit()))
loop.exec()
assert w.register is not None and w.dashboard.dashboard is not None
app.processEvents()  # paint the figures
print("shown", flush=True)
w.close()
"""
STARTUP_RUNS = 5

# The window opens the register and shows its agreements list; then the process says how much
# memory it holds (resident set, MiB).
_MEMORY = """
import sys
from pathlib import Path
import psutil
import ui.cli
from PySide6.QtCore import QEventLoop
from ui.main import application
from ui.main_window import MainWindow
from ui.settings import Settings
from app.register import Register
app = application()
w = MainWindow(Settings(Path(sys.argv[2])))
w.show()
loop = QEventLoop()
w.dashboard.loaded.connect(loop.quit)
key = bytes.fromhex(sys.argv[3])
w.runner.run(lambda: w._prepare(Register.open(Path(sys.argv[1]), wrapping_key=key)),
             w.set_register, lambda exc: (print(exc, file=sys.stderr), loop.quit()))
loop.exec()
w.agreements.loaded.connect(loop.quit)
w.navigate(1)
loop.exec()
assert w.agreements.model.rowCount() > 0
app.processEvents()
print(psutil.Process().memory_info().rss / 2**20, flush=True)
w.close()
"""


def _child_env(pycache: Path) -> dict[str, str]:
    """Offscreen, with compiled bytecode kept between runs as an installed app has it.

    Without a cache (PYTHONDONTWRITEBYTECODE is set in some environments) our own modules
    would be compiled from source on every start while the libraries' come precompiled.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _spawn(code: str, env: dict[str, str], *args: str) -> float:
    """Seconds from starting a fresh interpreter on `code` until it says its window is shown.

    The process's exit (tearing down Qt and the register) is not part of starting up.
    """
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE,
            stderr=errors, text=True, cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        assert child.stdout is not None
        line = child.stdout.readline()
        shown = time.perf_counter() - start
        child.communicate()
        if child.returncode != 0 or line.strip() != "shown":
            errors.seek(0)
            raise RuntimeError(f"startup script failed: {errors.read().decode(errors='replace')}")
    return shown


def _startup(temp: Path) -> Result:
    folder = temp / "startup"
    key = build_register(folder, STARTUP_AGREEMENTS, items=True)
    env = _child_env(temp / "pycache")
    ours = (_OURS, env, str(folder), str(temp / "startup.ini"), key.hex())
    # warm up: the file cache, the bytecode, and the register's daily backup (once a day)
    _spawn(_BASELINE, env)
    _spawn(*ours)
    baselines: list[float] = []
    ours_times: list[float] = []
    for _ in range(STARTUP_RUNS):  # interleaved, so that a noisy moment hits both alike
        baselines.append(_spawn(_BASELINE, env))
        ours_times.append(_spawn(*ours))
    return ratio_result("startup", statistics.median(ours_times), statistics.median(baselines),
                        "s", 1.5, 2.0)  # fmt: skip


def _large(temp: Path, wanted: set[str]) -> Iterator[Result]:
    from PySide6.QtCore import Qt

    from app.agreements import list_agreements
    from app.register import Register
    from ui.main import application
    from ui.models.agreements import AgreementTableModel

    folder = temp / "large"
    key = build_register(folder, LARGE_AGREEMENTS, items=False)
    application()
    with Register.open(folder, wrapping_key=key) as register:
        rows = list_agreements(register)
        model = AgreementTableModel()
        model.set_rows(rows)
        if not wanted or "filter" in wanted:
            times: list[float] = []
            for word in ("hospital", "community safety", "ISA-2019", "north"):
                for end in range(1, len(word) + 1):
                    start = time.perf_counter()
                    model.set_filter_text(word[:end])
                    model.rowCount()
                    times.append(time.perf_counter() - start)
                model.set_filter_text("")
            median, worst = statistics.median(times), max(times)
            yield Result("filter", median * 1000, "ms", None, None,
                         "median <= 100 ms, worst <= 250 ms",
                         median <= 0.100 and worst <= 0.250)  # fmt: skip
        if not wanted or "sort" in wanted:
            sorts: list[float] = []
            for column in (1, 6, 4, 2):
                start = time.perf_counter()
                model.sort(column, Qt.SortOrder.DescendingOrder)
                sorts.append(time.perf_counter() - start)
            yield bound_result("sort", max(sorts) * 1000, "ms", 300)
    if not wanted or "memory" in wanted:
        yield bound_result("memory", _memory(temp, folder, key), "MB", 600)


def _memory(temp: Path, folder: Path, key: bytes) -> float:
    """Resident memory of a fresh process showing the register's agreements in the window."""
    result = subprocess.run(
        [sys.executable, "-c", _MEMORY, str(folder), str(temp / "memory.ini"), key.hex()],
        env=_child_env(temp / "pycache"), capture_output=True, text=True, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"memory script failed: {result.stderr}")
    return float(result.stdout.split()[-1])


def run(wanted: set[str]) -> Iterator[Result]:
    names = {"startup", "filter", "sort", "memory"}
    if wanted and not wanted & names:
        return
    with tempfile.TemporaryDirectory(prefix="isr-bench-ui-") as temp:
        if not wanted or "startup" in wanted:
            yield _startup(Path(temp))
        if not wanted or wanted & {"filter", "sort", "memory"}:
            yield from _large(Path(temp), wanted)
