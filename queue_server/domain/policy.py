"""Who is called next at a counter.

A policy is any function with the signature of `default_policy`; a centre can swap it
(`MOTCUA_CALL_POLICY = "package.module:function"`) without touching the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from .model import Counter, Ticket
from .settings import CentreSettings

CallPolicy = Callable[[Counter, Sequence[Ticket], dt.datetime, CentreSettings], "Ticket | None"]


def _fifo_key(ticket: Ticket) -> tuple:
    return (ticket.issued_at, ticket.id or 0)


def callable_here(counter: Counter, ticket: Ticket) -> bool:
    """A ticket transferred to one counter waits for that counter only."""
    if ticket.target_counter_id is not None:
        return ticket.target_counter_id == counter.id
    return ticket.service_id in counter.service_ids


def in_appointment_window(ticket: Ticket, now: dt.datetime, settings: CentreSettings) -> bool:
    if ticket.appointment_at is None:
        return False
    grace = dt.timedelta(minutes=settings.appointment_grace_minutes)
    # |now - appointment| never overflows, unlike appointment ± grace near year 1 or 9999.
    return abs(now - ticket.appointment_at) <= grace


def default_policy(
    counter: Counter, waiting: Sequence[Ticket], now: dt.datetime, settings: CentreSettings
) -> Ticket | None:
    """Appointments in their window first; then priority groups (first at priority counters,
    elsewhere interleaved so normal tickets are never starved); otherwise longest wait first."""
    candidates = [t for t in waiting if callable_here(counter, t)]
    if not candidates:
        return None
    booked = [t for t in candidates if in_appointment_window(t, now, settings)]
    if booked:
        return min(booked, key=lambda t: (t.appointment_at, *_fifo_key(t)))
    priority = [t for t in candidates if t.priority in settings.priority_groups]
    normal = [t for t in candidates if t.priority not in settings.priority_groups]
    if priority and (
        counter.priority or not normal or counter.priority_streak < settings.priority_interleave
    ):
        return min(priority, key=_fifo_key)
    return min(normal or priority, key=_fifo_key)
