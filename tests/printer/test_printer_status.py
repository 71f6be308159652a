"""Printer status from real DLE EOT bytes: over a local TCP printer and over a socat serial pty pair.

A fault found before printing keeps the job (nothing sent, nothing claimed printed) and gives the
kiosk a Vietnamese message; a fault appearing during the job is reported as possibly incomplete.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from hardware.printer import (
    PROFILE_58MM,
    PrinterProfile,
    parse_status,
    print_job,
    print_ticket,
    printer_status,
    render_ticket,
)
from hardware.printer.simulator import SerialPrinterSimulator, TcpPrinterSimulator
from hardware.printer.status import MSG_PAPER_OUT, query_device_status, status_request

FAST = PrinterProfile(width_px=384, status_timeout=0.3)


# --- parsing real answer bytes (Epson DLE EOT bit layout) ---------------------------------------


def test_parse_healthy_printer():
    s = parse_status(0x16, 0x12, None, 0x12)  # 0x16: drawer pin bit only
    assert s.ok and s.known and s.code == "ok" and s.error is None


def test_parse_paper_out_from_offline_cause_and_roll_sensor():
    s = parse_status(0x1A, 0x32, None, 0x7E)
    assert not s.ok and s.paper_out and s.offline and s.code == "paper_out"
    assert s.error == MSG_PAPER_OUT == "Máy in hết giấy — vui lòng chụp màn hình"
    assert parse_status(paper=0x72).paper_out  # roll sensor alone (bits 5-6)


def test_parse_near_end_is_a_warning_not_a_failure():
    s = parse_status(0x12, 0x12, None, 0x1E)
    assert s.ok and s.paper_near_end and not s.paper_out
    assert s.code == "paper_near_end" and "sắp hết giấy" in s.warning


def test_parse_cover_open_cutter_error_and_plain_offline():
    assert parse_status(0x1A, 0x16).code == "cover_open"
    cutter = parse_status(0x1A, 0x52, 0x1A, 0x12)
    assert not cutter.ok and "Dao cắt" in cutter.error and cutter.code == "error"
    offline = parse_status(0x1A, 0x12, None, 0x12)
    assert not offline.ok and offline.code == "offline"


def test_parse_rejects_bytes_that_are_not_status_answers():
    with pytest.raises(ValueError, match="not a valid answer to DLE EOT 1"):
        parse_status(0x41)
    assert not parse_status().known


def test_status_request_bytes():
    assert status_request(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        status_request(5)


# --- over TCP (a printer simulator listening on 127.0.0.1) --------------------------------------


def test_tcp_prints_and_reports_ok(ticket, tcp_printer):
    result = print_ticket(tcp_printer.url, ticket, FAST)
    assert result.ok and result.code == "printed" and result.status.code == "ok"
    assert result.bytes_sent == len(result.job)
    assert tcp_printer.queries == [1, 2, 4, 1, 2, 4]  # checked before and after
    (img,) = tcp_printer.receipts()
    assert img.tobytes() == render_ticket(ticket, 384).tobytes()


def test_tcp_paper_out_keeps_the_ticket_and_tells_the_citizen(ticket, tcp_printer):
    tcp_printer.state.paper_out = True
    result = print_ticket(tcp_printer.url, ticket, FAST)
    assert not result.ok and result.code == "paper_out"
    assert result.message == "Máy in hết giấy — vui lòng chụp màn hình"
    assert result.bytes_sent == 0 and result.job  # not sent, not claimed printed, kept for a reprint
    assert tcp_printer.printed == b"" and tcp_printer.held == b""
    assert printer_status(tcp_printer.url, FAST).code == "paper_out"

    tcp_printer.state.paper_out = False  # paper loaded: the reprint of the same job works
    again = print_job(tcp_printer.url, result.job, FAST)
    assert again.ok
    assert len(tcp_printer.receipts()) == 1


def test_tcp_paper_running_out_during_the_job_is_reported(ticket):
    with TcpPrinterSimulator(paper_left=2000) as sim:
        result = print_ticket(sim.url, ticket, FAST)
    assert not result.ok and result.code == "paper_out"
    assert result.bytes_sent == len(result.job)
    assert "chưa in đủ" in result.message and "hết giấy" in result.message


def test_tcp_cover_open_and_near_end(ticket, tcp_printer):
    tcp_printer.state.cover_open = True
    result = print_ticket(tcp_printer.url, ticket, FAST)
    assert not result.ok and result.code == "cover_open" and "Nắp máy in" in result.message
    tcp_printer.state.cover_open = False
    tcp_printer.state.paper_near_end = True
    result = print_ticket(tcp_printer.url, ticket, FAST)
    assert result.ok and result.status.paper_near_end and "sắp hết giấy" in result.warning


def test_tcp_printer_that_ignores_status_queries(ticket, tcp_printer):
    tcp_printer.state.answers_status = False
    result = print_ticket(tcp_printer.url, ticket, FAST)
    assert result.ok and not result.status.known  # printed blind, as most cheap printers require
    strict = PrinterProfile(width_px=384, status_timeout=0.2, require_status=True)
    result = print_ticket(tcp_printer.url, ticket, strict)
    assert not result.ok and result.bytes_sent == 0
    assert len(tcp_printer.receipts()) == 1


def test_tcp_nothing_listening_is_a_failure_not_an_exception(ticket):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = print_ticket(f"tcp://127.0.0.1:{port}?timeout=1", ticket, FAST)
    assert not result.ok and result.code == "unreachable" and "chụp màn hình" in result.message
    assert printer_status(f"tcp://127.0.0.1:{port}").offline


def test_tcp_printer_that_drops_the_connection_mid_job(ticket):
    """A server that accepts, answers one query, then closes: the kiosk gets a failure."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(3)
            conn.sendall(b"\x12")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    result = print_ticket(f"tcp://127.0.0.1:{port}", ticket, FAST)
    t.join(timeout=5)
    server.close()
    assert not result.ok
    assert result.code in ("unreachable", "offline")


