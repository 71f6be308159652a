"""Expected wait for a newly issued ticket.

Deliberately simple and kept behind one function: a better model will replace it.
"""

from __future__ import annotations

from collections.abc import Sequence


def estimate_wait_minutes(
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
