"""Printer status from DLE EOT real-time queries (paper out, near end, cover open, offline, errors).

Bit meanings follow the Epson ESC/POS reference for ``DLE EOT n`` and are shared by most clones:
every answer byte has the fixed pattern 0xx1xx10 (bits 1 and 4 set, bits 0 and 7 clear), which lets
us ignore stray bytes (automatic status back, echoes) on the line.

- n=1 printer status:  bit 3 offline
- n=2 offline cause:   bit 2 cover open, bit 5 stopped by paper end, bit 6 error occurred
- n=3 error cause:     bit 3 autocutter error, bit 5 unrecoverable error, bit 6 auto-recoverable error
- n=4 paper sensor:    bits 2-3 roll near end, bits 5-6 roll end (no paper)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .links import Link, StatusNotReadable, link_for

DLE_EOT = b"\x10\x04"
# Reads tried when emptying a link without its own drain (bounded: a device may babble forever).
_DRAIN_READS = 64

MSG_PAPER_OUT = "Máy in hết giấy — vui lòng chụp màn hình"
MSG_COVER_OPEN = "Nắp máy in đang mở — vui lòng chụp màn hình"
MSG_OFFLINE = "Máy in đang tạm dừng (offline) — vui lòng chụp màn hình"
MSG_UNREACHABLE = "Không kết nối được với máy in — vui lòng chụp màn hình"
MSG_CUTTER = "Dao cắt giấy của máy in bị kẹt — vui lòng chụp màn hình"
MSG_ERROR = "Máy in đang báo lỗi — vui lòng chụp màn hình"
MSG_NEAR_END = "Máy in sắp hết giấy, vui lòng báo cán bộ thay cuộn giấy"
MSG_NO_ANSWER = "Máy in không trả lời lệnh kiểm tra trạng thái"


def status_request(n: int) -> bytes:
    """The DLE EOT n query (n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor)."""
    if n not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT query must be 1-4, got {n}")
    return DLE_EOT + bytes((n,))


def is_status_byte(value: int) -> bool:
    """True if ``value`` has the fixed 0xx1xx10 pattern of a DLE EOT answer."""
    return (value & 0x93) == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer says about itself; ``ok`` means a ticket can be printed now.

    ``known`` is False when the transport cannot read or the printer never answered: the printer
    may still work, we simply cannot tell. ``error`` holds a Vietnamese message for a blocking
    problem; ``warning`` one for a non-blocking one (paper near end).
    """

    ok: bool
    paper_near_end: bool = False
    paper_out: bool = False
    cover_open: bool = False
    offline: bool = False
    error: str | None = None
    known: bool = True
    warning: str | None = None
    raw: bytes = b""
    detail: str = ""

    @property
    def code(self) -> str:
        """Short machine-readable state for device lists: ok, paper_near_end, paper_out, cover_open, offline, error, unknown."""
        if self.paper_out:
            return "paper_out"
        if self.cover_open:
            return "cover_open"
        if self.error and self.error not in (MSG_OFFLINE, MSG_UNREACHABLE):
            return "error"  # a specific fault (cutter, config) explains the offline state
        if self.offline:
            return "offline"
        if self.error:
            return "error"
        if not self.known:
            return "unknown"
        return "paper_near_end" if self.paper_near_end else "ok"

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for health reports."""
        return {
            "code": self.code,
            "ok": self.ok,
            "known": self.known,
            "paper_near_end": self.paper_near_end,
            "paper_out": self.paper_out,
            "cover_open": self.cover_open,
            "offline": self.offline,
            "error": self.error,
            "warning": self.warning,
            "raw": self.raw.hex(),
            "detail": self.detail,
        }

    @classmethod
    def unknown(cls, reason: str = MSG_NO_ANSWER, detail: str = "") -> PrinterStatus:
        """Status could not be read; printing may still be attempted."""
        return cls(ok=True, known=False, warning=reason, detail=detail)

    @classmethod
    def unreachable(cls, reason: str = MSG_UNREACHABLE, detail: str = "") -> PrinterStatus:
        """The device could not be opened or did not take the data."""
        return cls(ok=False, offline=True, error=reason, known=True, detail=detail)


def parse_status(
    printer: int | None = None,
    offline_cause: int | None = None,
    error_cause: int | None = None,
    paper: int | None = None,
) -> PrinterStatus:
    """Combine the answers to DLE EOT 1, 2, 3 and 4 (any may be missing) into a PrinterStatus."""
    answers = (printer, offline_cause, error_cause, paper)
    for n, value in enumerate(answers, start=1):
        if value is not None and not (0 <= value <= 255 and is_status_byte(value)):
            raise ValueError(
                f"0x{value:02x} is not a valid answer to DLE EOT {n} (expected the bit pattern 0xx1xx10)"
            )
    if all(v is None for v in answers):
        return PrinterStatus.unknown()
    p1, p2, p3, p4 = (v or 0 for v in answers)
    offline = bool(p1 & 0x08)
    cover_open = bool(p2 & 0x04)
    paper_out = bool(p2 & 0x20) or (p4 & 0x60) == 0x60
    near_end = (p4 & 0x0C) == 0x0C or paper_out
    error: str | None = None
    if paper_out:
        error = MSG_PAPER_OUT
    elif cover_open:
        error = MSG_COVER_OPEN
    elif p3 & 0x08:
        error = MSG_CUTTER
    elif p2 & 0x40 or p3 & 0x60:
        error = MSG_ERROR
    elif offline:
        error = MSG_OFFLINE
    raw = bytes(v for v in answers if v is not None)
    return PrinterStatus(
        ok=error is None,
        paper_near_end=near_end,
        paper_out=paper_out,
        cover_open=cover_open,
        offline=offline,
        error=error,
        warning=MSG_NEAR_END if near_end and not paper_out else None,
        raw=raw,
    )


class _Asker:
    """Send DLE EOT n over a Link and pick the first valid answer byte out of what comes back."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.pending = bytearray()  # bytes a read returned beyond the one wanted (USB packets)

    def drain(self) -> None:
        """Drop bytes already waiting so an old answer is not taken for a new one."""
        self.pending.clear()
        if self.link.drain is not None:
            self.link.drain()
            return
        for _ in range(_DRAIN_READS):
            if not self.link.read(0):
                return

    def _next_byte(self, deadline: float) -> int | None:
        if not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            data = self.link.read(left)
            if not data:
                return None
            self.pending += data
        return self.pending.pop(0)

    def ask(self, n: int, timeout: float) -> int | None:
        """Send DLE EOT n and return the first valid answer byte, or None after ``timeout`` seconds."""
        self.pending.clear()  # anything unread belongs to an earlier question
        self.link.write(status_request(n))
        deadline = time.monotonic() + timeout
        while (value := self._next_byte(deadline)) is not None:
            if is_status_byte(value):
                return value
        return None


