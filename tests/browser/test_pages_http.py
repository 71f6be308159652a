"""The console and display pages over plain HTTP (no browser): display enrolment and its cookie,
who may see what, the announcement audio route, the console's overview, English pages."""

from __future__ import annotations

import wave
from io import BytesIO

import pytest
from support import need_tool

from queue_server.announce import spoken_text
from queue_server.auth import DEVICE_COOKIE


def cookie_header(response, name: str) -> str | None:
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def test_display_without_token_explains_enrolment(app, seed):
    client = app.test_client()
    r = client.get("/display")
    assert r.status_code == 401
    page = r.get_data(as_text=True)
    assert "motcua token add" in page and "/display?token=" in page


@pytest.mark.parametrize("token", ["nonsense", "kiosk", "agent2"])
def test_wrong_tokens_are_not_enrolled(app, seed, token):
    value = seed.tokens.get(token, token)
    r = app.test_client().get(f"/display?token={value}")
    assert r.status_code == 401
    assert cookie_header(r, DEVICE_COOKIE) is None
    assert "không hợp lệ" in r.get_data(as_text=True)


def test_enrolment_moves_the_token_into_a_long_lived_http_only_cookie(app, seed):
    client = app.test_client()
    r = client.get(f"/display?token={seed.tokens['display']}&lang=x")
    assert r.status_code == 302
    assert r.headers["Location"] == "/display?lang=x"
    cookie = cookie_header(r, DEVICE_COOKIE)
    assert cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    max_age = int(cookie.split("Max-Age=")[1].split(";")[0])
    assert max_age >= 365 * 86400
    r = client.get("/display")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Trung tâm test" in page and 'id="latest-number"' in page
    assert client.get("/display/counter/2").status_code == 200
    assert client.get("/display/counter/99").status_code == 404


def test_counter_display_also_accepts_its_agent_but_the_hall_does_not(app, seed):
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, seed.tokens["agent2"])
    assert client.get("/display/counter/2").status_code == 200
    assert client.get("/display").status_code == 401


def test_announcement_audio_needs_a_display_and_uses_the_centre_template(app, seed):
    need_tool("espeak-ng")
    svc = app.extensions["motcua"]
    template = "Mời số {number} đến quầy {counter}"
    with svc.uow() as uow:
        uow.repo.centre(seed.centre_id).settings = {"announcement": template}
        uow.commit()
    client = app.test_client()
    assert client.get("/display/announcements/A025/3.wav").status_code == 401
    client.set_cookie(DEVICE_COOKIE, seed.tokens["display"])
    r = client.get("/display/announcements/A025/3.wav")
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    assert "max-age" in r.headers["Cache-Control"]
    with wave.open(BytesIO(r.data)) as wav:
        assert wav.getnchannels() == 1 and wav.getnframes() / wav.getframerate() > 3
    expected = app.extensions["motcua_announce"].path_for(spoken_text(template, "A025", 3))
    assert expected.read_bytes() == r.data
    assert client.get("/display/announcements/A<b>/3.wav").status_code == 422
    assert client.get("/display/announcements/A025/0.wav").status_code == 422
    kiosk = app.test_client()
    kiosk.set_cookie(DEVICE_COOKIE, seed.tokens["kiosk"])
    assert kiosk.get("/display/announcements/A025/3.wav").status_code == 401


def login(app, seed, user="staff2"):
    client = app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = seed.users[user]
    return client


def test_console_needs_a_person(app, seed):
    r = app.test_client().get("/counter")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/counter")
    device = app.test_client()
    device.set_cookie(DEVICE_COOKIE, seed.tokens["display"])
    assert device.get("/counter").status_code == 302
    assert device.get("/counter/overview").status_code == 403
    page = login(app, seed).get("/counter")
    assert page.status_code == 200 and "Gọi số tiếp theo" in page.get_data(as_text=True)


def test_overview_has_current_ticket_waiting_list_and_todays_counts(app, seed, api_as):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    numbers = [kiosk.post("/tickets", {"service": "HT"}).json["number"] for _ in range(3)]
    kiosk.post("/tickets", {"service": "DD"})  # not a counter-2 service
    client = login(app, seed)
    body = client.get("/counter/overview").json
    assert body["held"] is None and body["counter"] is None
    assert {c["number"] for c in body["counters"]} == {1, 2, 3, 4}
    assert all(c["free"] for c in body["counters"])

    # staff2 opens counter 2 through the API with the session (CSRF header required)
    assert client.post(f"/api/v1/counters/{seed.counters[2]}/open").status_code == 400
    csrf = client.get("/counter").get_data(as_text=True).split('name="csrf-token" content="')[1]
    token = csrf.split('"')[0]
    r = client.post(f"/api/v1/counters/{seed.counters[2]}/open", headers={"X-CSRFToken": token})
    assert r.status_code == 200, r.json
    r = client.post(f"/api/v1/counters/{seed.counters[2]}/call-next", headers={"X-CSRFToken": token})
    assert r.json["number"] == numbers[0]
    client.post(f"/api/v1/counters/{seed.counters[2]}/call-next", headers={"X-CSRFToken": token})

    body = client.get("/counter/overview").json
    counter = body["counter"]
    assert body["held"] == seed.counters[2] and counter["mine"] and counter["status"] == "open"
    assert counter["current"]["number"] == numbers[1]
    assert [t["number"] for t in counter["waiting"]] == [numbers[2]]
    assert counter["today"] == {"served": 1, "no_show": 0, "cancelled": 0, "called": 2, "waiting": 1}
    # another staff member sees counter 2 as taken
    other = login(app, seed, "staff3").get("/counter/overview").json
    two = next(c for c in other["counters"] if c["number"] == 2)
    assert not two["free"] and not two["mine"]
    assert agent.get("/state").status_code == 200
    assert client.get("/counter/overview?counter=abc").status_code == 404
    assert client.get("/counter/overview?counter=99999").status_code == 404


def test_pages_in_english(app, seed):
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, seed.tokens["display"])
    page = client.get("/display", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Recent calls" in page and '"weekday_1": "Monday"' in page
    vi = client.get("/display", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Số vừa gọi" in vi
    console = login(app, seed).get("/counter", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Call next" in console and "Gọi số tiếp theo" not in console


def test_english_catalogue_is_complete_compiled_and_keeps_placeholders():
    import re
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "queue_server" / "translations"
    with open(folder / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        po = read_po(fh, locale="en")
    with open(folder / "en" / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        mo = read_mo(fh)
    with open(folder / "messages.pot", "rb") as fh:
        pot_ids = {m.id for m in read_po(fh) if m.id}
    placeholder = re.compile(r"%\(\w+\)s|%s")
    ids = {m.id for m in po if m.id}
    assert pot_ids <= ids, f"run pybabel update: {sorted(pot_ids - ids)[:5]}"
    for message in po:
        if not message.id:
            continue
        assert message.string, f"untranslated: {message.id}"
        assert sorted(placeholder.findall(message.id)) == sorted(placeholder.findall(message.string)), message.id
        assert mo.get(message.id) is not None and mo.get(message.id).string == message.string, \
            f"run pybabel compile: {message.id}"
