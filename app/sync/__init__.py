"""Sharing a register through a folder on a network drive (DESIGN §5)."""

from __future__ import annotations

from app.sync.engine import SyncReport, SyncStatus, revoke, sync, sync_status
from app.sync.membership import (
    JoinRequest,
    JoinResult,
    MemberInfo,
    approve,
    join,
    members,
    pending_requests,
    share,
)

__all__ = [
    "JoinRequest",
    "JoinResult",
    "MemberInfo",
    "SyncReport",
    "SyncStatus",
    "approve",
    "join",
    "members",
    "pending_requests",
    "revoke",
    "share",
    "sync",
    "sync_status",
]
