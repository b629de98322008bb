"""Tab order: the order a screen's controls are reached by Tab, set once in reading order."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QWidget


def tab_order(widgets: Iterable[QWidget]) -> None:
    """Tab goes from each widget to the next, in the order given (top to bottom, left to right)."""
    chain = list(widgets)
    for before, after in zip(chain, chain[1:], strict=False):
        QWidget.setTabOrder(before, after)
