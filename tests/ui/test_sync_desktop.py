"""Sharing on the desktop: join, members, conflicts, the status bar and the sync controller.

Real registers in `tmp_path` share a real folder; every sync is a real round through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app import sync
from app.agreements import AgreementQuery, get_agreement, list_agreements, update_agreement
from app.conflicts import open_conflicts
from app.organisations import create_organisation, delete_organisation
from app.register import Register
from app.sync.transport import FolderStore
from tests.desktop_helpers import open_in, show_window, unlock_as_typed
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.dialogs.first_run import FirstRunDialog
from ui.dialogs.join import JoinDialog
from ui.dialogs.share import ApproveDialog, ShareAnswer, ShareDialog
from ui.errors import Question
from ui.main_window import CONFLICTS_ROW, NAVIGATION, SHARING_ROW, MainWindow
from ui.settings import SHARED_FOLDER
from ui.sync_controller import PENDING_RETRY_MS, SyncController
from ui.views.conflicts import NO_CONFLICTS, ConflictsView
from ui.views.members import MembersView
from ui.workers import TaskRunner

UK_WHEN = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")
FINGERPRINT = re.compile(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}")
# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@dataclass
class Pair:
    """The seeded register shared (its admin) and a second device approved and synced."""

    share: Path
    admin: Register
    other: Register

    def sync_all(self) -> None:
        for register in (self.admin, self.other, self.admin):
            assert sync.sync(register).ok


@pytest.fixture()
def shared(register: Register, tmp_path: Path) -> Path:
    """The seeded register shared in `tmp_path/share`, everything published."""
    share = tmp_path / "share"
    sync.share(register, share, name="Tester, laptop")
    assert sync.sync(register).ok
    return share


def join(share: Path, folder: Path, name: str) -> sync.JoinResult:
    return sync.join(share, folder, PASSPHRASE, name, author=name.split(",")[0], kdf=FAST_KDF)


@pytest.fixture()
def pair(register: Register, shared: Path, tmp_path: Path) -> Iterator[Pair]:
    joined = join(shared, tmp_path / "other", "Sam Patel, laptop")
    sync.approve(register, joined.device)
    result = Pair(shared, register, joined.register)
    result.sync_all()
    yield result
    joined.register.close()


def acting(monkeypatch: pytest.MonkeyPatch, cls: type[QDialog],
           act: Callable[[Any], None]) -> list[Any]:  # fmt: skip
    """Make `cls.exec` run `act` on the dialog (as a person would) instead of blocking."""
    seen: list[Any] = []

    def exec_(self: QDialog) -> int:
        seen.append(self)
        act(self)
        return int(self.result())

    monkeypatch.setattr(cls, "exec", exec_)
    return seen


def assert_accessible(widget: QWidget) -> None:
    """Every control has a name for screen readers; every visible button a mnemonic."""
    for control in widget.findChildren(QWidget):
        if control.objectName().startswith("qt_"):
            continue  # Qt's own parts (a table's corner button…)
        if isinstance(control, QAbstractButton | QLineEdit | QTableView):
            # a button's text is its name for screen readers unless it is given another
            named = control.accessibleName() or (
                isinstance(control, QAbstractButton) and control.text().replace("&", "")
            )
            assert named, f"{type(control).__name__} {control!r} has no name"
        if isinstance(control, QAbstractButton) and control.text() and not control.isHidden():
            assert "&" in control.text(), f"button {control.text()!r} has no mnemonic"


# ---------------------------------------------------------------------------- joining


def test_join_dialog_writes_the_request_and_shows_the_fingerprint(
    qtbot: QtBot, runner: TaskRunner, register: Register, shared: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    not_shared = tmp_path / "empty"
    not_shared.mkdir()
    copy = tmp_path / "my copy"

    def act(d: JoinDialog) -> None:
        assert_accessible(d)
        d.join_button.click()
        assert "shared folder" in d.error.text()  # nothing typed: said, nothing done
        d.share.setText(str(not_shared))
        d.folder.setText(str(copy))
        d.name.setText("Sam Patel, laptop")
        d.passphrase.setText(PASSPHRASE)
        d.repeat.setText(PASSPHRASE + " again")
        d.join_button.click()
        assert d.error.text() == "The two passphrases are not the same."
        d.repeat.setText(PASSPHRASE)
        d.join_button.click()  # a folder that holds no shared register
        qtbot.waitUntil(lambda: not d.busy)
        assert "REGISTER.json" in d.error.text() and not copy.exists()
        assert d.pages.currentIndex() == 0
        d.share.setText(str(shared))
        d.join_button.click()
        assert d.busy and not d.cancel_button.isEnabled()
        closed: list[int] = []
        d.finished.connect(closed.append)
        d.reject()  # refused while the request is being written
        qtbot.waitUntil(lambda: d.pages.currentIndex() == 1)
        assert closed == []
        assert_accessible(d)
        d.done_button.click()
        assert closed == [QDialog.DialogCode.Accepted.value]

    seen = acting(monkeypatch, JoinDialog, act)
    result = JoinDialog.ask(None, runner, "", "Sam Patel")
    assert result is not None
    try:
        dialog = seen[0]
        assert FINGERPRINT.fullmatch(result.fingerprint)
        assert dialog.fingerprint.text() == result.fingerprint
        assert result.fingerprint.replace("-", "")[0] in dialog.fingerprint.accessibleName()
        assert "Sam Patel, laptop" in dialog.device_note.text()
        requests = sync.pending_requests(register)
        assert [(r.device, r.name, r.fingerprint) for r in requests] == [
            (result.device, "Sam Patel, laptop", result.fingerprint)
        ]
        assert result.register.path == copy
    finally:
        result.register.close()


def test_cancelling_the_join_dialog_joins_nothing(
    qtbot: QtBot, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    acting(monkeypatch, JoinDialog, lambda d: d.cancel_button.click())
    assert JoinDialog.ask(None, runner) is None


def test_window_joins_waits_for_approval_then_receives_the_register(
    qtbot: QtBot, register: Register, shared: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: Any,
) -> None:  # fmt: skip
    window = show_window(qtbot, tmp_path / "settings.ini")
    join_offered: list[bool] = []  # read while the dialog shows: it is let go once answered

    def choose_join(d: FirstRunDialog) -> None:
        join_offered.append(d.join_button.isEnabled())
        d.join_button.click()

    first_run = acting(monkeypatch, FirstRunDialog, choose_join)
    assert first_run == []

    def act(d: JoinDialog) -> None:
        d.share.setText(str(shared))
        d.folder.setText(str(tmp_path / "joined"))
        d.name.setText("Sam Patel, laptop")
        d.passphrase.setText(PASSPHRASE)
        d.repeat.setText(PASSPHRASE)
        d.join_button.click()
        qtbot.waitUntil(lambda: d.pages.currentIndex() == 1, timeout=20_000)
        d.done_button.click()

    acting(monkeypatch, JoinDialog, act)
    controller = window.sync_controller
    with qtbot.waitSignal(controller.round_ended, timeout=20_000):
        window.first_run()
    assert len(first_run) == 1 and join_offered == [True]
    assert window.register is not None and window.register.path == tmp_path / "joined"
    assert window.view_stack.currentIndex() == SHARING_ROW
    assert window.sync_label.text() == "Sync: waiting for approval"
    assert controller.timer.isActive() and controller.timer.interval() == PENDING_RETRY_MS
    sharing = window.sharing
    qtbot.waitUntil(lambda: sharing.state is not None and sharing.waiting_box.isVisibleTo(window))
    device = window.register.device_id
    request = next(r for r in sync.pending_requests(register) if r.device == device)
    assert sharing.fingerprint.text() == request.fingerprint
    assert list_agreements(window.register, AgreementQuery()) == []

    sync.approve(register, device)
    with qtbot.waitSignal(controller.round_ended, timeout=20_000):
        window.sync_now()
    assert window.sync_label.text() == "Sync: up to date"
    mine = {a.reference for a in list_agreements(window.register, AgreementQuery())}
    assert mine == {a.reference for a in list_agreements(register, AgreementQuery())}
    assert controller.timer.interval() == controller.interval_ms
    qtbot.waitUntil(lambda: not sharing.waiting_box.isVisibleTo(window))
    assert shown.errors == []


# ---------------------------------------------------------------------------- members


def test_members_view_approves_after_the_fingerprint_check_and_removes_plainly(
    qtbot: QtBot, qtmodeltester: Any, runner: TaskRunner, register: Register, shared: Path,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    joined = join(shared, tmp_path / "sam", "Sam Patel, laptop")
    joined.register.close()
    view = MembersView(runner=runner)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    assert_accessible(view)
    qtmodeltester.check(view.members_model)
    qtmodeltester.check(view.requests_model)
    assert view.members_model.rowCount() == 1 and view.requests_model.rowCount() == 1
    cells = [view.requests_model.index(0, c).data() for c in range(4)]
    assert cells[:3] == ["Sam Patel, laptop", joined.device, joined.fingerprint]
    assert UK_WHEN.fullmatch(cells[3])
    assert "Shared folder: " in view.details.text() and "This device: Admin" in view.details.text()
    assert not view.approve_button.isEnabled()

    # the admin does not tick that the fingerprint matches: nothing is approved
    def refuse(d: ApproveDialog) -> None:
        assert d.fingerprint.text() == joined.fingerprint
        assert not d.approve_button.isEnabled()
        d.approve_button.click()
        assert d.result() == 0
        d.reject()

    view.select_request(joined.device)
    assert view.approve_button.isEnabled()
    acting(monkeypatch, ApproveDialog, refuse)
    view.approve_button.click()
    assert [r.device for r in sync.pending_requests(register)] == [joined.device]

    def approve(d: ApproveDialog) -> None:
        assert_accessible(d)
        d.matches.setChecked(True)
        d.approve_button.click()

    acting(monkeypatch, ApproveDialog, approve)
    said: list[str] = []
    view.membership_changed.connect(said.append)
    with qtbot.waitSignals([view.membership_changed, view.loaded], order="strict"):
        view.approve_button.click()
    assert said == ["Approved Sam Patel, laptop"]
    assert view.members_model.rowCount() == 2 and view.requests_model.rowCount() == 0
    roles = {m.device: m.role for m in sync.members(register)}
    assert roles[joined.device] == "member"

    # removing: the question says plainly that the member keeps what they had synced
    asked: list[str] = []
    answer = {"button": QMessageBox.StandardButton.No}

    def question(cls: Any, parent: Any, title: str, text: str, *rest: Any) -> Any:
        asked.append(text)
        return answer["button"]

    monkeypatch.setattr(Question, "ask", classmethod(question))
    view.select_member(register.device_id)
    assert not view.revoke_button.isEnabled()  # not this device
    view.select_member(joined.device)
    view.revoke_button.click()
    assert "keeps everything they had already synced" in asked[0]
    assert "cannot take that back" in asked[0]
    assert {m.device for m in sync.members(register) if m.revoked} == set()
    answer["button"] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignals([view.membership_changed, view.loaded], order="strict"):
        view.revoke_button.click()
    assert "already synced" in view.outcome.text() and view.members_model.rowCount() == 2
    removed = view.members_model.row_of(joined.device)
    assert view.members_model.index(removed, 1).data() == "Removed"
    assert {m.device for m in sync.members(register) if m.revoked} == {joined.device}


def test_members_view_of_a_register_not_shared_offers_to_share(
    qtbot: QtBot, runner: TaskRunner, register: Register
) -> None:
    view = MembersView(runner=runner)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    assert view.share_button.isVisible() and not view.sync_button.isVisible()
    assert view.status_line.text() == "<b>Not shared</b>"
    with qtbot.waitSignal(view.share_requested):
        view.share_button.click()
    view.set_register(None)
    assert view.members_model.rowCount() == 0 and view.details.text() == ""


# -------------------------------------------------------------------------- conflicts


def make_conflicts(pair: Pair) -> tuple[str, str]:
    """A title changed on both devices, and an organisation deleted on one, renamed on the other."""
    agreement = get_agreement(pair.admin, "ISA-2026-002")
    update_agreement(pair.admin, agreement.id, {"title": "Falls prevention (county)"})
    update_agreement(pair.other, agreement.id, {"title": "Falls prevention (trust)"})
    # one nothing refers to (the app refuses to delete an organisation that is a party)
    organisation = create_organisation(pair.admin, {"name": "Northshire Hospitals"})
    pair.sync_all()
    delete_organisation(pair.admin, organisation)
    pair.other.write("Rename", lambda c: c.set("organisation", organisation, "name",
                                                 "Northshire Hospitals Trust"))  # fmt: skip
    pair.sync_all()
    assert len(open_conflicts(pair.admin)) == 2
    return agreement.id, organisation


def test_conflicts_view_settles_each_conflict_with_one_click(
    qtbot: QtBot, qtmodeltester: Any, runner: TaskRunner, pair: Pair
) -> None:
    agreement_id, _ = make_conflicts(pair)
    view = ConflictsView(runner=runner)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.conflicts_counted) as counted:
        view.set_register(pair.admin)
    assert counted.args == [2]
    qtmodeltester.check(view.model)
    assert_accessible(view)
    rows = [[view.model.index(r, c).data() for c in range(3)] for r in range(2)]
    assert rows[0][:2] == ["Agreement ISA-2026-002", "Title"]
    assert rows[1][:2] == ["Organisation Northshire Hospitals Trust", "The whole record"]
    assert rows[1][2] == "Deleted by Tester, then edited by Sam Patel"

    # the title: both versions side by side, newest first, each with who, device and when
    assert view.table.currentIndex().row() == 0
    values = [card.value.text() for card in view.cards]
    assert sorted(values) == ["Falls prevention (county)", "Falls prevention (trust)"]
    for card in view.cards:
        assert UK_WHEN.search(card.byline.text())
        assert not card.button.isHidden()
    county = next(c for c in view.cards if c.value.text().endswith("(county)"))
    assert pair.admin.device_id in county.byline.text() and "Tester" in county.byline.text()
    with qtbot.waitSignal(view.conflicts_counted) as counted:
        county.button.click()
    assert counted.args == [1]
    assert get_agreement(pair.admin, agreement_id).title == "Falls prevention (county)"

    # the organisation deleted, then renamed: delete it again
    assert [c.title() for c in view.cards] == ["Deleted", "Edited after the deletion"]
    assert view.cards[1].value.text() == "Name: Northshire Hospitals Trust"
    delete_again = view.cards[0].button
    assert delete_again.text() == "&Delete again"
    with qtbot.waitSignal(view.conflicts_counted) as counted:
        delete_again.click()
    assert counted.args == [0]
    assert view.model.rowCount() == 0 and view.summary.text() == NO_CONFLICTS

    # what was settled here reaches the other device
    pair.sync_all()
    assert open_conflicts(pair.other) == []
    assert get_agreement(pair.other, agreement_id).title == "Falls prevention (county)"


# ------------------------------------------------------------------ the window and sync


@pytest.fixture()
def window(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    unlock_as_typed(monkeypatch)
    return show_window(qtbot, tmp_path / "settings.ini")


def test_status_bar_says_offline_with_the_count_and_opens_the_details(
    qtbot: QtBot, window: MainWindow, register_folder: Path, tmp_path: Path, shown: Any
) -> None:
    share = tmp_path / "share"
    with Register.open(register_folder, PASSPHRASE) as register:
        sync.share(register, share, name="Tester, laptop")
    open_in(qtbot, window, register_folder)
    assert window.sync_label.text() == "Sync: up to date"
    assert not window.share_action.isEnabled() and window.sync_action.isEnabled()
    opened = window.register
    assert opened is not None

    share.rename(tmp_path / "share unplugged")
    ids = [a.id for a in list_agreements(opened, AgreementQuery())][:2]
    for n, agreement_id in enumerate(ids):
        window.runner.run(lambda i=agreement_id, n=n: update_agreement(
            opened, i, {"title": f"Renamed offline {n}"}))  # fmt: skip
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
        window.sync_now()
    qtbot.waitUntil(lambda: window.sync_label.text() == "Sync: offline — 2 changes waiting")
    assert "b00020" not in window.sync_label.styleSheet()
    assert "offline — 2 changes waiting" in window.sync_label.accessibleName()

    with qtbot.waitSignal(window.sharing.loaded):
        window.sync_label.click()
    assert window.view_stack.currentWidget() is window.sharing
    assert "cannot be reached" in window.sharing.details.text()
    assert "Changes made here and not sent yet: 2" in window.sharing.details.text()

    (tmp_path / "share unplugged").rename(share)
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
        window.sync_now()
    qtbot.waitUntil(lambda: window.sync_label.text() == "Sync: up to date")

    # locking stops syncing: no timer, no round, nothing shown
    assert window.sync_controller.timer.isActive()
    with qtbot.waitSignal(window.register_locked):
        window.lock_action.trigger()
    assert not window.sync_controller.timer.isActive() and not window.sync_controller.running
    assert window.sync_label.text() == "" and not window.sync_action.isEnabled()
    assert shown.errors == []


def test_status_bar_shows_an_alarm_in_red_with_its_reason(
    qtbot: QtBot, window: MainWindow, register_folder: Path, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    with Register.open(register_folder, PASSPHRASE) as register:
        sync.share(register, share, name="Tester, laptop")
        joined = join(share, tmp_path / "other", "Sam Patel, laptop")
        sync.approve(register, joined.device)
        sync.sync(register)
    with joined.register as other:
        assert sync.sync(other).ok
        for n in range(2):
            other.write("add", lambda c, n=n: c.create("organisation", {"name": f"Org {n}"}))
            assert sync.sync(other).ok
    # a segment of the other device disappears from the shared folder: a gap
    (share / "devices" / joined.device / "seg" / f"{1:010d}.seg").unlink()
    open_in(qtbot, window, register_folder)
    text = window.sync_label.text()
    assert text.startswith("Sync alarm: ") and "missing" in text and joined.device in text
    assert "b00020" in window.sync_label.styleSheet()


def test_sharing_a_register_from_the_window(
    qtbot: QtBot, window: MainWindow, register_folder: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, shown: Any,
) -> None:  # fmt: skip
    open_in(qtbot, window, register_folder)
    assert window.sync_label.text() == "Not shared" and window.share_action.isEnabled()
    share = tmp_path / "share"
    monkeypatch.setattr(ShareDialog, "ask", classmethod(
        lambda cls, parent, folder="", name="": ShareAnswer(share, "Tester, laptop")))  # fmt: skip
    with qtbot.waitSignal(window.sync_controller.round_ended, timeout=20_000):
        window.share_action.trigger()
    assert window.sync_label.text() == "Sync: up to date"
    assert not window.share_action.isEnabled()
    assert FolderStore(share).exists("REGISTER.json")
    assert window.settings.get(SHARED_FOLDER) == str(share)
    assert shown.errors == []


def test_share_dialog_needs_a_folder_and_a_name(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def act(d: ShareDialog) -> None:
        assert_accessible(d)
        d.folder.setText("")
        d.share_button.click()
        assert "folder" in d.error.text() and d.result() == 0
        d.folder.setText(str(tmp_path / "share"))
        d.share_button.click()

    acting(monkeypatch, ShareDialog, act)
    assert ShareDialog.ask(None, "", "Priya Shah") == ShareAnswer(tmp_path / "share", "Priya Shah")


# -------------------------------------------------------------------------- controller


def test_controller_syncs_shortly_after_a_save_one_round_at_a_time(
    qtbot: QtBot, runner: TaskRunner, pair: Pair
) -> None:
    controller = SyncController(runner, save_delay_ms=50, interval_ms=3_600_000)
    started: list[int] = []
    controller.round_started.connect(lambda: started.append(1))
    with qtbot.waitSignal(controller.round_ended):
        controller.start(pair.admin)  # sync on open
    assert controller.status is not None and controller.status.message == "up to date"
    assert controller.timer.isActive() and controller.timer.interval() == 3_600_000

    agreement = get_agreement(pair.admin, "ISA-2026-003")
    with qtbot.waitSignal(controller.round_ended, timeout=20_000):
        runner.run(lambda: update_agreement(pair.admin, agreement.id,
                                            {"title": "Supporting families"}))  # fmt: skip
    assert controller.status is not None and controller.status.waiting == 0
    assert sync.sync(pair.other).applied == 1
    assert get_agreement(pair.other, agreement.id).title == "Supporting families"

    # asked three times at once: one round, then one more, never two together
    before, started[:] = controller.rounds, []
    controller.sync_now()
    controller.sync_now()
    controller.sync_now()
    qtbot.waitUntil(lambda: controller.rounds == before + 2 and not controller.running)
    assert len(started) == 2

    # a change received from the other device is announced
    pair.other.write("Rename", lambda c: c.set("agreement", agreement.id, "title", "Families"))
    assert sync.sync(pair.other).ok
    with qtbot.waitSignal(controller.changes_received) as received:
        controller.sync_now()
    assert received.args == [1]

    # stopped (locking): no listener, no timers, a save starts nothing
    controller.stop()
    assert not controller.timer.isActive()
    update_agreement(pair.admin, agreement.id, {"title": "After the lock"})
    qtbot.wait(0)  # let a queued notification arrive, were there one
    assert not controller.save_timer.isActive() and not controller.running


def test_navigation_has_conflicts_and_sharing_with_shortcuts(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert NAVIGATION[CONFLICTS_ROW] == "Conflicts" and NAVIGATION[SHARING_ROW] == "Sharing"
    keys = dict((d, k) for k, d in window.shortcuts())
    assert keys["Go to Sharing"] == "Ctrl+0"
    assert keys["Go to Conflicts"] == f"Ctrl+{CONFLICTS_ROW + 1}"
    assert keys["Sync with the shared folder"] == "F9"


def test_idle_lock_closes_the_dialogs_left_open_over_the_window(
    qtbot: QtBot, window: MainWindow, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(window, "register", register)  # as if open
    monkeypatch.setattr(window, "_lock", lambda text: None)  # locking is tested elsewhere
    left_open = QDialog(window)
    left_open.setModal(True)
    left_open.show()
    stubborn = _StubbornDialog(window)  # stops its work first when asked to close, like the wizard
    stubborn.show()
    window.lock_idle()
    assert not left_open.isVisible() and not stubborn.isVisible()
    assert stubborn.asked == 1


class _StubbornDialog(QDialog):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.asked = 0

    def reject(self) -> None:
        self.asked += 1  # work under way is cancelled; the dialog stays until it has stopped
