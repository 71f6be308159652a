"""Perspective correction: map the detected page onto an upright rectangle at a real DPI.

The output size comes from the page's *true* aspect ratio (recovered from the perspective, see
:func:`geometry.estimate_aspect`). When that ratio is close to A4 we assume A4, so a 200 DPI scan
is exactly 1654 x 2339 px like a flatbed scan; otherwise the long side is taken as A4's 297 mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import PAPER_SIZES_MM, estimate_aspect, order_corners

MM_PER_INCH = 25.4
A4_TOLERANCE = 0.07  # relative deviation of the measured ratio from sqrt(2) still taken as A4


@dataclass(frozen=True)
class PageSize:
    """Physical size chosen for the output, and its pixel size at ``dpi``."""

    width_mm: float
    height_mm: float
    paper: str  # "a4", "letter" or "custom"
    dpi: int

    @property
    def pixels(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return (int(round(self.width_mm / MM_PER_INCH * self.dpi)),
                int(round(self.height_mm / MM_PER_INCH * self.dpi)))


def _check_dpi(dpi: int) -> int:
    if not isinstance(dpi, (int, np.integer)) or not 50 <= int(dpi) <= 1200:
        raise ValueError(f"dpi must be an integer between 50 and 1200, got {dpi!r}")
    return int(dpi)


def choose_page_size(corners: object, image_size: tuple[int, int] | None, dpi: int = 200,
                     paper: str = "auto") -> PageSize:
    """Pick the physical page size for ``corners`` (image_size = (width, height) of the photo).

    ``paper`` is "auto" (A4 when the measured ratio is within 7 %, else measured ratio with a
    297 mm long side), "a4" or "letter" (forced). Orientation follows the page as seen.
    """
    dpi = _check_dpi(dpi)
    ratio = estimate_aspect(corners, image_size)  # height / width as seen
    portrait = ratio >= 1.0
    long_ratio = ratio if portrait else 1.0 / ratio
    key = paper.lower()
    if key == "auto":
        a4 = PAPER_SIZES_MM["a4"][1] / PAPER_SIZES_MM["a4"][0]
        key = "a4" if abs(long_ratio - a4) / a4 <= A4_TOLERANCE else "custom"
    if key in PAPER_SIZES_MM:
        short, long_ = PAPER_SIZES_MM[key]
    elif key == "custom":
        long_ = PAPER_SIZES_MM["a4"][1]
        short = long_ / max(long_ratio, 1e-6)
    else:
        raise ValueError(f"unknown paper {paper!r}; use 'auto', 'a4' or 'letter'")
    w_mm, h_mm = (short, long_) if portrait else (long_, short)
    return PageSize(w_mm, h_mm, key, dpi)


def warp_page(image: np.ndarray, corners: object, dpi: int = 200, paper: str = "auto",
              inset: float = 0.0) -> tuple[np.ndarray, PageSize]:
    """Return the flattened page (same channels as ``image``) and the size chosen for it.

    ``inset`` (fraction of each side, e.g. 0.004) trims a hairline so no sliver of desk shows
    along the page edge; the output size is unchanged.
    """
    if not 0.0 <= inset < 0.1:
        raise ValueError("inset must be a fraction between 0 and 0.1")
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise ValueError("warp_page needs a non-empty image array")
    quad = order_corners(corners)
    h, w = image.shape[:2]
    size = choose_page_size(quad, (w, h), dpi, paper)
    out_w, out_h = size.pixels
    if out_w * out_h > 120_000_000:
        raise ValueError("requested output is larger than 120 megapixels; lower the DPI")
    # Downsampling a large photo: shrink it first with area averaging (fast, no aliasing on text)
    # so the perspective warp itself only resamples by a factor near one.
    src_w = float(np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    src_h = float(np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    shrink = min(src_w / max(out_w, 1), src_h / max(out_h, 1))
    src = image
    if shrink > 1.5:
        k = 1.2 / shrink
        src = cv2.resize(image, (max(1, int(w * k)), max(1, int(h * k))), interpolation=cv2.INTER_AREA)
        quad = quad * [src.shape[1] / w, src.shape[0] / h]
    mx, my = inset * out_w, inset * out_h
    dst = np.float32([[-mx, -my], [out_w + mx, -my], [out_w + mx, out_h + my], [-mx, out_h + my]])
    hom = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    flat = cv2.warpPerspective(src, hom, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return flat, size
