"""Minimal Modbus RTU framing: CRC16, the write requests displays need, and a slave-side parser.

Only what digit displays use: FC06 (write single register), FC16 (write multiple registers)
and FC03 (read holding registers, for simulators answering probes). Frames are
``slave, function, data…, CRC low, CRC high``; CRC-16/MODBUS (poly 0xA001 reflected, init
0xFFFF). Example: FC06 to slave 5, register 0, value 123 = ``05 06 00 00 00 7B C8 6D``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .errors import DeviceReplyError

FC_READ_HOLDING = 0x03
FC_WRITE_SINGLE = 0x06
FC_WRITE_MULTIPLE = 0x10
MAX_WRITE_REGISTERS = 123

EXCEPTION_TEXT = {1: "hàm không hỗ trợ", 2: "địa chỉ thanh ghi sai", 3: "giá trị không hợp lệ",
                  4: "lỗi thiết bị", 6: "thiết bị bận"}


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc16(data: bytes) -> int:
    """CRC-16/MODBUS of ``data``."""
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def with_crc(data: bytes) -> bytes:
    """``data`` followed by its CRC, low byte first (as on the wire)."""
    return data + struct.pack("<H", crc16(data))


def crc_ok(frame: bytes) -> bool:
    return len(frame) >= 4 and crc16(frame[:-2]) == struct.unpack("<H", frame[-2:])[0]


def _check(slave: int, address: int, values: list[int]) -> None:
    if not 1 <= slave <= 247:
        raise ValueError(f"Modbus slave id must be 1..247, got {slave}")
    if not 0 <= address <= 0xFFFF:
        raise ValueError(f"register address out of range: {address}")
    if any(not 0 <= v <= 0xFFFF for v in values):
        raise ValueError(f"register values must be 0..65535: {values}")


def write_single_register(slave: int, address: int, value: int) -> bytes:
    """FC06 request."""
    _check(slave, address, [value])
    return with_crc(struct.pack(">BBHH", slave, FC_WRITE_SINGLE, address, value))


def write_multiple_registers(slave: int, address: int, values: list[int]) -> bytes:
    """FC16 request."""
    _check(slave, address, values)
    if not 1 <= len(values) <= MAX_WRITE_REGISTERS:
        raise ValueError(f"FC16 writes 1..{MAX_WRITE_REGISTERS} registers, got {len(values)}")
    head = struct.pack(">BBHHB", slave, FC_WRITE_MULTIPLE, address, len(values), 2 * len(values))
    return with_crc(head + struct.pack(f">{len(values)}H", *values))


def expected_reply(request: bytes) -> bytes:
    """The normal reply to a write request (FC06 echoes it, FC16 echoes address and count)."""
    if request[1] == FC_WRITE_SINGLE:
        return request
    return with_crc(request[:6])


def check_reply(request: bytes, answer: bytes) -> None:
    """Raise :class:`DeviceReplyError` unless ``answer`` is the normal reply to ``request``."""
    if len(answer) >= 5 and answer[0] == request[0] and answer[1] == request[1] | 0x80 \
            and crc_ok(answer[:5]):
        code = answer[2]
        raise DeviceReplyError(
            f"Thiết bị Modbus {request[0]} báo lỗi {code} ({EXCEPTION_TEXT.get(code, 'không rõ')})")
    if answer != expected_reply(request):
        raise DeviceReplyError(f"Phản hồi Modbus sai hoặc hỏng: {answer.hex(' ')}")


@dataclass
class Request:
    """A request as a slave sees it."""

    slave: int
    function: int
    address: int
    values: list[int] = field(default_factory=list)   # written values (FC06/FC16)
    count: int = 0                                     # registers to read (FC03)
    raw: bytes = b""


class RequestParser:
    """Splits a byte stream into valid requests, resynchronising past noise and bad CRCs.

    RTU delimits frames by silence; a simulator cannot rely on timing over a pty, so it tries
    a frame at every offset and keeps the ones whose length and CRC check out. ``reset()`` is
    the 3.5-character-silence rule: drop what is pending.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self.rejected = 0

    def reset(self) -> None:
        if self._buf:
            self.rejected += 1
        self._buf.clear()

    def feed(self, data: bytes) -> list[Request]:
        self._buf += data
        found: list[Request] = []
        while len(self._buf) >= 2:
            length = self._frame_length()
            if length is None:                       # impossible header: skip a byte
                del self._buf[0]
                self.rejected += 1
                continue
            if len(self._buf) < length:
                break
            frame = bytes(self._buf[:length])
            if crc_ok(frame):
                found.append(self._decode(frame))
                del self._buf[:length]
            else:
                del self._buf[0]
                self.rejected += 1
        return found

    def _frame_length(self) -> int | None:
        buf = self._buf
        if not 1 <= buf[0] <= 247:
            return None
        fc = buf[1]
        if fc in (FC_WRITE_SINGLE, FC_READ_HOLDING):
            return 8
        if fc == FC_WRITE_MULTIPLE:
            if len(buf) < 7:
                return 9                              # at least; re-evaluated when more arrives
            count, nbytes = struct.unpack(">HB", buf[4:7])
            if not 1 <= count <= MAX_WRITE_REGISTERS or nbytes != 2 * count:
                return None
            return 9 + nbytes
        return None

    @staticmethod
    def _decode(frame: bytes) -> Request:
        slave, fc, address, word = struct.unpack(">BBHH", frame[:6])
        if fc == FC_WRITE_SINGLE:
            return Request(slave, fc, address, [word], raw=frame)
        if fc == FC_READ_HOLDING:
            return Request(slave, fc, address, count=word, raw=frame)
        values = list(struct.unpack(f">{word}H", frame[7:7 + 2 * word]))
        return Request(slave, fc, address, values, raw=frame)


def exception_reply(request: Request, code: int) -> bytes:
    return with_crc(bytes([request.slave, request.function | 0x80, code]))


def read_reply(request: Request, values: list[int]) -> bytes:
    body = struct.pack(f">BBB{len(values)}H", request.slave, FC_READ_HOLDING, 2 * len(values),
                       *values)
    return with_crc(body)
