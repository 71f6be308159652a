"""A citizen prepares the birth-registration form at the kiosk in real Chromium against a real
server: the CCCD QR typed by a keyboard-wedge scanner prefills the requester, the child's name is
tapped on the on-screen Telex keyboard, inline validation speaks Vietnamese, the draft is saved
and linked to the ticket; staff then open it by its code and from the ticket they are serving.
The scanned string is nowhere in the database or the server log. Idle → the form is wiped."""

from __future__ import annotations

import datetime as dt
import re

from livesupport import KIOSK, issue_ticket, login

# Invented person; the old-ID and issue-date parts are distinctive so their absence can be checked.
RAW = ("001190012345|987654321|Nguyễn Thị Hoa|14021990|Nữ|"
       "Số 5 Hàng Gai, Phường Hàng Trống, Hoàn Kiếm, Hà Nội|15042021")


def tap(page, keys: str) -> None:
    """Tap on-screen keys (letters, digits, "/", space)."""
    for ch in keys:
        selector = '.vk-key[data-key=" "]' if ch == " " else f'.vk-key[data-key="{ch}"]'
        page.click(f"#keyboard {selector}")


def test_citizen_fills_birth_registration_and_staff_open_it(browser, server):
    ticket = issue_ticket(server)
    kiosk = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = kiosk.new_page()
    page.goto(f"{server.url}/kiosk/forms?token={KIOSK}")
    assert page.url.endswith("/kiosk/forms")
    page.goto(f"{server.url}/kiosk/forms/khai-sinh?ticket={ticket['id']}")
    page.wait_for_selector("body[data-ready='1']")

    # 1. the scanner types the QR string into the focused field, then Enter
    page.wait_for_function("document.activeElement && document.activeElement.id === 'scan-input'")
    page.keyboard.type(RAW)
    page.keyboard.press("Enter")
    dialog = page.locator("#cccd-dialog")
    dialog.wait_for(state="visible")
    assert "không được lưu" in dialog.inner_text()
    assert "001190012345" in page.inner_text("#cccd-list")
    assert page.input_value("#scan-input") == ""  # the raw string left the field at once
    page.click("#cccd-yes")
    assert page.input_value("#f-requester_name") == "Nguyễn Thị Hoa"
    assert page.input_value("#f-requester_id") == "001190012345"
    page.click('.f-choice[data-value="Mẹ"]')
    page.click("#next")

    # 2. the child: name on the on-screen keyboard (Telex, names capitalised by themselves)
    page.wait_for_selector("#f-child_name")
    page.click("#f-child_name")
    tap(page, "nguyeenx thij mai")
    assert page.input_value("#f-child_name") == "Nguyễn Thị Mai"
    page.click("#f-child_birth_date")
    tap(page, "31/02/2026")
    page.click("#next")  # inline validation in Vietnamese, no step change
    assert "không có thật" in page.inner_text("#err-child_birth_date")
    assert page.get_attribute("#f-child_birth_date", "aria-invalid") == "true"
    born = dt.date.today() - dt.timedelta(days=10)
    page.fill("#f-child_birth_date", "")
    page.click("#f-child_birth_date")
    tap(page, born.strftime("%d/%m/%Y"))
    page.click('.f-choice[data-value="Nữ"]')
    page.fill("#f-child_birth_place", "Bệnh viện Phụ sản Hà Nội")
    assert page.input_value("#f-child_ethnicity") == "Kinh"  # defaults: data entered once
    page.click("#next")
    page.wait_for_selector("#f-mother_name")  # the corrected date let the citizen go on

    # 3. the mother: copied from the requester because she is the mother
    page.wait_for_selector("#f-mother_name")
    assert page.input_value("#f-mother_name") == "Nguyễn Thị Hoa"
    assert page.input_value("#f-mother_residence").startswith("Số 5 Hàng Gai")
    page.click("#f-mother_birth_year")
    tap(page, "1990")
    page.click("#next")
    page.wait_for_selector("#f-father_name")
    page.click("#next")  # no father declared
    page.wait_for_selector("#f-authority")
    page.click("#next")

    # 4. review and save
    page.wait_for_selector("[data-screen='review']:not([hidden])")
    assert "NGUYỄN THỊ MAI" in page.inner_text("#review")
    page.click("#submit")
    page.wait_for_selector("[data-screen='done']:not([hidden])")
    display_code = page.inner_text("#done-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", display_code)
    assert ticket["number"] in page.inner_text("#done-ticket")
    assert re.fullmatch(r"Tờ khai được giữ đến hết ngày \d\d/\d\d\.", page.inner_text("#done-expires"))
    # the citizen corrects a detail: same code, the stored draft changes (PUT with the kiosk's key)
    page.click("#edit")
    page.click('[data-screen="review"] .f-review:nth-child(2) .k-back')
    page.fill("#f-child_birth_place", "Bệnh viện Bạch Mai, Hà Nội")
    for _ in range(4):
        page.click("#next")
    page.wait_for_selector("[data-screen='review']:not([hidden])")
    page.click("#submit")
    page.wait_for_selector("[data-screen='done']:not([hidden])")
    assert page.inner_text("#done-code").strip() == display_code
    kiosk.close()

    # 5. nothing of the scan is stored or logged
    db = b"".join(p.read_bytes() for p in server.data_dir.glob("motcua.db*"))
    log = server.log_path.read_bytes()
    for secret in (b"987654321", b"15042021", b"14021990", b"001190012345|", RAW.encode()):
        assert secret not in db and secret not in log, secret

    # 6. staff open it by the code
    staff = browser.new_context()
    page = staff.new_page()
    csrf = login(page, server, "canbo2")
    page.goto(f"{server.url}/counter/drafts?code={display_code.lower()}")
    assert page.inner_text("#draft-code") == display_code
    assert page.inner_text('dd[data-field="child_name"]') == "NGUYỄN THỊ MAI"
    assert page.inner_text('dd[data-field="requester_id"]') == "001190012345"
    assert page.inner_text('dd[data-field="child_birth_place"]') == "Bệnh viện Bạch Mai, Hà Nội"
    assert page.inner_text("#draft-ticket") == ticket["number"]
    pdf = page.request.get(server.url + page.get_attribute("#draft-download", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # 7. … and from the console, as the draft of the ticket being served
    counters = server.counter_ids()
    headers = {"X-CSRFToken": csrf}
    assert page.request.post(f"{server.url}/api/v1/counters/{counters[2]}/open", headers=headers).status == 200
    called = page.request.post(f"{server.url}/api/v1/counters/{counters[2]}/call-next", headers=headers)
    assert called.status == 200 and called.json()["id"] == ticket["id"]
    page.goto(f"{server.url}/counter")
    with staff.expect_page() as opened:
        page.click("#draft-current")
    draft_page = opened.value
    draft_page.wait_for_load_state()
    assert draft_page.inner_text("#draft-code") == display_code
    draft_page.goto("about:blank")
    page.fill("#draft-code-input", display_code)
    with draft_page.expect_navigation():  # the console's code box opens the same "Tờ khai" window
        page.click("#draft-open")
    assert draft_page.inner_text('dd[data-field="child_name"]') == "NGUYỄN THỊ MAI"
    staff.close()


def test_idle_timeout_wipes_the_form(browser, server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})  # landscape kiosk
    page = context.new_page()
    page.goto(f"{server.url}/kiosk/forms?token={KIOSK}")
    page.goto(f"{server.url}/kiosk/forms/ct01?idle_seconds=5&idle_warning_seconds=3")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#start")
    page.click("#f-full_name")
    tap(page, "le van an")
    assert page.input_value("#f-full_name") == "Le Van An"
    page.locator("#idle").wait_for(state="visible", timeout=10_000)
    assert "giây" in page.inner_text("#idle-text")
    page.wait_for_url(re.compile(r"/kiosk(\?.*)?$"), timeout=10_000)  # back home, nothing kept
    page.goto(f"{server.url}/kiosk/forms/ct01")
    page.wait_for_selector("body[data-ready='1']")
    page.click("#start")
    assert page.input_value("#f-full_name") == ""
    assert page.evaluate("MotCuaForms.state().values.full_name") == ""
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    context.close()
