"""Modbus RTU digit displays on RS-485 (protocol name ``modbus-digits``).

Generic RS-485 7-segment boards take their value in holding registers; the slave id
(``address``, 1–247) tells boards on one bus apart. ``layout`` chooses the register map,
starting at ``register`` (default 0x0000):

``letter_number`` (default) — one FC16 write of two registers:
    reg+0 = ASCII code of the service letter (``A`` = 0x41, 0 = none),
    reg+1 = ticket number (0…10^digits−1; ``digits`` = numeric digits on the board, default 3).
    ``show(3, "A025")`` to slave 1 → ``01 10 00 00 00 02 04 00 41 00 19 62 71``.
    Clear writes letter 0 and ``blank_value`` (default 0xFFFF) as the number.
``number`` — one FC06 write of the ticket number alone (boards like the LED-485 family that
    only show an integer; the letter is dropped). Clear writes ``blank_value``.
``ascii`` — FC16 of ``digits`` (default 4) characters, two per register (high byte first), space-padded;
    clear writes spaces.

``counter_register`` (optional): a further FC06 writing the counter number, for boards that
show "A025 → 3". Every request must be answered by the normal Modbus reply within ``timeout``;
silence is :class:`DeviceOffline`, an exception reply is :class:`DeviceReplyError`.
Options: ``layout``, ``register``, ``digits``, ``blank_value``, ``counter_register``,
``retries`` (default 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .. import modbus_rtu as rtu
from ..display import DisplaySimulator, LedDisplay, config_int, register_display
from ..errors import (
    DeviceConfigError,
    DeviceOffline,
    DeviceReplyError,
    DisplayTextError,
)
from ..text import LED_CHARSET, led_text

LAYOUTS = ("letter_number", "number", "ascii")
_TICKET = re.compile(r"^([A-Z]?)\s*-?\s*(\d+)$")


class _Options:
    def __init__(self, config: Mapping[str, Any]) -> None:
        self.slave = config_int(config, "address", lo=1, hi=247)
        self.layout = config.get("layout", "letter_number")
        if self.layout not in LAYOUTS:
            raise DeviceConfigError(f"layout = {self.layout!r} không hỗ trợ — chọn {', '.join(LAYOUTS)}")
        self.register = config_int(config, "register", 0, lo=0, hi=0xFFF0)
        ascii_layout = self.layout == "ascii"
        self.digits = config_int(config, "digits", 4 if ascii_layout else 3, lo=1, hi=8 if ascii_layout else 4)
        self.blank_value = config_int(config, "blank_value", 0xFFFF, lo=0, hi=0xFFFF)
        cr = config.get("counter_register")
        self.counter_register = None if cr is None else config_int(config, "counter_register", lo=0, hi=0xFFFF)

    def ascii_registers(self, text: str) -> list[int]:
        padded = text.ljust(self.digits + self.digits % 2).encode("ascii")
        return [padded[i] << 8 | padded[i + 1] for i in range(0, len(padded), 2)]


@register_display("modbus-digits")
class ModbusDigitsDisplay(LedDisplay):
    """Host side of the ``modbus-digits`` protocol."""

    option_keys = frozenset({"layout", "register", "digits", "blank_value", "counter_register",
                             "retries"})

    def _configure(self, config: Mapping[str, Any]) -> None:
        self.opts = _Options(config)
        self.retries = config_int(config, "retries", 2, lo=0, hi=10)

    def requests_for(self, counter_number: str, ticket_number: str) -> list[bytes]:
        """The exact Modbus requests :meth:`show` sends."""
        o = self.opts
        if o.layout == "ascii":
            text = led_text(ticket_number, width=o.digits)
            reqs = [rtu.write_multiple_registers(o.slave, o.register, o.ascii_registers(text))]
        else:
            letter, number = self._split(ticket_number)
            if o.layout == "number":
                reqs = [rtu.write_single_register(o.slave, o.register, number)]
            else:
                reqs = [rtu.write_multiple_registers(o.slave, o.register,
                                                     [ord(letter) if letter else 0, number])]
        if o.counter_register is not None:
            try:
                counter = int(counter_number)
            except ValueError:
                raise DisplayTextError(
                    f"Số quầy {counter_number!r} không phải số — bảng Modbus chỉ hiện số") from None
            if not 0 <= counter <= 0xFFFF:
                raise DisplayTextError(f"Số quầy {counter} ngoài khoảng 0…65535")
            reqs.append(rtu.write_single_register(o.slave, o.counter_register, counter))
        return reqs

    def _split(self, ticket_number: str) -> tuple[str, int]:
        text = led_text(ticket_number)
        match = _TICKET.match(text)
        if not match:
            raise DisplayTextError(
                f"Số phiếu {ticket_number!r} không có dạng chữ cái + số (ví dụ A025) — "
                "bảng số Modbus chỉ hiện một chữ cái và các chữ số; dùng layout = \"ascii\"")
        number = int(match.group(2))
        if number >= 10 ** self.opts.digits:
            raise DisplayTextError(
                f"Số {number} cần hơn {self.opts.digits} chữ số — tăng 'digits' trong cấu hình")
        return match.group(1), number

    def _show(self, counter_number: str, ticket_number: str) -> None:
        for request in self.requests_for(counter_number, ticket_number):
            self._transact(request)

    def _clear(self) -> None:
        o = self.opts
        if o.layout == "ascii":
            self._transact(rtu.write_multiple_registers(o.slave, o.register, o.ascii_registers("")))
        elif o.layout == "number":
            self._transact(rtu.write_single_register(o.slave, o.register, o.blank_value))
        else:
            self._transact(rtu.write_multiple_registers(o.slave, o.register, [0, o.blank_value]))

    def _transact(self, request: bytes) -> None:
        port = self.port
        want = len(rtu.expected_reply(request))
        error: DeviceReplyError | None = None
        with port.lock:
            for _attempt in range(self.retries + 1):
                port.discard_input()
                port.write(request)
                answer = port.read_exact(want, port.settings.timeout)
                if not answer:
                    error = None
                    continue
                if len(answer) >= 5 and answer[1] & 0x80:
                    answer = answer[:5]
                try:
                    rtu.check_reply(request, answer)
                    return
                except DeviceReplyError as exc:
                    error = exc
                    if answer[1:2] == bytes([request[1] | 0x80]):
                        raise                            # a clear refusal: retrying won't help
        if error is not None:
            raise error
        raise DeviceOffline(self.name, f"thiết bị Modbus {self.opts.slave} không phản hồi "
                                       f"sau {self.retries + 1} lần gửi")


class ModbusDigitsSimulator(DisplaySimulator):
    """A Modbus digit board: keeps its registers, answers requests for its slave id."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.opts = _Options(config)
        self.registers: dict[int, int] = {}
        self.requests: list[rtu.Request] = []     # valid requests addressed to this board
        self._parser = rtu.RequestParser()

    def idle(self) -> None:
        self._parser.reset()

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        before = self._parser.rejected
        for request in self._parser.feed(data):
            if request.slave != self.opts.slave:
                continue
            self.requests.append(request)
            out += self._answer(request)
        self.frames_rejected += self._parser.rejected - before
        return bytes(out)

    def _answer(self, request: rtu.Request) -> bytes:
        if request.function == rtu.FC_READ_HOLDING:
            if not 1 <= request.count <= 125:
                self.frames_rejected += 1
                return rtu.exception_reply(request, 3)
            self.frames_ok += 1
            return rtu.read_reply(request, [self.registers.get(request.address + i, 0)
                                            for i in range(request.count)])
        for offset, value in enumerate(request.values):
            self.registers[request.address + offset] = value
        self.frames_ok += 1
        o = self.opts
        if request.address <= o.register + 1 and request.address + len(request.values) > o.register:
            self._shown(self.rendered())
        if request.function == rtu.FC_WRITE_SINGLE:
            return request.raw
        return rtu.with_crc(request.raw[:6])

    def rendered(self) -> str:
        """What the digits show, from the registers (``""`` = blank)."""
        o, regs = self.opts, self.registers
        if o.layout == "ascii":
            words = [regs.get(o.register + i, 0x2020) for i in range((o.digits + 1) // 2)]
            raw = b"".join(w.to_bytes(2, "big") for w in words)[:o.digits]
            return "".join(chr(b) if chr(b) in LED_CHARSET else " " for b in raw).strip()
        index = o.register if o.layout == "number" else o.register + 1
        number = regs.get(index, o.blank_value)
        if number == o.blank_value or number >= 10 ** o.digits:
            return ""
        letter = regs.get(o.register, 0) if o.layout == "letter_number" else 0
        prefix = chr(letter) if 0x41 <= letter <= 0x5A else ""
        return f"{prefix}{number:0{o.digits}d}"

    @property
    def counter(self) -> int | None:
        """The counter number register, when configured."""
        cr = self.opts.counter_register
        return None if cr is None else self.registers.get(cr)


ModbusDigitsDisplay.simulator_class = ModbusDigitsSimulator
