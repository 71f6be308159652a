"""A staff member calls from the console; the hall display shows it within a second and asks
for the announcement; recall repeats it; double clicks call one ticket; the displays recover
from a server restart by themselves."""

from __future__ import annotations

import sqlite3
import time

import pytest
import requests
from livesupport import DISPLAY, agent_token, issue, login_console

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def ticket_statuses(server) -> dict[str, str]:
    r = requests.get(server.api("/state"), headers={"Authorization": f"Bearer {DISPLAY}"}, timeout=10)
    called = {c["ticket"]["number"]: c["ticket"]["status"] for c in r.json()["recent_calls"]}
    return called


def set_centre(server, *, notice: str, counter_name: str) -> None:
    """Change the demo centre's notice and counter 2's name in the server's database."""
    from queue_server.app import create_app

    app = create_app({"DATA_DIR": str(server.data_dir), "DATABASE_URL": server.database_url,
                      "BACKGROUND_JOBS": False, "REDIS_URL": None})
    try:
        with app.extensions["motcua"].uow() as uow:
            centre = uow.repo.centres()[0]
            centre.settings = {**centre.settings, "notice": notice}
            uow.repo.counter_by_number(centre.id, 2).name = counter_name
            uow.commit()
    finally:
        app.extensions["motcua_engine"].dispose()


def text(page, selector: str) -> str:
    return page.locator(selector).text_content().strip()


def open_display(browser, server, path="/display", viewport=(1920, 1080)):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}{path}?token={DISPLAY}")
    assert page.url == f"{server.url}{path}", "the token must leave the address bar"
    cookie = next(c for c in ctx.cookies() if c["name"] == "motcua_device")
    assert cookie["httpOnly"] and cookie["expires"] > time.time() + 300 * 86400
    page.wait_for_selector("body[data-live='1']", timeout=10_000)
    return ctx, page, errors


