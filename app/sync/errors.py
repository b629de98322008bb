"""Errors of sharing a register: integrity alarms (exit code 5) and plain, fixable problems."""

from __future__ import annotations

from app.errors import RegisterError

EXIT_SYNC_ALARM = 5


class SyncError(RegisterError):
    """Base of every problem with a shared register."""


def _not_reachable(where: object, detail: str) -> str:
    """The sentence saying a shared folder cannot be reached, and why where known."""
    extra = f" ({detail})" if detail else ""
    return f"The shared folder {where} is not reachable{extra}."


class ShareUnreachableError(SyncError):
    """The shared folder cannot be reached (network drive offline, folder moved)."""

    def __init__(self, where: object, detail: str = "") -> None:
        self.where, self.detail = where, detail
        super().__init__(
            f"{_not_reachable(where, detail)} Check that the network drive is connected; changes "
            "made meanwhile are kept and sent at the next sync."
        )


class JoinUnreachableError(SyncError):
    """The shared folder to join cannot be reached: there is nothing of this device's to keep."""

    def __init__(self, unreachable: ShareUnreachableError) -> None:
        super().__init__(
            f"{_not_reachable(unreachable.where, unreachable.detail)} Check that the network "
            "drive is connected and that this is the folder the register was shared in, then ask "
            "to join again. Nothing was made on this computer."
        )


class NotSharedError(SyncError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The register at {path} is not shared. Share it first with 'isr share REGISTER "
            "SHARE_DIR', or join a shared register with 'isr join'."
        )


class AlreadySharedError(SyncError):
    pass


class NotAMemberError(SyncError):
    """The device has not been approved yet, or was removed."""


class MembershipError(SyncError):
    """A membership request that cannot be carried out (unknown device, not an admin…)."""


class SyncCancelledError(SyncError):
    def __init__(self) -> None:
        super().__init__("Sync was cancelled; what had been fully received is kept.")


class IntegrityAlarmError(SyncError):
    """Something in the shared folder is not what its writer wrote: never silently accepted."""

    exit_code = EXIT_SYNC_ALARM
    kind = "integrity"

    def __init__(self, message: str, *, device: str | None = None, name: str | None = None):
        where = f" (device {device}" + (f", file {name}" if name else "") + ")" if device else ""
        if not device and name:
            where = f" (file {name})"
        super().__init__(f"Sync alarm: {message}{where}.")
        self.device = device
        self.name = name
        self.reason = message


class DamagedError(IntegrityAlarmError):
    """A shared file is cut short, malformed or does not decrypt."""

    kind = "damaged"


class BadSignatureError(IntegrityAlarmError):
    """A shared file's signature does not verify with its writer's key."""

    kind = "bad-signature"


class MissingSegmentError(IntegrityAlarmError):
    """A segment the chain or head announces is not there (a gap)."""

    kind = "missing-segment"


class RollbackError(IntegrityAlarmError):
    """A file was replaced by an older one (a head or roster went backwards)."""

    kind = "rollback"


class ForkError(IntegrityAlarmError):
    """A device wrote two different histories (two segments with one number)."""

    kind = "fork"


class RevokedSignerError(IntegrityAlarmError):
    """A device wrote after it was removed from the register."""

    kind = "revoked-signer"


class UnknownSignerError(IntegrityAlarmError):
    """A file is signed by a device that is not a member."""

    kind = "unknown-signer"


ALARM_KINDS: dict[str, type[IntegrityAlarmError]] = {
    cls.kind: cls
    for cls in (
        IntegrityAlarmError,
        DamagedError,
        BadSignatureError,
        MissingSegmentError,
        RollbackError,
        ForkError,
        RevokedSignerError,
        UnknownSignerError,
    )
}
