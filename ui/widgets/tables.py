"""Tables the views share: one look (rows, eliding, headers) and columns sized to their content.

A cell whose text the column cuts short shows its whole text as a tip, whatever its length, unless
the model gives that cell a tip of its own.

Column widths are given in characters of the table's own font (the width of a "0", as CSS's
`ch`), so that they stay right with a larger font or a high-DPI screen; the columns named as
stretching share what is left, so a table fills its space without a horizontal scroll bar. The
columns are fitted again whenever the table's width changes (`FittedColumns`): in a narrow window
the sized columns give way before a stretching one (a name, a title) falls below its least width,
and a column the person resizes keeps its width. A table whose columns come from its data (a
spreadsheet's own) has them sized to their content instead, headings whole (`MeasuredColumns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QHelpEvent, QResizeEvent
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
STRETCH_LEAST = 15  # characters a stretching column keeps before the table scrolls sideways
MEASURED_ROWS = 300  # rows whose content sizes a measured column: typical, and quick at 100,000
KEPT_WHOLE = 12  # characters of a measured column's content never cut to spare others (a date)


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
    """Columns `widths` wide (in characters); the `stretch` columns share the rest.

    Each stretching column keeps at least `STRETCH_LEAST` characters (or its heading): in a
    narrow table the other columns give way first. See `FittedColumns`.
    """
    FittedColumns(table, widths, stretch)


def chars_wide(widget: QWidget, chars: int) -> int:
    """Pixels for `chars` characters of the widget's font, with a cell's padding."""
    return chars * widget.fontMetrics().horizontalAdvance("0") + CELL_PADDING


def history_table(model: QAbstractItemModel, name: str,
                  parent: QWidget | None = None) -> QTableView:  # fmt: skip
    """The table of changes: old and new values share what when, who, record and field leave."""
    table = record_table(model, name, parent)
    size_columns(table, {0: 17, 1: 14, 2: 26, 3: 24, 4: 8}, stretch=(5, 6))
    return table


def share_out(
    available: int,
    wanted: Mapping[int, int],
    floors: Mapping[int, int],
    title_wanted: int,
    title_least: int,
    smallest: int | Mapping[int, int],
) -> tuple[dict[int, int], int]:
    """Widths for the columns and the title in `available` pixels.

    Every column gets what it `wanted` if the title can then have what it wants too, and the
    title takes all that is left. Otherwise the columns with a floor give way in proportion to
    how far they can, down to their `floors`, until the title has what it wants. If the title
    would still have less than `title_least`, they give way further, down to `smallest` (one
    width for every column with a floor, or each column's own), before the table has to scroll
    sideways; the title never has less than `title_least`.

    The "title" is whatever takes up the rest: one column, or several stretching ones together.
    """
    widths = dict(wanted)
    _give_way(widths, floors, sum(widths.values()) + title_wanted - available)
    least = smallest if isinstance(smallest, Mapping) else dict.fromkeys(floors, smallest)
    _give_way(widths, least, sum(widths.values()) + title_least - available)
    return widths, max(available - sum(widths.values()), title_least)


def _give_way(widths: dict[int, int], floors: Mapping[int, int], deficit: int) -> None:
    """Narrow the columns of `floors` by `deficit` pixels in all, or as far as their floors allow.

    Each gives way in proportion to how far it can go, rounded so that together they give the
    whole pixels asked (rounding each on its own could leave the table a pixel too wide).
    """
    give = {c: max(widths[c] - floors[c], 0) for c in floors}
    can_give = sum(give.values())
    if deficit > 0 and can_give > 0:
        part = min(deficit / can_give, 1.0)
        owed, given = 0.0, 0
        for column, amount in give.items():
            owed += amount * part
            step = round(owed) - given  # never more than `amount`: owed grew by less than it
            widths[column] -= step
            given += step


def _split(room: int, least: Mapping[int, int]) -> dict[int, int]:
    """`room` pixels for the columns of `least`: each its least, then equal parts of the rest.

    The last column takes the odd pixels, so that the widths add up to `room` exactly.
    """
    if not least:
        return {}
    each, odd = divmod(room - sum(least.values()), len(least))
    widths = {column: width + each for column, width in least.items()}
    widths[max(widths)] += odd
    return widths


class FittedColumns(QObject):
    """Fits a table's columns to its width, each time that width changes.

    A column wants its width in characters if it was given one, its heading's otherwise. The
    stretching columns share what the others leave, each at least `least` characters (or its
    heading). Where the table is too narrow for that, the other columns give way in proportion
    to how far they can, down to the header's smallest section, before the table scrolls
    sideways.

    Every column stays Interactive. A column the person resizes keeps that width and is no
    longer fitted; the stretching columns take up the difference. Hiding a column is not
    resizing it. Fitting a table again replaces its fitter.
    """

    def __init__(self, table: QTableView, widths: Mapping[int, int], stretch: Iterable[int],
                 least: int = STRETCH_LEAST) -> None:  # fmt: skip
        super().__init__(table)
        for earlier in table.findChildren(
            FittedColumns, options=Qt.FindChildOption.FindDirectChildrenOnly
        ):
            if earlier is not self:
                earlier.detach()
        self._table = table
        self._widths = dict(widths)
        self._stretch = tuple(stretch)
        self._least_chars = least
        self._user_sized: set[int] = set()
        self._fitting = False
        self._fitted_width = -1  # the viewport's width when the columns were last fitted
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(chars_wide(table, 3))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._section_resized)
        table.viewport().installEventFilter(self)

    def measured(self, columns: Iterable[int]) -> dict[int, int]:
        """Pixels each of `columns` needs for what its first `MEASURED_ROWS` rows show.

        Measured as the table draws them (text, font and icon): quick however many rows there are.
        """
        self._table.horizontalHeader().setResizeContentsPrecision(MEASURED_ROWS)
        return {c: self._table.sizeHintForColumn(c) for c in columns}

    def detach(self) -> None:
        """Stop fitting the table (its columns keep the widths they have)."""
        self._table.viewport().removeEventFilter(self)
        self._table.horizontalHeader().sectionResized.disconnect(self._section_resized)
        self.setParent(None)
        self.deleteLater()

    def fit(self) -> None:
        """Set the widths of the columns not sized by the person for the table's width now."""
        header = self._table.horizontalHeader()
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        sharing = [c for c in shown if c in self._stretch and c not in self._user_sized]
        wanted = {c: self._wanted(c) for c in shown if c not in sharing}
        available = self._fitted_width = self._table.viewport().width()
        least = {c: self._least(c) for c in sharing}
        floors = self._floors(wanted, available)
        widths, rest = share_out(available, wanted, floors,
                                 sum(self._wanted(c) for c in sharing), sum(least.values()),
                                 self._smallest(floors))  # fmt: skip
        widths.update(_split(rest, least))
        self._fitting = True
        try:
            for column, width in widths.items():
                if column not in self._user_sized:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _wanted(self, column: int) -> int:
        """The width a column has when the table has room for every column."""
        header = self._table.horizontalHeader()
        if column in self._user_sized:
            return header.sectionSize(column)
        if column in self._widths:
            return chars_wide(self._table, self._widths[column])
        if column in self._stretch:
            return self._least(column)
        return header.sectionSizeHint(column)

    def _least(self, column: int) -> int:
        """The least width of a stretching column: its heading, and `least` characters."""
        return max(self._table.horizontalHeader().sectionSizeHint(column),
                   chars_wide(self._table, self._least_chars))  # fmt: skip

    def _floors(self, wanted: Mapping[int, int], available: int) -> dict[int, int]:
        """How far each column gives way before the stretching ones have what they want."""
        smallest = self._table.horizontalHeader().minimumSectionSize()
        return {column: smallest for column in wanted if column not in self._user_sized}

    def _smallest(self, floors: Mapping[int, int]) -> int | Mapping[int, int]:
        """How far the columns of `floors` give way before the table scrolls sideways."""
        return self._table.horizontalHeader().minimumSectionSize()

    def _section_resized(self, column: int, old: int, new: int) -> None:
        if self._fitting or new == 0 or old == 0:  # 0: the column was hidden, or is shown again
            return
        self._user_sized.add(column)  # the person dragged it (or double-clicked its edge)
        self.fit()  # the stretching columns take up the difference

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # the event's type first: the viewport sends others as the table is being destroyed
        if self._width_changed(event) and watched is self._table.viewport():
            self.fit()
        return False

    def _width_changed(self, event: QEvent) -> bool:
        """Whether the viewport's width differs from the one its columns were fitted to.

        A table on a page shown again (a wizard's, a view's) may have changed width while hidden,
        and Qt then sends it no resize event: its vertical scroll bar went as its rows changed.
        """
        if isinstance(event, QResizeEvent):
            return event.size().width() != event.oldSize().width()
        return (event.type() == QEvent.Type.Show
                and self._table.viewport().width() != self._fitted_width)  # fmt: skip


class MeasuredColumns(FittedColumns):
    """Fits a table whose columns come from its data (a spreadsheet's own) to their content.

    Each column wants what its first `MEASURED_ROWS` rows show (as the table draws them: text,
    font and icon), up to `most` characters, and its whole heading, up to `headings` characters
    (`most` unless given). Where the table is too narrow for that, the columns give way in
    proportion, but each keeps its heading and its content up to `keep` characters (a date, a
    code), and the columns in `whole` keep all they want: the table scrolls sideways instead.
    So a heading is cut only where it alone is wider than `headings` characters (the model's
    tip for it then has it whole). The stretching columns share what is left, as in every house
    table.

    Measure again when the rows change. When the columns change, fit the table again (a new
    `MeasuredColumns`): the widths the person gave belong to the columns that were there.
    """

    def __init__(self, table: QTableView, *, most: int, headings: int | None = None,
                 stretch: Iterable[int] = (), whole: Iterable[int] = (),
                 least: int = STRETCH_LEAST, keep: int = KEPT_WHOLE) -> None:  # fmt: skip
        super().__init__(table, {}, stretch, least)
        self._most = most
        self._headings = most if headings is None else headings
        self._keep = keep
        self._whole = frozenset(whole)
        self._content: dict[int, int] = {}  # pixels each column's first rows need

    def measure(self) -> None:
        """Size the columns to what their first rows show, then fit them to the table."""
        self._content = self.measured(range(self._table.horizontalHeader().count()))
        self.fit()

    def _wanted(self, column: int) -> int:
        if column in self._user_sized or column in self._stretch:
            return super()._wanted(column)
        return self._keeping(column, self._most)

    def _floors(self, wanted: Mapping[int, int], available: int) -> dict[int, int]:
        """Each column gives way down to its heading and its short content; `whole` not at all."""
        return {c: self._keeping(c, self._keep) for c in wanted
                if c not in self._user_sized and c not in self._whole}  # fmt: skip

    def _smallest(self, floors: Mapping[int, int]) -> Mapping[int, int]:
        return floors  # a heading is not cut to spare the stretching columns: the table scrolls

    def _keeping(self, column: int, chars: int) -> int:
        """Pixels for the column's heading (up to `headings` characters) and `chars` of content."""
        heading = self._table.horizontalHeader().sectionSizeHint(column)
        return max(min(heading, chars_wide(self._table, self._headings)),
                   min(self._content.get(column, 0), chars_wide(self._table, chars)),
                   self._table.horizontalHeader().minimumSectionSize())  # fmt: skip


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
    """Whether the cell's text is wider than the room the style leaves it (beside any icon).

    Text that wraps is cut short only where it needs more lines than the cell's height holds.
    """
    style = view.style()
    if option.features & QStyleOptionViewItem.ViewItemFeature.WrapText:
        needed = style.sizeFromContents(QStyle.ContentsType.CT_ItemViewItem, option, QSize(), view)
        return needed.height() > option.rect.height()
    room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view).width()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return option.fontMetrics.horizontalAdvance(option.text) > room - 2 * margin
