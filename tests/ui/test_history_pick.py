"""The History view: the agreement its drop-down says is the one whose history it shows.

A refresh (a sync, an undo) under way while the person picks another agreement used to set the
drop-down back to the agreement it started with, over the picked one's history.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.agreements import update_agreement
from app.errors import StorageError
from app.history import record_history
from app.register import Register
from ui.views import history
from ui.views.history import HistoryView
from ui.workers import TaskRunner

from .conftest import Shown

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")
BUSY = StorageError("The register is busy with another task; nothing was saved.")


def busy(*_: object) -> Any:
    raise BUSY


def loaded_view(qtbot: QtBot, register: Register, runner: TaskRunner | None) -> HistoryView:
    """The view, shown, on the register: the first agreement's history read."""
    view = HistoryView(runner=runner)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    return view


def held(runner: TaskRunner) -> threading.Event:
    """Hold the runner's worker busy until the event is set: loads wait behind it."""
    release = threading.Event()
    runner.run(lambda: release.wait(10))
    return release


def release(qtbot: QtBot, view: HistoryView, runner: TaskRunner, hold: threading.Event) -> None:
    """Let the worker go; return once every load's outcome has reached the view."""
    with qtbot.waitSignal(view.loaded):
        hold.set()
    qtbot.waitUntil(lambda: not runner.busy)


def picked(view: HistoryView) -> str | None:
    data = view.agreement_choice.currentData()
    return str(data) if data else None


def shown_changes(view: HistoryView) -> list[int]:
    """The changes the table shows, by their clock stamps, newest first."""
    return [view.model.entry_at(row).hlc for row in range(view.model.rowCount())]


def changes_of(register: Register, agreement_id: str) -> list[int]:
    return sorted((e.hlc for e in record_history(register, "agreement", agreement_id)),
                  reverse=True)  # fmt: skip


def pick_next(qtbot: QtBot, view: HistoryView) -> str:
    """The person moves the drop-down to the next agreement with the keyboard; returns its id."""
    wanted = str(view.agreement_choice.itemData(view.agreement_choice.currentIndex() + 1))
    qtbot.keyClick(view.agreement_choice, Qt.Key.Key_Down)
    return wanted


def test_an_agreement_picked_while_a_refresh_reads_is_the_one_said_and_shown(
    qtbot: QtBot, register: Register, runner: TaskRunner
) -> None:
    view = loaded_view(qtbot, register, runner)
    first = picked(view)
    assert first is not None and shown_changes(view) == changes_of(register, first)
    chosen = str(view.agreement_choice.itemData(1))
    update_agreement(register, chosen, {"title": "Falls prevention and frailty"})

    hold = held(runner)
    view.refresh()  # a sync's refresh, reading the history of `first`
    assert pick_next(qtbot, view) == chosen  # meanwhile the person picks another
    assert picked(view) == chosen
    release(qtbot, view, runner, hold)

    assert picked(view) == chosen  # the drop-down did not snap back to `first`
    assert shown_changes(view) == changes_of(register, chosen)
    assert view.summary.text().startswith(f"{len(changes_of(register, chosen))} changes by ")
    assert view.agreement_choice.count() == 5  # and the list was read again


def test_a_refresh_under_way_keeps_the_pick_when_it_ends_after_the_picks_history(
    qtbot: QtBot, register: Register, runner: TaskRunner
) -> None:
    """Two refreshes around a pick: the newest, reading the pick, shows it in both places."""
    view = loaded_view(qtbot, register, runner)
    hold = held(runner)
    view.refresh()
    chosen = pick_next(qtbot, view)
    view.refresh()  # an undo, say, after the pick: it reads the pick's history
    release(qtbot, view, runner, hold)
    assert picked(view) == chosen
    assert shown_changes(view) == changes_of(register, chosen)


def test_a_pick_whose_history_is_refused_goes_back_to_the_agreement_shown(
    qtbot: QtBot, register: Register, shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = loaded_view(qtbot, register, None)
    first = picked(view)
    assert first is not None
    monkeypatch.setattr(history, "record_history", busy)
    pick_next(qtbot, view)
    assert shown.errors == [BUSY.message]
    assert picked(view) == first  # the drop-down says whose history the table still shows
    assert shown_changes(view) == changes_of(register, first)
