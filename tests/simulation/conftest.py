"""A small simulated day at the seeded test centre (HT, CT, DD; counters 1–4)."""

from __future__ import annotations

import datetime as dt

import pytest

from queue_server.simulation.profile import parse_profile
from queue_server.simulation.run import simulate

MONDAY = dt.date(2026, 11, 16)
HOURS = {"07": 0.6, "08": 1.5, "09": 1.6, "10": 1.2, "11": 0.5, "13": 0.5, "14": 1.1, "15": 1.0,
         "16": 0.6}


def _small_profile(scale: float = 1.0):
    def arrivals(rate: float) -> dict:
        return {h: round(rate * w * scale, 2) for h, w in HOURS.items()}

    return parse_profile({
        "services": {
            "HT": {"arrivals": arrivals(6), "service_minutes": {"mean": 8, "sd": 4},
                   "priority_share": 0.1, "appointment_share": 0.1, "no_show_share": 0.05},
            "CT": {"arrivals": arrivals(6), "service_minutes": {"mean": 5, "sd": 2}},
            "DD": {"arrivals": arrivals(2.5), "service_minutes": {"mean": 12, "sd": 6},
                   "appointment_share": 0.2},
        },
        "counters": [
            {"number": 1, "services": ["HT", "CT", "DD"], "priority": True},
            {"number": 2, "services": ["HT"], "staff": "staff2"},
            {"number": 3, "services": ["CT", "HT"], "staff": "staff3"},
            {"number": 4, "services": ["DD"], "hours": [["08:00", "11:30"], ["13:30", "16:00"]]},
        ],
    }, name="small")


@pytest.fixture
def small_profile():
    """small_profile(scale=1.0) → a Profile for the seeded centre (arrivals × scale)."""
    return _small_profile


@pytest.fixture
def run_day(app, seed):
    """run_day(seed=7) → SimulationResult of Monday 16/11/2026 at the seeded centre."""

    def run(rng_seed: int = 7, days=(MONDAY,), profile=None):
        return simulate(app.extensions["motcua"].session_factory, "test", profile or _small_profile(),
                        list(days), rng_seed)

    return run
