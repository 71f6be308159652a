"""The administrator sets up a new service, its counter, a staff account and a display token
entirely in a real Chromium; the kiosk API lists the service and the new counter calls its
ticket, without a restart. Also: field errors in the page, drag-and-drop order, the live
template preview. Screenshots: docs/screenshots/admin-*.png (MOTCUA_SCREENSHOTS)."""

from __future__ import annotations

import re

import requests
from livesupport import DISPLAY, KIOSK, LiveServer

PASSWORD = "canbo7-mat-khau"


def login_page(browser, server: LiveServer, username: str = "admin", password: str = "motcua-admin"):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{server.url}/admin")
    assert "/login" in page.url  # anonymous → login form, then back to /admin
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def person(server: LiveServer, username: str, password: str) -> requests.Session:
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{server.url}/login").text).group(1)
    r = s.post(f"{server.url}/login", data={"csrf_token": token, "username": username,
                                             "password": password}, allow_redirects=False)
    assert r.status_code == 302, (username, r.status_code)
    s.headers["X-CSRFToken"] = re.search(r'<meta name="csrf-token" content="([^"]+)"',
                                         s.get(f"{server.url}/").text).group(1)
    return s


def open_display(browser, server: LiveServer, token: str):
    """A hall display TV: enrolled with its token, connected (body data-live="1")."""
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{server.url}/display?token={token}")
    page.wait_for_function("document.body.dataset.live === '1'")
    return page


def test_admin_sets_up_service_counter_staff_and_display(browser, server, shots):
    hall = open_display(browser, server, DISPLAY)  # already on the wall while the admin works
    hall.wait_for_selector("#waiting li[data-service='HT']")
    page = login_page(browser, server)
    page.wait_for_url(f"{server.url}/admin")
    assert page.locator("h1").inner_text() == "Quản trị Trung tâm"

    # a service, with a mistake first: the message appears next to the field
    page.goto(f"{server.url}/admin/services")
    page.fill("#service-form input[name=code]", "TP")
    page.fill("#service-form input[name=prefix]", "t1")
    page.click("#service-form button[type=submit]")
    assert page.locator("#e-name").inner_text() == "Hãy nhập tên dịch vụ."
    assert "Chữ cái đầu số không hợp lệ" in page.locator("#e-prefix").inner_text()
    assert page.input_value("#service-form input[name=code]") == "TP"  # typed values stay
    page.screenshot(path=str(shots / "admin-validation.png"), full_page=True)
    page.fill("#service-form input[name=name]", "Tư pháp – Hòa giải")
    page.fill("#service-form input[name=prefix]", "T")
    page.fill("#service-form input[name=daily_cap]", "80")
    page.click("#service-form button[type=submit]")
    assert "Đã thêm dịch vụ Tư pháp – Hòa giải" in page.locator(".flash").inner_text()
    hall.wait_for_selector("#waiting li[data-service='TP']", timeout=5000)  # live, no reload
    assert hall.locator("#waiting li[data-service='TP'] .name").inner_text() == "Tư pháp – Hòa giải"

    # drag the new service to the top of the kiosk's list
    rows = page.locator("#service-rows tr.sortable")
    last, first = rows.nth(rows.count() - 1), rows.nth(0)
    assert "TP" in last.inner_text()
    last.drag_to(first, target_position={"x": 20, "y": 2})
    page.wait_for_function("document.getElementById('service-rows').dataset.saved === '1'")
    page.screenshot(path=str(shots / "admin-services.png"), full_page=True)
    services = server.read("/services", KIOSK)
    assert services[0]["code"] == "TP" and services[0]["prefix"] == "T"

    # its counter
    page.goto(f"{server.url}/admin/counters")
    page.fill("#counter-form input[name=number]", "7")
    page.fill("#counter-form input[name=name]", "Quầy Tư pháp")
    page.fill("#counter-form input[name=zone]", "Tầng 1")
    page.locator("#counter-form label.check", has_text="TP —").locator("input").check()
    page.click("#counter-form button[type=submit]")
    assert "Đã thêm quầy số 7" in page.locator(".flash").inner_text()
    page.screenshot(path=str(shots / "admin-counters.png"), full_page=True)

    # a staff account allowed at counter 7
    page.goto(f"{server.url}/admin/staff")
    page.fill("#staff-form input[name=username]", "canbo7")
    page.fill("#staff-form input[name=full_name]", "Trần Văn Bảy")
    page.select_option("#staff-form select[name=role]", "staff")
    page.fill("#staff-form input[name=password]", PASSWORD)
    page.fill("#staff-form input[name=password2]", PASSWORD)
    page.locator("#staff-form label.check", has_text="Quầy 7 —").locator("input").check()
    page.click("#staff-form button[type=submit]")
    assert "Đã tạo tài khoản canbo7" in page.locator(".flash").inner_text()

    # a display token, shown once with its enrolment address and QR code
    page.goto(f"{server.url}/admin/devices")
    page.fill("#device-form input[name=name]", "tv-tu-phap")
    page.select_option("#device-form select[name=role]", "display")
    page.click("#device-form button[type=submit]")
    token = page.locator("#token-value").inner_text()
    assert page.locator("#enrol-url").inner_text() == f"http://127.0.0.1:5000/display?token={token}"
    assert page.locator(".qr svg").count() == 1
    page.screenshot(path=str(shots / "admin-devices.png"), full_page=True)
    page.context.close()
    new_tv = open_display(browser, server, token)  # the new display enrols with its URL
    new_tv.wait_for_selector("#waiting li[data-service='TP']")

    # without a restart: the kiosk issues the new service, the new counter calls it
    kiosk = server.session(KIOSK)
    ticket = kiosk.post(server.api("/tickets"), json={"service": "TP"}, timeout=10)
    assert ticket.status_code == 201 and ticket.json()["number"] == "T001"
    counter_id = server.counter_ids()[7]
    staff = person(server, "canbo7", PASSWORD)
    assert staff.post(server.api(f"/counters/{counter_id}/open"), timeout=10).status_code == 200
    called = staff.post(server.api(f"/counters/{counter_id}/call-next"), timeout=10)
    assert called.status_code == 200 and called.json()["number"] == "T001"
    assert called.json()["counter"] == 7
    display = server.session(token).get(server.api("/state"), timeout=10)
    assert display.status_code == 200
    assert display.json()["recent_calls"][0]["ticket"]["number"] == "T001"
    for tv in (hall, new_tv):  # both screens show the call of the new counter
        tv.wait_for_function("document.body.textContent.includes('T001')", timeout=5000)
        tv.context.close()


