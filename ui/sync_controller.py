"""Sync for the desktop: on open, on a timer and shortly after each save, one round at a time.

Each round runs through the window's `TaskRunner`, on the same worker thread as every other
piece of work on the register, so it never blocks the window and never overlaps another round:
a round asked for while one runs is run once, after it. Locking stops the timers and cancels
the round under way (what had been fully received is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.paths import display_path
from app.progress import Cancel, Progress
from app.register import Register
from ui.errors import message_for
from ui.settings import SYNC_INTERVAL_MINUTES, Settings
from ui.workers import Task, TaskRunner

if TYPE_CHECKING:  # the sync code loads with the first round, after the window has shown
    from app.oplog import Operation
    from app.sync import SyncReport, SyncStatus

SAVE_DELAY_MS = 3_000  # a burst of saves makes one round, a few seconds after the last
PENDING_RETRY_MS = 30_000  # a device waiting for approval asks again this often
NOT_SHARED = "Not shared"
SYNC_LABEL = "Syncing with the shared folder…"


def sync_interval_ms(settings: Settings) -> int:
    """The timer's period, from the preferences (at least a minute)."""
    return max(settings.get(SYNC_INTERVAL_MINUTES), 1) * 60_000


@dataclass(frozen=True)
class SyncRound:
    """What one round found: its report (None when it could not run) and the state after it."""

    report: SyncReport | None
    problem: str  # why the round could not run (offline, waiting for approval…), or ""
    status: SyncStatus
    conflicts: int

    @property
    def applied(self) -> int:
        return self.report.applied if self.report is not None else 0


def run_round(register: Register, progress: Progress, cancel: Cancel) -> SyncRound:
    """One sync round and the state after it (runs on the worker)."""
    from app import sync
    from app.conflicts import open_conflicts
    from app.sync.errors import NotAMemberError, ShareUnreachableError

    status = sync.sync_status(register)
    if not status.shared:
        return SyncRound(None, "", status, 0)
    report: SyncReport | None = None
    problem = ""
    try:
        report = sync.sync(register, lambda done, total, _text: progress(done, total), cancel)
    except (ShareUnreachableError, NotAMemberError) as exc:
        problem = exc.message
    return SyncRound(report, problem, sync.sync_status(register), len(open_conflicts(register)))


def alarm_reason(message: str) -> str:
    return message.removeprefix("Sync alarm: ")


def status_text(status: SyncStatus | None, failure: str = "") -> tuple[str, bool]:
    """The status bar's sync line and whether it is an alarm (shown in red)."""
    if failure:
        return f"Sync failed: {failure}", True
    if status is None:
        return "Sync: checking…", False
    if not status.shared:
        return NOT_SHARED, False
    if status.alarms:
        more = len(status.alarms) - 1
        extra = f" (and {more} more)" if more else ""
        return f"Sync alarm: {alarm_reason(status.alarms[0].message)}{extra}", True
    return f"Sync: {status.message}", False


def status_details(status: SyncStatus) -> list[str]:
    """Lines describing the state of sharing, for the Sharing view."""
    from ui.models.sync_models import role_label, when_text

    if not status.shared:
        return ["This register is not shared. Share it through a folder on the partnership's "
                "network drive so that colleagues can keep it with you."]  # fmt: skip
    lines = [
        f"Shared folder: {display_path(Path(status.share)) if status.share else ''}",
        f"This device: {role_label(status.role)}",
        "Last sync: " + (when_text(status.last_sync) or "not yet"),
        f"Changes made here and not sent yet: {status.waiting}",
    ]
    if not status.reachable:
        lines.append("The shared folder cannot be reached now; changes are kept and sent at "
                     "the next sync.")  # fmt: skip
    if status.held_back:
        from app.sync.engine import held_back_text

        lines.append(held_back_text(status.held_back))
    lines += [f"Alarm: {alarm_reason(a.message)}" for a in status.alarms]
    return lines


