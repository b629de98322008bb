"""Views run their register work one way (`ui.workers.ViewWork`), with or without a runner.

A refusal is shown as a message on both paths, a bug is logged and said to be one, and a load
made out of date by a change of register is dropped: `loaded` then comes once, from the newest.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.agreements import AgreementQuery, get_agreement, list_agreements
from app.errors import NotFoundError, RegisterError, StorageError
from app.logs import add_log_entry
from app.register import Register
from ui.errors import message_for
from ui.views import conflicts, dashboard, history, members
from ui.views.agreement_editor import AgreementEditor
from ui.views.conflicts import ConflictsView
from ui.views.dashboard import DashboardView
from ui.views.history import HistoryView
from ui.views.logs import LogsView
from ui.views.members import MembersView
from ui.workers import TaskRunner, ViewWork, run_or_call

from .conftest import Shown

BUSY = StorageError(
    "The register is busy with another task; nothing was saved. Try again in a moment."
)
MISSING = "ISA-1999-404"


def busy(*_: object) -> Any:
    raise BUSY


def first_agreement(register: Register) -> str | None:
    rows = list_agreements(register, AgreementQuery())
    return rows[0].id if rows else None


@dataclass(frozen=True)
class Case:
    """One view: how it is made, how it is set loading a register, and what it shows."""

    make: Callable[[TaskRunner | None], Any]
    probe: Callable[[Any], object]
    loader: tuple[object, str] | None  # (module, name) of the read the view loads with
    opens: bool = False  # the editor: set a register, then open its first agreement

    def start(self, view: Any, register: Register | None) -> None:
        view.set_register(register)
        if self.opens and register is not None:
            view.open_agreement(first_agreement(register))

    def start_failing(self, view: Any, register: Register,
                      monkeypatch: pytest.MonkeyPatch) -> str:  # fmt: skip
        """Start a load that is refused; returns the message a person should read."""
        if self.loader is None:  # the editor: a real refusal, an agreement that is not there
            view.set_register(register)
            view.open_agreement(MISSING)
            with pytest.raises(NotFoundError) as refused:
                get_agreement(register, MISSING)
            return message_for(refused.value)
        monkeypatch.setattr(*self.loader, busy)
        self.start(view, register)
        return BUSY.message


CASES = {
    "dashboard": Case(lambda r: DashboardView(runner=r), lambda v: v.total.text(),
                      (dashboard, "load_dashboard")),
    "members": Case(lambda r: MembersView(runner=r),
                    lambda v: (v.status_line.text(), v.state and v.state.fingerprint),
                    (members, "load_sharing")),
    "conflicts": Case(lambda r: ConflictsView(runner=r),
                      lambda v: (v.summary.text(), v.empty_title.text()),
                      (conflicts, "load_conflicts")),
    "history": Case(lambda r: HistoryView(runner=r),
                    lambda v: (v.agreement_choice.count(), v.summary.text()),
                    (history, "list_agreements")),
    "editor": Case(lambda r: AgreementEditor(None, r),
                   lambda v: (v.agreement_id, v.heading.text()), None, opens=True),
}  # fmt: skip


def made(qtbot: QtBot, case: Case, runner: TaskRunner | None) -> Any:
    view = case.make(runner)
    qtbot.addWidget(view)
    return view


def signals(view: Any, case: Case) -> list[object]:
    """What the view shows each time it signals `loaded`."""
    seen: list[object] = []
    view.loaded.connect(lambda: seen.append(case.probe(view)))
    return seen


def shown_after(qtbot: QtBot, case: Case, register: Register | None) -> object:
    """What a view with no runner shows once set to `register`: what the newest load shows."""
    view = made(qtbot, case, None)
    case.start(view, register)
    return case.probe(view)


@pytest.mark.parametrize("name", list(CASES))
def test_a_refusal_met_without_a_runner_is_shown_as_a_message_not_raised(
    qtbot: QtBot, register: Register, shown: Shown, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The dashboard, conflicts and history views let it out as a traceback before."""
    case = CASES[name]
    view = made(qtbot, case, None)
    seen = signals(view, case)
    message = case.start_failing(view, register, monkeypatch)
    assert shown.errors == [message]
    assert len(seen) == 1  # and whoever waits for the view is told


