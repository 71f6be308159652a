"""The wait prediction follows the call policy's priority rule: a ticket's group counts only in a
service (or at a counter) that accepts it, so a transferred elderly citizen is not promised a
place ahead of the people actually called before them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from queue_server.domain.model import TicketStatus
from queue_server.domain.settings import CentreSettings
from queue_server.prediction.situation import build_situation

NOW = dt.datetime(2026, 11, 18, 2, 0, tzinfo=dt.UTC)
HT, CT = 1, 2


def waiting(id, service_id, minute, priority=None, target=None):
    return SimpleNamespace(id=id, service_id=service_id, issued_at=NOW + dt.timedelta(minutes=minute),
                           priority=priority, appointment_at=None, target_counter_id=target,
                           status=TicketStatus.WAITING, counter_id=None, called_at=None)


def open_counter(id, *service_ids):
    return [SimpleNamespace(id=id, priority=False, priority_streak=0, service_id=s)
            for s in service_ids]


ROWS = {
    "live": [waiting(1, HT, -9, "elderly"), waiting(2, CT, -8, "elderly"),
             waiting(3, HT, -7, "elderly", target=11), waiting(4, HT, -6, "elderly", target=10),
             waiting(5, CT, -5)],
    "ended": [],
    "counters": [*open_counter(10, HT, CT), *open_counter(11, CT)],
}


def test_situation_marks_priority_only_where_the_service_and_counter_accept_it():
    settings = CentreSettings()
    everyone = frozenset(settings.priority_groups)
    s = build_situation(ROWS, settings, NOW, accepted={HT: everyone, CT: frozenset()})
    marked = {w.id: w.priority for w in s.waiting}
    # HT takes elderly; CT takes none; counter 11 serves only CT, counter 10 also HT.
    assert marked == {1: True, 2: False, 3: False, 4: True, 5: False}
    assert s.priority_of("elderly", CT) is False and s.priority_of("elderly", HT) is True
    assert s.priority_of("elderly", HT, 11) is False
    # Without the services' settings every service takes every group of the centre (as before).
    unknown = build_situation(ROWS, settings, NOW)
    assert [w.priority for w in unknown.waiting] == [True, True, True, True, False]


# --- end to end: the estimate the citizen's phone shows after a transfer ------------------------

def set_service(app, seed, code, **values):
    with app.extensions["motcua"].uow() as uow:
        service = uow.repo.service_by_code(seed.centre_id, code)
        for k, v in values.items():
            setattr(service, k, v)
        uow.commit()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@pytest.mark.parametrize("ct_takes_priority", [False, True])
def test_estimate_and_call_after_a_transfer_follow_the_new_services_priority_setting(
        app, seed, api_as, clock, ct_takes_priority):
    set_service(app, seed, "CT", priority_enabled=ct_takes_priority)
    kiosk, agent2, agent3 = api_as("kiosk"), api_as("agent2"), api_as("agent3")
    normal = kiosk.post("/tickets", json={"service": "CT"}).json
    clock.advance(minutes=1)
    elderly = kiosk.post("/tickets", json={"service": "HT", "priority": "elderly"}).json
    for agent, number in ((agent2, 2), (agent3, 3)):
        assert agent.post(f"/counters/{seed.counters[number]}/open").status_code == 200
    # Counter 2 serves only HT; counter 3 serves CT and HT and is free.
    assert agent2.post(f"/counters/{seed.counters[2]}/call-next").json["id"] == elderly["id"]
    clock.advance(seconds=30)
    moved = agent2.post(f"/tickets/{elderly['id']}/transfer", json={"service": "CT"}).json
    assert moved["service"] == "CT" and moved["priority"] == "elderly"
    assert moved["people_ahead"] == (0 if ct_takes_priority else 1)
    # Where CT takes priority the citizen is called at once; where it does not, after the one
    # ahead (10 minutes by the default pace).
    assert moved["estimated_wait_minutes"] == (0 if ct_takes_priority else 10)
    first = agent3.post(f"/counters/{seed.counters[3]}/call-next").json
    assert first["id"] == (elderly["id"] if ct_takes_priority else normal["id"])
