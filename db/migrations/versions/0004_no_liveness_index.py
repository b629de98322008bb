"""no index on liveness alone; an index of the records ever deleted

Revision ID: 0004
Revises: 0003

Nearly every record is live, so an index on `is_live` alone narrows nothing; but SQLite, with
no statistics to tell it so, chose it over the index of the reference a query looks up ("the live
data items of this agreement"), and then read every live data item. Each write also paid for it.
The dashboard's index of agreements puts liveness last for the same reason (first, it was chosen
to look up an agreement by reference). The records ever deleted, which conflicts look for after
each sync, get a partial index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "assessment", "governance_body", "log_entry", "member", "organisation", "device", "meeting",
    "person", "use_case", "agreement", "benefit", "paper", "use_case_partner",
    "agreement_assessment", "agreement_use_case", "attachment", "checklist", "compliance_review",
    "data_item", "decision", "dpia", "incident", "party", "assessment_data_item",
    "checklist_answer", "dpia_risk", "lawful_basis", "sign_off",
)  # fmt: skip


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_is_live", table_name=table)
    op.drop_index("ix_agreement_live_status_review", table_name="agreement")
    op.create_index("ix_agreement_status_review_live", "agreement",
                    ["status", "review_date", "is_live"])  # fmt: skip
    op.create_index("ix_record_state_deleted", "record_state", ["entity", "kind", "record_id"],
                    sqlite_where=sa.text("deleted_hlc IS NOT NULL"))  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_record_state_deleted", table_name="record_state")
    op.drop_index("ix_agreement_status_review_live", table_name="agreement")
    op.create_index("ix_agreement_live_status_review", "agreement",
                    ["is_live", "status", "review_date"])  # fmt: skip
    for table in TABLES:
        op.create_index(f"ix_{table}_is_live", table, ["is_live"], unique=False)
