"""Sharing a register through a folder on a network drive (DESIGN §5).

The names below are loaded when first used (PEP 562): reading a register's sharing state
(`app.sync.state`) at start-up need not load the sync engine and membership code with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    **dict.fromkeys(("SyncReport", "SyncStatus", "revoke", "sync", "sync_status"), "engine"),
    **dict.fromkeys(("JoinRequest", "JoinResult", "MemberInfo", "approve", "join", "members",
                     "pending_requests", "share"), "membership"),
}  # fmt: skip

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"app.sync.{home}"), name)
    globals()[name] = value
    return value
