"""Lay out a ticket as a 1-bit image, the one format every ESC/POS printer prints the same way.

Text mode would depend on each printer's Vietnamese code page (most get it wrong), so the whole ticket
is drawn with Pillow and sent as a raster image. Blocks that repeat between tickets (header, title,
labels, footer, QR of the same URL) are cached so a ticket renders in a few milliseconds.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .fonts import get_font
from .ticket import TicketPrint, format_wait

log = logging.getLogger(__name__)

WIDTH_80MM = 576
WIDTH_58MM = 384
MIN_WIDTH = 256
MAX_WIDTH = 2048

QR_CAPTION = "Quét mã QR để theo dõi lượt của bạn"

# FreeType faces are shared through the font cache; one render at a time keeps them safe to use
# from a threaded web server (a ticket renders in a few milliseconds, so nobody waits long).
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Metrics:
    """Sizes in printer dots, scaled from the 80 mm design with minimums that stay readable."""

    margin: int
    gap: int
    small: int
    body: int
    service: int
    centre: int
    title: int
    number: int
    rule: int

    @classmethod
    def for_width(cls, width: int) -> _Metrics:
        s = width / WIDTH_80MM
        return cls(
            margin=max(8, round(12 * s)),
            gap=max(5, round(8 * s)),
            small=max(18, round(22 * s)),
            body=max(20, round(26 * s)),
            service=max(22, round(28 * s)),
            centre=max(20, round(26 * s)),
            title=max(26, round(34 * s)),
            number=round(width * 0.25),
            rule=max(2, round(3 * s)),
        )


def check_width(width: int) -> int:
    """Validate a raster width in dots (576 for 80 mm paper, 384 for 58 mm)."""
    if isinstance(width, bool) or not isinstance(width, int) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(
            f"ticket width must be an integer between {MIN_WIDTH} and {MAX_WIDTH} dots "
            f"(576 for 80 mm paper, 384 for 58 mm), got {width!r}"
        )
    return width


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by rendered width; a word longer than a line is split, never clipped."""
    lines: list[str] = []
    for paragraph in unicodedata.normalize("NFC", text).replace("\t", " ").split("\n"):
        current = ""
        for word in (w for w in paragraph.split(" ") if w):  # a no-break space keeps words together
            candidate = f"{current} {word}" if current else word
            if font.getlength(candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
            if font.getlength(word) <= max_width:
                current = word
                continue
            for ch in word:
                if current and font.getlength(current + ch) > max_width:
                    lines.append(current)
                    current = ch
                else:
                    current += ch
        lines.append(current)
    return lines


def _to_1bit(img: Image.Image) -> Image.Image:
    return img.convert("1", dither=Image.Dither.NONE)


@lru_cache(maxsize=512)
def _text_block(
    text: str, weight: str, size: int, width: int, margin: int, inverted: bool = False
) -> Image.Image:
    """Centred, wrapped text as a full-width 1-bit strip sized from real glyph boxes (marks never cut)."""
    font = get_font(weight, size)
    pad = round(size * 0.25) if inverted else 0
    avail = width - 2 * margin - 2 * pad
    lines = wrap_text(text, font, avail)
    boxes = [font.getbbox(line, anchor="ls") if line else (0, 0, 0, 0) for line in lines]
    ascent, descent = font.getmetrics()
    top = min([-ascent] + [b[1] for b in boxes])
    bottom = max([descent] + [b[3] for b in boxes])
    pitch = max(ascent + descent, bottom - top) + round(size * 0.12)
    height = pad + (-top) + pitch * (len(lines) - 1) + bottom + pad
    bg, fg = (0, 255) if inverted else (255, 0)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    if inverted:
        draw.rectangle((margin, 0, width - margin - 1, height - 1), fill=bg)
    for i, (line, box) in enumerate(zip(lines, boxes, strict=True)):
        if not line:
            continue
        x = margin + pad + (avail - (box[2] - box[0])) / 2 - box[0]
        draw.text((x, pad - top + i * pitch), line, font=font, fill=fg, anchor="ls")
    return _to_1bit(img)


@lru_cache(maxsize=128)
def _number_block(number: str, width: int, margin: int, target: int) -> Image.Image:
    """The big ticket number, as large as fits the paper width."""
    avail = width - 2 * margin
    size = target
    while True:
        font = get_font("bold", size)
        left, top, right, bottom = font.getbbox(number, anchor="ls")
        if right - left <= avail or size <= 12:
            break
        size = max(12, min(size - 1, int(size * avail / (right - left))))
    img = Image.new("L", (width, bottom - top), 255)
    ImageDraw.Draw(img).text(
        ((width - (right - left)) / 2 - left, -top), number, font=font, fill=0, anchor="ls"
    )
    return _to_1bit(img)


@lru_cache(maxsize=64)
def _rule(width: int, margin: int, thickness: int) -> Image.Image:
    img = Image.new("1", (width, thickness), 1)
    ImageDraw.Draw(img).rectangle((margin, 0, width - margin - 1, thickness - 1), fill=0)
    return img


@lru_cache(maxsize=64)
def _qr_block(url: str, width: int, margin: int) -> Image.Image:
    """QR code drawn from its module matrix at an integer scale, with a 4-module quiet zone."""
    import qrcode
    import qrcode.exceptions
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    qr.add_data(url)
    try:
        qr.make(fit=True)
    except (ValueError, qrcode.exceptions.DataOverflowError) as exc:
        raise ValueError(f"tracking URL is too long for a QR code ({len(url)} chars): {exc}") from None
    matrix = qr.get_matrix()
    n = len(matrix)
    avail = width - 2 * margin
    box = max(3, round(width * 0.32) // n)
    while box > 2 and n * box > avail:
        box -= 1
    if (n + 8) * box > width:
        raise ValueError(
            f"tracking URL is too long to print as a QR code on {width}-dot paper ({len(url)} chars)"
        )
    modules = Image.new("1", (n, n), 1)
    modules.putdata([0 if cell else 1 for row in matrix for cell in row])
    quiet = 4 * box
    img = Image.new("1", (width, n * box + 2 * quiet), 1)
    img.paste(modules.resize((n * box, n * box), Image.Resampling.NEAREST), ((width - n * box) // 2, quiet))
    return img


@lru_cache(maxsize=16)
def _logo_block(path: str, mtime: float, width: int, max_height: int) -> Image.Image:
    """Logo scaled to fit and dithered to 1 bit (mtime in the key reloads an edited file)."""
    with Image.open(path) as src:
        src.load()
        rgba = src.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    scale = min((width * 0.5) / flat.width, max_height / flat.height, 1.0)
    size = (max(1, round(flat.width * scale)), max(1, round(flat.height * scale)))
    logo = flat.convert("L").resize(size, Image.Resampling.LANCZOS).convert("1")
    img = Image.new("1", (width, size[1]), 1)
    img.paste(logo, ((width - size[0]) // 2, 0))
    return img


def _load_logo(path: str, width: int, max_height: int) -> Image.Image | None:
    """A broken logo must not stop a citizen's ticket: log it and print without."""
    try:
        return _logo_block(path, os.path.getmtime(path), width, max_height)
    except (OSError, ValueError) as exc:
        log.warning("ticket logo %s not printed: %s", path, exc)
        return None


def ticket_lines(ticket: TicketPrint) -> list[str]:
    """The information rows under the service name, in print order."""
    rows = [f"Số người đang chờ trước bạn: {ticket.people_ahead}"]
    if ticket.estimated_wait_minutes is not None:
        wait = format_wait(ticket.estimated_wait_minutes).replace(" ", "\u00a0")
        rows.append(f"Thời gian chờ dự kiến: khoảng {wait}")
    rows.append(f"Thời gian lấy số: {ticket.issued_text}")
    return rows


def render_ticket(ticket: TicketPrint, width: int = WIDTH_80MM) -> Image.Image:
    """Render ``ticket`` to a 1-bit image exactly ``width`` dots wide (1 = white paper)."""
    check_width(width)
    with _RENDER_LOCK:
        return _render(ticket, width)


def _render(ticket: TicketPrint, width: int) -> Image.Image:
    m = _Metrics.for_width(width)
    blocks: list[tuple[int, Image.Image]] = []

    def text(value: str, weight: str, size: int, gap: int = 0, inverted: bool = False) -> None:
        blocks.append((gap, _text_block(value, weight, size, width, m.margin, inverted)))

    if ticket.logo_path:
        logo = _load_logo(ticket.logo_path, width, round(width * 0.25))
        if logo is not None:
            blocks.append((0, logo))
    for line in ticket.header_lines:
        text(line, "regular", m.small)
    text(ticket.centre_name, "bold", m.centre, gap=m.gap // 2)
    blocks.append((m.gap, _rule(width, m.margin, m.rule)))
    text(ticket.title, "bold", m.title, gap=m.gap)
    blocks.append((m.gap, _number_block(ticket.number, width, m.margin, m.number)))
    if ticket.priority_label:
        text(ticket.priority_label, "bold", m.body, gap=m.gap * 2, inverted=True)
    text(ticket.service_name, "semibold", m.service, gap=m.gap * 2)
    blocks.append((m.gap, _rule(width, m.margin, m.rule)))
    for i, row in enumerate(ticket_lines(ticket)):
        text(row, "regular", m.body, gap=m.gap if i == 0 else m.gap // 2)
    if ticket.tracking_url:
        blocks.append((0, _qr_block(ticket.tracking_url, width, m.margin)))
        text(QR_CAPTION, "regular", m.small)
    for i, line in enumerate(ticket.footer_lines):
        text(line, "semibold", m.body, gap=m.gap * 2 if i == 0 else 0)

    top = m.gap // 2  # the printer feeds after the cut anyway; every blank row costs bytes
    height = top + sum(gap + block.height for gap, block in blocks) + m.gap
    canvas = Image.new("1", (width, height), 1)
    y = top
    for gap, block in blocks:
        y += gap
        canvas.paste(block, (0, y))
        y += block.height
    return canvas


def image_to_png(img: Image.Image) -> bytes:
    """Encode an image as PNG bytes."""
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_png(ticket: TicketPrint, width: int = WIDTH_80MM) -> bytes:
    """PNG preview of exactly what the printer prints (for screens and docs)."""
    return image_to_png(render_ticket(ticket, width))
