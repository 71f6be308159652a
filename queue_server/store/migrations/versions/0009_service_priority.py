"""per-service priority settings, and an admin-chosen order of counters

Revision ID: 0009_service_priority
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_service_priority"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority_enabled", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column("priority_groups", sa.JSON(), nullable=False,
                                      server_default="[]"))
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_order", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.drop_column("sort_order")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("priority_groups")
        batch_op.drop_column("priority_enabled")
