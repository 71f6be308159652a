"""Reprint from the staff console: the citizen at the counter holds no paper because the kiosk
printer was out of paper. Staff press "In lại phiếu"; the kiosk's real device agent prints again
through the ESC/POS path into a simulated TCP printer, and the console says what happened — sent,
failed (still no paper), printed — and why a ticket issued at a counter has nothing to reprint."""

from __future__ import annotations

import re
import time

import pytest
import requests
from livesupport import KIOSK, MANAGER, issue_ticket, login_console
from playwright.sync_api import expect

from hardware.agent import Agent
from hardware.agent_config import from_dict
from hardware.printer.simulator import PrinterState, TcpPrinterSimulator

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def print_events(server, ticket_id: int) -> list[dict]:
    return [e for e in server.events(MANAGER) if e["ticket_id"] == ticket_id
            and e["type"] in ("ticket.printed", "ticket.print_failed", "ticket.print_requested")]


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def test_staff_reprint_the_served_ticket_at_the_kiosk_printer(browser, server, tmp_path, shots):
    state = PrinterState(paper_out=True)
    with TcpPrinterSimulator(state=state) as printer:
        kiosk_agent = Agent(from_dict({
            "server": {"url": server.url, "token": KIOSK},
            "agent": {"data_dir": str(tmp_path / "kiosk-agent"), "health_interval": 0.5},
            "printer": {"url": printer.url}})).start()
        try:
            assert kiosk_agent.state_received.wait(10), "the kiosk agent got no state"
            ticket = issue_ticket(server, "HT")
            # the kiosk printer had no paper: the ticket is valid but nobody holds a paper
            first = wait_for(lambda: print_events(server, ticket["id"]))
            assert [e["type"] for e in first] == ["ticket.print_failed"], first
            page_ctx, page, errors = login_console(browser, server)

            counters = server.counter_ids()
            page.click(f"button.counter-choice[data-counter='{counters[2]}']")
            page.wait_for_selector("#console:not([hidden])")
            expect(page.locator("#btn-reprint")).to_be_disabled()  # nobody called yet
            expect(page.locator("#btn-reprint")).to_have_text("In lại phiếu")
            page.click("#btn-next")
            expect(page.locator("#current-number")).to_have_text(ticket["number"])
            expect(page.locator("#btn-reprint")).to_be_enabled()

            # still no paper: the console says the request went out, then the printer's error
            page.click("#btn-reprint")
            status = page.locator("#reprint-status")
            expect(status).to_have_text(re.compile(
                rf"^Máy in của kiosk {KIOSK} chưa in được số {ticket['number']}: máy in hết giấy"),
                timeout=10_000)
            expect(status).to_have_class(re.compile("is-failed"))
            assert printer.receipts() == []
            page.evaluate("document.getElementById('toast').hidden = true")  # the card, not the toast
            page.screenshot(path=str(shots / "console-reprint-failed.png"), full_page=True)

            # paper refilled: the second press prints, and the console says so
            state.paper_out = False
            page.click("#btn-reprint")
            expect(status).to_have_text(
                f"Đã in lại phiếu số {ticket['number']} tại kiosk {KIOSK}.", timeout=10_000)
            expect(status).to_have_class(re.compile("is-ok"))
            assert len(printer.receipts()) == 1
            types = [e["type"] for e in print_events(server, ticket["id"])]
            assert types == ["ticket.print_failed", "ticket.print_requested", "ticket.print_failed",
                             "ticket.print_requested", "ticket.printed"], types
            asked = [e for e in print_events(server, ticket["id"]) if e["type"] == "ticket.print_requested"]
            assert {e["actor"] for e in asked} == {"user:canbo2"}
            assert {e["printer"] for e in asked} == {f"device:{KIOSK}"}
            ticket_now = requests.get(server.api(f"/tickets/{ticket['id']}"),
                                      headers={"Authorization": f"Bearer {KIOSK}"}, timeout=5).json()
            assert ticket_now["status"] == "called"  # reprinting changes nothing on the ticket

            # a ticket the counter issued itself never went through a kiosk printer
            page.evaluate("MotCua.api('POST', '/api/v1/tickets', {service: 'HT'})")
            page.wait_for_function("!document.getElementById('btn-next').disabled")
            page.click("#btn-next")
            expect(page.locator("#current-number")).not_to_have_text(ticket["number"])
            own = page.text_content("#current-number")
            page.click("#btn-reprint")
            expect(status).to_have_text(
                f"Số {own} không được lấy tại kiosk nên không có phiếu để in lại.")
            expect(status).to_have_class(re.compile("is-failed"))
            assert len(printer.receipts()) == 1
            assert errors == []
            page_ctx.close()
        finally:
            kiosk_agent.stop()


def test_console_reprint_in_english(browser, server):
    ctx = browser.new_context(locale="en-US")
    page = ctx.new_page()
    page.goto(f"{server.url}/counter")  # → the login form, then back to the console
    page.fill("input[name=username]", "canbo2")
    page.fill("input[name=password]", "motcua")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/counter")
    expect(page.locator("#btn-reprint")).to_have_text("Print again")
    strings = page.evaluate("JSON.parse(document.getElementById('i18n').textContent)")
    assert strings["reprint_done"] == "Printed ticket %(number)s again at kiosk %(kiosk)s."
    ctx.close()
