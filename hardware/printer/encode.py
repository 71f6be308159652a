"""Turn a rendered ticket into the ESC/POS byte stream a printer receives (built on a python-escpos Dummy)."""

from __future__ import annotations

from PIL import Image

from .layout import render_ticket
from .profile import PROFILE_80MM, PrinterProfile
from .ticket import TicketPrint

# GS ( L carries its length in two bytes, so a fragment must stay below 64 KiB of raster data.
_GRAPHICS_MAX_BYTES = 60000


def _fragment_height(width_px: int, impl: str) -> int:
    if impl == "graphics":
        return max(8, min(960, _GRAPHICS_MAX_BYTES // ((width_px + 7) // 8)))
    return 960


def image_to_escpos(img: Image.Image, profile: PrinterProfile = PROFILE_80MM) -> bytes:
    """ESC @, the image as GS v 0 (or GS ( L) raster, then feed and cut."""
    from . import _escpos

    if img.width > profile.width_px:
        raise ValueError(f"image is {img.width} dots wide but the printer profile allows {profile.width_px}")
    p = _escpos.apply_width(_escpos.printer.Dummy(), profile.escpos_profile, profile.width_px)
    p.hw("INIT")
    p.image(img, impl=profile.impl, fragment_height=_fragment_height(profile.width_px, profile.impl))
    if profile.cut:
        p.cut(mode=profile.cut_mode)
    else:
        p.print_and_feed(6)
    return p.output


def ticket_to_escpos(ticket: TicketPrint, profile: PrinterProfile = PROFILE_80MM) -> bytes:
    """Render ``ticket`` at the profile's width and encode it as one ESC/POS print job."""
    return image_to_escpos(render_ticket(ticket, profile.width_px), profile)
