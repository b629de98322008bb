"""Running database work off the GUI thread: one single-thread executor, results on the GUI thread.

Every task runs on the same worker thread, so work on the register is serialised as in Anki's
task manager. A progress dialog appears only when a task takes longer than `PROGRESS_DELAY_MS`,
and its Cancel button sets the flag the task's `cancel()` callable reads.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import RegisterError

log = logging.getLogger(__name__)
T = TypeVar("T")

PROGRESS_DELAY_MS = 500
Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


class CancelledError(RegisterError):
    """The person cancelled a long task; nothing it would have written was kept."""

    def __init__(self) -> None:
        super().__init__("Cancelled.")


class Task(QObject, Generic[T]):
    """One piece of work; its signals are delivered on the GUI thread."""

    finished = Signal(object)  # the result
    failed = Signal(object)  # the exception
    progressed = Signal(int, int)
    ended = Signal()  # after finished or failed, whatever the outcome

    def __init__(self, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self._cancel = threading.Event()
        self.future: Future[Any] | None = None
        self.dialog: QProgressDialog | None = None
        self.done = False
        self.runner: TaskRunner | None = None
        self.on_done: Callable[[T], None] | None = None
        self.on_error: Callable[[BaseException], None] | None = None

    def deliver_result(self, result: T) -> None:
        assert self.runner is not None
        self.runner._finish(self, result, self.on_done)

    def deliver_error(self, exc: BaseException) -> None:
        assert self.runner is not None
        self.runner._fail(self, exc, self.on_error)

    def deliver_progress(self, done: int, total: int) -> None:
        assert self.runner is not None
        self.runner._progress(self, done, total)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class TaskRunner(QObject):
    """Runs tasks on one worker thread and reports back on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, window: QWidget | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="register")
        self._active: set[Task[Any]] = set()

    @property
    def busy(self) -> bool:
        return bool(self._active)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str = "Working…",
    ) -> Task[T]:
        """Run `fn()` on the worker; `on_done(result)` or `on_error(exc)` on the GUI thread."""
        return self._start(lambda task: fn(), on_done, on_error, label, cancellable=False)

    def run_with_progress(
        self,
        fn: Callable[[Progress, Cancel], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str,
        quiet: bool = False,
    ) -> Task[T]:
        """Run `fn(progress, cancel)`; a cancellable progress dialog shows after 0.5 s.

        `quiet` work (a background sync) never shows the dialog: it must not interrupt typing.
        """

        def call(task: Task[T]) -> T:
            return fn(lambda done, total: task.progressed.emit(done, total),
                      lambda: task.cancelled)  # fmt: skip

        return self._start(call, on_done, on_error, label, cancellable=True, quiet=quiet)

    def _start(
        self,
        call: Callable[[Task[T]], T],
        on_done: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
        label: str,
        *,
        cancellable: bool,
        quiet: bool = False,
    ) -> Task[T]:
        task: Task[T] = Task(label, self)
        task.runner = self
        task.on_done = on_done
        task.on_error = on_error
        # bound methods of a QObject living on the GUI thread: queued from the worker
        task.finished.connect(task.deliver_result)
        task.failed.connect(task.deliver_error)
        task.progressed.connect(task.deliver_progress)
        self._active.add(task)
        if len(self._active) == 1:
            self.busy_changed.emit(True)
        if not quiet:
            QTimer.singleShot(PROGRESS_DELAY_MS, lambda: self._show_dialog(task, cancellable))

        def work() -> None:
            try:
                result = call(task)
            except BaseException as exc:  # delivered to the GUI thread, never lost
                if not isinstance(exc, RegisterError):
                    log.exception("task %r failed", label)
                task.failed.emit(exc)
            else:
                task.finished.emit(result)

        task.future = self._executor.submit(work)
        return task

    def _show_dialog(self, task: Task[Any], cancellable: bool) -> None:
        if task.done or self._window is None:
            return
        dialog = QProgressDialog(task.label, "Cancel" if cancellable else "", 0, 0, self._window)
        dialog.setWindowTitle("Please wait")
        dialog.setAccessibleName(task.label)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(task.cancel)
        task.dialog = dialog
        dialog.show()

    def _progress(self, task: Task[Any], done: int, total: int) -> None:
        if task.dialog is not None:
            task.dialog.setMaximum(max(total, 0))
            task.dialog.setValue(min(done, total) if total > 0 else 0)

    def _end(self, task: Task[Any]) -> None:
        task.done = True
        if task.dialog is not None:
            task.dialog.hide()
            task.dialog.deleteLater()
            task.dialog = None
            if self._window is not None:  # keys go back to the window, not to nowhere
                self._window.activateWindow()
        self._active.discard(task)
        if not self._active:
            self.busy_changed.emit(False)

    def _finish(self, task: Task[T], result: T, on_done: Callable[[T], None] | None) -> None:
        self._end(task)
        if task.cancelled:
            task.ended.emit()
            return
        try:
            if on_done is not None:
                on_done(result)
        finally:
            task.ended.emit()

    def _fail(
        self, task: Task[Any], exc: BaseException, on_error: Callable[[BaseException], None] | None
    ) -> None:
        self._end(task)
        try:
            if task.cancelled or isinstance(exc, CancelledError):
                return
            if on_error is not None:
                on_error(exc)
            else:
                log.error("unhandled task failure in %r: %s", task.label, exc)
        finally:
            task.ended.emit()

    def wait_idle(self) -> None:
        """Block until the worker has run everything submitted so far (shutdown, tests)."""
        self._executor.submit(lambda: None).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
