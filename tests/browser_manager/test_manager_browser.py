"""Real Chromium against a real server: the manager dashboard redraws by itself when a counter
calls a ticket; the counter tablet shows faces after a finish and its press is stored (with the
reason on the lowest level, replacing the first press)."""

from __future__ import annotations

import pytest
import requests
from livesupport import KIOSK, MANAGER, agent_token

from queue_server.reports.vnformat import percent

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def call(server, method: str, path: str, token: str, json=None):
    r = requests.request(method, server.api(path), json=json, timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    assert r.status_code < 300, (path, r.status_code, r.text)
    return r.json() if r.content else None


def counter_for(server, number: int) -> dict:
    counters = call(server, "GET", "/counters", KIOSK)
    return next(c for c in counters if c["number"] == number)


def login(browser, server, path: str, user: str = "quanly"):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}{path}")
    assert "/login" in page.url, "the page needs a login"
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "motcua")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}{path}")
    return ctx, page, errors


def test_dashboard_updates_when_a_ticket_is_called(browser, server, shots):
    c1, c2 = counter_for(server, 1), counter_for(server, 2)
    service = c1["services"][0]
    for _ in range(4):
        call(server, "POST", "/tickets", KIOSK, {"service": service})
    before = call(server, "GET", "/reports/dashboard", MANAGER)
    waiting = before["live"]["waiting_total"]
    in_service = before["live"]["waiting_by_service"][service]
    served = before["today"]["served"]
    ctx, page, errors = login(browser, server, "/manager")
    page.wait_for_selector("body[data-live='1']", timeout=10_000)
    shows = "document.getElementById('%s').textContent === '%s'"
    page.wait_for_function(shows % ("t-waiting", waiting), timeout=10_000)
    renders = int(page.get_attribute("body", "data-renders"))

    call(server, "POST", f"/counters/{c1['id']}/open", agent_token(1))
    ticket = call(server, "POST", f"/counters/{c1['id']}/call-next", agent_token(1))
    # no reload: the Socket.IO events make the page fetch the dashboard again
    page.wait_for_function(shows % ("t-waiting", waiting - 1), timeout=5_000)
    assert int(page.get_attribute("body", "data-renders")) > renders
    row = page.locator("#counters tr[data-counter='1']")
    row.locator(".badge-busy").wait_for(timeout=5_000)
    assert page.locator(f"#services tr[data-service='{service}'] td.num").first.text_content() == \
        str(in_service - 1)

    # finish and rate one, so the gauges and satisfaction tile have figures
    call(server, "POST", f"/tickets/{ticket['id']}/finish", agent_token(1))
    call(server, "POST", f"/tickets/{ticket['id']}/rating", agent_token(1), {"level": 3})
    page.wait_for_function(shows % ("t-served", served + 1), timeout=5_000)
    # the same figures as the API, written the Vietnamese way
    api = call(server, "GET", "/reports/dashboard", MANAGER)
    page.wait_for_function(shows % ("t-satisfaction", percent(api["today"]["satisfaction"]["rate"])),
                           timeout=5_000)
    assert page.get_attribute("#gauge-satisfaction", "data-state") == \
        api["gauges"]["satisfaction"]["state"]
    assert api["today"]["served"] == served + 1 and api["live"]["waiting_total"] == waiting - 1
    call(server, "POST", f"/counters/{c2['id']}/open", agent_token(2))
    call(server, "POST", f"/counters/{c2['id']}/call-next", agent_token(2))
    page.wait_for_function(shows % ("t-waiting", waiting - 2), timeout=5_000)
    page.screenshot(path=str(shots / "manager-dashboard.png"), full_page=True)
    assert not errors, errors
    ctx.close()


def test_staff_cannot_open_the_dashboard(browser, server):
    ctx, page, errors = login(browser, server, "/manager", user="canbo1")
    assert "Chỉ lãnh đạo" in page.content()
    ctx.close()