def test_a_history_refused_for_one_agreement_is_shown_too(
    qtbot: QtBot, register: Register, shown: Shown, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = HistoryView()
    qtbot.addWidget(view)
    view.set_register(register)
    monkeypatch.setattr(history, "record_history", busy)
    view.show_agreement(str(view.agreement_choice.itemData(1)))
    assert shown.errors == [BUSY.message]


@pytest.mark.parametrize("with_runner", [False, True], ids=["direct", "runner"])
def test_a_bug_in_view_work_is_logged_with_its_traceback_and_said_to_be_unexpected(
    qtbot: QtBot, register: Register, shown: Shown, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, runner: TaskRunner, with_runner: bool,
) -> None:  # fmt: skip
    bug = ZeroDivisionError("division by zero")

    def broken(_: Register) -> None:
        raise bug

    monkeypatch.setattr(dashboard, "load_dashboard", broken)
    view = DashboardView(runner=runner if with_runner else None)
    qtbot.addWidget(view)
    with caplog.at_level(logging.ERROR, logger="ui.workers"), qtbot.waitSignal(view.loaded):
        view.set_register(register)
    logged = [r for r in caplog.records if r.name == "ui.workers"]
    assert [r.exc_info[1] for r in logged if r.exc_info] == [bug]
    assert "Counting the register" in logged[0].getMessage()
    assert shown.errors == [message_for(bug)]
    assert "did not expect" in shown.errors[0] and "division" not in shown.errors[0]


@pytest.mark.parametrize("with_runner", [False, True], ids=["direct", "runner"])
@pytest.mark.parametrize("error", [BUSY, KeyError("bug")], ids=["refusal", "bug"])
def test_run_or_call_delivers_a_failure_the_same_way_on_both_paths(
    qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture, with_runner: bool,
    error: Exception,
) -> None:  # fmt: skip
    outcomes: list[tuple[str, object]] = []

    def work() -> int:
        raise error

    with caplog.at_level(logging.ERROR, logger="ui.workers"):
        run_or_call(runner if with_runner else None, work,
                    lambda result: outcomes.append(("done", result)),
                    lambda exc: outcomes.append(("failed", exc)), label="Trying")  # fmt: skip
        qtbot.waitUntil(lambda: bool(outcomes))
    assert outcomes == [("failed", error)]
    bugs = [r for r in caplog.records if r.name == "ui.workers"]
    assert len(bugs) == (0 if isinstance(error, RegisterError) else 1)


def test_run_or_call_without_a_runner_does_not_take_an_error_of_done_for_the_works() -> None:
    failed: list[BaseException] = []

    def done(_: int) -> None:
        raise ValueError("in done")

    with pytest.raises(ValueError, match="in done"):
        run_or_call(None, lambda: 1, done, failed.append, label="Trying")
    assert failed == []


# ---------------------------------------------------------------------- out-of-date loads


@pytest.fixture()
def held(runner: TaskRunner) -> Iterator[threading.Event]:
    """The runner's worker held busy until the event is set: loads wait behind it."""
    release = threading.Event()
    runner.run(lambda: release.wait(10))
    yield release
    release.set()


def release_and_wait(qtbot: QtBot, view: Any, runner: TaskRunner, release: threading.Event) -> None:
    """Let the held worker go; return once every load's outcome has reached the view."""
    with qtbot.waitSignal(view.loaded):
        release.set()
    qtbot.waitUntil(lambda: not runner.busy)


@pytest.mark.parametrize("name", list(CASES))
def test_a_load_of_a_register_no_longer_shown_is_dropped_and_signals_once(
    qtbot: QtBot, register: Register, runner: TaskRunner, held: threading.Event, name: str
) -> None:
    case = CASES[name]
    view = made(qtbot, case, runner)
    seen = signals(view, case)
    case.start(view, register)
    view.set_register(None)  # locked while the load waits
    release_and_wait(qtbot, view, runner, held)
    assert seen == [shown_after(qtbot, case, None)]  # once, and the register is not shown


@pytest.mark.parametrize("name", list(CASES))
def test_a_load_followed_by_one_of_another_register_is_dropped_and_only_the_newer_signals(
    qtbot: QtBot, register: Register, empty_register: Register, runner: TaskRunner,
    held: threading.Event, name: str,
) -> None:  # fmt: skip
    case = CASES[name]
    view = made(qtbot, case, runner)
    seen = signals(view, case)
    case.start(view, register)
    case.start(view, empty_register)
    release_and_wait(qtbot, view, runner, held)
    assert seen == [shown_after(qtbot, case, empty_register)]


@pytest.mark.parametrize("name", list(CASES))
def test_the_refusal_of_an_out_of_date_load_is_not_shown(
    qtbot: QtBot, register: Register, runner: TaskRunner, held: threading.Event,
    shown: Shown, monkeypatch: pytest.MonkeyPatch, name: str,
) -> None:  # fmt: skip
    case = CASES[name]
    view = made(qtbot, case, runner)
    seen = signals(view, case)
    case.start_failing(view, register, monkeypatch)
    view.set_register(None)
    release_and_wait(qtbot, view, runner, held)
    assert shown.errors == []
    assert len(seen) == 1


def test_loads_of_the_same_register_are_each_shown_and_each_signal(
    qtbot: QtBot, register: Register, runner: TaskRunner, held: threading.Event
) -> None:
    view = DashboardView(runner=runner)
    qtbot.addWidget(view)
    seen = signals(view, CASES["dashboard"])
    view.set_register(register)
    view.refresh()
    release_and_wait(qtbot, view, runner, held)
    assert seen == [shown_after(qtbot, CASES["dashboard"], register)] * 2


def test_a_load_given_stale_and_overtaken_by_a_newer_one_hands_its_result_there(
    qtbot: QtBot, runner: TaskRunner, held: threading.Event
) -> None:
    """Only a load given `stale` hands it an overtaken result; one of a register no longer
    shown is dropped still, and every load of the register shown signals `loaded`."""
    host = QWidget()
    qtbot.addWidget(host)
    outcomes: list[tuple[str, int]] = []
    loaded: list[int] = []
    work = ViewWork(host, runner, lambda: loaded.append(len(outcomes)))

    def load(result: int, *, stale: bool = True) -> None:
        work.load(lambda: result, lambda shown: outcomes.append(("shown", shown)),
                  stale=(lambda old: outcomes.append(("stale", old))) if stale else None,
                  label="Reading")  # fmt: skip

    load(1)  # of a register the view leaves: dropped
    work.supersede()
    load(2)
    load(3, stale=False)  # overtaken too, but shown in its turn as before
    load(4)
    load(5)  # the newest: shown
    held.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert outcomes == [("stale", 2), ("shown", 3), ("stale", 4), ("shown", 5)]
    assert loaded == [1, 2, 3, 4]  # once after each outcome; none for the dropped load


def test_a_change_refused_signals_loaded_once_as_no_refresh_follows(
    qtbot: QtBot, register: Register, shown: Shown
) -> None:
    editor = AgreementEditor()
    qtbot.addWidget(editor)
    editor.set_register(register)
    editor.open_agreement(first_agreement(register))
    seen = signals(editor, CASES["editor"])
    editor.add_basis_button.click()  # nothing chosen: refused with the reason
    assert "Article 6" in editor.basis_error.text()  # beside the form, not as a message
    assert shown.errors == []
    assert len(seen) == 1


def test_selecting_a_log_entry_makes_its_whole_row_current_on_its_log_tab(
    qtbot: QtBot, register: Register
) -> None:
    ids = [add_log_entry(register, "planned_review", {"title": title})
           for title in ("Falls pathway", "Discharge audit", "Carers survey")]  # fmt: skip
    view = LogsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.select_entry("planned_review", ids[1])
    table, model = view.tables["planned_review"], view.models["planned_review"]
    assert view.current_kind() == "planned_review"
    row = model.row_of(ids[1])
    assert table.currentIndex().row() == row
    assert [i.row() for i in table.selectionModel().selectedRows()] == [row]
    view.select_entry("planned_review", "no such entry")  # changes nothing
    assert [i.row() for i in table.selectionModel().selectedRows()] == [row]
