"""End to end: the real main window, driven as a person would, on a real encrypted register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.agreements import get_agreement, list_agreements
from app.errors import NotFoundError
from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from tests.fast_keys import PASSPHRASE
from ui.dialogs.new_register import NewRegisterAnswer, NewRegisterDialog
from ui.main_window import NAVIGATION, MainWindow

# the offscreen platform says this of every top-level window with a tool bar; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    return show_window(qtbot, tmp_path / "settings.ini")


def test_create_edit_undo_redo_lock_unlock_and_search(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    shown: Any,
) -> None:  # fmt: skip
    folder = tmp_path / "Northshire register"
    monkeypatch.setattr(
        NewRegisterDialog,
        "ask",
        classmethod(lambda cls, parent=None: NewRegisterAnswer(folder, "Northshire", PASSPHRASE)),
    )
    with qtbot.waitSignal(window.register_opened, timeout=20_000):
        window.create_register()
    # a slow creation showed a window-modal progress dialog: keys go to the window once it is
    # active again
    qtbot.waitUntil(window.isActiveWindow)
    assert window.register is not None and not window.is_locked
    assert window.name_label.text() == "Northshire"
    assert window.lock_label.text() == "Unlocked"
    assert window.sync_label.text() == "Not shared"
    assert window.navigation.count() == len(NAVIGATION) == 10

    # a new agreement with two data items, through the editor, from the keyboard
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.view_stack.currentWidget() is window.agreements
    with qtbot.waitSignal(window.agreements.editor.loaded):
        qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    editor = window.agreements.editor
    reference, title = editor.fields["reference"], editor.fields["title"]
    assert isinstance(reference, QLineEdit) and isinstance(title, QLineEdit)
    qtbot.keyClicks(reference, "ISA-2026-100")
    qtbot.keyClicks(title, "Community safety partnership")
    for n, name in enumerate(("Violent crime", "Anti-social behaviour")):
        editor.add_item_button.click()
        editor.set_item_field(n, "title", name)
        editor.set_item_field(n, "source", f"Police records system {n}")
        editor.set_item_field(n, "purpose", "Targeting prevention work")
    assert editor.items_list.count() == 2 and editor.is_dirty
    with qtbot.waitSignal(editor.loaded):
        editor.save_button.click()
    register = window.register
    saved = get_agreement(register, "ISA-2026-100")
    assert [i.title for i in saved.items] == ["Violent crime", "Anti-social behaviour"]
    assert saved.items[1].source == "Police records system 1"
    assert not editor.is_dirty

    # undo removes the whole save; redo brings it back
    with qtbot.waitSignal(window.undo_done) as undone:
        window.undo_action.trigger()
    assert undone.args == ["Add agreement ISA-2026-100"]
    with pytest.raises(NotFoundError):
        get_agreement(register, "ISA-2026-100")
    qtbot.waitUntil(lambda: not window.agreements.is_editing)
    with qtbot.waitSignal(window.undo_done):
        window.redo_action.trigger()
    assert len(get_agreement(register, "ISA-2026-100").items) == 2

    # lock: the database closes and every view is cleared
    with qtbot.waitSignal(window.register_locked):
        window.lock_action.trigger()
    assert window.is_locked and window.pages.currentIndex() == 1
    assert window.agreements.model.rowCount() == 0
    assert window.lock_label.text() == "Locked"
    assert not window.search_box.isEnabled()

    # unlock: a wrong passphrase is said so, and asked again
    asked = unlock_as_typed(monkeypatch, "not the passphrase", PASSPHRASE)
    with qtbot.waitSignal(window.register_opened, timeout=20_000):
        window.unlock_button.click()
    assert len(asked) == 2  # asked once more after the wrong passphrase, then no more
    assert asked[0].error == "" and asked[1].error.startswith("Wrong passphrase")
    assert not window.is_locked and window.register is not None
    assert [a.reference for a in list_agreements(window.register)] == ["ISA-2026-100"]

    # search finds the agreement and its data items as you type, and opens them
    with qtbot.waitSignal(window.search_done):
        window.search_now("anti-soc")
    hits = [window.search_results.hit_at(n) for n in range(window.search_results.rowCount())]
    assert [(h.entity, h.title) for h in hits] == [("data_item", "Anti-social behaviour")]
    with qtbot.waitSignal(window.agreements.editor.loaded):
        window.open_hit(hits[0])
    assert window.agreements.is_editing
    assert window.agreements.editor.agreement is not None
    assert window.agreements.editor.agreement.reference == "ISA-2026-100"
    assert window.agreements.editor.items_list.currentRow() == 1
    assert shown.errors == []


def test_idle_period_locks_the_register(
    qtbot: QtBot, window: MainWindow, register_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unlock_as_typed(monkeypatch)
    open_in(qtbot, window, register_folder)
    with qtbot.waitSignal(window.dashboard.loaded):
        window.navigate(0)
        window.dashboard.refresh()
    assert window.dashboard.dashboard is not None
    with qtbot.waitSignal(window.register_locked):
        window.idle_timer.start(1)  # as if the idle minutes had passed
    assert window.is_locked
    assert window.dashboard.dashboard is None
    assert "without use" in window.locked_label.text()
