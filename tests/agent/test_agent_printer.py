"""The kiosk's agent prints the tickets its kiosk issued through the real ESC/POS path: the bytes a
file:// printer received are decoded back into an image and read like a person (tesseract vie)
and a phone (OpenCV QR) would. Paper out → a print_failed event, the ticket still valid, and a
reprint once paper is back."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from livesupport import KIOSK
from support import need, need_tool

from hardware.printer import decode_receipts
from hardware.printer.simulator import PrinterState, TcpPrinterSimulator

pytestmark = pytest.mark.slow
CENTRE = "Trung tâm Phục vụ hành chính công"  # the default CENTRE_NAME of the demo server
PUBLIC_URL = "http://127.0.0.1:5000"  # the default PUBLIC_URL


def ocr(img, tmp_path) -> str:
    tesseract = need_tool("tesseract")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    need("vie" in langs, "tesseract has no Vietnamese data (Debian package tesseract-ocr-vie)")
    path = tmp_path / "ocr.png"
    img.resize((img.width * 3, img.height * 3)).save(path)
    text = subprocess.run([tesseract, str(path), "-", "-l", "vie"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return " ".join(unicodedata.normalize("NFC", text).split())


def confusable(text: str) -> str:
    return text.translate(str.maketrans({"O": "0", "I": "1", "l": "1", "]": "1", "|": "1"}))


def test_a_kiosk_ticket_is_printed_decoded_ocrd_and_its_qr_tracks_it(
        server, agent, call, events, wait_until, tmp_path):
    out = tmp_path / "kiosk-printer.bin"
    previews = tmp_path / "previews"
    kiosk_agent = agent(KIOSK, printer={"url": f"file://{out}", "width": 576,
                                        "preview_dir": str(previews)})
    assert kiosk_agent.client["role"] == "kiosk"
    ticket = call(KIOSK, "POST", "/tickets", {"service": "DD"}, status=201)
    printed = wait_until(lambda: events("ticket.printed", ticket_id=ticket["id"]))
    assert printed[0]["actor"] == "device:kiosk-sanh" and printed[0]["print_status"] == "printed"

    (img,) = decode_receipts(out.read_bytes())
    assert (previews / f"{ticket['number']}-{ticket['id']}.png").exists()
    text = ocr(img, tmp_path)
    assert CENTRE.upper() in text.upper(), text
    # In Be Vietnam Pro 0/O and 1/I/] are one shape to tesseract: compare confusion classes.
    assert confusable(ticket["number"]) in confusable(text).split(), text
    assert "Đất đai" in text, text

    import cv2
    import numpy as np

    value, _points, _ = cv2.QRCodeDetector().detectAndDecode(np.array(img.convert("L")))
    assert value == f"{PUBLIC_URL}/api/v1/tickets/{ticket['id']}"

    # a ticket issued by someone else (not this kiosk) is not printed here
    call("demo-agent-1", "POST", "/tickets", {"service": "DD"}, status=403)


def test_paper_out_is_reported_the_ticket_stays_valid_and_a_reprint_works(
        server, agent, call, events, wait_until):
    state = PrinterState(paper_out=True)
    with TcpPrinterSimulator(state=state) as printer:
        kiosk_agent = agent(KIOSK, printer={"url": printer.url})
        ticket = call(KIOSK, "POST", "/tickets", {"service": "DD"}, status=201)
        failed = wait_until(lambda: events("ticket.print_failed", ticket_id=ticket["id"]))
        assert failed[0]["message"] == "Máy in hết giấy — vui lòng chụp màn hình"
        assert failed[0]["print_status"] == "paper_out"
        assert printer.receipts() == []
        assert call(KIOSK, "GET", f"/tickets/{ticket['id']}")["status"] == "waiting"
        assert kiosk_agent.printed[-1]["ok"] is False

        def printer_health():
            rows = call("demo-manager", "GET", "/devices")
            row = next(r for r in rows if r["name"] == "kiosk-sanh")
            return next((d for d in row["devices"] if d["id"] == "printer"), {})

        assert wait_until(lambda: printer_health().get("status") == "error")
        assert "hết giấy" in printer_health()["message"]

        state.paper_out = False  # paper refilled; the citizen asks for the ticket again
        call(KIOSK, "POST", f"/tickets/{ticket['id']}/reprint", status=202)
        assert wait_until(lambda: events("ticket.printed", ticket_id=ticket["id"]))
        assert len(printer.receipts()) == 1
        assert wait_until(lambda: printer_health().get("status") == "ok")
