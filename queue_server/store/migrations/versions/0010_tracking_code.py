"""a random tracking code per ticket (the phone page /t/<code>); merges the branches from 0003

Every ticket gets a random code (queue_server/domain/tracking_code.py) instead of a link derived
from its id; tickets already issued get one here. This revision is also the single head again:
0004–0009 all branched from 0003.

Revision ID: 0010_tracking_code
Revises: 0004_bookings, 0005_drafts, 0006_admin, 0007_perf, 0009_service_priority
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0010_tracking_code"
down_revision = ("0004_bookings", "0005_drafts", "0006_admin", "0007_perf",
                 "0009_service_priority")
branch_labels = None
depends_on = None

# A copy, not an import: a migration must keep doing what it did when the code moves on.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 16
BATCH = 1000


def _code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_code", sa.String(length=24), nullable=True))
    conn = op.get_bind()
    tickets = sa.table("tickets", sa.column("id", sa.Integer),
                       sa.column("tracking_code", sa.String))
    ids = conn.execute(sa.select(tickets.c.id).where(tickets.c.tracking_code.is_(None))).scalars().all()
    update = (tickets.update().where(tickets.c.id == sa.bindparam("ticket_id"))
              .values(tracking_code=sa.bindparam("code")))
    used: set[str] = set()
    for start in range(0, len(ids), BATCH):
        rows = []
        for ticket_id in ids[start:start + BATCH]:
            code = _code()
            while code in used:
                code = _code()
            used.add(code)
            rows.append({"ticket_id": ticket_id, "code": code})
        conn.execute(update, rows)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.alter_column("tracking_code", existing_type=sa.String(length=24), nullable=False)
        batch_op.create_index("ix_tickets_tracking_code", ["tracking_code"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_tracking_code")
        batch_op.drop_column("tracking_code")
