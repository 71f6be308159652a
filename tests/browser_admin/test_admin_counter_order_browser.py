"""Counters get the same drag-and-drop (and ↑ ↓) order as services on /admin/counters, in a real
Chromium against a real `motcua serve`; the order is saved at once and used by the API."""

from __future__ import annotations

from livesupport import KIOSK


def test_admin_drags_a_counter_to_the_top(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/admin/counters")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "motcua-admin")
    page.click("button[type=submit]")
    page.goto(f"{server.url}/admin/counters")
    rows = page.locator("#counter-rows tr.sortable")
    assert rows.count() >= 3
    numbers = [int(n) for n in rows.evaluate_all("rs => rs.map((r) => r.dataset.number)")]
    last, first = rows.nth(rows.count() - 1), rows.nth(0)
    last.drag_to(first, target_position={"x": 20, "y": 2})
    page.wait_for_function("document.getElementById('counter-rows').dataset.saved === '1'")
    wanted = [numbers[-1]] + numbers[:-1]
    assert [c["number"] for c in server.read("/counters", KIOSK)][:len(wanted)] == wanted

    # keyboard path: ↓ on the (new) first row puts it back second
    page.evaluate("document.getElementById('counter-rows').dataset.saved = ''")
    rows.nth(0).locator(".move-down").click()
    page.wait_for_function("document.getElementById('counter-rows').dataset.saved === '1'")
    wanted = [wanted[1], wanted[0]] + wanted[2:]
    assert [c["number"] for c in server.read("/counters", KIOSK)][:len(wanted)] == wanted
    page.reload()
    shown = [int(n) for n in page.locator("#counter-rows tr.sortable").evaluate_all(
        "rs => rs.map((r) => r.dataset.number)")]
    assert shown == wanted
    assert errors == []
    context.close()