def test_tablet_shows_faces_after_finish_and_stores_the_rating(browser, server):
    counter = counter_for(server, 3)
    token = agent_token(3)
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/rating?token={token}")
    assert page.url == f"{server.url}/rating", "the token must leave the address bar"
    page.wait_for_selector("body[data-live='1']", timeout=10_000)
    page.wait_for_selector("body[data-screen='idle']", timeout=10_000)

    call(server, "POST", f"/counters/{counter['id']}/open", token)
    call(server, "POST", "/tickets", KIOSK, {"service": counter["services"][0]})
    ticket = call(server, "POST", f"/counters/{counter['id']}/call-next", token)
    call(server, "POST", f"/tickets/{ticket['id']}/finish", token)
    page.wait_for_selector("body[data-screen='ask']", timeout=5_000)
    assert ticket["number"] in page.text_content("#question")
    assert page.locator(".face").count() == 3
    page.click(".face[data-level='1']")
    page.wait_for_selector("body[data-screen='why']", timeout=5_000)
    page.click("[data-reason='attitude']")
    page.wait_for_selector("body[data-screen='thanks']", timeout=5_000)
    events = call(server, "GET", "/events?limit=1000", MANAGER)["items"]
    rated = [e for e in events if e["type"] == "ticket.rated" and e["ticket_id"] == ticket["id"]]
    assert [(e["level"], e["reason"], e["replaced"]) for e in rated] == \
        [(1, None, False), (1, "attitude", True)]
    assert not errors, errors
    ctx.close()


def test_reports_page_shows_the_api_figures_and_downloads_excel(browser, server, shots):
    counter = counter_for(server, 4)
    token = agent_token(4)
    call(server, "POST", f"/counters/{counter['id']}/open", token)
    for _ in range(2):
        call(server, "POST", "/tickets", KIOSK, {"service": counter["services"][0]})
        ticket = call(server, "POST", f"/counters/{counter['id']}/call-next", token)
        call(server, "POST", f"/tickets/{ticket['id']}/finish", token)
        call(server, "POST", f"/tickets/{ticket['id']}/rating", token, {"level": 2})
    today = call(server, "GET", "/reports/dashboard", MANAGER)["day"]  # the centre's today
    ctx, page, errors = login(browser, server, "/manager/reports")
    page.wait_for_function("(document.body.dataset.loaded || '').length > 0", timeout=10_000)
    assert page.input_value("#f-date") == today
    page.select_option("#f-period", "day")
    page.click("#report-form button[type=submit]")
    page.wait_for_function(f"document.body.dataset.loaded === '{today}:{today}'", timeout=10_000)
    api = call(server, "GET", f"/reports/summary?from={today}&to={today}", MANAGER)
    assert api["tickets"] >= 2
    cells = page.locator("#summary tr td.num").all_text_contents()
    assert cells[0] == str(api["tickets"]) and cells[1] == str(api["served"])
    assert percent(api["satisfaction"]["rate"]) in cells
    assert page.locator("#satisfaction tbody tr").count() >= 2  # units + whole centre
    # the weekly staffing plan of the same period: today's weekday, a counter for the service
    page.wait_for_function("document.body.dataset.weekly === '1'", timeout=20_000)
    plan = call(server, "GET", f"/reports/staffing?from={today}&to={today}", MANAGER)
    weekly_rows = page.locator("#weekly tbody tr").all_text_contents()
    assert any(plan["weekly"][0]["label"] in row for row in weekly_rows), weekly_rows
    assert page.locator("#weekly tbody tr").count() == len(plan["weekly"][0]["services"]) + 1
    href = page.get_attribute("#x-xlsx", "href")
    assert "format=xlsx" in href and "period=day" in href
    reply = page.request.get(f"{server.url}{href}")
    assert reply.status == 200 and reply.body()[:2] == b"PK"  # an .xlsx is a zip
    page.screenshot(path=str(shots / "manager-reports.png"), full_page=True)
    assert not errors, errors
    ctx.close()