def test_console_call_shows_on_hall_display_and_is_announced(browser, server, shots):
    counters = server.counter_ids()
    numbers = issue(server, "HT", 3)
    assert numbers == ["A001", "A002", "A003"]
    issue(server, "CT", 2)  # not served at counter 2: never in its waiting list

    hall_ctx, hall, hall_errors = open_display(browser, server)
    audio: list[tuple[str, int, str]] = []
    hall.on("response", lambda r: audio.append((r.url, r.status, r.headers.get("content-type", "")))
            if "/display/announcements/" in r.url else None)
    console_ctx, console, console_errors = login_console(browser, server)

    # Open counter 2 from the chooser (only counters this person may use are offered).
    console.wait_for_selector("#chooser:not([hidden])")
    console.click(f"button.counter-choice[data-counter='{counters[2]}']")
    console.wait_for_selector("#console:not([hidden])")
    assert "2" in text(console, "#counter-title")
    console.wait_for_function("document.querySelectorAll('#waiting-body tr').length === 3")
    assert [text(console, f"#waiting-body tr:nth-child({i}) td:first-child") for i in (1, 2, 3)] \
        == numbers

    # Call next → the hall shows A001 → counter 2 within one second, and fetches the audio.
    started = time.monotonic()
    console.click("#btn-next")
    hall.wait_for_function(
        "document.getElementById('latest-number').textContent === 'A001' && "
        "document.getElementById('latest-counter').textContent === '2'", timeout=5_000)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"call took {elapsed:.3f} s to reach the hall display"
    assert text(hall, "#recent li.newest .num") == "A001"
    hall.wait_for_function("window.MotCuaDisplay.stats().announced === 1")
    deadline = time.monotonic() + 10
    while not audio and time.monotonic() < deadline:
        hall.wait_for_timeout(50)
    assert audio and audio[0][0].endswith("/display/announcements/A001/2.wav"), audio
    assert audio[0][1] == 200 and audio[0][2].startswith("audio/wav")

    # The console shows the current ticket, its timers, the shorter list and today's counts.
    console.wait_for_function("document.getElementById('current-number').textContent === 'A001'")
    console.wait_for_function("document.querySelectorAll('#waiting-body tr').length === 2")
    assert text(console, "#count-called") == "1"
    assert text(console, "#current-waited") != "–"

    # Recall: the display announces the same call again.
    console.click("#btn-recall")
    hall.wait_for_function("window.MotCuaDisplay.stats().announced === 2")
    assert text(hall, "#latest-number") == "A001"
    console.wait_for_selector(".toast-ok")

    # Start and finish with a mã hồ sơ; a bad code is refused with a reason and nothing changes.
    console.click("#btn-start")
    console.wait_for_function(
        "document.getElementById('current-status').textContent === 'Đang phục vụ'")
    console.fill("#dossier", "bad code!")
    console.click("#btn-finish")
    console.wait_for_selector(".toast-error")
    assert "Mã hồ sơ" in text(console, "#toast")
    assert text(console, "#current-number") == "A001"

    # A double click calls exactly one ticket (A001 is finished automatically by call-next).
    console.fill("#dossier", "")
    console.dblclick("#btn-next")
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A002'")
    console.wait_for_timeout(1500)
    assert text(hall, "#latest-number") == "A002"
    statuses = ticket_statuses(server)
    assert "A003" not in statuses and statuses["A002"] == "called", statuses
    console.wait_for_function("document.querySelectorAll('#waiting-body tr').length === 1")

    # Keyboard: N calls the next; with nobody left the console says so.
    console.wait_for_function("!document.getElementById('btn-next').disabled")
    console.keyboard.press("n")
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A003'")
    console.wait_for_function("document.getElementById('current-number').textContent === 'A003'")
    console.wait_for_function("!document.getElementById('btn-next').disabled")
    console.keyboard.press("n")
    console.wait_for_function("document.getElementById('toast').textContent.includes('Không còn ai chờ')")
    recent = hall.locator("#recent li .num").all_text_contents()
    assert recent[:3] == ["A003", "A002", "A001"]

    # Screenshots of what a new user gets (the console with someone being served).
    issue(server, "HT", 4)
    console.keyboard.press("n")
    console.wait_for_function("document.getElementById('current-number').textContent === 'A004'")
    console.wait_for_function("document.querySelectorAll('#waiting-body tr').length === 3")
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A004'")
    console.wait_for_function("!document.getElementById('btn-next').disabled")
    console.screenshot(path=str(shots / "console.png"))
    hall.wait_for_timeout(4600)  # past the flash, so the picture shows the resting colours
    hall.screenshot(path=str(shots / "display-hall.png"))
    counter_page = hall_ctx.new_page()
    counter_page.set_viewport_size({"width": 800, "height": 480})
    counter_page.goto(f"{server.url}/display/counter/2")
    counter_page.wait_for_function("document.getElementById('cd-number').textContent === 'A004'")
    assert text(counter_page, "#cd-label") == "Mời số"
    counter_page.screenshot(path=str(shots / "display-counter.png"))

    # Transfer to another counter, pause (key P) and a refused call, resume, close.
    console.select_option("#transfer-target", "counter:3")
    console.click("#btn-transfer")
    console.wait_for_function("document.getElementById('current-number').textContent === '—'")
    assert "A004" in text(console, "#toast")
    counter_page.wait_for_function("document.getElementById('cd-number').textContent === '—'")
    console.keyboard.press("p")
    console.wait_for_function("document.getElementById('counter-status').textContent === 'Tạm dừng'")
    counter_page.wait_for_function("document.getElementById('cd-status').textContent === 'Quầy tạm dừng'")
    console.keyboard.press("n")  # the button is disabled, the key does nothing while paused
    console.click("#btn-resume")
    console.wait_for_function("document.getElementById('counter-status').textContent === 'Đang mở'")
    console.once("dialog", lambda dialog: dialog.accept())
    console.click("#btn-close")
    console.wait_for_selector("#chooser:not([hidden])")
    counter_page.wait_for_function("document.getElementById('cd-status').textContent === 'Quầy đóng'")
    assert ticket_statuses(server).get("A005") is None  # nothing was called while paused

    assert hall_errors == [] and console_errors == []
    hall_ctx.close()
    console_ctx.close()


