"""Who comes when: a day's citizens drawn from a profile with a seeded generator.

Each day has its own generator (seeded by the run's seed and the date), so day 3 of a run is
the same whether or not days 1–2 were simulated, and a seed always gives the same day.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .profile import Profile, lognormal_params

PRIORITY_GROUPS = (("elderly", 0.55), ("disability", 0.1), ("pregnant", 0.1), ("merit", 0.1),
                   ("child", 0.15))


@dataclass
class Citizen:
    """One planned arrival and everything random about how their visit goes."""

    at: dt.datetime                  # UTC, when they take a ticket
    service: str
    service_minutes: float           # at a counter of speed 1
    priority: str | None = None
    appointment_at: dt.datetime | None = None
    no_show: bool = False
    rates: bool = False              # presses a rating key after service
    mood: float = 0.0                # uniform draw deciding the rating level


def day_rng(seed: int, day: dt.date) -> random.Random:
    return random.Random(f"motcua-sim:{seed}:{day.isoformat()}")


def _at(day: dt.date, minutes: float, tz: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(0), tz) + dt.timedelta(minutes=minutes)
    return local.astimezone(dt.UTC)


def _minutes(t: dt.time) -> float:
    return 24 * 60 if t == dt.time.max else t.hour * 60 + t.minute


def plan_day(profile: Profile, day: dt.date, seed: int, tz: ZoneInfo) -> list[Citizen]:
    """The citizens of one day in arrival order: a Poisson process per service whose rate
    changes with the hour, inside the centre's sessions."""
    rng = day_rng(seed, day)
    people: list[Citizen] = []
    for code in sorted(profile.services):
        service = profile.services[code]
        mu, sigma = lognormal_params(service.service_mean, service.service_sd)
        for start, end in profile.sessions:
            t, stop = _minutes(start), _minutes(end)
            while True:
                rate = service.rate(int(t // 60) % 24) / 60  # per minute
                hour_end = (t // 60 + 1) * 60
                if rate <= 0:
                    t = hour_end
                else:
                    gap = rng.expovariate(rate)
                    if t + gap > hour_end:  # memoryless: restart at the hour with its own rate
                        t = hour_end
                    else:
                        t += gap
                        if t >= stop:
                            break
                        people.append(_citizen(profile, service, day, t, tz, rng, mu, sigma))
                        continue
                if t >= stop:
                    break
    people.sort(key=lambda c: (c.at, c.service))
    return people


def _citizen(profile, service, day, t, tz, rng, mu, sigma) -> Citizen:
    at = _at(day, t, tz)
    minutes = max(0.5, rng.lognormvariate(mu, sigma)) if sigma else service.service_mean
    priority = None
    if rng.random() < service.priority_share:
        r, acc = rng.random(), 0.0
        for group, share in PRIORITY_GROUPS:
            acc += share
            if r < acc:
                priority = group
                break
        priority = priority or PRIORITY_GROUPS[0][0]
    appointment = None
    if rng.random() < service.appointment_share:
        slot = profile.appointment_slot_minutes
        early = rng.uniform(0, 20)  # people with a booking come a little early
        appointment = _at(day, math.ceil((t + early) / slot) * slot, tz)
    return Citizen(at=at, service=service.code, service_minutes=minutes, priority=priority,
                   appointment_at=appointment, no_show=rng.random() < service.no_show_share,
                   rates=rng.random() < profile.rating_share, mood=rng.random())


def rating_for(citizen: Citizen, wait_minutes: float, unhappy_after: float) -> tuple[int, str | None]:
    """Level on the 3-level scale (3 = Rất hài lòng) and the reason for the lowest level:
    a long wait makes an unhappy rating (reason: time) much more likely."""
    unhappy = 0.35 if wait_minutes > unhappy_after else 0.03
    if citizen.mood < unhappy:
        return 1, "time" if wait_minutes > unhappy_after else "attitude"
    if citizen.mood < unhappy + 0.2:
        return 2, None
    return 3, None
