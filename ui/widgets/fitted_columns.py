"""Table columns sized to their content within bounds, with one column (a title) taking the rest.

For long lists of records read by one column (agreements by title): the other columns show what
they hold up to a cap, give way first when the window is narrow, and keep any width the person
drags them to. It is the fitting every house table has (`ui.widgets.tables.FittedColumns`), with
widths measured from the rows instead of given. (A cell cut short shows its whole text as a tip
in every house table.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtWidgets import QTableView

from ui.widgets.tables import FittedColumns, chars_wide


@dataclass(frozen=True)
class ColumnRule:
    """How wide a column of the list grows by itself: its content, at most `most` characters.

    A column of long text (references, partners, owners) gives way, when the title needs the
    room, down to `share` of the width the short columns leave, so that in a narrow window the
    title keeps the largest part.
    """

    most: int
    share: float = 1.0


class TitleFirstColumns(FittedColumns):
    """Sizes a table's columns to their content within bounds; the title column takes the rest.

    Every column stays Interactive. A column the person resizes keeps that width and is no
    longer fitted; the title column still takes up whatever the others leave (as a stretching
    column would) unless the person has sized it too, and never falls below `least` characters.
    Only the columns whose rule has a `share` give way for the title.
    """

    def __init__(self, table: QTableView, rules: Mapping[int, ColumnRule], title: int,
                 least: int) -> None:  # fmt: skip
        super().__init__(table, {}, (title,), least)
        self._rules = dict(rules)
        self._content: dict[int, int] = {}  # pixels each column's text needs (capped but title)

    def measure(self) -> None:
        """Size the columns to what their first rows show, then fit them to the table.

        An empty column still wants its heading's width (see `_wanted`).
        """
        self._content = self.measured((*self._rules, *self._stretch))
        for column, rule in self._rules.items():  # the title has no cap
            self._content[column] = min(self._content[column], chars_wide(self._table, rule.most))
        self.fit()

    def _wanted(self, column: int) -> int:
        header = self._table.horizontalHeader()
        if column in self._user_sized:
            return header.sectionSize(column)
        return max(header.sectionSizeHint(column), self._content.get(column, 0))

    def _floors(self, wanted: Mapping[int, int], available: int) -> dict[int, int]:
        smallest = self._table.horizontalHeader().minimumSectionSize()
        giving = [c for c, rule in self._rules.items()
                  if rule.share < 1.0 and c not in self._user_sized]  # fmt: skip
        room = available - sum(w for c, w in wanted.items() if c in self._rules and c not in giving)
        return {c: max(int(self._rules[c].share * room), smallest) for c in giving}
