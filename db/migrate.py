"""Schema migrations, run on open, with a backup taken before any upgrade.

Opening a register that is already at the head revision is the common case: it reads the
`alembic_version` row with one plain query and compares it with `HEAD_REVISION`, without
importing Alembic (whose import, with the dialects and templating it pulls in, costs more than
opening the database). Alembic is imported only when an upgrade or a downgrade has to run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0004"
"""The newest revision in `db/migrations/versions/`; a test checks it against Alembic's head."""

VERSION_TABLE = "alembic_version"

UNMANAGED_PREFIXES = ("search_",)
"""Tables migrations create by hand: the FTS5 search index, its shadow and document tables."""


def is_managed_table(name: str | None) -> bool:
    """Whether autogenerate should compare this table with the models."""
    return not (name or "").startswith(UNMANAGED_PREFIXES)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "db:migrations")
    return cfg


def head_revision() -> str:
    """The revision a database is brought to on open."""
    return HEAD_REVISION


def scripted_head_revision() -> str:
    """The head revision as Alembic finds it among the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The database's schema revision, or None for a database migrations never touched."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise ValueError(f"the schema has several versions: {', '.join(sorted(rows))}")
    return rows[0] if rows else None


def upgrade(engine: Engine, before_upgrade: Callable[[str | None, str], None]) -> bool:
    """Bring the schema to the head revision; `before_upgrade(current, head)` runs first.

    A new, empty database is created at head without a backup (there is nothing to keep).
    Returns True when an upgrade ran.
    """
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == HEAD_REVISION:
        return False
    from alembic import command

    head = scripted_head_revision()
    if current == head:  # HEAD_REVISION is behind the scripts: a test says so
        return False
    if current is not None:
        before_upgrade(current, head)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, head)
    return True


def previous_revision(revision: str) -> str | None:
    """The revision `revision` upgrades from (None for the first)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config()).get_revision(revision)
    if script is None:
        raise ValueError(f"unknown schema revision {revision}")
    down = script.down_revision
    return down if isinstance(down, str) or down is None else down[0]


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (support and tests of the upgrade path)."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
