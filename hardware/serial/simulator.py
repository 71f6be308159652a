"""Simulated hardware on the far end of a serial line (socat pty pair, TCP, real adapter).

A :class:`BusSimulator` plays an RS-485 bus: every byte the host writes reaches every
simulated display, each decides from its address whether the frame is its own, and replies
are written back. ``make run`` and the tests use it the same way a real board would be used;
only the configuration (the port URL) differs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Self

import serial

from .display import DisplaySimulator
from .port import IO_ERRORS

log = logging.getLogger(__name__)


class BusSimulator:
    """Serve simulated displays on the device side of ``url`` in a background thread.

    The thread survives the line vanishing (pty closed, adapter unplugged): it reopens ``url``
    every ``reopen_s`` seconds until :meth:`stop`.
    """

    def __init__(self, url: str, devices: Iterable[DisplaySimulator] = (), *,
                 baudrate: int = 9600, idle_gap: float = 0.05, reopen_s: float = 0.1) -> None:
        self.url = url
        self.devices = list(devices)
        self.baudrate = baudrate
        self.idle_gap = idle_gap
        self.reopen_s = reopen_s
        self.bytes_seen = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, device: DisplaySimulator) -> DisplaySimulator:
        self.devices.append(device)
        return device

    def start(self) -> BusSimulator:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"bus-sim {self.url}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=self.idle_gap)
            except (*IO_ERRORS, ValueError):
                self._stop.wait(self.reopen_s)
                continue
            self.connected.set()
            try:
                self._serve(port)
            except IO_ERRORS as exc:
                log.info("simulated bus %s lost its line: %s", self.url, exc)
            finally:
                self.connected.clear()
                port.close()

    def _serve(self, port: serial.SerialBase) -> None:
        while not self._stop.is_set():
            data = port.read(max(port.in_waiting, 1))
            if not data:
                for device in self.devices:
                    device.idle()
                continue
            self.bytes_seen += len(data)
            for device in self.devices:
                try:
                    answer = device.feed(data)
                except Exception:  # a simulator bug must not kill the bus
                    log.exception("simulated device failed on %r", data)
                    continue
                if answer:
                    port.write(answer)
