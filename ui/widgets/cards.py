"""Cards in a list: a title over a line or two, with a coloured edge and a badge (a board's cards).

`CardDelegate` draws each item of a `QListView` as a card sized to the list's width: the title in
bold, wrapped on up to `TITLE_LINES` lines; a subtitle on one line; the badge (say "Amber") beside
a dot of the card's colour, so that the colour is never the only sign.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QPen,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 10
BADGE_ROLE = Qt.ItemDataRole.UserRole + 11
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 12
TITLE_LINES = 3
MARGIN = 4  # around a card, inside the list
PADDING = 8  # inside a card
EDGE = 5  # the coloured edge on the card's left
NO_COLOUR = QColor(150, 150, 150)
SUBTLE_TEXT = QColor(85, 85, 85)  # 7:1 on white

Index = QModelIndex | QPersistentModelIndex


def _title_lines(text: str, font: QFont, width: int) -> list[str]:
    """`text` broken into lines `width` wide; the last kept line elided when there are more.

    A word too long for a line is broken inside (a long unbroken title would be cut off).
    """
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    lines: list[str] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        lines.append(text[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    if len(lines) > TITLE_LINES:
        rest = "".join(lines[TITLE_LINES - 1 :]).strip()
        lines = lines[: TITLE_LINES - 1]
        lines.append(QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return [line.strip() for line in lines] or [""]


class CardDelegate(QStyledItemDelegate):
    """Paints the items of one list as cards as wide as the list."""

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(small.pointSizeF() * 0.92)
        return title, small

    def _text_width(self) -> int:
        return max(40, self._view.viewport().width() - 2 * MARGIN - 2 * PADDING - EDGE)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        title_font, small = self._fonts(option)
        lines = _title_lines(str(index.data() or ""), title_font, self._text_width())
        height = (
            len(lines) * QFontMetrics(title_font).lineSpacing()
            + 2 * QFontMetrics(small).lineSpacing()
            + 2 * PADDING
            + 2 * MARGIN
            + 4
        )
        return QSize(self._view.viewport().width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        title_font, small = self._fonts(option)
        rect: QRect = option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        state = option.state
        palette: QPalette = option.palette
        selected = bool(state & QStyle.StateFlag.State_Selected)
        focused = bool(state & QStyle.StateFlag.State_HasFocus)
        colour = index.data(COLOUR_ROLE)
        colour = colour if isinstance(colour, QColor) else NO_COLOUR

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        background = QColor(highlight).lighter(185) if selected else QColor(Qt.GlobalColor.white)
        border = highlight if selected or focused else QColor(200, 200, 200)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(rect), 4, 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(rect.left(), rect.top(), EDGE, rect.height()), 2, 2)

        x = rect.left() + EDGE + PADDING
        y = rect.top() + PADDING
        width = self._text_width()
        text_colour = QColor(Qt.GlobalColor.black)
        painter.setPen(text_colour)
        painter.setFont(title_font)
        title_metrics = QFontMetrics(title_font)
        for line in _title_lines(str(index.data() or ""), title_font, width):
            painter.drawText(QPointF(x, y + title_metrics.ascent()), line)
            y += title_metrics.lineSpacing()
        painter.setFont(small)
        small_metrics = QFontMetrics(small)
        subtitle = str(index.data(SUBTITLE_ROLE) or "")
        painter.setPen(SUBTLE_TEXT)
        painter.drawText(
            QPointF(x, y + small_metrics.ascent()),
            small_metrics.elidedText(subtitle, Qt.TextElideMode.ElideRight, width),
        )
        y += small_metrics.lineSpacing() + 2
        badge = str(index.data(BADGE_ROLE) or "")
        if badge:
            dot = small_metrics.ascent() - 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QRectF(x, y + 2, dot, dot))
            painter.setPen(text_colour)
            painter.drawText(
                QPointF(x + dot + 5, y + small_metrics.ascent()),
                small_metrics.elidedText(badge, Qt.TextElideMode.ElideRight, width - dot - 5),
            )
        painter.restore()
