"""Fixtures for the serial device tests: real socat pty pairs, cleaned up after each test.

Helpers are fixtures (``wait_until``, ``read_frame``) because tests run with
``--import-mode=importlib``, where a test directory is not importable; note this directory
must stay without ``__init__.py``, or it would shadow the ``serial`` package (pyserial).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
import serial
from support import need_tool

from hardware.serial.virtual import SocatPair


@pytest.fixture
def pty_pair(tmp_path) -> Iterator[SocatPair]:
    """A running ``socat pty,raw,echo=0 pty,raw,echo=0`` pair: ``.host`` and ``.device`` paths."""
    need_tool("socat")
    pair = SocatPair(tmp_path, "bus").start()
    yield pair
    pair.close()


@pytest.fixture
def device_end(pty_pair: SocatPair) -> Iterator[serial.Serial]:
    """The device side of the pair opened raw, for reading exactly what a driver sent."""
    port = serial.serial_for_url(pty_pair.device, baudrate=9600, timeout=0.5)
    yield port
    port.close()


def _read_frame(port: serial.SerialBase, size: int, timeout: float = 2.0) -> bytes:
    """Read ``size`` bytes or whatever arrived before ``timeout``."""
    out = bytearray()
    deadline = time.monotonic() + timeout
    while len(out) < size and time.monotonic() < deadline:
        out += port.read(size - len(out))
    return bytes(out)


def _wait_until(predicate: Callable[[], object], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


@pytest.fixture
def read_frame() -> Callable[..., bytes]:
    return _read_frame


@pytest.fixture
def wait_until() -> Callable[..., bool]:
    return _wait_until
