"""The whole scan pipeline as plain functions: photo -> detected page -> flat, clean page -> PDF.

This is the API for the kiosk/console/CLI layers; it imports no web or device code. Typical use::

    page = process_image(load_image("photo.jpg"), mode="grey")        # raises PageNotFoundError
    result = write_pdf([page.image], "out.pdf", dpi=page.size.dpi)

or in one call: ``process_files(["p1.jpg", "p2.jpg"], "out.pdf", mode="grey")``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .detect import PageDetection, detect_page
from .enhance import enhance, normalise_mode
from .geometry import order_corners
from .imageio import load_image
from .pdf import PdfResult, write_pdf
from .quality import QualityReport, check_quality
from .warp import MM_PER_INCH, PageSize, warp_page

EDGE_INSET = 0.004  # trim a hairline so no desk shows along the page edges


class PageNotFoundError(ValueError):
    """No page outline in the photo; ``message_vi`` asks the citizen to retake it."""

    def __init__(self, detection: PageDetection):
        super().__init__(f"no page found in the image ({detection.reason})")
        self.detection = detection
        self.message_vi = "Không tìm thấy trang giấy trong ảnh. Hãy đặt cả trang giấy vào khung hình và chụp lại."


@dataclass
class ScanPage:
    """One processed page: the enhanced image plus what was measured on the way."""

    image: np.ndarray
    mode: str
    size: PageSize
    corners: np.ndarray | None  # in the source photo; None when the input was already flat
    quality: QualityReport | None
    rotation: int = 0  # degrees clockwise applied by auto-orientation


def osd_rotation(page: np.ndarray, timeout: float = 30.0) -> int | None:
    """Clockwise rotation (0/90/180/270) that makes text upright, via tesseract OSD; None if unsure.

    Optional (about 2 s per page); returns None when tesseract or its ``osd`` data is missing.
    """
    if shutil.which("tesseract") is None:
        return None
    grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    k = min(1.0, 1600 / max(grey.shape))
    if k < 1:
        grey = cv2.resize(grey, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    with tempfile.TemporaryDirectory(prefix="motcua-osd-") as tmp:
        p = os.path.join(tmp, "page.png")
        cv2.imwrite(p, grey)
        try:
            out = subprocess.run(["tesseract", p, "-", "--psm", "0"], capture_output=True, text=True,
                                 timeout=timeout, env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        except (OSError, subprocess.SubprocessError):
            return None
    rot, conf = None, 0.0
    for line in out.stdout.splitlines():
        if line.startswith("Rotate:"):
            rot = int(line.split(":")[1])
        elif line.startswith("Orientation confidence:"):
            conf = float(line.split(":")[1])
    if rot is None or conf < 1.0:
        return None
    return rot % 360


def _rotate(img: np.ndarray, degrees_cw: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(img, codes[degrees_cw]) if degrees_cw in codes else img


def process_image(image: np.ndarray, mode: str = "grey", dpi: int = 200, paper: str = "auto",
                  corners: object | None = None, already_flat: bool = False,
                  auto_orient: bool = False, check: bool = True, source_dpi: int | None = None) -> ScanPage:
    """Turn one photo (BGR) into a clean page.

    ``corners`` (any order) overrides detection, e.g. after the user dragged them by hand.
    ``already_flat`` is for flatbed/feeder scans: no detection or warp; the scan is resampled
    from ``source_dpi`` (the scanner's resolution) to ``dpi``, or, when that is unknown, as if its
    long side were A4's 297 mm. Raises :class:`PageNotFoundError` when no page
    is found, ValueError for bad arguments.
    """
    mode = normalise_mode(mode)
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise ValueError("process_image needs a non-empty image array")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    quality = None
    if already_flat:
        h, w = image.shape[:2]
        if source_dpi:
            k = dpi / float(source_dpi)
        else:
            k = 297 / MM_PER_INCH * dpi / max(h, w)
        flat = cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))),
                          interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC)
        size = PageSize(flat.shape[1] / dpi * MM_PER_INCH, flat.shape[0] / dpi * MM_PER_INCH, "custom", dpi)
        quad = None
    else:
        if corners is None:
            det = detect_page(image)
            if not det.found:
                raise PageNotFoundError(det)
        else:
            det = PageDetection(True, order_corners(corners), 1.0, "manual corners")
        quad = det.corners
        if check:
            quality = check_quality(image, det)
        flat, size = warp_page(image, quad, dpi, paper, inset=EDGE_INSET)
    rotation = 0
    if auto_orient:
        rotation = osd_rotation(flat) or 0
        flat = _rotate(flat, rotation)
        if rotation in (90, 270):
            size = PageSize(size.height_mm, size.width_mm, size.paper, size.dpi)
    return ScanPage(enhance(flat, mode), mode, size, quad, quality, rotation)


def detect_file(path: str | os.PathLike) -> dict:
    """``{"corners": [[x, y] x4] | None}`` for a photo on disk (the ``scan detect`` CLI contract).

    Raises :class:`~hardware.scan.imageio.ImageLoadError` only when the file is unreadable.
    """
    det = detect_page(load_image(path))
    return {"corners": det.corners_list()}


def process_files(paths: Sequence[str | os.PathLike], out_pdf: str | os.PathLike, mode: str = "grey",
                  dpi: int = 200, text_layer: bool = False, auto_orient: bool = False,
                  already_flat: bool = False) -> tuple[PdfResult, list[ScanPage]]:
    """Run the pipeline on each photo and write one PDF; the originals are never modified."""
    if not paths:
        raise ValueError("no input images")
    pages = [process_image(load_image(p), mode, dpi, auto_orient=auto_orient, already_flat=already_flat)
             for p in paths]
    Path(out_pdf).parent.mkdir(parents=True, exist_ok=True)
    result = write_pdf([p.image for p in pages], out_pdf, dpi=dpi, text_layer=text_layer)
    return result, pages