# --- over a real serial line (socat pty pair) ----------------------------------------------------


@pytest.mark.serial
def test_serial_status_and_print_over_a_pty_pair(ticket, pty_pair):
    host, device = pty_pair
    with SerialPrinterSimulator(device) as sim:
        url = f"serial://{host}?baudrate=115200"
        result = print_ticket(url, ticket, FAST)
        assert result.ok, result.detail
        assert result.status.known and result.status.code == "ok"
        (img,) = sim.receipts()
        assert img.tobytes() == render_ticket(ticket, 384).tobytes()

        sim.state.paper_out = True
        result = print_ticket(url, ticket, FAST)
        assert not result.ok and result.code == "paper_out" and result.bytes_sent == 0
        assert result.message == "Máy in hết giấy — vui lòng chụp màn hình"
        assert sim.held == b"" and len(sim.receipts()) == 1

        sim.state.paper_out = False
        sim.state.paper_near_end = True
        status = printer_status(url, FAST)
        assert status.ok and status.paper_near_end and status.raw == bytes([0x12, 0x12, 0x1E])


@pytest.mark.serial
def test_serial_device_missing_is_a_failure(ticket, tmp_path):
    result = print_ticket(f"serial://{tmp_path}/ttyGone?baudrate=115200", ticket, PROFILE_58MM)
    assert not result.ok and result.code == "unreachable"
    assert "ttyGone" in result.detail


def test_stray_bytes_on_the_line_are_not_taken_for_status():
    """A printer that also sends junk (e.g. automatic status back) before each answer."""
    server = socket.create_server(("127.0.0.1", 0))
    answers = {1: 0x12, 2: 0x32, 4: 0x7E}  # paper out

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"\xff\x00")  # stale bytes waiting before the first query: drained
            while query := conn.recv(3):
                conn.sendall(b"A\x00" + bytes([answers.get(query[2], 0x12)]))

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    with socket.create_connection(server.getsockname()) as sock:
        time.sleep(0.1)
        status = query_device_status(sock, timeout=1.0)
    server.close()
    t.join(timeout=5)
    assert status.code == "paper_out" and status.raw == bytes([0x12, 0x32, 0x7E])
