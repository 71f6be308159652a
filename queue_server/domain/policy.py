"""Who is called next at a counter.

A policy is any function with the signature of `default_policy`; a centre can swap it
(`MOTCUA_CALL_POLICY = "package.module:function"`) without touching the engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from .model import Counter, Service, Ticket
from .settings import CentreSettings

CallPolicy = Callable[[Counter, Sequence[Ticket], dt.datetime, CentreSettings], "Ticket | None"]


def _fifo_key(ticket: Ticket) -> tuple:
    return (ticket.issued_at, ticket.id or 0)


def callable_here(counter: Counter, ticket: Ticket) -> bool:
    """A ticket transferred to one counter waits for that counter only."""
    if ticket.target_counter_id is not None:
        return ticket.target_counter_id == counter.id
    return ticket.service_id in counter.service_ids


def accepted_groups(service: Service | None, settings: CentreSettings) -> frozenset[str]:
    """The centre's priority groups `service` calls first: none when it takes no priority
    tickets, else those it lists (all of them when it lists none). An unknown service (None)
    takes all of them, as before services had their own settings."""
    groups = frozenset(settings.priority_groups)
    if service is None:
        return groups
    if not service.priority_enabled:
        return frozenset()
    return groups & frozenset(service.priority_groups) if service.priority_groups else groups


def priority_counts(group: str | None, own: frozenset[str],
                    at_counter: Iterable[frozenset[str]] | None = None) -> bool:
    """Whether a ticket of priority `group` is called before normal tickets where it waits.

    The rule for transfers and re-queues: a ticket keeps the group it was issued with (the
    citizen is still elderly; reports by group stay true, and a ticket sent back to a service
    that accepts the group, or a service whose administrator turns priority on, is a priority
    again without anyone re-entering it), but the group counts only where it is accepted:
    `own` are the groups its current service accepts (`accepted_groups`), and a ticket sent to
    one counter also needs one of that counter's services to accept it (`at_counter`, None for
    a ticket waiting for its service). Elsewhere it is called as a normal ticket, in order of
    its original issue time. Judging this at call time rather than dropping the group at
    transfer covers every way a ticket gets somewhere: transfer to a service or a counter,
    re-queue after a no-show, and an administrator changing a service's settings mid-day.
    """
    if group is None or group not in own:
        return False
    return at_counter is None or any(group in groups for groups in at_counter)


def counts_as_priority(counter: Counter, ticket: Ticket, settings: CentreSettings) -> bool:
    """`priority_counts` for a ticket `counter` may call (see `callable_here`)."""
    if ticket.priority is None:
        return False
    service = ticket.service
    if service is None:  # a plain ticket without its service loaded: the counter's copy
        service = next((s for s in counter.services if s.id == ticket.service_id), None)
    at_counter = None
    if ticket.target_counter_id is not None:
        at_counter = [accepted_groups(s, settings) for s in counter.services]
    return priority_counts(ticket.priority, accepted_groups(service, settings), at_counter)


def in_appointment_window(ticket: Ticket, now: dt.datetime, settings: CentreSettings) -> bool:
    if ticket.appointment_at is None:
        return False
    grace = dt.timedelta(minutes=settings.appointment_grace_minutes)
    # |now - appointment| never overflows, unlike appointment ± grace near year 1 or 9999.
    return abs(now - ticket.appointment_at) <= grace


def default_policy(
    counter: Counter, waiting: Sequence[Ticket], now: dt.datetime, settings: CentreSettings
) -> Ticket | None:
    """Appointments in their window first; then priority groups where they count
    (`counts_as_priority`: first at priority counters, elsewhere interleaved so normal tickets
    are never starved); otherwise longest wait first."""
    candidates = [t for t in waiting if callable_here(counter, t)]
    if not candidates:
        return None
    booked = [t for t in candidates if in_appointment_window(t, now, settings)]
    if booked:
        return min(booked, key=lambda t: (t.appointment_at, *_fifo_key(t)))
    flagged = [(t, counts_as_priority(counter, t, settings)) for t in candidates]
    priority = [t for t, first in flagged if first]
    normal = [t for t, first in flagged if not first]
    if priority and (
        counter.priority or not normal or counter.priority_streak < settings.priority_interleave
    ):
        return min(priority, key=_fifo_key)
    return min(normal or priority, key=_fifo_key)
