"""End to end: two real windows on two registers sharing one folder, driven as two people would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app import sync
from app.agreements import get_agreement, update_agreement
from app.register import Register
from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.main_window import CONFLICTS_ROW, MainWindow

# the offscreen platform says this of every top-level window with a tool bar; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def shared_pair(register_folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The seeded register shared, and a second device's register joined and approved."""
    with Register.open(register_folder, PASSPHRASE, author="Priya Shah") as admin:
        sync.share(admin, tmp_path / "share", name="Priya Shah, laptop")
        joined = sync.join(tmp_path / "share", tmp_path / "sam", PASSPHRASE, "Sam Patel, laptop",
                           author="Sam Patel", kdf=FAST_KDF)  # fmt: skip
        joined.register.close()
        sync.approve(admin, joined.device)
        assert sync.sync(admin).ok
    return register_folder, tmp_path / "sam"


@pytest.fixture()
def windows(
    qtbot: QtBot, tmp_path: Path, shared_pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MainWindow, MainWindow]]:
    unlock_as_typed(monkeypatch)
    opened = []
    for n, folder in enumerate(shared_pair):
        window = show_window(qtbot, tmp_path / f"settings-{n}.ini")
        window.sync_controller.save_timer.setInterval(100)  # "shortly after each save"
        open_in(qtbot, window, folder)
        assert window.sync_label.text() == "Sync: up to date"
        opened.append(window)
    yield opened[0], opened[1]


def title_shown(window: MainWindow, reference: str) -> str:
    rows = window.agreements.rows_shown()
    return next(r.title for r in rows if r.reference == reference)


def test_an_edit_in_one_window_shows_in_the_other_and_a_conflict_is_settled_once(
    qtbot: QtBot, windows: tuple[MainWindow, MainWindow], shown: Any
) -> None:
    priya, sam = windows
    assert priya.register is not None and sam.register is not None
    for window in (priya, sam):
        with qtbot.waitSignal(window.agreements.loaded):
            window.navigate(1)
    assert title_shown(sam, "ISA-2026-003") == "Troubled families"

    # Priya edits a title in the editor; her window syncs shortly after the save
    agreement = get_agreement(priya.register, "ISA-2026-003")
    editor = priya.agreements.editor
    with qtbot.waitSignal(editor.loaded):
        priya.agreements.open_agreement(agreement.id)
    title = editor.fields["title"]
    assert isinstance(title, QLineEdit)
    title.setText("Supporting families")
    with qtbot.waitSignal(priya.sync_controller.round_ended, timeout=20_000):
        editor.save_button.click()
    assert priya.sync_label.text() == "Sync: up to date"

    # Sam's window syncs and the list on his screen shows the new title
    with qtbot.waitSignal(sam.agreements.loaded, timeout=20_000):
        sam.sync_now()
    assert title_shown(sam, "ISA-2026-003") == "Supporting families"
    assert re.fullmatch(r"Received \d+ changes? from other devices\.",
                        sam.statusBar().currentMessage())  # fmt: skip

    # both change the same field before syncing: a conflict, shown in both windows
    other = get_agreement(priya.register, "ISA-2026-001")
    with qtbot.waitSignals([priya.sync_controller.round_ended, sam.sync_controller.round_ended],
                           timeout=20_000):  # fmt: skip
        for window, text in ((priya, "Discharge data (county)"), (sam, "Discharge data (trust)")):
            register = window.register
            window.runner.run(
                lambda r=register, t=text: update_agreement(r, other.id, {"title": t})
            )
    for window in (priya, sam):
        with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
            window.sync_now()
    for window in (priya, sam):
        navigation = window.navigation.item(CONFLICTS_ROW)
        assert navigation is not None and navigation.text() == "Conflicts (1)"

    # Sam keeps Priya's version with one click; it reaches Priya and the conflict is gone
    with qtbot.waitSignal(sam.conflicts.loaded):
        sam.navigate(CONFLICTS_ROW)
    keep = next(c for c in sam.conflicts.cards if c.value.text() == "Discharge data (county)")
    with qtbot.waitSignal(sam.sync_controller.round_ended, timeout=20_000):
        keep.button.click()
    assert sam.conflicts.model.rowCount() == 0
    assert sam.navigation.item(CONFLICTS_ROW).text() == "Conflicts"  # type: ignore[union-attr]
    with qtbot.waitSignal(priya.sync_controller.round_ended, timeout=20_000):
        priya.sync_now()
    assert priya.navigation.item(CONFLICTS_ROW).text() == "Conflicts"  # type: ignore[union-attr]
    assert get_agreement(priya.register, other.id).title == "Discharge data (county)"
    assert shown.errors == []
