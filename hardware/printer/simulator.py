"""A simulated ESC/POS printer reachable over TCP or a serial port, for tests and `make run`.

It parses the byte stream like a printer (so DLE EOT inside raster data is not mistaken for a
query), answers DLE EOT from a settable state (paper out, near end, cover open, offline, cutter
error), and keeps what it printed. While it cannot print, received data is held, not printed.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from typing import Self

from PIL import Image

from .decode import command_length, decode_receipts


@dataclass
class PrinterState:
    """Conditions a test or a demo page can switch on and off."""

    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    offline: bool = False
    cutter_error: bool = False
    answers_status: bool = True

    @property
    def can_print(self) -> bool:
        return not (self.paper_out or self.cover_open or self.offline or self.cutter_error)


class SimulatedPrinter:
    """The printer model, independent of the transport: ``feed(bytes) -> reply bytes``."""

    def __init__(self, state: PrinterState | None = None, paper_left: int | None = None) -> None:
        self.state = state or PrinterState()
        # Bytes of print data the roll still holds (None = endless); reaching 0 sets paper_out,
        # which models a roll that runs out in the middle of a ticket.
        self.paper_left = paper_left
        self.printed = bytearray()
        self.held = bytearray()
        self.queries: list[int] = []
        self._pending = bytearray()
        self._lock = threading.Lock()

    def status_byte(self, n: int) -> int:
        """The DLE EOT n answer for the current state (fixed bits 0x12 plus flags)."""
        s = self.state
        value = 0x12
        if n == 1 and not s.can_print:
            value |= 0x08
        elif n == 2:
            value |= (
                (0x04 if s.cover_open else 0) | (0x20 if s.paper_out else 0) | (0x40 if s.cutter_error else 0)
            )
        elif n == 3 and s.cutter_error:
            value |= 0x08
        elif n == 4:
            value |= (0x0C if s.paper_near_end or s.paper_out else 0) | (0x60 if s.paper_out else 0)
        return value

    def feed(self, data: bytes) -> bytes:
        """Take bytes from the host; return what the printer sends back."""
        reply = bytearray()
        with self._lock:
            self._pending += data
            while self._pending:
                length = command_length(self._pending, 0)
                if length is None:
                    break
                cmd = bytes(self._pending[:length])
                del self._pending[:length]
                if cmd[:2] == b"\x10\x04" and len(cmd) == 3:
                    self.queries.append(cmd[2])
                    if self.state.answers_status and 1 <= cmd[2] <= 4:
                        reply.append(self.status_byte(cmd[2]))
                    continue
                if not self.state.can_print:
                    self.held.extend(cmd)
                    continue
                if self.paper_left is not None:
                    if len(cmd) > self.paper_left:
                        self.held.extend(cmd)
                        self.paper_left = 0
                        self.state.paper_out = True
                        continue
                    self.paper_left -= len(cmd)
                self.printed.extend(cmd)
        return bytes(reply)

    def receipts(self) -> list[Image.Image]:
        """Images of the tickets printed so far, one per cut."""
        with self._lock:
            data = bytes(self.printed)
        return decode_receipts(data)


class TcpPrinterSimulator(SimulatedPrinter):
    """Listens on 127.0.0.1 like a network printer on port 9100 (use ``url``)."""

    def __init__(
        self,
        state: PrinterState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        paper_left: int | None = None,
    ) -> None:
        super().__init__(state, paper_left)
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.1)
        self.host, self.port = self._server.getsockname()[:2]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connections = 0
        accept = threading.Thread(target=self._accept_loop, name="printer-sim-accept", daemon=True)
        accept.start()
        self._threads.append(accept)

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            t = threading.Thread(target=self._serve, args=(conn,), name="printer-sim-conn", daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                reply = self.feed(data)
                if reply:
                    try:
                        conn.sendall(reply)
                    except OSError:
                        return

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialPrinterSimulator(SimulatedPrinter):
    """Serves the printer end of a serial line (e.g. one side of a socat pty pair)."""

    def __init__(self, port: str, state: PrinterState | None = None, baudrate: int = 115200) -> None:
        import serial

        super().__init__(state)
        self._port = serial.Serial(port, baudrate=baudrate, timeout=0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="printer-sim-serial", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._port.read(self._port.in_waiting or 1)
                if data:
                    reply = self.feed(data)
                    if reply:
                        self._port.write(reply)
            except Exception:  # noqa: BLE001 - the port went away; the simulator just stops
                if not self._stop.is_set():
                    self._stop.set()
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._port.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
