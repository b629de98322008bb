"""Running database work off the GUI thread: one single-thread executor, results on the GUI thread.

Every task runs on the same worker thread, so work on the register is serialised as in Anki's
task manager. A progress dialog appears only when a task takes longer than `PROGRESS_DELAY_MS`,
and its Cancel button sets the flag the task's `cancel()` callable reads.

Views run their work through `ViewWork`, which calls the work at once where the view has no
runner (tests) and delivers its outcome the same way on both paths (`run_or_call`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import RegisterError
from app.progress import Cancel, Progress
from ui.errors import ErrorMessage

log = logging.getLogger(__name__)
T = TypeVar("T")

PROGRESS_DELAY_MS = 500


class CancelledError(RegisterError):
    """The person cancelled a long task; nothing it would have written was kept."""

    def __init__(self) -> None:
        super().__init__("Cancelled.")


def _log_if_bug(label: str, exc: BaseException) -> None:
    """Log a failure that is not a `RegisterError` with its traceback: it is a bug."""
    if not isinstance(exc, RegisterError):
        log.error("task %r failed", label, exc_info=exc)


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
                _log_if_bug(label, exc)
                task.failed.emit(exc)
            else:
                task.finished.emit(result)

        task.future = self._executor.submit(work)
        return task

    def _show_dialog(self, task: Task[Any], cancellable: bool) -> None:
        # the window may have been closed and deleted since the task began
        if task.done or self._window is None or not shiboken6.isValid(self._window):
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


def run_or_call(
    runner: TaskRunner | None,
    work: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[BaseException], None],
    *,
    label: str,
) -> None:
    """Run `work` on `runner`, or call it now where there is none; its outcome arrives alike.

    Either way `done(result)` or `failed(exc)` is called on the GUI thread, a failure that is
    not a `RegisterError` having been logged with its traceback first, and a cancelled task
    reports neither. Called now, only an `Exception` is caught: an interrupt still stops the
    program, and an error raised by `done` is not taken for the work's.
    """
    if runner is not None:
        runner.run(work, done, failed, label=label)
        return
    try:
        result = work()
    except Exception as exc:
        _log_if_bug(label, exc)
        if not isinstance(exc, CancelledError):
            failed(exc)
        return
    done(result)


class ViewWork:
    """The one way a view runs its register work: loads of what it shows, and changes it makes.

    Work runs on the window's runner, or at once where the view has none (tests); its outcome
    is delivered alike either way (`run_or_call`). The rules, the same in every view:

    - A failure is shown, by `failed` where given, else as a message titled `title`, and then
      `loaded` is signalled: a refused change brings no refresh, and no one is left waiting for
      one. A bug's message says only that something unexpected happened; its traceback is logged.
    - A load is out of date when the view's register changed (`supersede`) after it started:
      its result or failure is dropped unshown. It signals `loaded` only when it is the newest
      load (the view was left with no register, say); else the newer load, which ends after it
      (one worker, first in first out), signals.
    - Every other load signals `loaded` once, after its result or failure is shown; two loads
      of the same register are both shown, in order, unless the older was given `stale`: its
      result, overtaken by the newer (one worker, first in first out: the newer ends after it),
      goes there instead (to keep what the newer does not read, say). A failure is shown either
      way.

    So `loaded` comes once per refresh that completes, and never for a dropped load that a
    newer one follows: whoever waits for it sees the outcome of the view's newest load.
    """

    def __init__(self, view: QWidget, runner: TaskRunner | None,
                 loaded: Callable[[], object], title: str = "Register") -> None:  # fmt: skip
        self._view = view
        self._runner = runner
        self._loaded = loaded
        self._title = title
        self._register_changes = 0
        self._loads = 0

    def supersede(self) -> None:
        """The view's register changed: the loads under way are out of date."""
        self._register_changes += 1

    def load(
        self,
        work: Callable[[], T],
        show: Callable[[T], None],
        *,
        label: str,
        failed: Callable[[BaseException], None] | None = None,
        stale: Callable[[T], None] | None = None,
    ) -> None:
        """Read what the view shows with `work`; `show(result)` unless out of date, `loaded`.

        Where `stale` is given, a result overtaken by a newer load of the same register goes to
        `stale(result)` instead of `show`.
        """
        changes = self._register_changes
        self._loads += 1
        number = self._loads

        def ended(outcome: Callable[[], None]) -> None:
            if changes == self._register_changes:
                outcome()
            elif number != self._loads:
                return  # the newer load, under way, signals
            self._loaded()

        def shown(result: T) -> None:
            (show if stale is None or number == self._loads else stale)(result)

        run_or_call(self._runner, work, lambda result: ended(lambda: shown(result)),
                    lambda exc: ended(lambda: self._fail(exc, failed)), label=label)  # fmt: skip

    def run(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        *,
        label: str,
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Make a change the person asked for: `done(result)`, or its failure shown, `loaded`."""

        def refused(exc: BaseException) -> None:
            self._fail(exc, failed)
            self._loaded()

        run_or_call(self._runner, work, done, refused, label=label)

    def _fail(self, exc: BaseException, failed: Callable[[BaseException], None] | None) -> None:
        if failed is None:
            ErrorMessage.show(self._view, exc, self._title)
        else:
            failed(exc)
