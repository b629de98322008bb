"""Tables the views share: one look (rows, eliding, headers) and columns sized to their content.

A cell whose text the column cuts short shows its whole text as a tip, whatever its length, unless
the model gives that cell a tip of its own.

Column widths are given in characters of the table's own font (the width of a "0", as CSS's
`ch`), so that they stay right with a larger font or a high-DPI screen; the columns named as
stretching share what is left, so a table fills its space without a horizontal scroll bar at the
window's usual size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

CELL_PADDING = 16  # pixels around a cell's text (margins and the grid)


def record_table(model: QAbstractItemModel, name: str, parent: QWidget | None = None,
                 rows: bool = True) -> QTableView:  # fmt: skip
    """A read-and-select table over `model`: one line a row, long text elided with a tip."""
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    style_table(table, rows)
    return table


def style_table(table: QTableView, rows: bool = True) -> None:
    """The house look of a table: whole-row or cell selection, one line a row, no row numbers.

    A cell cut short shows its whole text as a tip; a table that needs a delegate of its own
    sets it after this.
    """
    table.setSelectionBehavior(
        QAbstractItemView.SelectionBehavior.SelectRows if rows
        else QAbstractItemView.SelectionBehavior.SelectItems
    )  # fmt: skip
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    line = table.fontMetrics().height()
    table.verticalHeader().setDefaultSectionSize(line + 10)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    table.setItemDelegate(WholeTextTips(table))


def size_columns(table: QTableView, widths: Mapping[int, int],
                 stretch: Iterable[int] = ()) -> None:  # fmt: skip
    """Columns `widths` wide (in characters); the `stretch` columns share the rest."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(chars_wide(table, 3))
    stretching = set(stretch)
    for column in range(header.count()):
        if column in stretching:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        if column in widths:
            table.setColumnWidth(column, chars_wide(table, widths[column]))


def chars_wide(widget: QWidget, chars: int) -> int:
    """Pixels for `chars` characters of the widget's font, with a cell's padding."""
    return chars * widget.fontMetrics().horizontalAdvance("0") + CELL_PADDING


def history_table(model: QAbstractItemModel, name: str,
                  parent: QWidget | None = None) -> QTableView:  # fmt: skip
    """The table of changes: old and new values share what when, who, record and field leave."""
    table = record_table(model, name, parent)
    size_columns(table, {0: 17, 1: 14, 2: 26, 3: 24, 4: 8}, stretch=(5, 6))
    return table


class WholeTextTips(QStyledItemDelegate):
    """A cell cut short shows its whole text as a tip, where the model gives it no tip of its own.

    Whether a text is cut depends on the column's width, which only the view knows: a model cannot
    tell a short text in a narrowed column from a long one shown whole.
    """

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
                  ) -> bool:  # fmt: skip
        if (event.type() == QEvent.Type.ToolTip and index.isValid()
                and index.data(Qt.ItemDataRole.ToolTipRole) is None):  # fmt: skip
            shown = QStyleOptionViewItem(option)
            self.initStyleOption(shown, index)  # the cell's own text, font and icon
            if shown.text and _is_cut_short(shown, view):
                QToolTip.showText(event.globalPos(), shown.text, view)
                return True
        return super().helpEvent(event, view, option, index)


def _is_cut_short(option: QStyleOptionViewItem, view: QWidget) -> bool:
    """Whether the cell's text is wider than the room the style leaves it (beside any icon)."""
    style = view.style()
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view).width()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return option.fontMetrics.horizontalAdvance(option.text) > room - 2 * margin