def test_displays_recover_from_a_server_restart(browser, server):
    counters = server.counter_ids()
    agent = {"Authorization": f"Bearer {agent_token(2)}"}
    issue(server, "HT", 2)
    assert requests.post(server.api(f"/counters/{counters[2]}/open"), headers=agent, timeout=10).ok
    assert requests.post(server.api(f"/counters/{counters[2]}/call-next"), headers=agent,
                         timeout=10).json()["number"] == "A001"

    hall_ctx, hall, errors = open_display(browser, server)
    counter_page = hall_ctx.new_page()
    counter_page.goto(f"{server.url}/display/counter/2")
    counter_page.wait_for_selector("body[data-live='1']")
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A001'")
    counter_page.wait_for_function("document.getElementById('cd-number').textContent === 'A001'")

    server.stop()
    hall.wait_for_selector("#offline:not([hidden])", timeout=10_000)
    assert "Mất kết nối" in text(hall, "#offline")
    counter_page.wait_for_selector("#offline:not([hidden])", timeout=10_000)

    # While it is down, an administrator edits the notice and a counter name (with markup).
    set_centre(server, notice='<img src=x onerror="window.__xss=1">Thông báo mới',
               counter_name="<b>Quầy</b> Hộ tịch")
    server.start()
    # Called while the displays were still reconnecting: they must catch up from `state`.
    assert requests.post(server.api(f"/counters/{counters[2]}/call-next"), headers=agent,
                         timeout=10).json()["number"] == "A002"
    hall.wait_for_selector("#offline", state="hidden", timeout=15_000)
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A002'",
                           timeout=10_000)
    # Each page reconnects on its own back-off (up to 3 s between tries, plus a 5 s connect
    # timeout if a try lands while the server is still starting): give the second page room.
    counter_page.wait_for_function("document.getElementById('cd-number').textContent === 'A002'",
                                   timeout=30_000)
    assert hall.locator("#recent li .num").all_text_contents()[:2] == ["A002", "A001"]
    # …including the notice and names, shown as text, never as markup.
    hall.wait_for_function("document.getElementById('notice').textContent.includes('Thông báo mới')")
    assert text(hall, "#notice").startswith("<img src=x")
    assert text(hall, "#latest-counter-name") == "<b>Quầy</b> Hộ tịch"
    assert hall.locator("#notice img, #latest-counter-name b").count() == 0
    assert hall.evaluate("window.__xss") is None
    # Still live after the restart: the next call arrives as an event, without a reload.
    issue(server, "HT", 1)
    requests.post(server.api(f"/counters/{counters[2]}/call-next"), headers=agent, timeout=10)
    hall.wait_for_function("document.getElementById('latest-number').textContent === 'A003'")
    assert errors == []
    hall_ctx.close()


def test_a_display_whose_token_is_revoked_elsewhere_falls_back_to_enrolment(browser, server):
    """Revoked outside this process (here: in the database), the display's open connection is
    closed by the server's recheck and the page reloads into the enrolment page, instead of
    showing "Mất kết nối" forever or going on showing calls."""
    ctx, hall, errors = open_display(browser, server)
    with sqlite3.connect(server.data_dir / "motcua.db") as db:
        revoked = db.execute("UPDATE device_tokens SET revoked_at = CURRENT_TIMESTAMP "
                             "WHERE role = 'display'").rowcount
    assert revoked >= 1
    hall.wait_for_selector("text=Màn hình này chưa được đăng ký", timeout=20_000)
    assert errors == []
    ctx.close()
