"""A kiosk printer on a character device (``file:///dev/usb/lp0`` in a centre; a socat pty here):
the agent reads its DLE EOT answers, so paper out reaches the kiosk and the technician's device
list, the ticket stays valid, and the reprint works once paper is back. With ``require_status``
in the agent file, a printer that stops answering prints nothing rather than printing blind."""

from __future__ import annotations

import pytest

from hardware.printer.simulator import PrinterState, SerialPrinterSimulator

KIOSK, MANAGER = "demo-kiosk", "demo-manager"

pytestmark = [pytest.mark.slow, pytest.mark.serial]


def test_paper_out_on_a_character_device_printer_reaches_kiosk_and_technician(
        server, agent, call, events, wait_until, pty):
    pair = pty("lp")
    with SerialPrinterSimulator(pair.device, state=PrinterState(paper_out=True)) as printer:
        agent(KIOSK, printer={"url": f"file://{pair.host}", "width": 384})

        def printer_health() -> dict:
            rows = call(MANAGER, "GET", "/devices")
            row = next((r for r in rows if r["name"] == "kiosk-sanh"), {"devices": []})
            return next((d for d in row["devices"] if d["id"] == "printer"), {})

        # health reports ask the device itself, before any ticket is printed
        assert wait_until(lambda: printer_health().get("status") == "error"), printer_health()
        assert "hết giấy" in printer_health()["message"]

        # XD: a service no other agent test issues, so their ticket numbers (read by OCR) stay put
        ticket = call(KIOSK, "POST", "/tickets", {"service": "XD"}, status=201)
        failed = wait_until(lambda: events("ticket.print_failed", ticket_id=ticket["id"]))
        assert failed, events(ticket_id=ticket["id"])
        assert failed[0]["message"] == "Máy in hết giấy — vui lòng chụp màn hình"
        assert failed[0]["print_status"] == "paper_out"
        assert printer.receipts() == [] and printer.held == b""  # the job was held back
        assert call(KIOSK, "GET", f"/tickets/{ticket['id']}")["status"] == "waiting"

        printer.state.paper_out = False  # roll replaced; the citizen asks for the ticket again
        assert wait_until(lambda: printer_health().get("status") == "ok"), printer_health()
        call(KIOSK, "POST", f"/tickets/{ticket['id']}/reprint", status=202)
        assert wait_until(lambda: events("ticket.printed", ticket_id=ticket["id"]))
        assert len(printer.receipts()) == 1
        assert printer.queries.count(1) >= 3  # health checks and the print both asked the device


def test_require_status_in_the_agent_file_holds_tickets_while_the_printer_is_silent(
        server, agent, call, events, wait_until, pty):
    pair = pty("lp-strict")
    with SerialPrinterSimulator(pair.device, state=PrinterState(answers_status=False)) as printer:
        agent(KIOSK, printer={"url": f"file://{pair.host}", "width": 384, "require_status": True})
        ticket = call(KIOSK, "POST", "/tickets", {"service": "XD"}, status=201)
        failed = wait_until(lambda: events("ticket.print_failed", ticket_id=ticket["id"]))
        assert failed, events(ticket_id=ticket["id"])
        assert failed[0]["print_status"] == "offline"  # without the key it would print blind
        assert printer.receipts() == [] and printer.held == b""
        assert 1 in printer.queries  # it asked, and got no answer
        assert call(KIOSK, "GET", f"/tickets/{ticket['id']}")["status"] == "waiting"

        printer.state.answers_status = True  # the printer is back and answers again
        call(KIOSK, "POST", f"/tickets/{ticket['id']}/reprint", status=202)
        assert wait_until(lambda: events("ticket.printed", ticket_id=ticket["id"]))
        assert len(printer.receipts()) == 1
