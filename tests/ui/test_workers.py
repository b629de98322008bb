"""The task runner: one worker thread, results and errors on the GUI thread, progress and cancel."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.errors import NotFoundError
from ui.workers import CancelledError, TaskRunner


def test_work_runs_on_one_worker_and_results_arrive_on_the_gui_thread(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    threads: list[str] = []
    delivered: list[tuple[int, bool]] = []

    def work(n: int) -> int:
        threads.append(threading.current_thread().name)
        return n

    for n in range(3):
        task = runner.run(lambda n=n: work(n),
                          lambda r: delivered.append((r, threading.current_thread()
                                                      is threading.main_thread())))  # fmt: skip
    with qtbot.waitSignal(task.ended):
        pass
    assert len(set(threads)) == 1 and threads[0] != threading.main_thread().name
    assert delivered == [(0, True), (1, True), (2, True)]
    assert not runner.busy


def test_errors_are_delivered_not_lost(qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        raise NotFoundError("No agreement with reference X.")

    with qtbot.waitSignal(runner.run(work, None, errors.append).ended):
        pass
    assert [str(e) for e in errors] == ["No agreement with reference X."]


def test_progress_dialog_appears_for_long_work_and_cancel_reaches_the_task(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    release = threading.Event()
    finished: list[object] = []

    def long_work(progress: object, cancel: object) -> str:
        assert callable(progress) and callable(cancel)
        progress(1, 10)
        release.wait(10)
        if cancel():
            raise CancelledError()
        return "done"

    task = runner.run_with_progress(long_work, finished.append, finished.append,
                                    label="Importing…")  # fmt: skip
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible())
    assert task.dialog is not None
    assert task.dialog.labelText() == "Importing…"
    with qtbot.waitSignal(task.ended):
        cancel_button = task.dialog.findChild(QPushButton)
        assert cancel_button is not None and cancel_button.text() == "Cancel"
        cancel_button.click()
        release.set()
    assert task.cancelled
    assert finished == []  # neither result nor error is reported for a cancelled task
    assert task.dialog is None


def test_quick_work_shows_no_dialog(qtbot: QtBot, runner: TaskRunner) -> None:
    task = runner.run(lambda: 1)
    with qtbot.waitSignal(task.ended):
        pass
    assert task.dialog is None and task.done


def test_a_window_closed_before_the_progress_dialog_is_due_takes_the_timer_with_it(
    qtbot: QtBot,
) -> None:
    """The dialog was due 0.5 s after the task began; the window was gone by then."""
    from PySide6.QtWidgets import QWidget

    from ui.workers import PROGRESS_DELAY_MS

    window = QWidget()
    runner = TaskRunner(window)
    release = threading.Event()
    runner.run(lambda: release.wait(10), label="Exporting the register…")
    window.deleteLater()
    qtbot.wait(50)  # the window is deleted
    qtbot.wait(PROGRESS_DELAY_MS + 200)  # no dialog over a deleted window: nothing raised
    release.set()
    runner.shutdown()
