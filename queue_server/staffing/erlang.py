"""Erlang C (M/M/c): the probability of waiting and the mean wait with c counters.

Computed through the Erlang B recursion, which stays stable for hundreds of servers where the
factorial formula overflows.
"""

from __future__ import annotations

import math


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of c servers offered `load` Erlangs."""
    if servers < 0 or load < 0:
        raise ValueError("Số quầy và tải phải không âm.")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits, with `load` = arrival rate × mean service time.
    1.0 when the counters cannot keep up (load ≥ servers)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1 - b))


def mean_wait(servers: int, arrivals_per_hour: float, service_minutes: float) -> float:
    """Mean wait in minutes (infinite when the queue grows without end)."""
    if arrivals_per_hour <= 0:
        return 0.0
    load = arrivals_per_hour * service_minutes / 60
    if servers <= load:
        return math.inf
    return erlang_c(servers, load) * service_minutes / (servers - load)


def servers_needed(arrivals_per_hour: float, service_minutes: float, target_minutes: float,
                   limit: int = 500) -> int:
    """The fewest counters with mean wait ≤ target (0 when nobody comes)."""
    if arrivals_per_hour <= 0:
        return 0
    if service_minutes <= 0 or target_minutes < 0:
        raise ValueError("Thời gian phục vụ phải dương và chỉ tiêu chờ không âm.")
    c = max(1, math.floor(arrivals_per_hour * service_minutes / 60) + 1)
    while mean_wait(c, arrivals_per_hour, service_minutes) > target_minutes:
        c += 1
        if c > limit:
            raise ValueError(f"Cần hơn {limit} quầy: kiểm tra lại số lượt đến và thời gian phục vụ.")
    return c