def test_template_preview_updates_while_typing(browser, server, shots):
    page = login_page(browser, server)
    page.wait_for_url(f"{server.url}/admin")
    page.goto(f"{server.url}/admin/templates")
    page.wait_for_function("document.getElementById('templates-form').dataset.previewed")
    page.fill("#f-announcement", "Kính mời số {number} tới quầy {counter}")
    page.fill("#f-ticket_header", "UBND XÃ DEMO\nBỘ PHẬN MỘT CỬA")
    page.wait_for_function(
        "document.getElementById('preview-text').textContent === 'Kính mời số A025 tới quầy 3'")
    assert page.locator("#preview-spoken").inner_text() == "kính mời số a không hai mươi lăm tới quầy ba"
    page.wait_for_function("document.getElementById('preview-ticket').naturalWidth > 0")
    page.fill("#f-announcement", "Kính mời số {number}")
    page.wait_for_function("!document.getElementById('preview-error').hidden")
    assert "{counter}" in page.locator("#preview-error").inner_text()
    page.fill("#f-announcement", "Kính mời số {number} tới quầy {counter}")
    page.wait_for_function("document.getElementById('preview-error').hidden")
    page.screenshot(path=str(shots / "admin-templates.png"), full_page=True)
    page.click("#templates-form button[type=submit]")
    assert "Đã lưu mẫu nội dung" in page.locator(".flash").inner_text()
    assert server.read("/state", KIOSK)["announcement"] == "Kính mời số {number} tới quầy {counter}"
    page.goto(f"{server.url}/admin/health")
    page.click("#backup-now")
    assert "Đã sao lưu" in page.locator(".flash").inner_text()
    page.screenshot(path=str(shots / "admin-health.png"), full_page=True)
    page.context.close()


def test_only_admins_reach_admin_pages(browser, server):
    page = login_page(browser, server, "canbo2", "motcua")
    page.wait_for_load_state()
    for path in ("/admin", "/admin/services", "/admin/devices"):
        response = page.goto(f"{server.url}{path}")
        assert response.status == 403, path
        assert "Chỉ tài khoản quản trị mới vào được trang quản trị." in page.content()
    assert page.goto(f"{server.url}/account/password").status == 200  # but their own password
    page.context.close()
