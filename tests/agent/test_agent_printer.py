"""The kiosk's agent prints the tickets its kiosk issued through the real ESC/POS path: the bytes a
file:// printer received are decoded back into an image and read like a person (tesseract vie)
and a phone (OpenCV QR) would. Paper out → a print_failed event, the ticket still valid, and a
reprint once paper is back."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from support import decode_qr, need, need_tool

from hardware.printer import decode_receipts
from hardware.printer.simulator import PrinterState, TcpPrinterSimulator

# The demo centre's own tokens (queue_server.demo), which the agents use like a real centre.
KIOSK, MANAGER = "demo-kiosk", "demo-manager"

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

    import numpy as np

    value = decode_qr(np.array(img.convert("L")))
    assert value == ticket["tracking_url"]  # the phone page's link the API gave the kiosk
    assert value.startswith(PUBLIC_URL + "/")

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


def test_motcua_agent_command_prints_what_its_kiosk_issued_while_it_was_down(
        server, call, events, wait_until, tmp_path):
    import signal
    import sys
    import threading
    from pathlib import Path

    motcua = Path(sys.executable).parent / "motcua"
    out = tmp_path / "cli-printer.bin"
    (tmp_path / "kiosk.token").write_text(KIOSK)
    config = tmp_path / "agent.toml"
    config.write_text(f'[server]\nurl = "{server.url}"\ntoken_file = "kiosk.token"\n'
                      f'[agent]\ndata_dir = "data"\nhealth_interval = 0.5\n'
                      f'[printer]\nurl = "file://{out}"\nwidth = 384\n')
    bad = tmp_path / "bad.toml"
    bad.write_text('[server]\nurl = "ftp://x"\ntoken = "t"\n')
    refused = subprocess.run([str(motcua), "agent", "--config", str(bad)], capture_output=True,
                             text=True, timeout=30)
    assert refused.returncode != 0 and "http(s)" in refused.stderr

    # issued while this kiosk's agent was not running: printed as soon as it connects
    ticket = call(KIOSK, "POST", "/tickets", {"service": "DD"}, status=201)
    proc = subprocess.Popen([str(motcua), "agent", "--config", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not wait_until(lambda: any("agent: connected" in line for line in lines), timeout=20):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
            pytest.fail("the agent never connected:\n" + "".join(lines))
        if not wait_until(lambda: events("ticket.printed", ticket_id=ticket["id"]), timeout=20):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
            pytest.fail(f"not printed: {events(ticket_id=ticket['id'])}\n" + "".join(lines))
        (img,) = decode_receipts(out.read_bytes())
        assert img.width == 384  # 58 mm, as configured
        assert (tmp_path / "data" / "outbox.sqlite3").exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        reader.join(timeout=5)
    assert proc.returncode == 0, "".join(lines)
    assert "MotCua agent" in lines[0]
