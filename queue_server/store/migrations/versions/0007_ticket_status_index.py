"""index tickets by centre and status (the closing-time job looks at every waiting day)

Revision ID: 0007_perf
Revises: 0003
"""
from alembic import op

revision = "0007_perf"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_centre_status", "tickets", ["centre_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_tickets_centre_status", table_name="tickets")
