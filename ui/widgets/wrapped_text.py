"""Read-only text that wraps between words, or inside a word too long for a line; headings of it."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget

SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)
HEADING_WIDTH = 200
"""The width a record's heading asks for; a longer title wraps (its pane decides its width)."""
HEADING_SCALE = 1.3
"""A heading's font size to the font of the text under it: it grows with the person's font."""


class WrappedText(QTextEdit):
    """Read-only text that wraps between words, or inside a word too long for a line.

    A QLabel cannot break a long path or e-mail address, and so widens whatever holds it (or,
    given no room, cuts the word off); this breaks it, and is as tall as its wrapped text at any
    width (height for width), never scrolling itself. It asks for `preferred_width` pixels and
    gives way down to four characters. Copying its text gives it unchanged.
    """

    def __init__(self, text: str, accessible: str, *, preferred_width: int,
                 boxed: bool = False) -> None:  # fmt: skip
        super().__init__()
        self._preferred_width = preferred_width
        self.setReadOnly(True)
        self.setTextInteractionFlags(SELECTABLE)
        self.setTabChangesFocus(True)
        self.setAccessibleName(accessible)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        if boxed:  # a value: larger, on the base colour, framed
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 1.15)
            self.setFont(font)
            self.document().setDocumentMargin(6)
        else:  # a line of a label's look
            self.setFrameShape(QFrame.Shape.NoFrame)
            self.viewport().setAutoFillBackground(False)
            self.document().setDocumentMargin(0)
        # new text may need another height: the layout holding it asks again
        self.document().contentsChanged.connect(self.updateGeometry)
        self.setPlainText(text)

    def text(self) -> str:
        """The text shown, as given (like `QLabel.text`)."""
        return self.toPlainText()

    def setText(self, text: str) -> None:
        """Show `text` as it is: plain text, never read as HTML (like a plain-text `QLabel`)."""
        self.setPlainText(text)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        frame = self.frameWidth() * 2
        document = self.document().clone()  # measured apart: the shown one keeps its width
        document.setTextWidth(max(width - frame, 1))
        return math.ceil(document.size().height()) + frame

    def sizeHint(self) -> QSize:
        return QSize(self._preferred_width, self.heightForWidth(self._preferred_width))

    def minimumSizeHint(self) -> QSize:
        width = self.fontMetrics().averageCharWidth() * 4 + self.frameWidth() * 2
        return QSize(width, self.heightForWidth(max(self.width(), width)))


def heading_text(accessible: str, parent: QWidget | None = None) -> WrappedText:
    """The bold, larger heading over a record's form or editor; its text is set by the view.

    A long title wraps, inside a word too long for a line as well (a name pasted without
    spaces, a path), instead of widening what holds it or being cut off. It can be selected and
    copied with the mouse, but is no Tab stop.
    """
    heading = WrappedText("", accessible, preferred_width=HEADING_WIDTH)
    if parent is not None:
        heading.setParent(parent)
    heading.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * HEADING_SCALE)
    font.setBold(True)
    heading.setFont(font)
    return heading
