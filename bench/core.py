"""The benchmark harness: results, timing helpers, the table and bench/results.json."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Result:
    """One figure of PERFORMANCE.md.

    `value` is what we measured, `baseline` the raw-library figure measured in the same run
    (None for absolute bounds), `ratio` value / baseline, `target` the bound on the ratio (or on
    the value when there is no baseline), `ok` whether it holds.
    """

    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    ok: bool


def ratio_result(
    name: str, value: float, baseline: float, unit: str, max_ratio: float,
    max_value: float | None = None,
) -> Result:  # fmt: skip
    ratio = value / baseline if baseline > 0 else float("inf")
    ok = ratio <= max_ratio and (max_value is None or value <= max_value)
    parts = [f"<= {max_ratio}x baseline"] if max_ratio != float("inf") else []
    parts += [f"<= {max_value} {unit}"] if max_value is not None else []
    target = " and ".join(parts)
    return Result(name, value, unit, baseline, ratio, target, ok)


def bound_result(name: str, value: float, unit: str, max_value: float, label: str = "") -> Result:
    return Result(name, value, unit, None, None, label or f"<= {max_value} {unit}",
                  value <= max_value)  # fmt: skip


def info_result(name: str, value: float, unit: str, baseline: float, note: str) -> Result:
    """A figure measured to explain another, with no target of its own (it never fails)."""
    return Result(name, value, unit, baseline, value / baseline if baseline > 0 else None, note,
                  True)  # fmt: skip


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


def print_table(results: list[Result]) -> None:
    header = (
        f"{'name':<14} {'value':>12} {'unit':<6} {'baseline':>10} {'ratio':>7}  {'target':<32} ok"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        base = "" if r.baseline is None else f"{r.baseline:.4g}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}"
        print(
            f"{r.name:<14} {r.value:>12.4g} {r.unit:<6} {base:>10} {ratio:>7}  "
            f"{r.target:<32} {'yes' if r.ok else 'NO'}"
        )


def write_results(results: list[Result], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
