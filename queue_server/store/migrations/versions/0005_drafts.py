"""form drafts prepared at the kiosk

Revision ID: 0005_drafts
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_drafts"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_drafts_centre_id_centres")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("code", name=op.f("uq_drafts_code")),
    )
    op.create_index("ix_drafts_ticket", "drafts", ["centre_id", "ticket_id"])
    op.create_index("ix_drafts_expires", "drafts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_expires", table_name="drafts")
    op.drop_index("ix_drafts_ticket", table_name="drafts")
    op.drop_table("drafts")
