"""Read-only text that wraps between words, or inside a word too long for a line."""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit

SELECTABLE = (
    Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
)


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
