"""The kiosk, the phone page and the booking page in real headless Chromium against a real
`motcua serve`: a citizen finds "khai sinh", ticks documents, sees what is missing, takes a
priority ticket and gets a QR that opens their phone page; the phone page follows the ticket
through a call; the idle timeout wipes everything; a printer failure reported by the agent
shows on the ticket screen; appointment check-in gives a ticket with the appointment time.

Screenshots go to MOTCUA_SCREENSHOTS (docs/screenshots in the README) as kiosk-*.png.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
import requests
from playwright.sync_api import expect
from support import decode_qr

KIOSK_TOKEN = "demo-kiosk"
PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def open_kiosk(browser, server, viewport=PORTRAIT, query: str = ""):
    ctx = browser.new_context(viewport=viewport, locale="vi-VN")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/kiosk?token={KIOSK_TOKEN}{query}")
    page.wait_for_selector("body[data-ready='1']")
    assert "token=" not in page.url  # the token left the address bar for the cookie
    cookie = next(c for c in ctx.cookies() if c["name"] == "motcua_device")
    assert cookie["httpOnly"]
    page.errors = errors
    return ctx, page


def type_on_screen(page, text: str) -> None:
    for ch in text:
        page.click(".k-key[data-key='space']" if ch == " " else f"#keyboard .k-key[data-key='{ch}']")


def decode_png_qr(png: bytes) -> str:
    return decode_qr(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE))


def small_targets(page) -> list[str]:
    """Visible buttons and links smaller than 60 px in either direction."""
    return page.evaluate("""() => [...document.querySelectorAll('button, a')]
        .filter((n) => n.offsetParent !== null && !n.closest('[hidden]'))
        .map((n) => [n.textContent.trim().slice(0, 30), n.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && (r.height < 60 || r.width < 60))
        .map(([t, r]) => `${t} ${Math.round(r.width)}x${Math.round(r.height)}`)""")


def test_citizen_finds_procedure_ticks_documents_and_takes_a_priority_ticket(browser, server, shots):
    ctx, page = open_kiosk(browser, server)
    expect(page.locator("[data-screen=home]")).to_be_visible()
    for label in ("Tra cứu thủ tục", "Lấy số thứ tự", "Khai tờ khai", "Quét hồ sơ", "Tôi đã đặt lịch"):
        expect(page.locator(".k-tile", has_text=label)).to_be_visible()
    assert page.get_attribute("#tile-forms", "href") == "/kiosk/forms"
    assert page.get_attribute("#tile-scan", "href") == "/kiosk/scan"
    assert small_targets(page) == []
    page.screenshot(path=str(shots / "kiosk-home-portrait.png"))

    page.click(".k-tile-search")
    expect(page.locator("#fields .k-field").first).to_be_visible()  # browse by field, no typing
    type_on_screen(page, "khai sinh")
    expect(page.locator("#search-input")).to_have_value("khai sinh")
    first = page.locator(".k-result").first
    expect(first).to_contain_text("Đăng ký khai sinh")
    assert small_targets(page) == []
    page.screenshot(path=str(shots / "kiosk-search.png"))

    first.click()
    expect(page.locator("#proc-name")).to_have_text("Đăng ký khai sinh")
    expect(page.locator("#proc-where")).to_contain_text("Quầy số 1, 2, 3")
    checks = page.locator("#checklist .k-check")
    assert checks.count() >= 3
    required = page.locator("#checklist .k-check[data-required='1']")
    n_required = required.count()
    expect(page.locator("#missing")).to_contain_text(f"Bạn còn thiếu {n_required} giấy tờ bắt buộc")
    required.nth(0).click()  # the declaration form: ticked
    expect(required.nth(0)).to_have_attribute("aria-checked", "true")
    missing = page.locator("#missing li")
    expect(missing).to_have_count(n_required - 1)
    expect(page.locator("#missing")).to_contain_text("Giấy chứng sinh")
    expect(page.locator("#missing")).not_to_contain_text("Tờ khai đăng ký khai sinh")
    page.screenshot(path=str(shots / "kiosk-procedure.png"), full_page=True)

    page.click("#proc-take")
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm-list li")).to_have_count(n_required - 1)
    page.screenshot(path=str(shots / "kiosk-missing-confirm.png"))
    page.click("#confirm-go")
    expect(page.locator("[data-screen=priority]")).to_be_visible()
    expect(page.locator("#priority-missing")).to_contain_text("Giấy chứng sinh")
    for code in ("elderly", "pregnant", "disability", "merit", "child"):
        expect(page.locator(f".k-group[data-priority={code}]")).to_be_visible()
    page.click(".k-group[data-priority=elderly]")

    expect(page.locator("[data-screen=ticket]")).to_be_visible()
    number = page.text_content("#ticket-number")
    assert re.fullmatch(r"A\d{3}", number), number
    expect(page.locator("#ticket-badge")).to_contain_text("Người cao tuổi")
    expect(page.locator("#ticket-ahead")).to_contain_text("người")
    qr = page.locator("#ticket-qr")
    page.wait_for_function("document.getElementById('ticket-qr').naturalWidth > 0")
    page.screenshot(path=str(shots / "kiosk-ticket.png"))
    url = decode_png_qr(qr.screenshot())
    assert re.fullmatch(rf"{re.escape(server.public_url)}/t/[0-9a-hjkmnp-tv-z]{{16}}", url), url
    tracked = requests.get(server.api(f"/track/{url.rsplit('/t/', 1)[1]}"), timeout=5).json()
    assert tracked["number"] == number  # the QR names this ticket by its code, not its id
    ticket_id = int(page.get_attribute("#ticket-scan", "href").rsplit("=", 1)[1])
    stored = requests.get(server.api(f"/tickets/{ticket_id}"), headers=auth(KIOSK_TOKEN), timeout=5).json()
    assert (stored["number"], stored["priority"], stored["service"]) == (number, "elderly", "HT")
    assert stored["tracking_url"] == url
    # Scanning from the ticket screen attaches the papers to this very ticket.
    assert page.get_attribute("#ticket-scan", "href") == f"/kiosk/scan?ticket={ticket_id}"
    assert page.errors == []
    ctx.close()


def test_phone_page_follows_the_ticket_through_a_call(browser, server, shots):
    issued = requests.post(server.api("/tickets"), json={"service": "KD"}, headers=auth(KIOSK_TOKEN),
                           timeout=5).json()
    assert issued["tracking_url"].startswith(f"{server.public_url}/t/")
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # no cookie at all
    phone = ctx.new_page()
    phone.goto(f"{issued['tracking_url']}?poll=1")
    expect(phone.locator("#t-number")).to_have_text(issued["number"])
    expect(phone.locator("#t-status")).to_have_text("Đang chờ")
    expect(phone.locator("#t-ahead")).to_have_text("0")
    phone.screenshot(path=str(shots / "kiosk-phone-waiting.png"))
    agent = auth("demo-agent-5")
    counters = {c["number"]: c["id"] for c in
                requests.get(server.api("/counters"), headers=agent, timeout=5).json()}
    assert requests.post(server.api(f"/counters/{counters[5]}/open"), headers=agent, timeout=5).ok
    # Sent to counter 5 while waiting: the phone says where (and that only counter 5 will call).
    moved = requests.post(server.api(f"/tickets/{issued['id']}/transfer"), json={"counter": 5},
                          headers=agent, timeout=5)
    assert moved.ok, moved.text
    expect(phone.locator("#t-moved")).to_have_text(
        "Số của bạn đã được chuyển đến quầy 5 (Quầy Kinh doanh – Cư trú) — vui lòng chờ gọi",
        timeout=5000)
    phone.screenshot(path=str(shots / "kiosk-phone-transferred.png"))
    called = requests.post(server.api(f"/counters/{counters[5]}/call-next"), headers=agent, timeout=5)
    assert called.json()["number"] == issued["number"]
    expect(phone.locator("#t-status")).to_contain_text("Mời bạn đến quầy số 5", timeout=5000)
    expect(phone.locator("#t-moved")).to_be_hidden()
    expect(phone.locator("#t-facts")).to_be_hidden()
    phone.screenshot(path=str(shots / "kiosk-phone-called.png"))
    requests.post(server.api(f"/tickets/{issued['id']}/finish"), headers=agent, timeout=5)
    expect(phone.locator("#t-rate button")).to_have_count(3, timeout=5000)
    phone.click("#t-rate button[data-level='3']")
    expect(phone.locator("#t-rate-title")).to_have_text("Cảm ơn bạn đã đánh giá!")
    text = phone.locator("body").inner_text()
    assert "A0" not in text  # nobody else's number
    bad = ctx.new_page().goto(f"{server.url}/t/{'0' * 16}")
    assert bad.status == 404
    ctx.close()


def test_idle_timeout_returns_home_and_wipes_what_was_typed(browser, server, shots):
    ctx, page = open_kiosk(browser, server, query="&idle_seconds=4&idle_warning_seconds=2")
    page.click("#contrast")
    page.click(".k-tile-search")
    type_on_screen(page, "ket hon")
    expect(page.locator(".k-result").first).to_be_visible()
    page.locator(".k-result").first.click()
    expect(page.locator("[data-screen=procedure]")).to_be_visible()
    page.locator("#checklist .k-check").first.click()
    expect(page.locator("#idle")).to_be_visible(timeout=6000)  # the warning first
    page.screenshot(path=str(shots / "kiosk-idle-warning.png"))
    expect(page.locator("[data-screen=home]")).to_be_visible(timeout=6000)
    expect(page.locator("#idle")).to_be_hidden()
    state = page.evaluate("window.MotCuaKiosk.state()")
    assert state["query"] == "" and state["proc"] is None and state["screen"] == "home"
    assert page.input_value("#search-input") == ""
    assert page.locator("#checklist .k-check").count() == 0
    assert "k-contrast" not in page.get_attribute("body", "class")
    page.click(".k-tile-search")
    expect(page.locator("#search-input")).to_have_value("")
    expect(page.locator(".k-result")).to_have_count(0)
    # a tap inside the warning keeps the citizen's work
    type_on_screen(page, "chung thuc")
    expect(page.locator("#idle")).to_be_visible(timeout=6000)
    page.click("#idle-stay")
    expect(page.locator("#idle")).to_be_hidden()
    assert page.input_value("#search-input") == "chung thuc"
    ctx.close()


def test_printer_failure_keeps_the_ticket_and_qr_on_screen(browser, server, shots):
    ctx, page = open_kiosk(browser, server, viewport=LANDSCAPE)
    page.screenshot(path=str(shots / "kiosk-home-landscape.png"))
    page.click(".k-tile-ticket")
    page.click(".k-service[data-code='CA']")
    expect(page.locator("#priority-service")).to_have_text("Cư trú")
    page.click("#take-normal")
    expect(page.locator("[data-screen=ticket]")).to_be_visible()
    number = page.text_content("#ticket-number")
    expect(page.locator("#ticket-print")).to_have_text("Đang in phiếu…")
    ticket = requests.get(server.api("/state"), headers=auth(KIOSK_TOKEN), timeout=5)
    assert ticket.ok
    page.wait_for_function("window.MotCuaKiosk.state().ticket !== null")
    ticket_id = page.evaluate("window.MotCuaKiosk.state().ticket.id")
    # what the kiosk's device agent posts when the printer is out of paper
    r = requests.post(server.api(f"/tickets/{ticket_id}/print-result"), headers=auth(KIOSK_TOKEN),
                      json={"ok": False, "status": "paper_out", "message": "Máy in hết giấy"}, timeout=5)
    assert r.status_code == 201, r.text
    expect(page.locator("#ticket-print")).to_have_text(
        "Máy in hết giấy — vui lòng chụp màn hình để giữ số thứ tự.", timeout=5000)
    expect(page.locator("#ticket-print")).to_have_class(re.compile("is-failed"))
    expect(page.locator("#ticket-number")).to_have_text(number)
    expect(page.locator("#ticket-qr")).to_be_visible()
    page.screenshot(path=str(shots / "kiosk-print-failed.png"))
    page.click("#ticket-reprint")  # paper replaced: the kiosk's agent is asked to print again
    expect(page.locator("#ticket-print")).to_have_text("Đang in lại phiếu…")
    expect(page.locator("#ticket-reprint")).to_be_hidden()
    events = requests.get(server.api("/events"), headers=auth("demo-manager"), timeout=5).json()["items"]
    assert [e["type"] for e in events if e["ticket_id"] == ticket_id][-1] == "ticket.print_requested"
    status = requests.get(server.api(f"/tickets/{ticket_id}"), headers=auth(KIOSK_TOKEN), timeout=5)
    assert status.json()["status"] == "waiting"  # the ticket stays valid
    ctx.close()


def test_appointment_check_in_and_booking_page(browser, server, shots):
    import datetime as dt

    day = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()
    slots = requests.get(server.api(f"/bookings/slots?service=XD&date={day}"), timeout=5).json()["slots"]
    assert slots, "the demo centre is open around the clock"
    booked = requests.post(server.api("/bookings"), json={"service": "XD", "slot": slots[0]["start"],
                                                          "id_number": "001190012345"}, timeout=5)
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    ctx, page = open_kiosk(browser, server)
    page.click(".k-tile-booking")
    expect(page.locator("#checkin-go")).to_be_disabled()
    for ch in code:
        page.click(f"#checkin-keyboard .k-key[data-key='{ch}']")
    page.screenshot(path=str(shots / "kiosk-checkin.png"))
    page.click("#checkin-go")
    expect(page.locator("[data-screen=ticket]")).to_be_visible()
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"H\d{3}"))
    expect(page.locator("#ticket-badge")).to_contain_text(f"Lịch hẹn lúc {slots[0]['start'][11:16]}")
    page.click("#ticket-done")
    # by ID number: the same booking shows the same ticket again
    page.click(".k-tile-booking")
    page.click("#checkin-by-id")
    for ch in "001190012345":
        page.click(f"#checkin-keyboard .k-key[data-key='{ch}']")
    page.click("#checkin-go")
    expect(page.locator("#ticket-badge")).to_contain_text("Bạn đã nhận số cho lịch hẹn này.")
    page.click("#ticket-done")
    page.click(".k-tile-booking")
    page.click("#checkin-by-id")
    for ch in "079085001122":
        page.click(f"#checkin-keyboard .k-key[data-key='{ch}']")
    page.click("#checkin-go")
    expect(page.locator("#checkin-error")).to_contain_text("Không có lịch hẹn hôm nay")
    ctx.close()

    web = browser.new_context(viewport=PHONE).new_page()
    web.goto(f"{server.url}/dat-lich")
    web.click("#b-services button[data-value='LL']")
    web.click(f"#b-days button[data-value='{day}']")
    web.locator("#b-slots button:not([disabled])").first.click()
    web.fill("#b-id", "036200009876")
    web.click("#b-submit")
    expect(web.locator("#b-code")).to_have_text(re.compile(r"^[A-Z0-9]{6}$"))
    web.screenshot(path=str(shots / "kiosk-booking-page.png"), full_page=True)
    assert web.input_value("#b-id") == ""  # the ID number does not stay on the page
    web.fill("#b-id", "036200009876")
    web.click("#b-submit")  # the same person again
    expect(web.locator("#b-error")).to_contain_text("đã có một lịch hẹn")
    web.context.close()


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_large_text_contrast_and_english(browser, server, shots, viewport):
    ctx, page = open_kiosk(browser, server, viewport=viewport)
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("#text-size")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") > size * 1.2
    page.click("#contrast")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    with page.expect_request(re.compile(r"/kiosk/hints/home\.wav\?lang=vi$")):
        page.click("#speak")  # spoken hints: the current screen's at once
    assert small_targets(page) == []
    orient = "portrait" if viewport is PORTRAIT else "landscape"
    page.screenshot(path=str(shots / f"kiosk-accessible-{orient}.png"))
    page.click("#lang")
    page.wait_for_selector("body[data-ready='1']")
    assert "lang=en" in page.url
    expect(page.locator(".k-tile-search .k-tile-title")).to_have_text("Look up a procedure")
    page.click(".k-tile-search")
    type_on_screen(page, "chung thuc")
    expect(page.locator(".k-result").first).to_be_visible()
    ctx.close()
