"""Table columns sized to their content within bounds, with one column (a title) taking the rest.

For long lists of records read by one column (agreements by title): the other columns show what
they hold up to a cap, give way first when the window is narrow, and keep any width the person
drags them to. (A cell cut short shows its whole text as a tip in every house table: see
`ui.widgets.tables`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTableView

from ui.widgets.tables import CELL_PADDING, chars_wide, size_columns

MEASURED_ROWS = 300  # rows whose text sizes the columns: enough to be typical, quick at 100,000


@dataclass(frozen=True)
class ColumnRule:
    """How wide a column of the list grows by itself: its content, at most `most` characters.

    A column of long text (references, partners, owners) gives way, when the title needs the
    room, down to `share` of the width the short columns leave, so that in a narrow window the
    title keeps the largest part.
    """

    most: int
    share: float = 1.0


def share_out(
    available: int,
    wanted: Mapping[int, int],
    floors: Mapping[int, int],
    title_wanted: int,
    title_least: int,
    smallest: int,
) -> tuple[dict[int, int], int]:
    """Widths for the columns and the title in `available` pixels.

    Every column gets what it `wanted` if the title can then have what it wants too, and the
    title takes all that is left. Otherwise the columns with a floor give way in proportion to
    how far they can, down to their `floors`, until the title has what it wants. If the title
    would still have less than `title_least`, they give way further, down to `smallest`, before
    the table has to scroll sideways; the title never has less than `title_least`.
    """
    widths = dict(wanted)
    _give_way(widths, floors, sum(widths.values()) + title_wanted - available)
    _give_way(
        widths, dict.fromkeys(floors, smallest), sum(widths.values()) + title_least - available
    )
    return widths, max(available - sum(widths.values()), title_least)


def _give_way(widths: dict[int, int], floors: Mapping[int, int], deficit: int) -> None:
    """Narrow the columns of `floors` by `deficit` pixels in all, or as far as their floors allow.

    Each gives way in proportion to how far it can go.
    """
    give = {c: max(widths[c] - floors[c], 0) for c in floors}
    can_give = sum(give.values())
    if deficit > 0 and can_give > 0:
        part = min(deficit / can_give, 1.0)
        for column, amount in give.items():
            widths[column] -= round(amount * part)


class TitleFirstColumns(QObject):
    """Sizes a table's columns to their content within bounds; the title column takes the rest.

    Every column stays Interactive. A column the person resizes keeps that width and is no
    longer fitted; the title column still takes up whatever the others leave (as a stretching
    column would) unless the person has sized it too, and never falls below `least` characters.
    """

    def __init__(self, table: QTableView, rules: Mapping[int, ColumnRule], title: int,
                 least: int) -> None:  # fmt: skip
        super().__init__(table)
        self._table = table
        self._rules = dict(rules)
        self._title = title
        self._least = least
        self._content: dict[int, int] = {}  # pixels each column's text needs (capped but title)
        self._user_sized: set[int] = set()
        self._fitting = False
        size_columns(table, {})  # every column Interactive, none stretching
        table.horizontalHeader().sectionResized.connect(self._section_resized)
        table.viewport().installEventFilter(self)

    def measure(self) -> None:
        """Size the columns to the text of the first rows shown, then fit them to the table.

        An empty column still wants its heading's width (see `_wanted`).
        """
        model = self._table.model()
        metrics = self._table.fontMetrics()
        rows = min(model.rowCount(), MEASURED_ROWS)
        for column in (*self._rules, self._title):
            widest = max((metrics.horizontalAdvance(_display(model, row, column))
                          for row in range(rows)), default=0)  # fmt: skip
            needed = widest + CELL_PADDING
            rule = self._rules.get(column)
            if rule is not None:  # the title has no cap
                needed = min(needed, chars_wide(self._table, rule.most))
            self._content[column] = needed
        self.fit()

    def fit(self) -> None:
        """Set the widths of the columns not sized by the person for the table's width now."""
        header = self._table.horizontalHeader()
        available = self._table.viewport().width()
        wanted = {column: self._wanted(column) for column in self._rules}
        giving = [c for c, rule in self._rules.items()
                  if rule.share < 1.0 and c not in self._user_sized]  # fmt: skip
        room = available - sum(w for c, w in wanted.items() if c not in giving)
        floors = {c: max(int(self._rules[c].share * room), header.minimumSectionSize())
                  for c in giving}  # fmt: skip
        widths, title = share_out(available, wanted, floors, self._wanted(self._title),
                                  chars_wide(self._table, self._least),
                                  header.minimumSectionSize())  # fmt: skip
        if self._title not in self._user_sized:
            widths[self._title] = title
        self._fitting = True
        try:
            for column, width in widths.items():
                if column not in self._user_sized:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _wanted(self, column: int) -> int:
        header = self._table.horizontalHeader()
        if column in self._user_sized:
            return header.sectionSize(column)
        return max(header.sectionSizeHint(column), self._content.get(column, 0))

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        if self._fitting:
            return
        self._user_sized.add(column)  # the person dragged it (or double-clicked its edge)
        self.fit()  # the title takes up the difference

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (isinstance(event, QResizeEvent) and watched is self._table.viewport()
                and event.size().width() != event.oldSize().width()):  # fmt: skip
            self.fit()
        return False


def _display(model: QAbstractItemModel, row: int, column: int) -> str:
    return str(model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole) or "")
