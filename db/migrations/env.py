"""Alembic environment: always given an open connection by `db.migrate`."""

from __future__ import annotations

from alembic import context

from db import models  # noqa: F401  (registers every table on Base.metadata)
from db.base import Base
from db.migrate import is_managed_table


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return type_ != "table" or is_managed_table(name)


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
