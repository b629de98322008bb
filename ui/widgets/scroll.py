"""A scroll area that scrolls up and down only, and is never narrower than what it holds.

A `QScrollArea` reports a small minimum size whatever it holds, so with its horizontal bar
turned off a narrow window cuts its content off on the right (fields and buttons half hidden).
This one asks for the width its content needs, plus room for the vertical bar.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QScrollArea, QStyle, QWidget


class VerticalScroll(QScrollArea):
    """Holds `inner`, scrolling it vertically; as wide as `inner` needs at the least."""

    def __init__(self, inner: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(inner)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        wide = inner.minimumSizeHint().width() + bar + 2 * self.frameWidth()
        return QSize(max(hint.width(), wide), hint.height())
