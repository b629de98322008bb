"""Long work that says how far it has got and stops when the person asks: imports, exports."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
"""Told (done, total) as the work goes on."""
Cancel = Callable[[], bool]
"""Asked now and then whether the person wants the work stopped."""


def checkpoint(
    done: int,
    total: int,
    progress: Progress | None,
    cancel: Cancel | None,
    cancelled: Callable[[], Exception],
) -> None:
    """Stop with `cancelled()` if the person asked to; else say how far the work has got."""
    if cancel is not None and cancel():
        raise cancelled()
    if progress is not None:
        progress(done, total)
