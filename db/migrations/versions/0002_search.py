"""search index: SQLite FTS5 over agreements, data items, organisations and use cases

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # search_doc gives each indexed record a stable integer id, so one record's entry can be
    # replaced by rowid instead of scanning the FTS table.
    op.execute(
        "CREATE TABLE search_doc ("
        " id INTEGER PRIMARY KEY,"
        " entity VARCHAR(40) NOT NULL,"
        " record_id VARCHAR(36) NOT NULL,"
        " agreement_id VARCHAR(36),"
        " CONSTRAINT uq_search_doc_record UNIQUE (entity, record_id))"
    )
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    op.execute("DROP TABLE search_doc")
