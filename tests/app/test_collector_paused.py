"""A bulk step runs with the cyclic garbage collector paused, and leaves no pass due after it."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

from app.importing.plan import collector_paused

ROOT = Path(__file__).resolve().parents[2]


class _Node:
    """A container that can be part of a reference cycle (and be referred to weakly)."""

    def __init__(self) -> None:
        self.other: _Node | None = None


# Run in a fresh interpreter: no other thread there can allocate and set off a pass meanwhile.
_NO_PASS_AFTER = """
import gc
from app.importing.plan import collector_paused

passes = []
def record(phase, info):
    if phase == "start":
        passes.append(info["generation"])

with collector_paused():
    kept = [[n] for n in range(50_000)]  # far past the youngest generation's threshold
    gc.callbacks.append(record)
more = [[n] for n in range(100)]  # fewer new containers than a pass waits for
gc.callbacks.remove(record)
print(gc.isenabled(), passes)
"""


def test_leaving_a_paused_step_sets_off_no_pass_over_what_it_made() -> None:
    """Else the first allocation after the step passes over all of it as the youngest."""
    done = subprocess.run([sys.executable, "-c", _NO_PASS_AFTER], capture_output=True,
                          text=True, check=True, cwd=ROOT)  # fmt: skip
    assert done.stdout.split() == ["True", "[]"]


def test_a_cycle_made_in_a_paused_step_is_still_collected() -> None:
    with collector_paused():
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        gone = weakref.ref(first)
        del first, second
    assert gone() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert gone() is None


def test_a_collector_already_paused_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
