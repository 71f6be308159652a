"""Per-printer settings: raster width, image command, cutter and status behaviour."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .layout import WIDTH_58MM, WIDTH_80MM, check_width

IMAGE_IMPLS = ("bitImageRaster", "graphics")
CUT_MODES = ("FULL", "PART")


@dataclass(frozen=True)
class PrinterProfile:
    """How to drive one printer model.

    ``width_px`` is the printable width in dots (576 for most 80 mm printers, 512 for Epson TM-T88,
    384 for 58 mm). ``impl`` picks ``GS v 0`` ("bitImageRaster", the most widely supported) or
    ``GS ( L`` ("graphics"). ``query_status`` sends DLE EOT before and after printing on transports
    that can read; ``require_status`` treats a printer that never answers as offline (only for
    models known to answer, because many cheap printers ignore DLE EOT).
    """

    width_px: int = WIDTH_80MM
    impl: str = "bitImageRaster"
    cut: bool = True
    cut_mode: str = "FULL"
    escpos_profile: str | None = None
    query_status: bool = True
    require_status: bool = False
    status_timeout: float = 0.5
    send_timeout: float = 30.0

    def __post_init__(self) -> None:
        check_width(self.width_px)
        if self.impl not in IMAGE_IMPLS:
            raise ValueError(f"printer image mode must be one of {', '.join(IMAGE_IMPLS)}, got {self.impl!r}")
        if self.cut_mode not in CUT_MODES:
            raise ValueError(f"printer cut mode must be FULL or PART, got {self.cut_mode!r}")
        if not self.status_timeout > 0 or not self.send_timeout > 0:
            raise ValueError("printer status_timeout and send_timeout must be positive numbers of seconds")

    def with_width(self, width_px: int) -> PrinterProfile:
        """Same profile with another paper width."""
        return replace(self, width_px=width_px)


PROFILE_80MM = PrinterProfile(width_px=WIDTH_80MM)
PROFILE_58MM = PrinterProfile(width_px=WIDTH_58MM)
