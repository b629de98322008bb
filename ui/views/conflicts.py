"""Conflicts: fields changed on two devices at once, and records deleted while used elsewhere.

A record deleted on one device may be edited on another, or made the party, owner or link of
another record there, before the deletion reaches it. The list shows every open conflict; the
selected one is shown with its versions side by side (value, who, which device, when) and
settled with one click on the version to keep. A deleted record referred to is shown as its
deletion (keep the record) and the references (remove them). Where the pane is too narrow for
the cards side by side they are stacked, and their text wraps (a long path or e-mail address
too), so that the pane never scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.conflicts import FieldConflict, resolve_conflict
from app.register import Register
from app.wording import plural
from ui.errors import ErrorMessage
from ui.models.sync_models import (
    WRAP_ROLE,
    ConflictItem,
    ConflictTableModel,
    ShownVersion,
    load_conflicts,
)
from ui.widgets.tables import record_table
from ui.widgets.wrapped_text import SELECTABLE, WrappedText
from ui.workers import TaskRunner, ViewWork

NO_CONFLICTS = "No open conflicts."
"""The summary under the list when there is nothing to settle."""
NONE_TITLE = "No conflicts: every change merged cleanly"
NONE_TEXT = (
    "When two people change the same field before their laptops sync, or one edits or uses a "
    "record another deleted, both versions appear here side by side for you to choose."
)
UNSELECTED_TITLE = "No conflict selected"
UNSELECTED_TEXT = "Choose a conflict in the list to see its versions side by side and keep one."
LOADING_TITLE = "Reading the conflicts…"
TITLE = "Conflicts"
"""The title of the view's messages."""
CARD_WIDTH = 280
"""The width a version card needs to read well: narrower than this each, the cards are stacked."""
REFERENCE_GAP = 10
"""Pixels between the references listed on one card."""


