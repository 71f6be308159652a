"""The kiosk and phone pages over HTTP: enrolment with the token → cookie, what an unenrolled
screen says, the Origin check on cookie-authorised writes, the QR image, the public phone page
and booking page, English, and escaping of centre data."""

from __future__ import annotations

import json
import re

from queue_server.auth import DEVICE_COOKIE


def cookie_header(response, name: str) -> str | None:
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def kiosk_client(app, seed):
    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, seed.tokens["kiosk"])
    return client


def page_config(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="kiosk-config">(.*?)</script>', html, re.S)
    return json.loads(raw.group(1))


def test_enrolment_moves_the_token_into_a_cookie(app, seed):
    client = app.test_client()
    r = client.get("/kiosk")
    assert r.status_code == 401
    text = r.get_data(as_text=True)
    assert "Kiosk này chưa được đăng ký" in text and "--role kiosk" in text
    for bad in ("nope", seed.tokens["display"], seed.tokens["agent1"]):
        r = client.get(f"/kiosk?token={bad}")
        assert r.status_code == 401 and cookie_header(r, DEVICE_COOKIE) is None
        assert "không phải mã kiosk" in r.get_data(as_text=True)
    r = client.get(f"/kiosk?token={seed.tokens['kiosk']}&lang=en")
    assert r.status_code == 302 and r.headers["Location"] == "/kiosk?lang=en"
    cookie = cookie_header(r, DEVICE_COOKIE)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    page = client.get("/kiosk")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    for label in ("Tra cứu thủ tục", "Lấy số thứ tự", "Khai tờ khai", "Quét hồ sơ", "Tôi đã đặt lịch"):
        assert label in html
    config = page_config(html)
    assert config["idle_seconds"] == 90 and config["idle_warning_seconds"] == 10
    assert [g["code"] for g in config["priority_groups"]] == ["elderly", "pregnant", "disability",
                                                               "merit", "child"]
    assert page_config(client.get("/kiosk?idle_seconds=7").get_data(as_text=True))["idle_seconds"] == 7
    assert page_config(client.get("/kiosk?idle_seconds=x").get_data(as_text=True))["idle_seconds"] == 90
    english = client.get("/kiosk?lang=en").get_data(as_text=True)
    assert "Look up a procedure" in english and "Elderly person" in english


def test_cookie_writes_need_this_servers_origin(app, seed):
    client = kiosk_client(app, seed)
    body = {"service": "HT"}
    r = client.post("/api/v1/tickets", json=body)
    assert r.status_code == 403 and r.json["error"]["code"] == "csrf"
    r = client.post("/api/v1/tickets", json=body, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/v1/tickets", json=body, headers={"Origin": "http://localhost"})
    assert r.status_code == 201, r.json
    r = client.post("/api/v1/tickets", json=body, headers={"Referer": "http://localhost/kiosk"})
    assert r.status_code == 201
    assert client.get("/api/v1/services").status_code == 200  # reads need no Origin
    bearer = app.test_client().post("/api/v1/tickets", json=body,
                                    headers={"Authorization": f"Bearer {seed.tokens['kiosk']}"})
    assert bearer.status_code == 201  # devices with a token are not browsers


def test_qr_image_of_the_tracking_link(app, seed):
    client = kiosk_client(app, seed)
    ticket = client.post("/api/v1/tickets", json={"service": "HT"},
                         headers={"Origin": "http://localhost"}).json
    code = ticket["tracking_url"].rsplit("/t/", 1)[1]
    r = client.get(f"/kiosk/qr/{code}.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    assert b"<svg" in r.data and b"<path" in r.data
    assert client.get(f"/kiosk/qr/{ticket['id']}-000000000000.svg").status_code == 404
    assert client.get(f"/kiosk/qr/{'0' * 16}.svg").status_code == 404
    assert app.test_client().get(f"/kiosk/qr/{code}.svg").status_code == 401


def test_phone_page_is_public_and_checks_its_code(app, seed):
    kiosk = kiosk_client(app, seed)
    ticket = kiosk.post("/api/v1/tickets", json={"service": "HT"},
                        headers={"Origin": "http://localhost"}).json
    assert ticket["tracking_url"].startswith(f"{app.config['PUBLIC_URL']}/t/")
    code = ticket["tracking_url"].rsplit("/t/", 1)[1]
    phone = app.test_client()
    r = phone.get(f"/t/{code}")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    html = r.get_data(as_text=True)
    assert f'data-code="{code}"' in html and "kiosk-track.js" in html
    assert ticket["number"] not in html  # drawn by the script from the API, not baked in
    missing = phone.get(f"/t/{ticket['id']}")
    assert missing.status_code == 404 and "quét lại mã QR" in missing.get_data(as_text=True)
    for bad in (f"/t/{'0' * 16}", f"/t/{code}x", f"/q/{ticket['id']}-000000000000",
                f"/q/{ticket['id']}", f"/q/{code}x"):
        assert phone.get(bad).status_code == 404, bad
    typed = phone.get(f"/t/{code.upper()}?lang=en")  # typed off the screen: the page's own link
    assert typed.status_code == 302 and typed.headers["Location"] == f"/t/{code}?lang=en"
    old = app.extensions["motcua_links"].legacy_code(ticket["id"])  # printed before the codes
    assert phone.get(f"/q/{old}").headers["Location"] == f"/t/{code}"
    assert "Your ticket number" in phone.get(f"/t/{code}?lang=en").get_data(as_text=True)


def test_booking_page_is_public(app, seed):
    app.config["CENTRE_CODE"] = "test"
    r = app.test_client().get("/dat-lich")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Đặt lịch hẹn" in html and "Hộ tịch" in html and "kiosk-booking.js" in html


def test_centre_data_is_escaped(app, seed):
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        uow.repo.centre(seed.centre_id).name = '<img src=x onerror="alert(1)">'
        uow.commit()
    html = kiosk_client(app, seed).get("/kiosk").get_data(as_text=True)
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=" in html


def test_kiosk_scripts_never_insert_html():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "static" / "js"
    scripts = sorted(root.glob("kiosk*.js"))
    assert {p.name for p in scripts} >= {"kiosk.js", "kiosk-track.js", "kiosk-booking.js"}
    for script in scripts:
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script.name, sink)


def test_spoken_hints_are_fixed_sentences_per_screen(app, seed):
    import wave
    from io import BytesIO

    from support import need_tool

    need_tool("espeak-ng")
    client = kiosk_client(app, seed)
    r = client.get("/kiosk/hints/home.wav")
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    with wave.open(BytesIO(r.data)) as wav:
        assert wav.getnframes() / wav.getframerate() > 2
    english = client.get("/kiosk/hints/home.wav?lang=en")
    assert english.status_code == 200 and english.data != r.data
    assert client.get("/kiosk/hints/other.wav").status_code == 404
    assert app.test_client().get("/kiosk/hints/home.wav").status_code == 401
