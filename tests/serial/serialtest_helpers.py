"""Small helpers shared by the serial tests (a uniquely named module, importable from tests)."""

from __future__ import annotations

import time
from collections.abc import Callable

import serial


def read_frame(port: serial.SerialBase, size: int, timeout: float = 2.0) -> bytes:
    """Read ``size`` bytes or whatever arrived before ``timeout``."""
    out = bytearray()
    deadline = time.monotonic() + timeout
    while len(out) < size and time.monotonic() < deadline:
        out += port.read(size - len(out))
    return bytes(out)


def wait_until(predicate: Callable[[], object], timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())
