"""Where a waiting ticket stands: the one entry point the service layer calls.

The people ahead and the minutes come from one replay of the call policy over the day's queue
with each open counter's recent pace (`queue_server.prediction.model`), so they agree with each
other and with the order call-next really follows; `naive_wait_minutes` is the simple formula
the replay replaced, still used when no open counter can call the ticket and kept as the
baseline the prediction is judged against on simulated days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..prediction.model import Situation, WaitingTicket
from .model import Ticket


@dataclass(frozen=True)
class WaitEstimate:
    people_ahead: int  # waiting tickets of its service called before it (in the policy's order)
    minutes: int       # until it is called


def estimate_wait(ticket: Ticket, situation: Situation, now: dt.datetime) -> WaitEstimate:
    """People ahead of `ticket` and minutes until it is called, given the centre's `situation`
    (open counters serving its service and their recent service times, priority and
    appointments ahead, the day's breaks; its own priority group only where it counts, as for
    the call policy). With no open counter able to call it, the naive formula over the day's
    pace, with the people ahead in the policy's order (`Situation.place`)."""
    waiting = WaitingTicket(ticket.id, ticket.service_id, ticket.issued_at.timestamp(),
                            situation.priority_of(ticket.priority, ticket.service_id,
                                                  ticket.target_counter_id),
                            ticket.appointment_at.timestamp() if ticket.appointment_at else None,
                            ticket.target_counter_id)
    place = situation.place(waiting, now.timestamp())
    if place.seconds is None:
        per_person = situation.service_minutes.get(ticket.service_id, situation.overall_minutes)
        return WaitEstimate(place.ahead, naive_wait_minutes(place.ahead, [per_person], 0))
    return WaitEstimate(place.ahead, round(place.seconds / 60))


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
