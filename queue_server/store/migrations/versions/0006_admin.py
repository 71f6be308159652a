"""administration: audit log, and a version on edited rows to detect conflicting edits

Revision ID: 0006_admin
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_admin"
down_revision = "0003"
branch_labels = None
depends_on = None

VERSIONED = ("centres", "services", "counters", "users")


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False,
                                          server_default="1"))
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zone", sa.String(length=80), nullable=False,
                                      server_default=""))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=160), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"],
                                name=op.f("fk_audit_log_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_centre_at", "audit_log", ["centre_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_centre_at", table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("counters", schema=None) as batch_op:
        batch_op.drop_column("zone")
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
