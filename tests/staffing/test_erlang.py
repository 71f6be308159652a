"""Erlang C against textbook values, and the simulation check against Erlang C."""

from __future__ import annotations

import math

import pytest

from queue_server.staffing.check import checked_plan, simulate_waits
from queue_server.staffing.erlang import erlang_b, erlang_c, mean_wait, servers_needed


def test_erlang_c_textbook_values():
    # 2 Erlangs on 3 servers: P(wait) = 4/9 (the classic worked example).
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    # 10 Erlangs on 11 agents: 0.6821 (the call-centre example quoted in Erlang C tables).
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    # M/M/1: P(wait) = rho; M/M/2: 2 rho^2 / (1 + rho) with rho = a / 2.
    for a in (0.2, 0.5, 0.9):
        assert erlang_c(1, a) == pytest.approx(a)
    for a in (0.4, 1.0, 1.8):
        rho = a / 2
        assert erlang_c(2, a) == pytest.approx(2 * rho**2 / (1 + rho))
    # Erlang B: 1 server, 1 Erlang → 1/2; 2 servers, 1 Erlang → 1/5.
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_mean_wait_and_fewest_counters():
    # M/M/1, 4 an hour, 10 minutes each: Wq = rho/(1 - rho) × 10 = 20 minutes.
    assert mean_wait(1, 4, 10) == pytest.approx(20.0)
    assert mean_wait(2, 12, 10) == math.inf          # 2 Erlangs on 2 counters never clears
    assert mean_wait(3, 0, 10) == 0.0
    # 20 an hour × 8 minutes = 2.67 Erlangs: 3 counters wait ~19 min, 4 counters ~2 min.
    assert mean_wait(3, 20, 8) > 15 >= mean_wait(4, 20, 8)
    assert servers_needed(20, 8, 15) == 4
    assert servers_needed(0, 8, 15) == 0
    assert servers_needed(1, 8, 15) == 1
    # A stricter target never needs fewer counters.
    assert servers_needed(30, 12, 2) >= servers_needed(30, 12, 15)
    with pytest.raises(ValueError):
        servers_needed(10, 0, 15)


def test_simulated_steady_state_agrees_with_erlang_c():
    """Exponential-like service (sd = mean) over a long flat day: the simulated mean wait is
    close to the Erlang C mean wait (hours 2–9, past the empty start)."""
    arrivals = {h: 21.0 for h in range(10)}
    counters = {h: 4 for h in range(10)}
    sim = simulate_waits(arrivals, counters, 10.0, 10.0, days=40, seed=3)
    simulated = sum(sim[h] for h in range(2, 10)) / 8
    exact = mean_wait(4, 21.0, 10.0)
    assert exact == pytest.approx(simulated, rel=0.35), (exact, simulated)


def test_check_adds_counters_where_the_queue_carries_over():
    """Erlang C plans each hour as if it started empty; a short-staffed peak leaves a queue that
    the simulation sees, and the checked plan adds counters until every hour is within target."""
    arrivals = {8: 30.0, 9: 30.0, 10: 6.0}
    first = {8: 2, 9: 2, 10: 1}                 # deliberately short at the peak
    plan, waits = checked_plan(arrivals, first, 6.0, 3.0, 15.0, days=20, seed=1)
    assert all(w <= 15.0 for w in waits.values()), waits
    assert plan[8] + plan[9] > 4
    before = simulate_waits(arrivals, first, 6.0, 3.0, days=20, seed=1)
    assert max(before.values()) > 15.0
