"""ASCII frame protocol for LED counter boards on RS-232/RS-485 (protocol name ``ascii-stx``).

Frame sent by the host (every field is ASCII except the control bytes)::

    STX   ADDR   CMD   TEXT        ETX   CHK
    0x02  "03"   "D"   "A025"      0x03  "32"

- ``ADDR``: two decimal digits ``00``–``99``, the board's DIP-switch address. ``00`` is a
  broadcast every board on the bus obeys and none answers.
- ``CMD``: ``D`` = display ``TEXT``; ``C`` = clear (``TEXT`` empty).
- ``TEXT``: 0–``width`` bytes in 0x20–0x7E (after :func:`led_text`: upper case, no diacritics).
- ``CHK``: XOR of every byte from the first ``ADDR`` digit through ``ETX`` inclusive, written as
  two upper-case hex digits. Example above: XOR of ``b"03DA025\\x03"`` = 0x32 → ``"32"``;
  clear-all is ``02 30 30 43 03 34 30`` (``STX "00C" ETX "40"``).

Reply, only from a board configured to answer (``ack = true``), only to its own address:
``ACK ADDR`` (``06 30 33``) when the frame was taken, ``NAK ADDR`` (``15 30 33``) when the
checksum or command was wrong. Without ``ack`` the host just writes (cheap one-way boards).

Options: ``format`` (default ``"{ticket}"``, may use ``{counter}``), ``width`` (default 16),
``ack`` (default false), ``retries`` (extra attempts after a NAK or silence, default 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce
from typing import Any

from ..display import (
    DisplaySimulator,
    LedDisplay,
    check_template,
    config_int,
    register_display,
)
from ..errors import DeviceConfigError, DeviceOffline, DeviceReplyError
from ..text import led_text

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15
CMD_DISPLAY, CMD_CLEAR = ord("D"), ord("C")
BROADCAST = 0
MAX_TEXT = 64


def checksum(body: bytes) -> bytes:
    """XOR of ``body`` (ADDR … ETX) as two upper-case hex ASCII digits."""
    return b"%02X" % reduce(lambda acc, byte: acc ^ byte, body, 0)


def build_frame(address: int, command: str, text: str = "") -> bytes:
    """Encode one host → board frame (``text`` must already be LED-safe ASCII)."""
    if not 0 <= address <= 99:
        raise DeviceConfigError(f"Địa chỉ bảng LED phải từ 0 đến 99, nhận được {address}")
    payload = text.encode("ascii")
    if any(b < 0x20 or b > 0x7E for b in payload) or len(payload) > MAX_TEXT:
        raise ValueError(f"text not frame-safe: {text!r}")
    body = b"%02d" % address + command.encode("ascii") + payload + bytes([ETX])
    return bytes([STX]) + body + checksum(body)


def reply(kind: int, address: int) -> bytes:
    return bytes([kind]) + b"%02d" % address


@register_display("ascii-stx")
class AsciiStxDisplay(LedDisplay):
    """Host side of the ``ascii-stx`` protocol."""

    option_keys = frozenset({"format", "width", "ack", "retries"})

    def _configure(self, config: Mapping[str, Any]) -> None:
        self.address = config_int(config, "address", lo=0, hi=99)
        self.width = config_int(config, "width", 16, lo=1, hi=MAX_TEXT)
        self.template = check_template(config.get("format", "{ticket}"))
        self.ack = bool(config.get("ack", False))
        self.retries = config_int(config, "retries", 2, lo=0, hi=10)
        if self.ack and self.address == BROADCAST:
            raise DeviceConfigError("Địa chỉ 00 là phát quảng bá: không bảng nào trả lời, hãy đặt ack = false")

    def frame_for(self, counter_number: str, ticket_number: str) -> bytes:
        """The exact bytes :meth:`show` sends (handy for logs and tests)."""
        text = led_text(self.template.format(ticket=ticket_number, counter=counter_number),
                        width=self.width)
        return build_frame(self.address, "D", text)

    def _show(self, counter_number: str, ticket_number: str) -> None:
        self._send(self.frame_for(counter_number, ticket_number))

    def _clear(self) -> None:
        self._send(build_frame(self.address, "C"))

    def _send(self, frame: bytes) -> None:
        port = self.port
        if not self.ack:
            port.write(frame)
            return
        expected_ack, expected_nak = reply(ACK, self.address), reply(NAK, self.address)
        refused = False
        with port.lock:
            for _attempt in range(self.retries + 1):
                port.discard_input()
                port.write(frame)
                answer = self._await_reply(port)
                if answer == expected_ack:
                    return
                refused = answer == expected_nak
        tries = self.retries + 1
        if refused:
            raise DeviceReplyError(f"Bảng LED {self.name} từ chối khung (NAK) sau {tries} lần gửi")
        raise DeviceOffline(self.name, f"không phản hồi sau {tries} lần gửi")

    def _await_reply(self, port) -> bytes:
        """Return the first 3-byte ACK/NAK for our address, skipping noise; b"" on silence."""
        seen = bytearray()
        timeout = port.settings.timeout
        while True:
            chunk = port.read_exact(1, timeout)
            if not chunk:
                return b""
            seen += chunk
            for i in range(len(seen) - 2):
                if seen[i] in (ACK, NAK) and seen[i + 1:i + 3] == b"%02d" % self.address:
                    return bytes(seen[i:i + 3])
            if len(seen) > 64:
                return b""


class AsciiStxSimulator(DisplaySimulator):
    """A board on the bus: obeys frames for its address (and broadcasts), ignores the rest."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.address = config_int(config, "address", lo=0, hi=99)
        self.ack = bool(config.get("ack", False))
        self.width = config_int(config, "width", 16, lo=1, hi=MAX_TEXT)
        self._buf = bytearray()

    def idle(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        self._buf += data
        while True:
            start = self._buf.find(STX)
            if start < 0:
                self._buf.clear()
                return bytes(out)
            del self._buf[:start]
            end = self._buf.find(ETX, 1)
            restart = self._buf.find(STX, 1)
            if 0 < restart and (end < 0 or restart < end):
                self.frames_rejected += 1          # frame cut short by a new STX: noise
                del self._buf[:restart]
                continue
            if end < 0:
                if len(self._buf) > MAX_TEXT + 8:
                    self.frames_rejected += 1
                    self._buf.clear()
                return bytes(out)
            if len(self._buf) < end + 3:
                return bytes(out)                  # checksum not yet arrived
            frame = bytes(self._buf[:end + 3])
            del self._buf[:end + 3]
            out += self._handle(frame)

    def _handle(self, frame: bytes) -> bytes:
        body, chk = frame[1:-2], frame[-2:]
        addr_digits = body[:2]
        if len(body) < 4 or not addr_digits.isdigit():
            self.frames_rejected += 1
            return b""
        address = int(addr_digits)
        if address not in (self.address, BROADCAST):
            return b""                               # someone else's frame: silently ignore
        answer = self.ack and address == self.address
        command, text = body[2], body[3:-1]
        valid = (checksum(body) == chk
                 and all(0x20 <= b <= 0x7E for b in text) and len(text) <= self.width
                 and (command == CMD_DISPLAY or (command == CMD_CLEAR and not text)))
        if not valid:
            self.frames_rejected += 1
            return reply(NAK, self.address) if answer else b""
        self.frames_ok += 1
        self._shown(text.decode("ascii") if command == CMD_DISPLAY else "")
        return reply(ACK, self.address) if answer else b""


AsciiStxDisplay.simulator_class = AsciiStxSimulator
