"""`make bench`: run every bench/bench_*.py module's `run()` and print the table."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import bench
from bench.core import Result, print_table, write_results

# What every bench/bench_*.py module provides: its figures, or those of `wanted` (all if empty).
Run = Callable[[set[str]], Iterable[Result]]


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: list[Result] = []
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        run: Run = module.run
        for result in run(wanted):
            print(f"  measured {result.name}", file=sys.stderr, flush=True)
            results.append(result)
    print_table(results)
    missing = sorted(wanted - {r.name for r in results})
    if missing:  # a mistyped name would otherwise "pass" with nothing measured
        print(f"not measured (no such benchmark, or its data is missing): {', '.join(missing)}",
              file=sys.stderr)  # fmt: skip
        return 2
    write_results(results, Path(__file__).parent / "results.json")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