class SyncController(QObject):
    """Decides when to sync the open register and reports what came of it."""

    round_started = Signal()
    round_ended = Signal()
    """After every round, whatever came of it (also after one that failed)."""
    status_changed = Signal(object)
    """The sync status after a round (a `SyncStatus`)."""
    changes_received = Signal(int)
    """A round applied this many changes from other devices."""
    conflicts_counted = Signal(int)
    failed = Signal(str)
    """A round failed for a reason the status does not tell (the message)."""
    _saved_here = Signal()  # emitted on the worker when this device wrote a batch

    def __init__(
        self,
        runner: TaskRunner,
        parent: QObject | None = None,
        *,
        interval_ms: int = SYNC_INTERVAL_MINUTES.default * 60_000,
        save_delay_ms: int = SAVE_DELAY_MS,
        pending_retry_ms: int = PENDING_RETRY_MS,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._register: Register | None = None
        self._task: Task[SyncRound] | None = None
        self._again = False
        self.interval_ms = interval_ms
        self.pending_retry_ms = pending_retry_ms
        self.status: SyncStatus | None = None
        self.problem = ""  # why the last round could not run, or ""
        self.failure = ""  # an unexpected failure of the last round, or ""
        self.rounds = 0  # rounds that ended since the register was opened
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(save_delay_ms)
        self.save_timer.timeout.connect(self.sync_now)
        self._saved_here.connect(self._after_save)

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self, register: Register, *, now: bool = True) -> None:
        """Follow `register`: sync now (unless not `now`), then on the timer and after each save."""
        self.stop()
        self._register = register
        register.listeners.append(self._on_operations)
        if now:
            self.sync_now()

    def follows(self, register: Register) -> bool:
        """Whether this controller syncs `register` (it was started on it and not stopped)."""
        return self._register is register

    def stop(self) -> None:
        """Stop following the register (locking, closing): no more rounds, the current cancelled."""
        register = self._register
        if register is not None and self._on_operations in register.listeners:
            register.listeners.remove(self._on_operations)
        self._register = None
        self.timer.stop()
        self.save_timer.stop()
        if self._task is not None:
            self._task.cancel()
        self._task = None
        self._again = False
        self.status = None
        self.problem = self.failure = ""
        self.rounds = 0

    # ------------------------------------------------------------------ rounds

    def sync_now(self, *, visible: bool = False) -> None:
        """Run a round now, or right after the one under way.

        Background rounds (open, timer, after a save) are quiet; a round the person asked for
        (`visible`) shows the progress dialog after half a second, with Cancel.
        """
        register = self._register
        if register is None:
            return
        self.save_timer.stop()
        self.timer.stop()
        if self._task is not None:
            self._again = True
            return
        task = self._runner.run_with_progress(
            lambda progress, cancel: run_round(register, progress, cancel),
            self._round_done, self._round_failed, label=SYNC_LABEL, quiet=not visible,
        )  # fmt: skip
        self._task = task
        task.ended.connect(lambda: self._round_over(task))
        self.round_started.emit()

    def _round_done(self, result: SyncRound) -> None:
        if self._register is None:
            return
        self.status = result.status
        self.problem = result.problem
        self.failure = ""
        self.status_changed.emit(result.status)
        self.conflicts_counted.emit(result.conflicts)
        if result.applied:
            self.changes_received.emit(result.applied)

    def _round_failed(self, exc: BaseException) -> None:
        if self._register is None:
            return
        self.failure = message_for(exc)
        self.failed.emit(self.failure)

    def _round_over(self, task: Task[SyncRound]) -> None:
        if task is not self._task:
            return  # a round of a register since locked
        self._task = None
        self.rounds += 1
        self._schedule()
        self.round_ended.emit()
        if self._again:
            self._again = False
            self.sync_now()

    def _schedule(self) -> None:
        status = self.status
        if status is None or not status.shared:
            return
        from app.sync.state import ROLE_PENDING

        pending = status.role == ROLE_PENDING
        self.timer.start(self.pending_retry_ms if pending else self.interval_ms)

    # ------------------------------------------------------------------ saves

    def _on_operations(self, ops: list[Operation]) -> None:
        # called on the worker thread after a batch is committed: only emit (queued)
        register = self._register
        if register is not None and any(op.device == register.device_id for op in ops):
            self._saved_here.emit()

    def _after_save(self) -> None:
        if self._register is not None and (self.status is None or self.status.shared):
            self.save_timer.start()
