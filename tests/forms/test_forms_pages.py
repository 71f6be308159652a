"""The wizard and staff pages over HTTP: enrolment, form choice, procedure links, staff lookups."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from support import HCM, Seed

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/validation_cases.json")
                  .read_text())
BIRTH = {**DATA["valid"]["khai-sinh"], "child_birth_date": "05/09/2026"}


def login(app, username="staff2"):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": Seed.password}).status_code == 302
    client.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    return client


@pytest.fixture
def kiosk(app, seed):
    client = app.test_client()
    r = client.get(f"/kiosk/forms?token={seed.tokens['kiosk']}")
    assert r.status_code == 302 and r.headers["Location"] == "/kiosk/forms"
    return client


def make_draft(app, seed, **extra) -> dict:
    r = app.test_client().post("/api/v1/drafts", json={"form": "khai-sinh", "data": BIRTH, **extra},
                               headers={"Authorization": f"Bearer {seed.tokens['kiosk']}"})
    assert r.status_code == 201, r.get_json()
    return r.json


def test_kiosk_pages_need_the_kiosk(app, seed):
    client = app.test_client()
    assert client.get("/kiosk/forms").status_code == 401
    assert client.get(f"/kiosk/forms?token={seed.tokens['display']}").status_code == 401
    assert client.get("/kiosk/forms/khai-sinh").status_code == 401


def test_choose_a_form(kiosk):
    page = kiosk.get("/kiosk/forms")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    links = re.findall(r'href="(/kiosk/forms/[^"]+)"', page.text)
    assert links == ["/kiosk/forms/khai-sinh", "/kiosk/forms/ket-hon", "/kiosk/forms/ct01",
                     "/kiosk/forms/ho-kinh-doanh"]
    assert "?ticket=7" in kiosk.get("/kiosk/forms?ticket=7").text


@pytest.mark.parametrize(("query", "target"), [
    ("procedure=1.001193", "/kiosk/forms/khai-sinh"),
    ("procedure=1.004222&ticket=5", "/kiosk/forms/ct01?ticket=5"),
    ("procedure=1.001612&ticket=abc", "/kiosk/forms/ho-kinh-doanh"),
])
def test_a_procedure_opens_its_form(kiosk, query, target):
    r = kiosk.get(f"/kiosk/forms?{query}")
    assert r.status_code == 302 and r.headers["Location"] == target


def test_unknown_procedure_shows_the_list(kiosk):
    assert kiosk.get("/kiosk/forms?procedure=9.999999").status_code == 200


def test_wizard_page_carries_the_definition(kiosk):
    page = kiosk.get("/kiosk/forms/khai-sinh?ticket=12")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    config = json.loads(re.search(r'<script type="application/json" id="forms-config">(.*?)</script>',
                                  page.text, re.S).group(1))
    assert config["form"]["code"] == "khai-sinh" and config["ticket_id"] == 12
    assert config["home_url"] == "/kiosk" and 5 <= config["idle_seconds"] <= 3600
    assert "không được lưu" in config["notice"]
    for script in ("vnkeyboard.js", "forms-cccd.js", "forms-validate.js", "forms.js"):
        assert script in page.text
    assert kiosk.get("/kiosk/forms/nope").status_code == 404


def test_staff_pages_need_a_person(app, seed, kiosk):
    anon = app.test_client()
    r = anon.get("/counter/drafts/ABCDEF")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert kiosk.get("/counter/drafts").status_code == 302  # a kiosk cookie is not a person


def test_staff_lookup(app, seed):
    made = make_draft(app, seed)
    staff = login(app)
    assert staff.get("/counter/drafts").status_code == 200
    bad = staff.get("/counter/drafts?code=12")
    assert bad.status_code == 404 and "6 ký tự" in bad.text
    r = staff.get(f"/counter/drafts?code={made['display_code'].lower()}")
    assert r.status_code == 302 and r.headers["Location"] == f"/counter/drafts/{made['code']}"
    page = staff.get(r.headers["Location"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'data-field="child_name">TRẦN MINH KHÔI<' in page.text
    assert made["pdf_url"] in page.text
    missing = staff.get("/counter/drafts/AAAAAA")
    assert missing.status_code == 404 and "Không có tờ khai" in missing.text


def test_expired_draft_page(app, seed, clock):
    made = make_draft(app, seed)
    staff = login(app)
    clock.set_local(dt.datetime(2026, 11, 19, 0, 1, tzinfo=HCM))
    page = staff.get(f"/counter/drafts/{made['code']}")
    assert page.status_code == 410 and "hết hạn" in page.text


def test_current_ticket_draft(app, seed):
    staff = login(app)
    none = staff.get("/counter/drafts/current")
    assert none.status_code == 404 and "chưa gọi số" in none.text
    kiosk = app.test_client()
    headers = {"Authorization": f"Bearer {seed.tokens['kiosk']}"}
    ticket = kiosk.post("/api/v1/tickets", json={"service": "HT"}, headers=headers).json
    c2 = seed.counters[2]
    assert staff.post(f"/api/v1/counters/{c2}/open", headers={"X-CSRFToken": staff.csrf}).status_code == 200
    called = staff.post(f"/api/v1/counters/{c2}/call-next", headers={"X-CSRFToken": staff.csrf})
    assert called.json["id"] == ticket["id"]
    without = staff.get("/counter/drafts/current")
    assert without.status_code == 404 and ticket["number"] in without.text
    made = make_draft(app, seed, ticket_id=ticket["id"])
    r = staff.get("/counter/drafts/current")
    assert r.status_code == 302 and r.headers["Location"] == f"/counter/drafts/{made['code']}"


def test_console_has_the_forms_panel(app, seed):
    page = login(app).get("/counter").text
    assert 'id="drafts-panel"' in page and 'href="/counter/drafts/current"' in page
    assert 'action="/counter/drafts"' in page
