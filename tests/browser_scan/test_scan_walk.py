"""A citizen scans a three-page document at the kiosk with the simulated camera (demo frames from
hardware.scan.synth) in real Chromium against a real server: auto-capture takes each page once,
the citizen reorders, deletes one, adjusts nothing, finishes; the staff console, serving that
ticket, opens the scans page and downloads the PDF with the two remaining pages."""

from __future__ import annotations

import io

from livesupport import KIOSK, issue_ticket, login
from pypdf import PdfReader


def thumbs(page) -> list[str]:
    return page.eval_on_selector_all("#thumbs li", "els => els.map(e => e.dataset.page)")


def test_kiosk_scans_three_pages_and_staff_opens_the_pdf(browser, server, shots):
    ticket = issue_ticket(server)
    kiosk = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = kiosk.new_page()
    page.goto(f"{server.url}/kiosk?token={KIOSK}")
    page.click("#tile-scan")  # the home screen's "Quét hồ sơ"
    page.wait_for_url("**/kiosk/scan")
    page.goto(f"{server.url}/kiosk/scan?camera=sim&fps=4")  # no camera in CI: the simulated one
    page.wait_for_function("document.getElementById('camera-kind').textContent.includes('mô phỏng')",
                           timeout=60_000)
    assert page.get_attribute("#finish", "disabled") is not None  # nothing to send yet
    # auto-capture: each demo page lies still for 3 s, and is taken once
    page.wait_for_function("document.querySelectorAll('#thumbs li').length >= 3", timeout=60_000)
    page.wait_for_timeout(2500)  # the desk stays empty at the end: no fourth shot
    ids = thumbs(page)
    assert len(ids) == 3, ids
    page.screenshot(path=str(shots / "kiosk-scan.png"))
    # thumbnails are real images from the server
    assert page.evaluate("[...document.querySelectorAll('#thumbs img')].every(i => i.naturalWidth > 0)")

    # reorder: the third page first (two steps up), then delete the (now) second one
    page.click(f'#thumbs li[data-page="{ids[2]}"] .s-up')
    page.wait_for_function(f"document.querySelector('#thumbs li:nth-child(2)').dataset.page === '{ids[2]}'")
    page.click(f'#thumbs li[data-page="{ids[2]}"] .s-up')
    page.wait_for_function(f"document.querySelector('#thumbs li:nth-child(1)').dataset.page === '{ids[2]}'")
    assert thumbs(page) == [ids[2], ids[0], ids[1]]
    page.click(f'#thumbs li[data-page="{ids[0]}"] .s-delete')
    page.wait_for_function("document.querySelectorAll('#thumbs li').length === 2")
    assert thumbs(page) == [ids[2], ids[1]]

    # manual corners: drag the first page's top-left handle inwards, apply → the page is re-made
    page.click(f'#thumbs li[data-page="{ids[2]}"] .s-adjust')
    page.locator("#editor").wait_for(state="visible")
    handle = page.locator('#editor-svg circle[data-corner="0"]').bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 30, steps=5)
    page.mouse.up()
    before = page.evaluate("MotCuaScan.pages[0].corners[0]")
    page.click("#editor-apply")
    page.locator("#editor").wait_for(state="hidden", timeout=30_000)
    adjusted = thumbs(page)
    assert adjusted[1:] == [ids[1]] and adjusted[0] != ids[2]
    after = page.evaluate("MotCuaScan.pages[0].corners[0]")
    assert after[0] > before[0] + 5 and after[1] > before[1] + 5, (before, after)
    ids[2] = adjusted[0]

    # finish: to the ticket by its printed number
    page.fill("#target", ticket["number"])
    page.click("#finish")
    page.locator("#done").wait_for(state="visible", timeout=30_000)
    assert "2 trang" in page.inner_text("#done-text") and ticket["number"] in page.inner_text("#done-text")
    page.screenshot(path=str(shots / "kiosk-scan-done.png"))
    kiosk.close()

    # staff serving that ticket: the console's "Hồ sơ quét" opens the scans, the PDF downloads
    staff = browser.new_context()
    page = staff.new_page()
    csrf = login(page, server, "canbo2")
    counters = server.counter_ids()
    headers = {"X-CSRFToken": csrf}
    assert page.request.post(f"{server.url}/api/v1/counters/{counters[2]}/open", headers=headers).status == 200
    called = page.request.post(f"{server.url}/api/v1/counters/{counters[2]}/call-next", headers=headers)
    assert called.status == 200 and called.json()["id"] == ticket["id"]
    page.goto(f"{server.url}/counter")
    with staff.expect_page() as opened:
        page.click("#scans-current")
    scans = opened.value
    scans.wait_for_load_state()
    assert ticket["number"] in scans.inner_text("#scans-title")
    items = scans.locator("#scans-list li")
    assert items.count() == 1
    assert "2 trang" in items.first.inner_text()
    scans.screenshot(path=str(shots / "counter-scans.png"))
    href = scans.get_attribute(".s-download", "href")
    pdf = scans.request.get(server.url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    assert len(reader.pages) == 2
    # the page order is the citizen's: the first PDF page is the third photo's page
    first = scans.request.get(f"{server.url}/api/v1/scans/{scans.get_attribute('#scans-list li', 'data-scan')}")
    assert [p["id"] for p in first.json()["pages"]] == [ids[2], ids[1]]
    staff.close()
