"""Screen-reader names, Alt+letter keys and Tab order of the views and dialogs, in the real window.

Each test walks the widgets as Qt's accessibility layer and focus chain see them: every control a
person can reach has a name a screen reader reads out; no two controls on one screen share an
Alt+letter (nor take one of the window's menus); Tab moves through a screen in reading order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from ui.dialogs.new_register import NewRegisterDialog
from ui.dialogs.preferences import PreferencesDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.main_window import NAVIGATION, MainWindow
from ui.widgets.mnemonics import mnemonic_of, with_mnemonics

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
MY_VIEWS = ("Agreements", "Agreement editor", "Use cases", "Organisations", "Assessments", "Logs",
            "Meetings and papers", "History")  # fmt: skip
CONTROLS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox,
            QAbstractItemView, QTabBar)  # fmt: skip
INNER_PARTS = (QComboBox, QAbstractSpinBox, QAbstractItemView, QTabBar, QLineEdit)  # their parts


# ---------------------------------------------------------------------------- walking


def controls(root: QWidget) -> list[QWidget]:
    """The controls a person can operate under `root` (not the inner parts of other controls)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView):
            continue
        parent = widget.parentWidget()
        inner = False
        while parent is not None and parent is not root:
            if isinstance(parent, INNER_PARTS):
                inner = True
                break
            parent = parent.parentWidget()
        if not inner:
            found.append(widget)
    return found