def query_status(link: Link, timeout: float = 0.5, first_timeout: float | None = None) -> PrinterStatus:
    """Ask a printer over ``link`` for its status with DLE EOT 1/2/(3)/4; one code for every transport.

    ``first_timeout`` (default ``timeout``) bounds the wait for the first answer, which after a
    print job must cover the time the job takes to travel down a slow line. No answer to DLE EOT 1
    means "unknown" (many cheap printers ignore it); a link that cannot be read at all too.
    """
    asker = _Asker(link)
    try:
        asker.drain()
        p1 = asker.ask(1, first_timeout if first_timeout is not None else timeout)
        if p1 is None:
            return PrinterStatus.unknown()
        p2 = asker.ask(2, timeout)
        p3 = asker.ask(3, timeout) if p2 is not None and p2 & 0x40 else None
        p4 = asker.ask(4, timeout)
    except StatusNotReadable as exc:
        return PrinterStatus.unknown(detail=str(exc))
    return parse_status(p1, p2, p3, p4)


def query_device_status(
    device: Any, timeout: float = 0.5, first_timeout: float | None = None
) -> PrinterStatus:
    """``query_status`` on an open pyserial port or TCP socket (python-escpos's ``.device``)."""
    return query_status(link_for(device), timeout, first_timeout)
