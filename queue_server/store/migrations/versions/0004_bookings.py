"""appointment bookings (slots per service, ID number kept only as a keyed hash)

Revision ID: 0004_bookings
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_bookings"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("centre_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["centre_id"], ["centres.id"], name=op.f("fk_bookings_centre_id_centres")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_bookings_service_id_services")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_bookings_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_bookings_code")),
    )
    op.create_index("ix_bookings_slot", "bookings", ["centre_id", "service_id", "slot_at"], unique=False)
    op.create_index("ix_bookings_person", "bookings", ["centre_id", "id_hash"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_bookings_person", table_name="bookings")
    op.drop_index("ix_bookings_slot", table_name="bookings")
    op.drop_table("bookings")
