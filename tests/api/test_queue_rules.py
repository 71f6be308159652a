"""The queue rules end to end through the API, with a clock the test controls."""

import datetime as dt

import pytest
from support import HCM, make_app, seed_centre

# Every rule holds on both databases.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def issue(kiosk, service="HT", **body):
    r = kiosk.post("/tickets", {"service": service, **body})
    assert r.status_code == 201, r.json
    return r.json


def open_counter(api, seed, number):
    r = api.post(f"/counters/{seed.counters[number]}/open")
    assert r.status_code == 200, r.json


def call(api, seed, number):
    return api.post(f"/counters/{seed.counters[number]}/call-next")


def set_service(app, seed, code, **values):
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        service = uow.repo.service_by_code(seed.centre_id, code)
        for k, v in values.items():
            setattr(service, k, v)
        uow.commit()


def set_settings(app, seed, **values):
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        centre = uow.repo.centre(seed.centre_id)
        centre.settings = {**centre.settings, **values}
        uow.commit()


# --- numbering ---------------------------------------------------------------------------------

def test_numbers_run_per_prefix(api_as):
    kiosk = api_as("kiosk")
    assert [issue(kiosk, "HT")["number"], issue(kiosk, "CT")["number"], issue(kiosk, "HT")["number"]] \
        == ["A001", "B001", "A002"]


def test_numbers_restart_each_local_day(api_as, clock):
    kiosk = api_as("kiosk")
    first = issue(kiosk)
    issue(kiosk)
    # 23:59 local is still the same day; 00:00 local next day restarts (UTC is 7 h behind).
    clock.set_local(dt.datetime(2026, 11, 19, 8, 0, tzinfo=HCM))
    assert issue(kiosk)["number"] == "A001"
    assert kiosk.get(f"/tickets/{first['id']}").json["number"] == "A001"


def test_numbering_survives_a_restart(app, seed, tmp_path, clock, database_url):
    kiosk_token = seed.tokens["kiosk"]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {kiosk_token}"}
    assert client.post("/api/v1/tickets", json={"service": "HT"}, headers=headers).json["number"] == "A001"
    app.extensions["motcua_engine"].dispose()
    again = make_app(database_url, tmp_path, clock)
    r = again.test_client().post("/api/v1/tickets", json={"service": "HT"}, headers=headers)
    assert r.json["number"] == "A002"
    again.extensions["motcua_engine"].dispose()


def test_daily_cap(app, seed, api_as):
    set_service(app, seed, "HT", daily_cap=2)
    kiosk = api_as("kiosk")
    issue(kiosk)
    issue(kiosk)
    r = kiosk.post("/tickets", {"service": "HT"})
    assert r.status_code == 409 and r.json["error"]["code"] == "cap_reached"
    assert "2" in r.json["error"]["message"]
    assert issue(kiosk, "CT")["number"] == "B001"


def test_ticketing_window_of_a_service(app, seed, api_as, clock):
    set_service(app, seed, "HT", windows=[["08:00", "10:00"]])
    kiosk = api_as("kiosk")
    issue(kiosk)
    clock.set_local(dt.datetime(2026, 11, 18, 10, 30, tzinfo=HCM))
    r = kiosk.post("/tickets", {"service": "HT"})
    assert r.status_code == 409 and r.json["error"]["code"] == "outside_hours"
    assert "08:00–10:00" in r.json["error"]["message"]
    assert issue(kiosk, "CT")["number"] == "B001"  # other services follow the opening hours


@pytest.mark.parametrize("local, code", [
    (dt.datetime(2026, 11, 21, 9, 0, tzinfo=HCM), "closed_day"),  # Saturday
    (dt.datetime(2026, 11, 18, 12, 0, tzinfo=HCM), "outside_hours"),  # lunch break
    (dt.datetime(2026, 11, 18, 17, 30, tzinfo=HCM), "outside_hours"),
])
def test_no_tickets_when_closed(api_as, clock, local, code):
    clock.set_local(local)
    r = api_as("kiosk").post("/tickets", {"service": "HT"})
    assert r.status_code == 409 and r.json["error"]["code"] == code


def test_public_holiday_is_closed(app, seed, api_as):
    set_settings(app, seed, calendar={"holidays": ["2026-11-18"]})
    r = api_as("kiosk").post("/tickets", {"service": "HT"})
    assert r.status_code == 409 and r.json["error"]["code"] == "closed_day"


