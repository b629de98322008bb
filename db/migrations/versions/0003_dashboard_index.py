"""dashboard index: agreements by liveness, status and review date

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the dashboard counts agreements by status and review date on every start; with this
    # index SQLite reads (and decrypts) the index alone instead of every agreement's pages
    op.create_index(
        "ix_agreement_live_status_review", "agreement", ["is_live", "status", "review_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_agreement_live_status_review", table_name="agreement")
