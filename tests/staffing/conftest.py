"""Three simulated days at the seeded test centre for the staffing report."""

from __future__ import annotations

import datetime as dt

import pytest

from queue_server.simulation.profile import parse_profile
from queue_server.simulation.run import simulate

HOURS = {"07": 0.6, "08": 1.6, "09": 1.8, "10": 1.3, "11": 0.5, "13": 0.5, "14": 1.0, "15": 1.0,
         "16": 0.5}


@pytest.fixture
def busy_weeks(app, seed):
    """Mon–Wed 16–18/11/2026 with an HT morning peak the counters cannot absorb."""
    profile = parse_profile({
        "services": {
            "HT": {"arrivals": {h: round(9 * w, 2) for h, w in HOURS.items()},
                   "service_minutes": {"mean": 9, "sd": 4}},
            "CT": {"arrivals": {h: round(4 * w, 2) for h, w in HOURS.items()},
                   "service_minutes": {"mean": 5, "sd": 2}},
            "DD": {"arrivals": {h: round(1.5 * w, 2) for h, w in HOURS.items()},
                   "service_minutes": {"mean": 12, "sd": 5}},
        },
        "counters": [
            {"number": 2, "services": ["HT"]},
            {"number": 3, "services": ["CT", "HT"]},
            {"number": 4, "services": ["DD"]},
        ],
    })
    days = [dt.date(2026, 11, 16) + dt.timedelta(days=i) for i in range(3)]
    return simulate(app.extensions["motcua"].session_factory, "test", profile, days, 5)
