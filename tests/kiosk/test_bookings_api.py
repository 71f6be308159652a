"""Bookings over the real API and database: slots and capacity, one active booking per ID
number (kept only as a keyed hash), the check-in window, and clear 4xx answers for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from support import HCM, Api

from queue_server.store.tables import bookings as t_bookings

ID_A, ID_B, ID_C = "001190012345", "079085001122", "036200009876"
THURSDAY = "2026-11-19"  # the clock starts on Wednesday 2026-11-18 09:00 local


def slot(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+07:00"


EIGHT = slot(THURSDAY, "08:00")


@pytest.fixture
def public(app, seed):
    return Api(app.test_client())


def book(public, id_number, at=EIGHT, service="HT"):
    return public.post("/bookings?centre=test", {"service": service, "slot": at, "id_number": id_number})


def set_rules(app, seed, **rules):
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        centre = uow.repo.centre(seed.centre_id)
        centre.settings = {**(centre.settings or {}), "bookings": rules}
        uow.commit()


def test_slots_follow_opening_hours_and_count_what_is_left(public, app, seed):
    set_rules(app, seed, capacity=2, slot_minutes=30)
    r = public.get(f"/bookings/slots?centre=test&service=HT&date={THURSDAY}")
    assert r.status_code == 200, r.json
    starts = [s["start"] for s in r.json["slots"]]
    # 07:30–11:30 and 13:30–17:00 in 30-minute slots: 8 + 7
    assert len(starts) == 15
    assert starts[0] == "2026-11-19T07:30+07:00" and starts[-1] == "2026-11-19T16:30+07:00"
    assert "2026-11-19T12:00+07:00" not in starts
    assert book(public, ID_A, slot(THURSDAY, "07:30")).status_code == 201
    r = public.get(f"/bookings/slots?centre=test&service=HT&date={THURSDAY}")
    first = r.json["slots"][0]
    assert (first["capacity"], first["available"]) == (2, 1)
    # today: past slots are not offered; Saturday: none at all
    today = public.get("/bookings/slots?centre=test&service=HT&date=2026-11-18").json["slots"]
    assert today and all(s["start"] > "2026-11-18T09:00" for s in today)
    assert public.get("/bookings/slots?centre=test&service=HT&date=2026-11-21").json["slots"] == []


def test_capacity_is_never_exceeded(public, app, seed):
    set_rules(app, seed, capacity=2)
    assert book(public, ID_A).status_code == 201
    assert book(public, ID_B).status_code == 201
    full = book(public, ID_C)
    assert full.status_code == 409 and full.json["error"]["code"] == "slot_full"
    # another service has its own capacity
    assert book(public, ID_C, service="CT").status_code == 201


def test_one_active_booking_per_id_number_and_cancel_frees_it(public, app, seed):
    first = book(public, ID_A)
    assert first.status_code == 201
    code = first.json["code"]
    assert len(code) == 6 and first.json["status"] == "booked"
    again = book(public, " 001 190 012 345", slot(THURSDAY, "09:00"))  # same person, spaced
    assert again.status_code == 409 and again.json["error"]["code"] == "already_booked"
    assert code in again.json["error"]["message"]
    wrong = public.post(f"/bookings/{code}/cancel", {"id_number": ID_B})
    assert wrong.status_code == 404
    r = public.post(f"/bookings/{code}/cancel", {"id_number": ID_A})
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    assert book(public, ID_A, slot(THURSDAY, "09:00")).status_code == 201
    assert public.get(f"/bookings/{code}").json["status"] == "cancelled"


def test_the_id_number_is_stored_only_as_a_keyed_hash(public, app, seed):
    code = book(public, ID_A).json["code"]
    with app.extensions["motcua"].uow() as uow:
        rows = uow.session.execute(select(t_bookings)).all()
    assert len(rows) == 1
    stored = " ".join(str(v) for v in rows[0])
    assert ID_A not in stored and code in stored
    import hashlib

    assert hashlib.sha256(ID_A.encode()).hexdigest() not in stored  # keyed, not a bare hash
    body = public.get(f"/bookings/{code}").json
    assert ID_A not in str(body) and "id_hash" not in body


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_check_in_window_and_ticket_with_appointment(app, seed, clock, public, api_as):
    kiosk = api_as("kiosk")
    code = book(public, ID_A, slot(THURSDAY, "08:00")).json["code"]
    clock.set_local(dt.datetime(2026, 11, 19, 6, 59, tzinfo=HCM))  # 61 minutes early
    early = kiosk.post("/bookings/check-in", {"code": code})
    assert early.status_code == 409 and early.json["error"]["code"] == "too_early"
    assert "07:00" in early.json["error"]["message"]
    clock.set_local(dt.datetime(2026, 11, 19, 7, 45, tzinfo=HCM))
    r = kiosk.post("/bookings/check-in", {"code": code.lower()})
    assert r.status_code == 201, r.json
    ticket = r.json
    assert ticket["number"] == "A001" and ticket["appointment_at"] == "2026-11-19T08:00:00+07:00"
    assert ticket["tracking_url"]
    # checking in twice shows the same ticket, no second number
    again = kiosk.post("/bookings/check-in", {"id_number": ID_A})
    assert again.status_code == 200 and again.json["id"] == ticket["id"]
    assert public.get(f"/bookings/{code}").json["status"] == "checked_in"
    # a walk-in issued later is called after the appointment inside its grace window
    kiosk.post("/tickets", {"service": "HT"})
    staff = api_as("agent2")
    assert staff.post(f"/counters/{seed.counters[2]}/open").status_code == 200
    clock.set_local(dt.datetime(2026, 11, 19, 8, 0, tzinfo=HCM))
    assert staff.post(f"/counters/{seed.counters[2]}/call-next").json["number"] == "A001"


def test_check_in_after_the_grace_window_is_refused(app, seed, clock, public, api_as):
    code = book(public, ID_B, slot(THURSDAY, "08:00")).json["code"]
    clock.set_local(dt.datetime(2026, 11, 19, 8, 16, tzinfo=HCM))  # grace is 15 minutes
    r = api_as("kiosk").post("/bookings/check-in", {"code": code})
    assert r.status_code == 409 and r.json["error"]["code"] == "booking_expired"
    assert public.get(f"/bookings/{code}").json["status"] == "expired"
    # an expired booking no longer blocks a new one for the same person
    assert book(public, ID_B, slot(THURSDAY, "09:00")).status_code == 201


def test_check_in_needs_a_kiosk_or_staff(public, api_as):
    code = book(public, ID_A).json["code"]
    assert public.post("/bookings/check-in", {"code": code}).status_code == 401
    assert api_as("display").post("/bookings/check-in", {"code": code}).status_code == 403


BAD_BOOKINGS = [
    ({"service": "HT", "slot": slot(THURSDAY, "08:00"), "id_number": "12345"}, 422),
    ({"service": "HT", "slot": slot(THURSDAY, "08:00"), "id_number": 1234567890123}, 422),
    ({"service": "HT", "slot": slot(THURSDAY, "08:00")}, 422),
    ({"service": "HT", "slot": "tomorrow", "id_number": ID_A}, 422),
    ({"service": "HT", "slot": slot(THURSDAY, "08:10"), "id_number": ID_A}, 422),  # not a slot start
    ({"service": "HT", "slot": slot(THURSDAY, "12:00"), "id_number": ID_A}, 422),  # lunch break
    ({"service": "ZZ", "slot": slot(THURSDAY, "08:00"), "id_number": ID_A}, 404),
    ({"service": "HT", "slot": slot("2026-11-18", "08:00"), "id_number": ID_A}, 409),  # past
    ({"service": "HT", "slot": slot("2027-01-20", "08:00"), "id_number": ID_A}, 409),  # too far
    ({"service": ["HT"], "slot": slot(THURSDAY, "08:00"), "id_number": ID_A}, 422),
]


def test_bad_bookings_get_a_clear_4xx(public):
    for body, status in BAD_BOOKINGS:
        r = public.post("/bookings?centre=test", body)
        assert r.status_code == status, (body, r.json)
        assert r.json["error"]["message"]


def test_bad_codes_queries_and_check_ins(public, api_as):
    assert public.get("/bookings/ABC").status_code == 422
    assert public.get("/bookings/KKKKKK").status_code == 404
    assert public.get("/bookings/slots?centre=test&service=HT&date=19-11-2026").status_code == 422
    assert public.get("/bookings/slots?centre=test&service=HT").status_code == 422
    assert public.get(f"/bookings/slots?centre=nope&service=HT&date={THURSDAY}").status_code == 404
    kiosk = api_as("kiosk")
    assert kiosk.post("/bookings/check-in", {}).status_code == 422
    assert kiosk.post("/bookings/check-in", {"code": "KKKKKK", "id_number": ID_A}).status_code == 422
    assert kiosk.post("/bookings/check-in", {"id_number": ID_C}).status_code == 404
    assert public.post("/bookings?centre=test", data="[1]",
                       headers={"Content-Type": "application/json"}).status_code == 422


def test_booking_is_rate_limited(public):
    answers = [book(public, f"0011900{i:05d}", slot(THURSDAY, "14:00")).status_code for i in range(12)]
    assert answers.count(429) == 2 and 201 in answers


def test_the_id_hash_is_erased_a_day_after_the_slot(public, app, seed, clock):
    book(public, ID_A)
    clock.set_local(dt.datetime(2026, 11, 20, 9, 0, tzinfo=HCM))  # Friday, > 1 day after
    assert book(public, ID_B, slot("2026-11-20", "14:00")).status_code == 201
    with app.extensions["motcua"].uow() as uow:
        hashes = dict(uow.session.execute(select(t_bookings.c.slot_at, t_bookings.c.id_hash)).all())
    old, new = sorted(hashes)
    assert hashes[old] == "" and len(hashes[new]) == 64
