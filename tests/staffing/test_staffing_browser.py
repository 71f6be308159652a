"""Real `motcua simulate` into a database, a real `motcua serve` on it, and Chromium: the
manager dashboard's "Gợi ý bố trí quầy" panel shows the staffing API's advice."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid

import pytest
import requests
from livesupport import MANAGER, MOTCUA, LiveServer, seed_live_centre
from support import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def simulated_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("staffing") / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    # The most recent weekday before today (inside the dashboard's default 4 weeks).
    today = dt.date.today()
    day = next(d for d in (today - dt.timedelta(days=i) for i in range(1, 8)) if d.weekday() < 5)
    env = LiveServer(database_url, data_dir, 0).env()
    run = subprocess.run([str(MOTCUA), "simulate", "--days", "1", "--seed", "3",
                          "--start", day.isoformat()],
                         env=env, cwd=data_dir, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Gợi ý bố trí quầy" in run.stdout
    live = LiveServer(database_url, data_dir, free_port(), threads=16, secret_key="staffing-test")
    live.start()
    yield live, run.stdout
    live.stop()


def test_dashboard_shows_staffing_advice(browser, simulated_server):
    server, printed = simulated_server
    r = requests.get(server.api("/reports/staffing"), timeout=30,
                     headers={"Authorization": f"Bearer {MANAGER}"})
    assert r.status_code == 200, r.text
    advice = [a["message"] for a in r.json()["advice"]]
    assert advice, "the demo profile's morning peak should ask for more counters"
    assert all(re.fullmatch(r"Mở thêm \d+ quầy cho lĩnh vực .+ \d{1,2}:00–\d{1,2}:00", m) for m in advice)
    assert r.json()["days"] == 1

    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/manager")
    page.fill("input[name=username]", "quanly")
    page.fill("input[name=password]", "motcua")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/manager")
    page.wait_for_selector("#staffing li.alert", timeout=20_000)
    shown = page.locator("#staffing li.alert .alert-msg").all_inner_texts()
    assert shown == advice
    note = page.inner_text("#staffing-note")
    assert note.startswith("Theo 1 ngày làm việc") and "15 phút" in note
    assert not errors, errors
    ctx.close()
