"""SQLAlchemy tables, mapped imperatively onto the domain dataclasses.

Every centre-scoped table carries `centre_id` so one installation can serve a province.
Times are stored as UTC and come back timezone-aware on every database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import registry, relationship

from ..domain import model
from ..domain.tracking_code import new_tracking_code

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


ticket_status = Enum(model.TicketStatus, name="ticket_status", native_enum=False, length=16,
                     values_callable=lambda e: [m.value for m in e])
counter_status = Enum(model.CounterStatus, name="counter_status", native_enum=False, length=16,
                      values_callable=lambda e: [m.value for m in e])

centres = Table(
    "centres", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("address", String(300), nullable=False, default=""),
    Column("timezone", String(64), nullable=False, default="Asia/Ho_Chi_Minh"),
    Column("settings", JSON, nullable=False, default=dict),
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # admin edits
)

services = Table(
    "services", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False, index=True),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("daily_cap", Integer),
    Column("windows", JSON, nullable=False, default=list),
    Column("sort_order", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # admin edits
    Column("priority_enabled", Boolean, nullable=False, default=True, server_default=true()),
    Column("priority_groups", JSON, nullable=False, default=list, server_default="[]"),
    UniqueConstraint("centre_id", "code", name="uq_services_centre_code"),
    UniqueConstraint("centre_id", "prefix", name="uq_services_centre_prefix"),
)

counters = Table(
    "counters", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("priority", Boolean, nullable=False, default=False),
    Column("status", counter_status, nullable=False, default=model.CounterStatus.CLOSED),
    Column("staff_id", Integer),  # users.id; no FK so counters can be created before users
    Column("status_since", UTCDateTime),
    Column("priority_streak", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # admin edits
    Column("zone", String(80), nullable=False, default="", server_default=""),  # area / floor
    Column("sort_order", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("centre_id", "number", name="uq_counters_centre_number"),
)

counter_services = Table(
    "counter_services", metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False, index=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False, default=1, server_default="1"),  # admin edits
)

user_counters = Table(
    "user_counters", metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
)

device_tokens = Table(
    "device_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("counter_id", ForeignKey("counters.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("last_seen_at", UTCDateTime),
    Column("last_contact_at", UTCDateTime),
    Column("health", JSON),
)

ticket_sequences = Table(
    "ticket_sequences", metadata,
    Column("service_id", ForeignKey("services.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("number", String(12), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("status", ticket_status, nullable=False),
    Column("priority", String(32)),
    Column("appointment_at", UTCDateTime),
    Column("counter_id", ForeignKey("counters.id")),
    Column("target_counter_id", ForeignKey("counters.id")),
    Column("staff_id", ForeignKey("users.id")),
    Column("called_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("no_show_at", UTCDateTime),
    Column("recall_count", Integer, nullable=False, default=0),
    Column("transfer_count", Integer, nullable=False, default=0),
    Column("dossier_code", String(40)),
    Column("cancel_reason", String(40)),
    Column("source", String(20), nullable=False, default="kiosk"),
    # The original service keeps its number series even after a transfer.
    Column("issued_service_id", ForeignKey("services.id"), nullable=False),
    # The phone page's key (/t/<code>); the domain sets it, the default covers plain inserts.
    Column("tracking_code", String(24), nullable=False, default=new_tracking_code),
    UniqueConstraint("issued_service_id", "day", "seq", name="uq_tickets_service_day_seq"),
    Index("ix_tickets_tracking_code", "tracking_code", unique=True),
    Index("ix_tickets_queue", "centre_id", "day", "status"),
    Index("ix_tickets_centre_status", "centre_id", "status"),  # waiting on any day (closing job)
    Index("ix_tickets_counter_status", "counter_id", "status"),
)

ratings = Table(
    "ratings", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False, index=True),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=False, unique=True),
    Column("level", Integer, nullable=False),
    Column("scale", Integer, nullable=False),
    Column("reason", String(40)),
    Column("source", String(20), nullable=False),
    Column("pressed_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("counter_id", ForeignKey("counters.id")),
    Column("staff_id", ForeignKey("users.id")),
    Column("service_id", ForeignKey("services.id")),
    Column("dossier_code", String(40)),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key", String(200), primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("scope", String(60), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("ticket_id", ForeignKey("tickets.id")),
    Column("counter_id", ForeignKey("counters.id")),
    Column("counter_number", Integer),
    Column("data", JSON, nullable=False, default=dict),
    Index("ix_events_centre_id", "centre_id", "id"),
    Index("ix_events_centre_at", "centre_id", "at"),
)

# A centre's procedure catalogue, kept whole: an import replaces it in one UPDATE (never half).
catalogs = Table(
    "catalogs", metadata,
    Column("centre_id", ForeignKey("centres.id"), primary_key=True),
    Column("revision", Integer, nullable=False, default=1),
    Column("version", String(40), nullable=False, default=""),
    Column("document", JSON, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
)

# Appointments booked ahead (queue_server/bookings.py). The ID number is kept only as a keyed
# hash (one active booking per person, check-in by ID), never in clear.
bookings = Table(
    "bookings", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("code", String(12), nullable=False, unique=True),
    Column("service_id", ForeignKey("services.id"), nullable=False),
    Column("slot_at", UTCDateTime, nullable=False),
    Column("id_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False, default="booked"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("checked_in_at", UTCDateTime),
    Column("ticket_id", ForeignKey("tickets.id")),
    Index("ix_bookings_slot", "centre_id", "service_id", "slot_at"),
    Index("ix_bookings_person", "centre_id", "id_hash"),
)

# Forms prepared at the kiosk (queue_server/drafts.py): only the form's own fields, linked to a
# ticket or found by a short code; deleted once expired (default: the end of the local day).
drafts = Table(
    "drafts", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("code", String(12), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("form", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("ticket_id", Integer),  # tickets.id; no FK so a purge never depends on tickets
    Column("created_by", String(160), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_drafts_ticket", "centre_id", "ticket_id"),
    Index("ix_drafts_expires", "expires_at"),
)

# Who changed what in the centre's set-up, with the row before and after (queue_server/admin).
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("centre_id", ForeignKey("centres.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(160), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(200), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Index("ix_audit_log_centre_at", "centre_id", "at"),
)

mapper_registry = registry(metadata=metadata)
_mapped = False


def start_mappers() -> None:
    """Map the domain classes once per process (idempotent)."""
    global _mapped
    if _mapped:
        return
    _mapped = True
    mapper_registry.map_imperatively(model.Centre, centres)
    mapper_registry.map_imperatively(model.Service, services)
    mapper_registry.map_imperatively(
        model.Counter, counters,
        properties={"services": relationship(model.Service, secondary=counter_services,
                                             lazy="selectin", order_by=services.c.sort_order)},
    )
    mapper_registry.map_imperatively(
        model.User, users,
        properties={"allowed_counters": relationship(model.Counter, secondary=user_counters,
                                                     lazy="selectin")},
    )
    mapper_registry.map_imperatively(model.DeviceToken, device_tokens)
    mapper_registry.map_imperatively(
        model.Ticket, tickets,
        properties={
            "service": relationship(model.Service, foreign_keys=[tickets.c.service_id],
                                    lazy="joined"),
            # Usually already in the session's identity map: a plain lazy load is cheapest.
            "counter": relationship(model.Counter, foreign_keys=[tickets.c.counter_id]),
            # Loaded only when a ticket sent to a counter is shown or checked (access, views).
            "target_counter": relationship(model.Counter,
                                           foreign_keys=[tickets.c.target_counter_id]),
        },
    )
    mapper_registry.map_imperatively(model.Rating, ratings)
    mapper_registry.map_imperatively(model.Event, events)
