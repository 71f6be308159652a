"""Status read-back for ``file://`` character devices (how Linux exposes a USB printer: /dev/usb/lp0).

A socat pseudo-terminal pair stands in for the usblp node: like it, it is a bidirectional
character device, so the host opens one fd read/write, sends DLE EOT and reads the answers there.
The printer simulator on the other end answers from its state, exactly as in the serial tests.
Regular files keep the old behaviour (bytes appended, status unknown).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest
import serial

from hardware.printer import (
    PrinterProfile,
    decode_receipts,
    parse_printer_url,
    print_job,
    print_ticket,
    printer_status,
    render_ticket,
)
from hardware.printer.simulator import SerialPrinterSimulator
from hardware.printer.status import MSG_PAPER_OUT, MSG_UNREACHABLE

FAST = PrinterProfile(width_px=384, status_timeout=0.3)
STRICT = PrinterProfile(width_px=384, status_timeout=0.3, require_status=True)


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.serial
def test_a_character_device_answers_status_and_prints(ticket, pty_pair):
    host, device = pty_pair
    url = f"file://{host}"
    assert parse_printer_url(url).can_read_status
    with SerialPrinterSimulator(device) as sim:
        result = print_ticket(url, ticket, FAST)
        assert result.ok, result.detail
        assert result.status.known and result.status.code == "ok"
        assert sim.queries == [1, 2, 4, 1, 2, 4]  # asked before and after, on the same fd
        (img,) = sim.receipts()
        assert img.tobytes() == render_ticket(ticket, 384).tobytes()

        sim.state.paper_near_end = True
        status = printer_status(url, FAST)
        assert status.ok and status.code == "paper_near_end"
        assert status.raw == bytes([0x12, 0x12, 0x1E])


@pytest.mark.serial
def test_paper_out_on_a_character_device_keeps_the_ticket_and_tells_the_citizen(ticket, pty_pair):
    host, device = pty_pair
    url = f"file://{host}"
    with SerialPrinterSimulator(device) as sim:
        sim.state.paper_out = True
        result = print_ticket(url, ticket, FAST)
        assert not result.ok and result.code == "paper_out"
        assert result.message == MSG_PAPER_OUT == "Máy in hết giấy — vui lòng chụp màn hình"
        assert result.bytes_sent == 0 and result.job  # held back and kept for a reprint
        assert sim.printed == b"" and sim.held == b""
        assert printer_status(url, FAST).code == "paper_out"

        sim.state.paper_out = False  # roll replaced: the same job is reprinted
        again = print_job(url, result.job, FAST)
        assert again.ok and again.status.code == "ok"
        assert len(sim.receipts()) == 1


@pytest.mark.serial
def test_paper_running_out_during_the_job_on_a_character_device(ticket, pty_pair):
    host, device = pty_pair
    with SerialPrinterSimulator(device) as sim:
        sim.paper_left = 2000  # the roll ends after the first 2000 bytes of the job
        result = print_ticket(f"file://{host}", ticket, FAST)
    assert not result.ok and result.code == "paper_out"
    assert result.bytes_sent == len(result.job)
    assert "chưa in đủ" in result.message and "hết giấy" in result.message


@pytest.mark.serial
@pytest.mark.parametrize("scheme", ["file", "serial"])
def test_a_device_that_never_answers_is_unknown_or_offline_on_both_transports(scheme, ticket, pty_pair):
    """The same printer behind the same line, as file:// (char device) and serial://: same outcome."""
    host, device = pty_pair
    url = f"file://{host}" if scheme == "file" else f"serial://{host}?baudrate=115200"
    with SerialPrinterSimulator(device) as sim:
        sim.state.answers_status = False
        status = printer_status(url, FAST)
        assert not status.known and status.code == "unknown" and status.ok

        result = print_ticket(url, ticket, FAST)  # printed blind, as cheap printers require
        assert result.ok and not result.status.known
        assert wait_for(lambda: len(sim.receipts()) == 1)  # nothing waits for the line to drain

        strict = print_ticket(url, ticket, STRICT)  # a model known to answer: silence is offline
        assert not strict.ok and strict.code == "offline" and strict.bytes_sent == 0
        assert strict.message == MSG_UNREACHABLE and strict.status.offline
        assert len(sim.receipts()) == 1
        assert sim.queries == [1, 1, 1]  # status, before the blind print, strict: never answered


@pytest.mark.serial
def test_answers_mixed_with_stray_bytes_several_per_read(pty_pair):
    """A device that sends junk before each answer, in one burst (like a 64-byte USB packet)."""
    host, device = pty_pair
    answers = {1: 0x1A, 2: 0x16, 4: 0x12}  # offline because the cover is open
    port = serial.Serial(device, baudrate=115200, timeout=0.05)
    stop = threading.Event()

    def respond() -> None:
        port.write(b"\xff\x00\x00")  # stale bytes already waiting: drained before asking
        while not stop.is_set():
            query = port.read(3)
            if len(query) == 3:
                port.write(b"A\x00\x80" + bytes([answers.get(query[2], 0x12)]) + b"\x01")

    t = threading.Thread(target=respond, daemon=True)
    t.start()
    time.sleep(0.1)
    try:
        status = printer_status(f"file://{host}", FAST)
    finally:
        stop.set()
        t.join(timeout=2)
        port.close()
    assert status.code == "cover_open" and status.raw == bytes([0x1A, 0x16, 0x12])
    assert "Nắp máy in" in status.error


def test_a_device_that_reads_nothing_but_eof_is_unknown_quickly(ticket):
    """/dev/null is a real character device whose reads return 0 bytes at once, as usblp does
    after a zero-length packet: no answer, no busy loop, printing still goes through."""
    assert parse_printer_url("file:///dev/null").can_read_status
    started = time.monotonic()
    status = printer_status("file:///dev/null", FAST)
    assert not status.known and status.code == "unknown"
    assert time.monotonic() - started < 2
    result = print_ticket("file:///dev/null", ticket, FAST)
    assert result.ok and result.bytes_sent == len(result.job) and not result.status.known


def test_an_unplugged_usb_printer_node_is_offline_and_never_created(ticket):
    path = "/dev/usb/motcua-test-lp9"
    assert not os.path.lexists(path)
    assert parse_printer_url(f"file://{path}").can_read_status  # health reports will ask it
    result = print_ticket(f"file://{path}", ticket, FAST)
    assert not result.ok and result.code == "unreachable" and result.bytes_sent == 0
    assert "chụp màn hình" in result.message and path in result.detail
    status = printer_status(f"file://{path}", FAST)
    assert status.offline and status.code == "offline"
    assert not os.path.lexists(path)


def test_a_regular_file_is_still_appended_with_status_unknown(ticket, tmp_path):
    out = tmp_path / "kiosk.bin"
    url = f"file://{out}"
    assert not parse_printer_url(url).can_read_status
    first = print_ticket(url, ticket, FAST)
    second = print_ticket(url, ticket, FAST)
    assert first.ok and second.ok and first.status is None
    assert len(decode_receipts(out.read_bytes())) == 2  # appended, not truncated
    assert out.read_bytes().count(b"\x10\x04") == 0  # never queried
    status = printer_status(url, FAST)
    assert not status.known and status.code == "unknown"
