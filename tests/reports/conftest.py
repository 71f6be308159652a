"""A simulated morning at the seeded centre, driven through the real API with the test clock:
kiosks issue, staff (sessions) and agents (tokens) call, serve, skip, transfer and finish,
citizens rate. The test keeps its own record of what happened, to check the metrics against."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

import pytest
from support import HCM, Api


class Session(Api):
    """A person logged in through the real /login form (CSRF header on writes)."""

    def __init__(self, client, username: str, password: str):
        super().__init__(client)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": token, "username": username,
                                        "password": password})
        assert r.status_code == 302, (username, r.status_code)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        self.headers = {"X-CSRFToken": meta.group(1)}


@dataclass
class Day:
    issued: dict[int, dict] = field(default_factory=dict)       # id → ticket body at issue
    first_call: dict[int, dt.datetime] = field(default_factory=dict)
    finished: dict[int, dt.datetime] = field(default_factory=dict)
    no_show: set[int] = field(default_factory=set)
    transferred: set[int] = field(default_factory=set)
    levels: dict[int, int] = field(default_factory=dict)
    end: dt.datetime | None = None


@pytest.fixture
def sim_day(app, seed, clock):
    """simulate(seed=1) → Day; the clock ends 90 minutes after 8:00 on Wednesday 18/11/2026."""

    def simulate(rng_seed: int = 1, start=dt.datetime(2026, 11, 18, 8, 0, tzinfo=HCM),
                 minutes: int = 90) -> Day:
        rng = random.Random(rng_seed)
        clock.set_local(start)
        kiosk = Api(app.test_client(), seed.tokens["kiosk"])
        actors = {1: Api(app.test_client(), seed.tokens["agent1"]),
                  2: Session(app.test_client(), "staff2", seed.password),
                  3: Session(app.test_client(), "staff3", seed.password),
                  4: Api(app.test_client(), seed.tokens["agent4"])}
        for number, who in actors.items():
            r = who.post(f"/counters/{seed.counters[number]}/open")
            assert r.status_code == 200, r.json
        day = Day()
        busy: dict[int, tuple[int, dt.datetime] | None] = dict.fromkeys(actors)
        for _ in range(minutes):
            now = clock()
            for code, p in (("HT", 0.35), ("CT", 0.3), ("DD", 0.15)):
                if rng.random() < p:
                    prio = "elderly" if rng.random() < 0.1 else None
                    r = kiosk.post("/tickets", json={"service": code, "priority": prio})
                    assert r.status_code == 201, r.json
                    day.issued[r.json["id"]] = r.json
            for number, who in actors.items():
                current = busy[number]
                if current is not None:
                    tid, until = current
                    if now < until:
                        continue
                    if rng.random() < 0.04:
                        r = who.post(f"/tickets/{tid}/transfer", json={"service": "CT"})
                        assert r.status_code == 200, r.json
                        day.transferred.add(tid)
                    else:
                        r = who.post(f"/tickets/{tid}/finish", json={"dossier_code": f"HS-{tid}"})
                        assert r.status_code == 200, r.json
                        day.finished[tid] = now
                        if rng.random() < 0.8:
                            level = rng.choices([3, 2, 1], weights=[6, 3, 1])[0]
                            body = {"level": level, "source": "tablet"}
                            if level == 1 and rng.random() < 0.5:
                                body["reason"] = "time"
                            r = who.post(f"/tickets/{tid}/rating", json=body)
                            assert r.status_code == 201, r.json
                            day.levels[tid] = level
                    busy[number] = None
                r = who.post(f"/counters/{seed.counters[number]}/call-next")
                if r.status_code == 204:
                    continue
                assert r.status_code == 200, r.json
                tid = r.json["id"]
                day.first_call.setdefault(tid, now)
                if rng.random() < 0.06:
                    r = who.post(f"/tickets/{tid}/skip")
                    assert r.status_code == 200, r.json
                    day.no_show.add(tid)
                    continue
                r = who.post(f"/tickets/{tid}/start")
                assert r.status_code == 200, r.json
                busy[number] = (tid, now + dt.timedelta(minutes=rng.randint(3, 14)))
            clock.advance(minutes=1)
        day.end = clock()
        return day

    return simulate


@pytest.fixture
def login(app, seed):
    """login("boss") → an Api over a fresh client logged in as that seeded user."""
    return lambda username: Session(app.test_client(), username, seed.password)