def _label(text: str, accessible: str, *, bold: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(SELECTABLE)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _mnemonic(words: str) -> str:
    """A button's words with Alt+ their first letter (an '&' in a name shown as it is)."""
    return "&" + words.replace("&", "&&")


def _what(item: ConflictItem) -> str:
    """What happened to the record, after its name in the heading: " — Title"."""
    if item.field_label:
        return f" — {item.field_label}"
    if item.referred is not None:
        return " — deleted, then referred to"
    return " — deleted, then edited"


class WholeNamesDelegate(QStyledItemDelegate):
    """Draws a cell from its `WRAP_ROLE` text, so that wrapping never splits a person's name."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:  # fmt: skip
        super().initStyleOption(option, index)
        text = index.data(WRAP_ROLE)
        if text:
            option.text = str(text)


class VersionCard(QGroupBox):
    """One side of a conflict: its value, who wrote it, where and when, and a button.

    A card of several references lists each with its who, where and when, above one button. A
    button whose words (a record's name in them) would widen the card past `CARD_WIDTH` says
    `fallback` instead; its accessible name says it in full.
    """

    def __init__(self, title: str, shown: Sequence[ShownVersion], button_text: str,
                 accessible: str, on_click: Callable[[], None], note: str = "",
                 fallback: str = "") -> None:  # fmt: skip
        super().__init__(title)
        layout = QVBoxLayout(self)
        self.values: list[WrappedText] = []
        for n, one in enumerate(shown, start=1):
            if n > 1:
                layout.addSpacing(REFERENCE_GAP)  # a reference set apart from the one before
            self._add_version(layout, title if len(shown) == 1 else f"{title}, {n}", one)
        self.value = self.values[0]
        self.byline = _label(shown[0].byline, f"{title}: written {shown[0].byline}")
        if note:
            layout.addWidget(WrappedText(note, f"{title}: note", preferred_width=CARD_WIDTH))
        self.button = QPushButton(button_text)
        margins = layout.contentsMargins()
        if fallback and self.button.sizeHint().width() > (
            CARD_WIDTH - margins.left() - margins.right()
        ):
            self.button.setText(fallback)
        self.button.setAccessibleName(accessible)
        self.button.clicked.connect(lambda _=False: on_click())
        self.button.setVisible(bool(button_text))  # one button per choice, not per edit
        layout.addStretch(1)  # the buttons of cards side by side line up
        layout.addWidget(self.button)

    def _add_version(self, layout: QVBoxLayout, title: str, shown: ShownVersion) -> None:
        v = shown.version
        value = WrappedText(shown.text, f"{title}: value", preferred_width=CARD_WIDTH, boxed=True)
        self.values.append(value)
        layout.addWidget(value)
        lines = [(f"Who: {v.author}", "who"), (f"Device: {v.device}", "device"),
                 (f"When: {shown.byline.rsplit(' on ', 1)[-1]}", "when")]  # fmt: skip
        if shown.note:
            lines.append((shown.note, "note"))
        for text, what in lines:
            layout.addWidget(WrappedText(text, f"{title}: {what}", preferred_width=CARD_WIDTH))


class CardsHost(QWidget):
    """Holds the version cards: side by side when each has `CARD_WIDTH`, else one above another."""

    def __init__(self) -> None:
        super().__init__()
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.outer = QVBoxLayout(self)
        self.outer.addLayout(self.row)
        self.outer.addStretch(1)

    def arrange(self) -> None:
        """Side by side if the cards fit the width at `CARD_WIDTH` each, else stacked."""
        cards = self.row.count()
        margins = self.outer.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        needed = cards * CARD_WIDTH + max(cards - 1, 0) * self.row.spacing()
        self.row.setDirection(QBoxLayout.Direction.LeftToRight if room >= needed
                              else QBoxLayout.Direction.TopToBottom)  # fmt: skip

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()


class ConflictsView(QWidget):
    """Every open conflict; keep one version with one click."""

    loaded = Signal()
    conflicts_counted = Signal(int)
    resolved = Signal(str)
    """A conflict was settled (what was kept, in words)."""

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._work = ViewWork(self, runner, self.loaded.emit, TITLE)
        self._loaded = False
        self.cards: list[VersionCard] = []

        self.model = ConflictTableModel(self)
        self.table = record_table(self.model, "Open conflicts")
        self.table.setWordWrap(True)  # unlike other lists: a conflict's row holds its whole text
        self.table.setItemDelegateForColumn(2, WholeNamesDelegate(self.table))
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch)):  # fmt: skip
            header.setSectionResizeMode(column, mode)
        # rows grow and shrink with the wrapped text as the columns are resized; queued, so
        # that the heights are measured once every column has its new width
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents(),
                                      Qt.ConnectionType.QueuedConnection)  # fmt: skip
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show(cur.row()))
        list_label = QLabel("Open &conflicts")
        list_label.setBuddy(self.table)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary of conflicts")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(list_label)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.summary)

        self.heading = QLabel("")
        self.heading.setAccessibleName("Conflict shown")
        self.heading.setWordWrap(True)
        self.help = QLabel("")
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(SELECTABLE)
        self.cards_host = CardsHost()
        self.cards_area = QScrollArea()
        self.cards_area.setWidgetResizable(True)
        self.cards_area.setFrameShape(QFrame.Shape.NoFrame)
        self.cards_area.setWidget(self.cards_host)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.help)
        detail_layout.addWidget(self.cards_area, 1)
        self.detail_pane = QStackedWidget()
        self.detail_pane.addWidget(self._empty_page())
        self.detail_pane.addWidget(detail)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.detail_pane)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 640])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._show(-1)

    def _empty_page(self) -> QWidget:
        """What the detail pane says when it has no conflict to show, and why."""
        self.empty_title = QLabel("")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_title.setWordWrap(True)
        font = self.empty_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.empty_title.setFont(font)
        self.empty_text = QLabel("")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setStyleSheet("color: #555555")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(48, 0, 48, 0)
        layout.addStretch(1)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_text)
        layout.addStretch(2)
        return page

    # ------------------------------------------------------------------ loading

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        self.model.set_rows([])
        self.summary.setText("")
        self._loaded = False
        self._show(-1)
        if register is not None:
            self.refresh()

    def refresh(self) -> None:
        register = self._register
        if register is None:
            return
        self._work.load(lambda: load_conflicts(register), self._list, label=LOADING_TITLE)

    def _list(self, items: list[ConflictItem]) -> None:
        """Show the conflicts read, the one shown now (chosen while reading, say) if still open."""
        keep = self.current_item()
        self._loaded = True
        self.model.set_rows(items)
        self.table.resizeRowsToContents()
        self.summary.setText(
            f"{plural(len(items), 'open conflict')}." if items
            else NO_CONFLICTS
        )  # fmt: skip
        row = self.model.row_of(keep.key) if keep is not None else -1
        if items:
            self.table.selectRow(max(row, 0))
            self._show(max(row, 0))
        else:
            self._show(-1)
        self.conflicts_counted.emit(len(items))

    # ------------------------------------------------------------------ showing

    def current_item(self) -> ConflictItem | None:
        row = self.table.currentIndex().row()
        return self.model.item_at(row) if 0 <= row < self.model.rowCount() else None

    def _clear_cards(self) -> None:
        for card in self.cards:
            self.cards_host.row.removeWidget(card)
            card.hide()  # out of the layout, it would still be drawn until it is deleted
            card.deleteLater()
        self.cards = []

    def _show(self, row: int) -> None:
        self._clear_cards()
        if not 0 <= row < self.model.rowCount():
            self._show_empty()
            return
        self.detail_pane.setCurrentIndex(1)
        item = self.model.item_at(row)
        self.heading.setText(f"<h3>{escape(item.record_label)}{escape(_what(item))}</h3>")
        self.heading.setAccessibleName(f"Conflict shown: {item.record_label}{_what(item)}")
        self.help.setText(item.story)
        if item.deletion is None:
            for n, shown in enumerate(item.versions, start=1):
                note = "Shown in the register meanwhile." if n == 1 else ""
                self._add_card(f"Version {n}", [shown], f"Keep this one (&{n})",
                               f"Keep version {n}, by {shown.version.author}: {shown.text}",
                               self._keeper(item, shown), note)  # fmt: skip
        elif item.referred is not None:
            self._add_card("Deleted", [item.deletion], _mnemonic(item.keep_words),
                           f"{item.keep_words}, with what its deletion took",
                           lambda: self.settle_referred(item, keep=True),
                           fallback="&Keep the record")  # fmt: skip
            self._add_card("Referred to after the deletion", item.versions,
                           _mnemonic(item.remove_words), item.remove_words,
                           lambda: self.settle_referred(item, keep=False),
                           fallback="&Remove the references")  # fmt: skip
        else:
            self._add_card("Deleted", [item.deletion], "&Delete again",
                           f"Delete again, as {item.deletion.version.author} did",
                           lambda: self.settle_revived(item, keep=False))  # fmt: skip
            for n, shown in enumerate(item.versions, start=1):
                self._add_card("Edited after the deletion", [shown],
                               "&Keep the record" if n == 1 else "",
                               "Keep the record with its edits",
                               lambda: self.settle_revived(item, keep=True))  # fmt: skip
        self.cards_host.arrange()

    def _show_empty(self) -> None:
        """No conflict to show: still reading, none selected, or none at all."""
        if self._register is None:
            title, text = "", ""
        elif not self._loaded:
            title, text = LOADING_TITLE, ""
        elif self.model.rowCount():
            title, text = UNSELECTED_TITLE, UNSELECTED_TEXT
        else:
            title, text = NONE_TITLE, NONE_TEXT
        self.empty_title.setText(title)
        self.empty_text.setText(text)
        self.empty_text.setVisible(bool(text))
        self.detail_pane.setCurrentIndex(0)

    def _keeper(self, item: ConflictItem, shown: ShownVersion) -> Callable[[], None]:
        return lambda: self.keep_version(item, shown)

    def _add_card(self, title: str, shown: Sequence[ShownVersion], button: str, accessible: str,
                  on_click: Callable[[], None], note: str = "",
                  fallback: str = "") -> None:  # fmt: skip
        card = VersionCard(title, shown, button, accessible, on_click, note, fallback)
        self.cards_host.row.addWidget(card, 1)
        self.cards.append(card)

    # ------------------------------------------------------------------ settling

    def keep_version(self, item: ConflictItem, shown: ShownVersion) -> None:
        """Settle a field conflict with the value of `shown`."""
        conflict = item.conflict
        assert isinstance(conflict, FieldConflict)
        said = f"Kept {shown.version.author}'s version of {item.record_label} — {item.field_label}"
        self._settle(lambda register: resolve_conflict(register, conflict, shown.version.value),
                     said)  # fmt: skip

    def settle_revived(self, item: ConflictItem, *, keep: bool) -> None:
        """Keep a record edited after its deletion, or delete it again."""
        said = f"{'Kept' if keep else 'Deleted again'}: {item.record_label}"
        self._settle(lambda register: resolve_conflict(register, item.conflict, keep), said)

    def settle_referred(self, item: ConflictItem, *, keep: bool) -> None:
        """Keep a deleted record others were made to refer to, or remove the references to it."""
        said = f"Kept: {item.record_label}" if keep else (
            f"Removed the references to {item.record_label}")  # fmt: skip
        self._settle(lambda register: resolve_conflict(register, item.conflict, keep), said)

    def _settle(self, work: Callable[[Register], None], said: str) -> None:
        register = self._register
        if register is None:
            return
        self._enable_choices(False)  # one click settles it; no second click meanwhile

        def done(_: None) -> None:
            self.resolved.emit(said)
            self.refresh()

        def refused(exc: BaseException) -> None:
            self._enable_choices(True)  # nothing was settled: the person may try again
            ErrorMessage.show(self, exc, TITLE)

        self._work.run(lambda: work(register), done, label="Settling the conflict…",
                       failed=refused)  # fmt: skip

    def _enable_choices(self, enabled: bool) -> None:
        for card in self.cards:
            card.button.setEnabled(enabled)
