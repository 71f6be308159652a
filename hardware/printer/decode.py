"""A small ESC/POS reader: split a byte stream into commands and rebuild the raster images.

No maintained ESC/POS→image emulator exists on PyPI, npm or Debian, and every ticket is a raster
image, so understanding GS v 0 and GS ( L / GS 8 L is enough to check what a printer would print
(tests, previews of captured jobs, the printer simulator). Unknown bytes are skipped one at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from .errors import EscposDecodeError

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
_INVERT = bytes(0xFF - i for i in range(256))

# ESC x n with one parameter byte.
_ESC_ONE = set(b"!-346789=EGJMRSUVademnrtu{ ")
_ESC_NONE = set(b"@2<")
_GS_ONE = set(b"!BHIbfhwarT")


@dataclass(frozen=True)
class Command:
    """One command: a short name, its byte offset, and its full bytes."""

    name: str
    offset: int
    data: bytes


def command_length(buf: bytes | bytearray, i: int = 0) -> int | None:
    """Length of the command starting at ``buf[i]``, or None if more bytes are needed to know/complete it."""
    n = len(buf)
    b = buf[i]
    if b == ESC:
        if i + 1 >= n:
            return None
        c = buf[i + 1]
        if c in _ESC_NONE:
            return 2
        if c == ord("*"):  # ESC * m nL nH d...
            if i + 5 > n:
                return None
            m, nl, nh = buf[i + 2], buf[i + 3], buf[i + 4]
            length = 5 + (nl + 256 * nh) * (3 if m in (32, 33) else 1)
        elif c == ord("p"):  # ESC p m t1 t2
            length = 5
        elif c in _ESC_ONE:
            length = 3
        else:
            length = 2
    elif b == GS:
        if i + 1 >= n:
            return None
        c = buf[i + 1]
        if c == ord("v"):  # GS v 0 m xL xH yL yH d...
            if i + 8 > n:
                return None
            xl, xh, yl, yh = buf[i + 4 : i + 8]
            length = 8 + (xl + 256 * xh) * (yl + 256 * yh)
        elif c == ord("("):  # GS ( X pL pH ...
            if i + 5 > n:
                return None
            length = 5 + buf[i + 3] + 256 * buf[i + 4]
        elif c == ord("8"):  # GS 8 L p1 p2 p3 p4 ...
            if i + 7 > n:
                return None
            p = buf[i + 3] | buf[i + 4] << 8 | buf[i + 5] << 16 | buf[i + 6] << 24
            length = 7 + p
        elif c == ord("V"):  # GS V m [n]
            if i + 3 > n:
                return None
            length = 3 if buf[i + 2] in (0, 1, 48, 49) else 4
        elif c in (ord("L"), ord("W")):
            length = 4
        elif c == ord("k"):  # barcode: m<=6 NUL-terminated, else length byte
            if i + 3 > n:
                return None
            m = buf[i + 2]
            if m <= 6:
                end = buf.find(b"\x00", i + 3)
                if end < 0:
                    return None
                length = end + 1 - i
            else:
                if i + 4 > n:
                    return None
                length = 4 + buf[i + 3]
        elif c in _GS_ONE:
            length = 3
        else:
            length = 2
    elif b == DLE:
        if i + 1 >= n:
            return None
        c = buf[i + 1]
        if c in (0x04, 0x05):
            length = 3
        elif c == 0x14:
            length = 5
        else:
            length = 1
    else:
        length = 1
    return length if i + length <= n else None


def _name(data: bytes) -> str:
    if data[0] == GS and data[1:3] == b"v0":
        return "raster"
    if data[0] == GS and data[1:3] in (b"(L", b"8L"):
        return "graphics"
    if data[0] == GS and data[1:2] == b"V":
        return "cut"
    if data[0] == DLE and data[1] == 0x04:
        return "status"
    if data[:2] == b"\x1b@":
        return "init"
    if data[0] in (ESC, GS, DLE, FS):
        return "cmd"
    return "byte"


def iter_commands(buf: bytes) -> Iterator[Command]:
    """Split a complete job into commands; raise EscposDecodeError if it ends mid-command."""
    i = 0
    while i < len(buf):
        length = command_length(buf, i)
        if length is None:
            raise EscposDecodeError(
                f"ESC/POS data truncated in the command at byte {i} ({buf[i : i + 8].hex(' ')})"
            )
        data = bytes(buf[i : i + length])
        yield Command(_name(data), i, data)
        i += length


def _raster_image(width_bytes: int, height: int, data: bytes) -> Image.Image:
    # ESC/POS 1 = burn a dot (black); PIL mode "1" 1 = white, hence the inversion.
    return Image.frombytes("1", (width_bytes * 8, height), data.translate(_INVERT))


def _graphics_payload(cmd: bytes) -> bytes:
    return cmd[5:] if cmd[1] == ord("(") else cmd[7:]


def iter_images(buf: bytes) -> Iterator[tuple[Command, Image.Image]]:
    """Yield every raster image printed by GS v 0 or GS ( L / GS 8 L (store fn 112, print fn 50)."""
    stored: Image.Image | None = None
    for cmd in iter_commands(buf):
        if cmd.name == "raster":
            d = cmd.data
            wb, h = d[4] + 256 * d[5], d[6] + 256 * d[7]
            yield cmd, _raster_image(wb, h, d[8:])
        elif cmd.name == "graphics":
            p = _graphics_payload(cmd.data)
            if len(p) >= 2 and p[0] == 0x30 and p[1] == 0x70:  # m=48, fn=112: store raster graphics
                if len(p) < 10 or p[5] != 0x31:
                    raise EscposDecodeError(
                        f"unsupported GS ( L graphics at byte {cmd.offset} (only monochrome)"
                    )
                x, y = p[6] + 256 * p[7], p[8] + 256 * p[9]
                wb = (x + 7) // 8
                if len(p) - 10 != wb * y:
                    raise EscposDecodeError(
                        f"GS ( L graphics at byte {cmd.offset} holds {len(p) - 10} bytes, expected {wb * y}"
                    )
                stored = _raster_image(wb, y, p[10:]).crop((0, 0, x, y))
            elif len(p) >= 2 and p[0] == 0x30 and p[1] == 0x32 and stored is not None:  # fn=50: print
                yield cmd, stored
                stored = None


def extract_images(buf: bytes) -> list[Image.Image]:
    """Every raster image in ``buf``, in order (a tall image may come as several fragments)."""
    return [img for _, img in iter_images(buf)]


def _stack(images: list[Image.Image]) -> Image.Image:
    width = max(img.width for img in images)
    out = Image.new("1", (width, sum(img.height for img in images)), 1)
    y = 0
    for img in images:
        out.paste(img, (0, y))
        y += img.height
    return out


def decode_receipts(buf: bytes) -> list[Image.Image]:
    """One image per cut-off receipt: raster fragments between cuts stacked top to bottom."""
    receipts: list[Image.Image] = []
    pending: list[Image.Image] = []
    images = {cmd.offset: img for cmd, img in iter_images(buf)}
    for cmd in iter_commands(buf):
        if cmd.offset in images:
            pending.append(images[cmd.offset])
        elif cmd.name == "cut" and pending:
            receipts.append(_stack(pending))
            pending = []
    if pending:
        receipts.append(_stack(pending))
    return receipts
