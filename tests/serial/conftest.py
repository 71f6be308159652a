"""Fixtures for the serial device tests: real socat pty pairs, cleaned up after each test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import serial

from hardware.serial.virtual import SocatPair


@pytest.fixture
def pty_pair(tmp_path) -> Iterator[SocatPair]:
    """A running ``socat pty,raw,echo=0 pty,raw,echo=0`` pair: ``.host`` and ``.device`` paths."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed (apt-get install socat); serial tests need real pty pairs")
    pair = SocatPair(tmp_path, "bus").start()
    yield pair
    pair.close()


@pytest.fixture
def device_end(pty_pair: SocatPair) -> Iterator[serial.Serial]:
    """The device side of the pair opened raw, for reading exactly what a driver sent."""
    port = serial.serial_for_url(pty_pair.device, baudrate=9600, timeout=0.5)
    yield port
    port.close()
