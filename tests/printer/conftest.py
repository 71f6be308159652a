"""Fixtures for the printer tests: sample tickets, a socat pty pair, a local TCP printer simulator."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import need_tool

from hardware.printer import TicketPrint, sample_ticket
from hardware.printer.simulator import TcpPrinterSimulator

# 02:41 UTC is 09:41 in Hà Nội / TP.HCM (UTC+7): the ticket must print local time.
ISSUED_UTC = datetime(2026, 11, 21, 2, 41, tzinfo=UTC)
TRACKING_URL = "https://motcua.example.vn/t/7k3q9xwmd2fh5b8p"  # PUBLIC_URL/t/<tracking code>


@pytest.fixture
def ticket() -> TicketPrint:
    return sample_ticket(issued_at=ISSUED_UTC, tracking_url=TRACKING_URL)


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinterSimulator]:
    sim = TcpPrinterSimulator()
    yield sim
    sim.close()


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(host end, printer end) of a real ``socat`` pseudo-terminal pair."""
    socat = need_tool("socat")
    host, device = tmp_path / "ttyHost", tmp_path / "ttyPrinter"
    proc = subprocess.Popen(
        [socat, f"pty,raw,echo=0,link={host}", f"pty,raw,echo=0,link={device}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 5
    while not (host.exists() and device.exists()):
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("socat did not create the pty pair within 5 s")
        time.sleep(0.02)
    yield str(host), str(device)
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