def spoken_name(widget: QWidget) -> str:
    """What a screen reader says a control is called."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None, widget
    return interface.text(QAccessible.Text.Name).strip()


def describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, (QAbstractButton, QLabel)) else ""
    return f"{type(widget).__name__} {widget.objectName() or text!r}"


def mnemonic_holders(root: QWidget, window: QWidget,
                     outside: QWidget | None = None) -> Iterator[tuple[str, str]]:  # fmt: skip
    """(letter, who) for every Alt+letter shown on screen under `root` (and on `root`).

    With `outside`, the letters of `outside` and what it holds are left out.
    """
    for widget in (root, *root.findChildren(QWidget)):
        if not widget.isVisibleTo(window):
            continue
        if outside is not None and (widget is outside or outside.isAncestorOf(widget)):
            continue
        if isinstance(widget, QAbstractButton) or (
                isinstance(widget, QLabel) and widget.buddy() is not None):  # fmt: skip
            texts = [widget.text()]
        elif isinstance(widget, QGroupBox):
            texts = [widget.title()]
        elif isinstance(widget, QTabBar):
            texts = [widget.tabText(n) for n in range(widget.count())]
        elif isinstance(widget, QMenuBar):
            texts = [action.text() for action in widget.actions()]
        else:
            continue
        for text in texts:
            letter = mnemonic_of(text)
            if letter:
                yield letter, f"{type(widget).__name__} {text!r}"


def tab_states(root: QWidget) -> Iterator[str]:
    """Show each page of each tab widget under `root` in turn (the others on their first)."""
    tabs = [t for t in root.findChildren(QTabWidget)]
    yield "first pages"
    for tab in tabs:
        for n in range(1, tab.count()):
            tab.setCurrentIndex(n)
            yield f"{tab.accessibleName()}: {tab.tabText(n)}"
        tab.setCurrentIndex(0)


def focus_chain(root: QWidget, window: QWidget) -> list[QWidget]:
    """The controls under `root` that Tab reaches, in the order it reaches them."""
    chain: list[QWidget] = []
    widget = window.nextInFocusChain()
    while widget is not window and widget is not None:
        if (root.isAncestorOf(widget) and widget.isVisibleTo(window) and widget.isEnabled()
                and widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value
                and widget in set(controls(root))):  # fmt: skip
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def backward_steps(chain: list[QWidget], window: QWidget) -> list[str]:
    """Steps of the Tab order that go back up the screen without moving to a column on the right.

    Reading order: down a column, then up to the top of the next column to the right.
    """
    found = []
    for before, after in zip(chain, chain[1:], strict=False):
        a = before.mapTo(window, QPoint(0, 0))
        b = after.mapTo(window, QPoint(0, 0))
        went_up = b.y() < a.y() - 4
        went_right = b.x() >= a.x() + before.width() - 4
        if went_up and not went_right:
            found.append(f"{describe(before)} at {a.toTuple()} -> {describe(after)} at "
                         f"{b.toTuple()}")  # fmt: skip
    return found


# ---------------------------------------------------------------------------- the window


@pytest.fixture()
def window(qtbot: QtBot, tmp_path: Path, register_folder: Path,
           monkeypatch: pytest.MonkeyPatch) -> MainWindow:  # fmt: skip
    unlock_as_typed(monkeypatch)
    win = show_window(qtbot, tmp_path / "settings.ini", (1400, 900))
    open_in(qtbot, win, register_folder)
    return win


def _show(qtbot: QtBot, window: MainWindow, name: str) -> QWidget:
    """Go to a view, or to the agreement editor with the first agreement open."""
    n = NAVIGATION.index("Agreements" if name == "Agreement editor" else name)
    window.navigate(n)
    view = window.views[n]
    inner = getattr(view, "view", view)  # the window builds some views on first visit
    window.runner.wait_idle()
    qtbot.waitUntil(inner.isVisible)  # a view built now shows once the event loop turns
    if name.startswith("Agreement"):
        qtbot.waitUntil(lambda: window.agreements.model.rowCount() > 0)
    if name == "Agreements":
        return window.agreements.stack.widget(0)  # the list, without the editor beside it
    if name == "Agreement editor":
        editor = window.agreements.editor
        with qtbot.waitSignal(editor.loaded):
            window.agreements.open_agreement(window.agreements.model.row_at(0).id)
        return editor
    return inner


@pytest.mark.parametrize("name", MY_VIEWS)
def test_every_control_of_each_view_has_a_spoken_name(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    view = _show(qtbot, window, name)
    found = controls(view)
    assert len(found) >= 2
    unnamed = [describe(w) for w in found if not spoken_name(w)]
    assert unnamed == []


@pytest.mark.parametrize("name", MY_VIEWS)
def test_no_two_controls_on_a_screen_share_an_alt_letter(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    view = _show(qtbot, window, name)
    window_keys = {letter for letter, _ in mnemonic_holders(window.menuBar(), window)}
    window_keys |= {mnemonic_of(label.text()) for label in window.findChildren(QLabel)
                    if label.buddy() is window.search_box} - {""}  # fmt: skip
    assert {"F", "E", "V"} <= window_keys
    for state in tab_states(view):
        held = list(mnemonic_holders(view, window))
        counts = Counter(letter for letter, _ in held)
        clashes = sorted(f"{letter}: {who}" for letter, who in held
                         if counts[letter] > 1 or letter in window_keys)  # fmt: skip
        assert clashes == [], state


@pytest.mark.parametrize("name", MY_VIEWS)
def test_every_button_and_labelled_field_has_an_alt_letter(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    view = _show(qtbot, window, name)
    buddies = {label.buddy() for label in view.findChildren(QLabel)} - {None}
    without = []
    for widget in view.findChildren(QWidget):
        if widget in buddies:
            continue  # a tick box beside its label: the label's letter reaches it
        button = (
            isinstance(widget, QAbstractButton)
            and bool(widget.text())
            and not isinstance(widget.parentWidget(), INNER_PARTS)
        )
        label = isinstance(widget, QLabel) and widget.buddy() is not None
        if (button or label) and not mnemonic_of(widget.text()):
            without.append(widget.text())
    # letters run out on the densest screens: the few fields left are reached by Tab
    allowed = {
        "Agreement editor": {"Notes", "Last received and next due"},
        "Meetings and papers": {"Author contact", "Protective marking"},
    }
    assert set(without) <= allowed.get(name, set())


@pytest.mark.parametrize("name", MY_VIEWS)
def test_tab_moves_through_each_screen_in_reading_order(
    qtbot: QtBot, window: MainWindow, name: str
) -> None:
    view = _show(qtbot, window, name)
    for state in tab_states(view):
        chain = focus_chain(view, window)
        assert len(chain) >= 2, state
        assert backward_steps(chain, window) == [], state


def _window_letters(window: MainWindow) -> list[str]:
    """Alt+letters the window itself holds twice: menus, search bar, status bar, locked page."""
    held = list(mnemonic_holders(window, window, outside=window.view_stack))
    counts = Counter(letter for letter, _ in held)
    return sorted(f"{letter}: {who}" for letter, who in held if counts[letter] > 1)


def test_the_window_itself_gives_each_alt_letter_to_one_control(
    qtbot: QtBot, window: MainWindow
) -> None:
    letters = {letter for letter, _ in mnemonic_holders(window, window, window.view_stack)}
    assert {"F", "E", "V", "H"} <= letters  # the menus; the search field is reached by Ctrl+F
    assert _window_letters(window) == []
    with qtbot.waitSignal(window.register_locked, timeout=20_000):
        assert window.lock()
    assert window.unlock_button.isVisibleTo(window)  # the locked page's buttons count too
    assert _window_letters(window) == []


def test_each_menu_gives_each_alt_letter_to_one_item(window: MainWindow) -> None:
    for title in window.menuBar().actions():
        menu = title.menu()
        assert menu is not None
        letters = [mnemonic_of(a.text()) for a in menu.actions() if not a.isSeparator()]
        assert all(letters), title.text()
        assert len(set(letters)) == len(letters), title.text()


# ---------------------------------------------------------------------------- dialogs


def _dialogs(window: MainWindow) -> list[QDialog]:
    return [NewRegisterDialog(window), PreferencesDialog(window, window.settings),
            ShortcutsDialog(window, window.shortcuts())]  # fmt: skip


def test_dialogs_name_every_control_and_keep_their_letters_apart(
    qtbot: QtBot, window: MainWindow
) -> None:
    for dialog in _dialogs(window):
        qtbot.addWidget(dialog)
        dialog.show()
        unnamed = [describe(w) for w in controls(dialog) if not spoken_name(w)]
        assert unnamed == [], dialog.windowTitle()
        held = list(mnemonic_holders(dialog, dialog))
        counts = Counter(letter for letter, _ in held)
        assert [who for letter, who in held if counts[letter] > 1] == [], dialog.windowTitle()
        assert backward_steps(focus_chain(dialog, dialog), dialog) == [], dialog.windowTitle()
        dialog.close()


# ---------------------------------------------------------------------------- the letters


def test_with_mnemonics_gives_each_label_a_letter_of_its_own() -> None:
    labels = ["Reference", "Title", "Type of agreement", "Status", "&Save", "Summary"]
    marked = with_mnemonics(labels, taken={"E", "F", "H", "V"})
    letters = [mnemonic_of(text) for text in marked]
    assert marked[4] == "&Save"  # a label that has its letter keeps it
    assert all(letters) and len(set(letters)) == len(letters)
    assert not {"E", "F", "H", "V"} & set(letters)
    assert [text.replace("&", "") for text in marked] == [t.replace("&", "") for t in labels]
    assert mnemonic_of("Fish && &Chips") == "C" and mnemonic_of("A && B") == ""


def test_with_mnemonics_moves_an_earlier_label_to_make_room() -> None:
    # "Ab" would take A first; "A" has no other letter, so "Ab" must move to B
    assert with_mnemonics(["Ab", "A"], taken=()) == ["A&b", "&A"]
    # letters run out: the label left over keeps its text, without an Alt+ letter
    assert with_mnemonics(["Aa", "A", "a"], taken=()) == ["&Aa", "A", "a"]
