"""Sharing: the state of sync, the members and their devices, requests to join, approve, remove."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import sync
from app.register import Register
from app.sync import JoinRequest, MemberInfo, SyncStatus
from app.sync.errors import NotAMemberError, SyncError
from app.sync.membership import own_keys
from app.sync.state import ROLE_ADMIN, ROLE_PENDING
from ui.dialogs.join import FingerprintLabel
from ui.dialogs.share import ApproveDialog
from ui.errors import Question
from ui.models.sync_models import ALARM_COLOUR, MemberTableModel, RequestTableModel
from ui.sync_controller import status_details, status_text
from ui.widgets.tables import record_table, size_columns
from ui.workers import TaskRunner, ViewWork


@dataclass(frozen=True)
class SharingState:
    """What the Sharing view shows, read on the worker."""

    status: SyncStatus
    members: tuple[MemberInfo, ...]
    requests: tuple[JoinRequest, ...]
    fingerprint: str  # this device's
    note: str  # why requests could not be read now, or ""

    @property
    def is_admin(self) -> bool:
        return self.status.role == ROLE_ADMIN


def load_sharing(register: Register) -> SharingState:
    status = sync.sync_status(register)
    fingerprint = own_keys(register).fingerprint
    if not status.shared:
        return SharingState(status, (), (), fingerprint, "")
    try:
        members: tuple[MemberInfo, ...] = tuple(sync.members(register))
    except NotAMemberError:
        members = ()
    requests: tuple[JoinRequest, ...] = ()
    note = ""
    if status.role == ROLE_ADMIN:
        try:
            requests = tuple(sync.pending_requests(register))
        except SyncError as exc:
            note = f"Requests to join cannot be read now. {exc.message}"
    return SharingState(status, members, requests, fingerprint, note)


def revoke_question(member: MemberInfo) -> str:
    return (
        f"Remove {member.name} (device {member.device}) from the shared register?\n\n"
        "A new register key is sealed to the remaining devices only, so that device cannot "
        "read anything written from now on.\n\n"
        f"{member.name} keeps everything they had already synced: removing them cannot take "
        "that back."
    )


def _button(text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.clicked.connect(lambda _=False: slot())
    return button


class MembersView(QWidget):
    """Who holds the register key: members and their devices, requests, approve and remove."""

    loaded = Signal()
    share_requested = Signal()
    sync_requested = Signal()
    membership_changed = Signal(str)
    """A member was approved or removed (what was done, in words)."""

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._work = ViewWork(self, runner, self.loaded.emit, "Sharing")
        self.state: SharingState | None = None

        heading = QLabel("<h2>Sharing</h2>")
        heading.setAccessibleName("Sharing")
        self.status_line = QLabel("")
        self.status_line.setAccessibleName("Sync state")
        self.status_line.setWordWrap(True)
        self.details = QLabel("")
        self.details.setAccessibleName("Details of sharing")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sync_button = _button("S&ync now", "Sync now", self.sync_requested.emit)
        self.share_button = _button("&Share this register…", "Share this register",
                                    self.share_requested.emit)  # fmt: skip
        status_buttons = QHBoxLayout()
        status_buttons.addWidget(self.sync_button)
        status_buttons.addWidget(self.share_button)
        status_buttons.addStretch(1)
        status_box = QGroupBox("State of sharing")
        status_layout = QVBoxLayout(status_box)
        status_layout.addWidget(self.status_line)
        status_layout.addWidget(self.details)
        status_layout.addLayout(status_buttons)

        self.waiting_box = QGroupBox("Waiting for approval")
        self.fingerprint = FingerprintLabel("this device", 2.0)
        waiting_text = QLabel(
            "Read this device's fingerprint to an admin of the shared register so that they can "
            "approve it. The register asks again every little while; once approved, everything "
            "arrives at the next sync."
        )
        waiting_text.setWordWrap(True)
        waiting_layout = QVBoxLayout(self.waiting_box)
        waiting_layout.addWidget(self.fingerprint)
        waiting_layout.addWidget(waiting_text)

        self.members_model = MemberTableModel(self)
        self.members_table = record_table(self.members_model, "Members and their devices")
        size_columns(self.members_table, {1: 20, 2: 10, 3: 22}, stretch=(0, 4))
        members_label = QLabel("&Members and their devices")
        members_label.setBuddy(self.members_table)
        self.revoke_button = _button("Re&move member…", "Remove the selected member",
                                     self.revoke_selected)  # fmt: skip
        self.requests_model = RequestTableModel(self)
        self.requests_table = record_table(self.requests_model, "Requests to join")
        size_columns(self.requests_table, {1: 10, 2: 22, 3: 17}, stretch=(0,))
        self.requests_label = QLabel("Requests to &join")
        self.requests_label.setBuddy(self.requests_table)
        self.approve_button = _button("&Approve…", "Approve the selected request",
                                      self.approve_selected)  # fmt: skip
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Note")
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        self.outcome.setAccessibleName("What was done")
        for table in (self.members_table, self.requests_table):
            table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        members_row = QHBoxLayout()
        members_row.addWidget(members_label)
        members_row.addStretch(1)
        members_row.addWidget(self.revoke_button)
        requests_row = QHBoxLayout()
        requests_row.addWidget(self.requests_label)
        requests_row.addStretch(1)
        requests_row.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(status_box)
        layout.addWidget(self.waiting_box)
        layout.addLayout(members_row)
        layout.addWidget(self.members_table, 2)
        layout.addLayout(requests_row)
        layout.addWidget(self.requests_table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.outcome)
        self._show(None)

    # ------------------------------------------------------------------ loading

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        self.outcome.clear()
        self._show(None)
        if register is not None:
            self.refresh()

    def refresh(self) -> None:
        register = self._register
        if register is not None:
            self._work.load(lambda: load_sharing(register), self._show,
                            label="Reading the members…")  # fmt: skip

    def _show(self, state: SharingState | None) -> None:
        self.state = state
        status = state.status if state else None
        text, alarm = status_text(status) if state else ("", False)
        self.status_line.setText(f"<b>{escape(text)}</b>" if text else "")
        self.status_line.setStyleSheet(f"color: {ALARM_COLOUR};" if alarm else "")
        self.status_line.setAccessibleName(f"Sync state: {text}")
        self.details.setText("\n".join(status_details(status)) if status else "")
        self.members_model.set_rows(state.members if state else ())
        self.requests_model.set_rows(state.requests if state else ())
        pending = status is not None and status.role == ROLE_PENDING
        self.waiting_box.setVisible(pending)
        if state is not None:
            self.fingerprint.set_fingerprint(state.fingerprint)
        shared = status is not None and status.shared
        self.share_button.setVisible(status is not None and not shared)
        self.sync_button.setVisible(shared)
        if state is not None and shared and not state.is_admin and not pending:
            self.note.setText("Only an admin of the shared register approves and removes "
                              "members.")  # fmt: skip
        else:
            self.note.setText(state.note if state else "")
        self._update_buttons()

    def _selected(self, table: QTableView) -> int:
        rows = table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_buttons(self) -> None:
        admin = self.state is not None and self.state.is_admin
        member_row = self._selected(self.members_table)
        member = self.members_model.member_at(member_row) if member_row >= 0 else None
        self.revoke_button.setEnabled(
            admin and member is not None and not member.this_device and not member.revoked
        )
        self.approve_button.setEnabled(admin and self._selected(self.requests_table) >= 0)
        for widget in (self.revoke_button, self.approve_button, self.requests_label,
                       self.requests_table):  # fmt: skip
            widget.setVisible(admin)  # only an admin approves; others see no requests

    # ------------------------------------------------------------------ actions

    def select_request(self, device: str) -> None:
        row = self.requests_model.row_of(device)
        if row >= 0:
            self.requests_table.selectRow(row)

    def select_member(self, device: str) -> None:
        row = self.members_model.row_of(device)
        if row >= 0:
            self.members_table.selectRow(row)

    def approve_selected(self) -> None:
        """Approve the selected request once the admin confirms its fingerprint."""
        register = self._register
        row = self._selected(self.requests_table)
        if register is None or row < 0:
            return
        request = self.requests_model.request_at(row)
        answer = ApproveDialog.ask(self, request)
        if answer is None:
            return

        def done(member: MemberInfo) -> None:
            self.outcome.setText(
                f"Approved {member.name} as {member.role}. The register key is sealed to that "
                "device; it receives everything at its next sync."
            )
            self.membership_changed.emit(f"Approved {member.name}")
            self.refresh()

        self._work.run(lambda: sync.approve(register, request.device, admin=answer.admin), done,
                       label="Approving…")  # fmt: skip

    def revoke_selected(self) -> None:
        """Remove the selected member after a plain warning of what that can and cannot do."""
        register = self._register
        row = self._selected(self.members_table)
        if register is None or row < 0:
            return
        member = self.members_model.member_at(row)
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        if Question.ask(self, "Remove a member", revoke_question(member), yes | no, no) != yes:
            return

        def done(removed: MemberInfo) -> None:
            self.outcome.setText(
                f"Removed {removed.name}. A new register key was sealed to the remaining "
                "devices only. They keep what they had already synced; that cannot be taken back."
            )
            self.membership_changed.emit(f"Removed {removed.name}")
            self.refresh()

        self._work.run(lambda: sync.revoke(register, member.device), done,
                       label="Removing the member…")  # fmt: skip
