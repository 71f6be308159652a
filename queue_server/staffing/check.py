"""Check a counter plan by simulation: one service, its own counters hour by hour, Poisson
arrivals at each hour's rate, log-normal service times, first come first served, and the queue
carried from one hour into the next — which steady-state Erlang C cannot see.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from ..simulation.profile import lognormal_params


def simulate_waits(arrivals: Mapping[int, float], counters: Mapping[int, int],
                   service_mean: float, service_sd: float, *, days: int = 20,
                   seed: int = 1) -> dict[int, float]:
    """Mean wait (minutes) per hour of arrival over `days` simulated days.

    `arrivals`: hour → tickets per hour; `counters`: hour → counters open that hour. Counters
    finish the person they serve when their hour ends; those still waiting are served as soon
    as counters are open again (or, after the last open hour, by one counter staying late).
    """
    rng = random.Random(f"staffing:{seed}")
    mu, sigma = lognormal_params(service_mean, service_sd)
    hours = sorted(h for h, r in arrivals.items() if r > 0)
    if not hours:
        return {}
    last_open = max([h for h, c in counters.items() if c > 0], default=None)
    totals: dict[int, list[float]] = {h: [0.0, 0] for h in hours}

    size = max([*counters.values(), 1])

    def opens(k: int, t: float) -> float:
        """When counter k (0-based) can next start someone, from t: counter k works in hour h
        when k < counters[h]; after the last open hour only counter 0 stays (late)."""
        h = int(t // 60)
        while True:
            n = counters.get(h, 0) if last_open is not None and h <= last_open else 1
            if k < n:
                return max(t, h * 60.0)
            if last_open is None or h > last_open:
                return math.inf
            h += 1

    for _ in range(days):
        people = []
        for h in hours:
            t = h * 60.0
            rate = arrivals[h] / 60
            while True:
                t += rng.expovariate(rate)
                if t >= (h + 1) * 60:
                    break
                people.append(t)
        free = [0.0] * size
        for t in people:   # in arrival order: first come, first served
            k, start = min(((k, opens(k, max(free[k], t))) for k in range(size)),
                           key=lambda item: item[1])
            service = rng.lognormvariate(mu, sigma) if sigma else service_mean
            free[k] = start + service
            h = int(t // 60)
            totals[h][0] += start - t
            totals[h][1] += 1
    return {h: (s / n if n else 0.0) for h, (s, n) in totals.items()}


def checked_plan(arrivals: Mapping[int, float], first: Mapping[int, int], service_mean: float,
                 service_sd: float, target: float, *, days: int = 20, seed: int = 1,
                 rounds: int = 30) -> tuple[dict[int, int], dict[int, float]]:
    """Start from `first` (Erlang C) and add a counter where the simulated mean wait still
    exceeds the target — in that hour, or the hour before when that hour is already staffed
    beyond its own load (the queue came from earlier) — until every hour is within target."""
    plan = {h: first.get(h, 0) for h in arrivals}
    waits = simulate_waits(arrivals, plan, service_mean, service_sd, days=days, seed=seed)
    for _ in range(rounds):
        late = [h for h, w in sorted(waits.items()) if w > target]
        if not late:
            break
        h = late[0]
        load = arrivals.get(h, 0) * service_mean / 60
        if plan.get(h, 0) > load + 1 and plan.get(h - 1, 0) and (h - 1) in plan:
            plan[h - 1] += 1
        else:
            plan[h] = plan.get(h, 0) + 1
        waits = simulate_waits(arrivals, plan, service_mean, service_sd, days=days, seed=seed)
    return plan, waits