def test_closing_time_cancels_waiting_tickets(app, api_as, clock, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    a, b = issue(kiosk), issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)  # a is called: only b still waits
    svc = app.extensions["motcua"]
    assert svc.close_due() == 0  # still open
    clock.set_local(dt.datetime(2026, 11, 18, 17, 0, tzinfo=HCM))
    assert svc.close_due() == 1
    got = kiosk.get(f"/tickets/{b['id']}").json
    assert got["status"] == "cancelled" and got["cancel_reason"] == "closed"
    assert kiosk.get(f"/tickets/{a['id']}").json["status"] == "called"
    assert svc.close_due() == 0


def test_closing_can_keep_waiting_tickets(app, api_as, clock, seed):
    set_settings(app, seed, close_action="keep")
    t = issue(api_as("kiosk"))
    clock.set_local(dt.datetime(2026, 11, 18, 18, 0, tzinfo=HCM))
    assert app.extensions["motcua"].close_due() == 0
    assert api_as("kiosk").get(f"/tickets/{t['id']}").json["status"] == "waiting"


# --- life cycle --------------------------------------------------------------------------------

def test_full_life_cycle_and_illegal_transitions(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    tid = t["id"]
    r = agent.post(f"/tickets/{tid}/finish")
    assert r.status_code == 409 and r.json["error"]["code"] == "illegal_transition"
    open_counter(agent, seed, 2)
    assert call(agent, seed, 2).json["status"] == "called"
    r = agent.post(f"/tickets/{tid}/recall")
    assert r.status_code == 200 and r.json["status"] == "called" and r.json["recall_count"] == 1
    assert agent.post(f"/tickets/{tid}/start").json["status"] == "serving"
    assert agent.post(f"/tickets/{tid}/skip").status_code == 409
    assert agent.post(f"/tickets/{tid}/recall").status_code == 409
    r = agent.post(f"/tickets/{tid}/finish", {"dossier_code": "000.00.12.H01-261118-0001"})
    assert r.json["status"] == "done" and r.json["dossier_code"] == "000.00.12.H01-261118-0001"
    for action in ("start", "finish", "skip", "cancel", "recall", "transfer"):
        r = agent.post(f"/tickets/{tid}/{action}", {"service": "CT"})
        assert r.status_code == 409, action


def test_recall_is_bounded(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    for n in (1, 2, 3):
        assert agent.post(f"/tickets/{t['id']}/recall").json["recall_count"] == n
    r = agent.post(f"/tickets/{t['id']}/recall")
    assert r.status_code == 409 and r.json["error"]["code"] == "recall_limit"


def test_finish_validates_dossier_code(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    r = agent.post(f"/tickets/{t['id']}/finish", {"dossier_code": "<script>"})
    assert r.status_code == 422 and "Mã hồ sơ" in r.json["error"]["message"]
    assert agent.get(f"/tickets/{t['id']}").json["status"] == "called"


def test_call_next_finishes_the_previous_ticket(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    a, b = issue(kiosk), issue(kiosk)
    open_counter(agent, seed, 2)
    assert call(agent, seed, 2).json["id"] == a["id"]
    assert call(agent, seed, 2).json["id"] == b["id"]
    assert agent.get(f"/tickets/{a['id']}").json["status"] == "done"


def test_paused_counter_cannot_call(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    issue(kiosk)
    open_counter(agent, seed, 2)
    assert agent.post(f"/counters/{seed.counters[2]}/pause").json["status"] == "paused"
    r = call(agent, seed, 2)
    assert r.status_code == 409 and r.json["error"]["code"] == "counter_not_open"
    open_counter(agent, seed, 2)
    assert call(agent, seed, 2).status_code == 200


def test_closing_a_counter_that_serves_is_refused(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    assert agent.post(f"/counters/{seed.counters[2]}/close").status_code == 409
    agent.post(f"/tickets/{t['id']}/finish")
    assert agent.post(f"/counters/{seed.counters[2]}/close").json["status"] == "closed"


def test_transfer_to_service_keeps_issue_time(api_as, seed, clock):
    kiosk, agent2, agent3 = api_as("kiosk"), api_as("agent2"), api_as("agent3")
    early = issue(kiosk, "HT")
    clock.advance(minutes=5)
    later = issue(kiosk, "CT")
    open_counter(agent2, seed, 2)
    open_counter(agent3, seed, 3)
    call(agent2, seed, 2)
    clock.advance(minutes=1)
    r = agent2.post(f"/tickets/{early['id']}/transfer", {"service": "CT"})
    assert r.status_code == 200
    assert r.json["status"] == "waiting" and r.json["service"] == "CT"
    assert r.json["issued_at"] == early["issued_at"] and r.json["number"] == "A001"
    # Counter 3 serves CT and HT: the transferred ticket still has the longest wait.
    assert call(agent3, seed, 3).json["id"] == early["id"]
    assert call(agent3, seed, 3).json["id"] == later["id"]


def test_transfer_to_a_counter_is_called_only_there(api_as, seed):
    kiosk, agent2, agent3 = api_as("kiosk"), api_as("agent2"), api_as("agent3")
    t = issue(kiosk, "HT")
    open_counter(agent2, seed, 2)
    open_counter(agent3, seed, 3)
    call(agent2, seed, 2)
    r = agent2.post(f"/tickets/{t['id']}/transfer", {"counter": 3})
    assert r.status_code == 200 and r.json["status"] == "waiting"
    assert call(agent2, seed, 2).status_code == 204
    assert call(agent3, seed, 3).json["id"] == t["id"]


def test_transfer_needs_exactly_one_destination(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    for body in ({}, {"service": "CT", "counter": 3}, {"service": "XX"}, {"counter": 99},
                 {"counter": "3"}):
        r = agent.post(f"/tickets/{t['id']}/transfer", body)
        assert 400 <= r.status_code < 500 and r.json["error"]["message"], body
    assert agent.get(f"/tickets/{t['id']}").json["status"] == "called"


def test_no_show_can_be_requeued_within_the_window(api_as, seed, clock):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    assert agent.post(f"/tickets/{t['id']}/skip").json["status"] == "no_show"
    clock.advance(minutes=10)
    r = kiosk.post(f"/tickets/{t['id']}/requeue")
    assert r.status_code == 200 and r.json["status"] == "waiting"
    assert r.json["issued_at"] == t["issued_at"]
    assert call(agent, seed, 2).json["id"] == t["id"]
    agent.post(f"/tickets/{t['id']}/skip")
    clock.advance(minutes=31)
    r = kiosk.post(f"/tickets/{t['id']}/requeue")
    assert r.status_code == 409 and r.json["error"]["code"] == "requeue_expired"


def test_cancel_a_waiting_ticket_from_its_counter(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    r = agent.post(f"/tickets/{t['id']}/cancel", {"reason": "left"})
    assert r.json["status"] == "cancelled" and r.json["cancel_reason"] == "left"
    assert call(agent, seed, 2).status_code == 204


# --- priority ----------------------------------------------------------------------------------

def test_priority_interleave_never_starves_normal_tickets(api_as, seed, clock):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    normal = issue(kiosk)
    prio = []
    for group in ("elderly", "disability", "pregnant"):
        clock.advance(minutes=1)
        prio.append(issue(kiosk, priority=group))
    open_counter(agent, seed, 2)
    order = [call(agent, seed, 2).json["id"] for _ in range(4)]
    assert order == [prio[0]["id"], prio[1]["id"], normal["id"], prio[2]["id"]]


def test_priority_counter_takes_priority_first(api_as, seed, clock):
    kiosk, agent = api_as("kiosk"), api_as("agent1")
    issue(kiosk)
    clock.advance(minutes=1)
    p = [issue(kiosk, priority="merit") for _ in range(3)]
    open_counter(agent, seed, 1)
    assert [call(agent, seed, 1).json["id"] for _ in range(3)] == [t["id"] for t in p]


def test_unknown_priority_group_is_refused(api_as):
    r = api_as("kiosk").post("/tickets", {"service": "HT", "priority": "vip"})
    assert r.status_code == 422 and "elderly" in r.json["error"]["message"]


def test_checked_in_appointment_is_called_first(api_as, seed, clock):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    issue(kiosk, priority="elderly")
    slot = (clock() + dt.timedelta(minutes=5)).isoformat()
    booked = issue(kiosk, appointment_at=slot)
    open_counter(agent, seed, 2)
    assert call(agent, seed, 2).json["id"] == booked["id"]


# --- ratings -----------------------------------------------------------------------------------

def served(api_as, seed, clock):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    agent.post(f"/tickets/{t['id']}/finish", {"dossier_code": "HS-1"})
    return t, agent


def test_rating_within_window_and_replacement(api_as, seed, clock):
    t, agent = served(api_as, seed, clock)
    pressed = clock() + dt.timedelta(seconds=5)
    r = agent.post(f"/tickets/{t['id']}/rating", {"level": 1, "pressed_at": pressed.isoformat(),
                                                  "reason": "attitude"},
                   headers={"Idempotency-Key": "k1"})
    assert r.status_code == 201 and r.json["level"] == 1 and r.json["replaced"] is False
    r = agent.post(f"/tickets/{t['id']}/rating",
                   {"level": 3, "pressed_at": (pressed + dt.timedelta(seconds=3)).isoformat()},
                   headers={"Idempotency-Key": "k2"})
    assert r.status_code == 200 and r.json["level"] == 3 and r.json["replaced"] is True
    # Replaying the first key changes nothing and answers as the first time.
    r = agent.post(f"/tickets/{t['id']}/rating", {"level": 1, "pressed_at": pressed.isoformat()},
                   headers={"Idempotency-Key": "k1"})
    assert r.status_code == 201 and r.json["level"] == 1
    events = api_as("reports").get("/events?limit=100").json["items"]
    rated = [e for e in events if e["type"] == "ticket.rated"]
    assert [e["level"] for e in rated] == [1, 3]


def test_rating_after_the_window_is_refused_but_buffered_presses_count(api_as, seed, clock):
    t, agent = served(api_as, seed, clock)
    finished = clock()
    clock.advance(minutes=10)  # the device was offline; it sends the press it buffered
    r = agent.post(f"/tickets/{t['id']}/rating",
                   {"level": 2, "pressed_at": (finished + dt.timedelta(seconds=20)).isoformat()})
    assert r.status_code == 201
    r = agent.post(f"/tickets/{t['id']}/rating",
                   {"level": 2, "pressed_at": (finished + dt.timedelta(seconds=31)).isoformat()})
    assert r.status_code == 409 and r.json["error"]["code"] == "rating_window_closed"


@pytest.mark.parametrize("body, status", [
    ({"level": 4}, 422), ({"level": "3"}, 422), ({"level": True}, 422),
    ({"level": 3, "reason": "weather"}, 422), ({"level": 3, "pressed_at": "yesterday"}, 422),
])
def test_bad_ratings_are_refused(api_as, seed, clock, body, status):
    t, agent = served(api_as, seed, clock)
    r = agent.post(f"/tickets/{t['id']}/rating", body)
    assert r.status_code == status and r.json["error"]["message"]


def test_unfinished_ticket_cannot_be_rated(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    t = issue(kiosk)
    open_counter(agent, seed, 2)
    call(agent, seed, 2)
    r = agent.post(f"/tickets/{t['id']}/rating", {"level": 3})
    assert r.status_code == 409


# --- events ------------------------------------------------------------------------------------

def test_events_record_every_change_with_offsets_and_paging(api_as, seed, clock):
    t, agent = served(api_as, seed, clock)
    reports = api_as("reports")
    items = reports.get("/events").json["items"]
    types = [e["type"] for e in items]
    assert types == ["ticket.issued", "counter.changed", "ticket.called", "ticket.finished"]
    called = items[2]
    assert called["counter"] == 2 and called["ticket_id"] == t["id"] and called["actor"] == "device:agent2"
    assert called["at"].endswith("+07:00") and called["centre"] == "test"
    page = reports.get("/events?limit=2").json
    assert len(page["items"]) == 2 and page["next"] == items[1]["id"]
    rest = reports.get(f"/events?after={page['next']}").json
    assert [e["id"] for e in rest["items"]] == [e["id"] for e in items[2:]] and rest["next"] is None
    # A time without offset is local time; `to` is exclusive.
    assert reports.get("/events?from=2026-11-18T09:00:00&to=2026-11-18T09:00:01").json["items"]
    assert not reports.get("/events?from=2026-11-18T09:00:01").json["items"]
    assert reports.get("/events?limit=0").status_code == 422


def test_second_centre_sees_nothing_of_the_first(app, api_as, seed):
    other = seed_centre(app, code="other", suffix="-o")
    issue(api_as("kiosk"))
    from support import Api

    foreign = Api(app.test_client(), other.tokens["reports"])
    assert foreign.get("/events").json["items"] == []
    t = issue(Api(app.test_client(), other.tokens["kiosk"]))
    assert t["number"] == "A001"
    assert api_as("kiosk").get(f"/tickets/{t['id']}").status_code == 404
