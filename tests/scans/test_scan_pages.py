"""The scanning pages over HTTP: who sees them, what they carry."""

from __future__ import annotations

import json
import re

from support import Seed


def login(client, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/login", data={"csrf_token": token, "username": username,
                                       "password": Seed.password}).status_code == 302


def test_kiosk_scan_page_needs_an_enrolled_kiosk_or_staff(app, seed):
    anon = app.test_client()
    assert anon.get("/kiosk/scan").status_code == 401
    assert anon.get("/kiosk/scan/demo.json").status_code == 401
    r = anon.get("/counter/scans")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    kiosk = app.test_client()
    r = kiosk.get(f"/kiosk/scan?token={seed.tokens['kiosk']}")
    assert r.status_code == 302 and r.headers["Location"].endswith("/kiosk/scan")
    r = kiosk.get("/kiosk/scan?camera=sim&ticket=999999")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    config = json.loads(re.search(r'<script type="application/json" id="scan-config">(.*?)</script>',
                                  r.text, re.S).group(1))
    assert config["camera"] == "sim" and config["ticket_id"] is None  # not a ticket of this centre
    assert config["staff"] is False and config["home_url"] == "/kiosk"
    assert kiosk.get("/counter/scans").status_code == 302  # a device is not staff
    staff = app.test_client()
    login(staff, "staff2")
    r = staff.get("/kiosk/scan")
    assert r.status_code == 200 and '"home_url": "/counter/scans"' in r.text
    r = staff.get("/counter/scans")
    assert r.status_code == 200 and "chưa gọi số nào" in r.text
    assert staff.get("/counter").status_code == 200 and 'id="scans-current"' in staff.get("/counter").text


def test_demo_frames_for_the_simulated_camera(app, seed):
    kiosk = app.test_client()
    kiosk.get(f"/kiosk/scan?token={seed.tokens['kiosk']}")
    frames = kiosk.get("/kiosk/scan/demo.json").json["frames"]
    assert len(frames) == 48  # 3 pages × (12 still frames + 4 of empty desk)
    r = kiosk.get(frames[0])
    assert r.status_code == 200 and r.mimetype == "image/jpeg" and r.data[:2] == b"\xff\xd8"
    assert kiosk.get("/kiosk/scan/demo/..%2Fsecret_key").status_code == 404
    assert kiosk.get("/kiosk/scan/demo/frame_9999.jpg").status_code == 404
