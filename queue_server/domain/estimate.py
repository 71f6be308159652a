"""Expected wait of a waiting ticket: the one entry point the service layer calls.

The estimate replays the call policy over the day's queue with each open counter's recent pace
(`queue_server.prediction.model`); `naive_wait_minutes` is the simple formula it replaced,
kept as the baseline the prediction is judged against on simulated days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..prediction.model import Situation, WaitingTicket
from .model import Ticket


def estimate_wait_minutes(ticket: Ticket, people_ahead: int, situation: Situation,
                          now: dt.datetime) -> int:
    """Minutes until `ticket` is called, given the centre's `situation` (open counters serving
    its service and their recent service times, priority and appointments ahead, the day's
    breaks; its own priority group only where it counts, as for the call policy). With no open counter able to call it, the naive formula over the day's pace."""
    waiting = WaitingTicket(ticket.id, ticket.service_id, ticket.issued_at.timestamp(),
                            situation.priority_of(ticket.priority, ticket.service_id,
                                                  ticket.target_counter_id),
                            ticket.appointment_at.timestamp() if ticket.appointment_at else None,
                            ticket.target_counter_id)
    seconds = situation.wait_seconds(waiting, now.timestamp())
    if seconds is None:
        per_person = situation.service_minutes.get(ticket.service_id, situation.overall_minutes)
        return naive_wait_minutes(people_ahead, [per_person], 0)
    return round(seconds / 60)


def naive_wait_minutes(
    people_ahead: int,
    recent_service_minutes: Sequence[float],
    open_counters: int,
    default_service_minutes: float = 10.0,
) -> int:
    """people ahead × mean recent service time ÷ open counters (at least one), in whole minutes."""
    if people_ahead <= 0:
        return 0
    recent = [m for m in recent_service_minutes if m >= 0]
    per_person = sum(recent) / len(recent) if recent else default_service_minutes
    return round(people_ahead * per_person / max(open_counters, 1))
