"""Schema migrations, run on open, with a backup taken before any upgrade."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

UNMANAGED_PREFIXES = ("search_",)
"""Tables migrations create by hand: the FTS5 search index, its shadow and document tables."""


def is_managed_table(name: str | None) -> bool:
    """Whether autogenerate should compare this table with the models."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "db:migrations")
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, before_upgrade: Callable[[str | None, str], None]) -> bool:
    """Bring the schema to the head revision; `before_upgrade(current, head)` runs first.

    A new, empty database is created at head without a backup (there is nothing to keep).
    Returns True when an upgrade ran.
    """
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == head:
        return False
    if current is not None:
        before_upgrade(current, head)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True


def previous_revision(revision: str) -> str | None:
    """The revision `revision` upgrades from (None for the first)."""
    script = ScriptDirectory.from_config(_config()).get_revision(revision)
    if script is None:
        raise ValueError(f"unknown schema revision {revision}")
    down = script.down_revision
    return down if isinstance(down, str) or down is None else down[0]


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (support and tests of the upgrade path)."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
