"""Per-service priority settings on the real kiosk (headless Chromium, real `motcua serve`):
a service with priority off skips the priority question and issues a normal ticket at once; a
restricted service offers only the groups it accepts."""

from __future__ import annotations

import requests
import sqlalchemy as sa
from playwright.sync_api import expect

KIOSK_TOKEN = "demo-kiosk"


def _set_priority(server, code: str, *, enabled: bool, groups: list[str]) -> None:
    engine = sa.create_engine(server.database_url)
    try:
        with engine.begin() as conn:
            services = sa.table("services", sa.column("code"), sa.column("priority_enabled"),
                                sa.column("priority_groups", sa.JSON))
            conn.execute(services.update().where(services.c.code == code).values(
                priority_enabled=enabled, priority_groups=groups))
    finally:
        engine.dispose()


def _open(browser, server):
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="vi-VN")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/kiosk?token={KIOSK_TOKEN}")
    page.wait_for_selector("body[data-ready='1']")
    return ctx, page, errors


def test_priority_question_skipped_or_narrowed_per_service(browser, server):
    _set_priority(server, "CA", enabled=False, groups=[])
    _set_priority(server, "CT", enabled=True, groups=["elderly", "disability"])
    ctx, page, errors = _open(browser, server)

    page.click(".k-tile-ticket")
    page.click(".k-service[data-code='CA']")
    expect(page.locator("[data-screen=ticket]")).to_be_visible()  # no priority screen between
    page.wait_for_function("window.MotCuaKiosk.state().ticket !== null")
    ticket_id = page.evaluate("window.MotCuaKiosk.state().ticket.id")
    ticket = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}",
                          headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}, timeout=5).json()
    assert ticket["priority"] is None and ticket["service"] == "CA"

    page.goto(f"{server.url}/kiosk")
    page.wait_for_selector("body[data-ready='1']")
    page.click(".k-tile-ticket")
    page.click(".k-service[data-code='CT']")
    expect(page.locator("[data-screen=priority]")).to_be_visible()
    offered = page.eval_on_selector_all(".k-group", "els => els.map((e) => e.dataset.priority)")
    assert offered == ["elderly", "disability"]
    page.click(".k-group[data-priority=disability]")
    expect(page.locator("[data-screen=ticket]")).to_be_visible()
    assert errors == []
    ctx.close()
