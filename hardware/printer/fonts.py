"""Locate and cache the ticket fonts.

Vietnamese must print correctly on any ESC/POS printer, so tickets are rendered as images with a font
that covers all Vietnamese letters: Be Vietnam Pro (OFL, PyPI ``fontpkg-be-vietnam-pro``) first,
DejaVu Sans (Debian ``fonts-dejavu-core``) as a fallback. Fonts are loaded once per size because
loading a TrueType file dominates the cost of rendering a ticket.
"""

from __future__ import annotations

import importlib.util
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

from .errors import FontNotFoundError

WEIGHTS = ("regular", "semibold", "bold")

_BE_VIETNAM_PRO_FILES = {
    "regular": "BeVietnamPro-Regular.ttf",
    "semibold": "BeVietnamPro-SemiBold.ttf",
    "bold": "BeVietnamPro-Bold.ttf",
}
_DEJAVU_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_DEJAVU_FILES = {
    "regular": "DejaVuSans.ttf",
    "semibold": "DejaVuSans-Bold.ttf",
    "bold": "DejaVuSans-Bold.ttf",
}


def _be_vietnam_pro_dir() -> Path | None:
    """Find the package's font folder without importing it (find_spec only reads metadata)."""
    spec = importlib.util.find_spec("fontpkg_be_vietnam_pro")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "files"
        if folder.is_dir():
            return folder
    return None


@cache
def font_path(weight: str = "regular") -> Path:
    """Return the TTF file used for ``weight`` ("regular", "semibold" or "bold")."""
    if weight not in WEIGHTS:
        raise ValueError(f"unknown font weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    folder = _be_vietnam_pro_dir()
    if folder is not None and (folder / _BE_VIETNAM_PRO_FILES[weight]).is_file():
        return folder / _BE_VIETNAM_PRO_FILES[weight]
    for folder in _DEJAVU_DIRS:
        candidate = folder / _DEJAVU_FILES[weight]
        if candidate.is_file():
            return candidate
    raise FontNotFoundError(
        "No Vietnamese-capable ticket font found: install the PyPI package "
        "'fontpkg-be-vietnam-pro' or the Debian package 'fonts-dejavu-core'."
    )


def font_family() -> str:
    """Name of the family actually used (for diagnostics and docs)."""
    return "Be Vietnam Pro" if font_path("regular").name.startswith("BeVietnamPro") else "DejaVu Sans"


@lru_cache(maxsize=128)
def get_font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    """Load (once) the font for ``weight`` at ``size`` pixels."""
    if size < 1:
        raise ValueError(f"font size must be positive, got {size}")
    return ImageFont.truetype(str(font_path(weight)), size)
