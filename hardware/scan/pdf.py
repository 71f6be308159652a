"""Assemble enhanced pages into one small PDF, optionally searchable (tesseract, Vietnamese).

Pages are embedded without re-encoding (img2pdf): JPEG for colour/grey, 1-bit PNG for black and
white. JPEG quality is lowered step by step until a page fits ``max_page_bytes`` (300 KB for a
typical A4 grey page at 200 DPI). When a text layer is asked for and tesseract with the language
is installed, tesseract builds the PDF from the same JPEG files (it passes JPEG data through), so
size stays the same plus the invisible text; without tesseract the plain PDF is returned and
``text_layer`` in the result says so.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

DEFAULT_MAX_PAGE_BYTES = 300_000
_QUALITIES = (80, 72, 65, 58, 50, 42, 35)


class PdfError(RuntimeError):
    """The PDF could not be produced (bad page image, unwritable path, ...)."""


@dataclass
class PdfResult:
    """The PDF bytes and what went into it."""

    data: bytes
    pages: int
    text_layer: bool
    page_bytes: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def encode_page(page: np.ndarray, max_bytes: int = DEFAULT_MAX_PAGE_BYTES) -> tuple[bytes, str]:
    """Encode one enhanced page; returns (bytes, "jpeg" | "png").

    Pure black/white pages become 1-bit PNG (lossless, tiny); others JPEG at the highest quality
    in the ladder that fits ``max_bytes`` (the lowest one if none fits).
    """
    if not isinstance(page, np.ndarray) or page.size == 0 or page.dtype != np.uint8:
        raise PdfError("each page must be a non-empty 8-bit image array")
    if page.ndim == 2 and np.all((page == 0) | (page == 255)):
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(page).convert("1").save(buf, format="PNG", optimize=True)
        return buf.getvalue(), "png"
    data = b""
    for q in _QUALITIES:
        ok, enc = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
        if not ok:
            raise PdfError("JPEG encoding failed")
        data = enc.tobytes()
        if len(data) <= max_bytes:
            break
    return data, "jpeg"


def tesseract_available(lang: str = "vie") -> bool:
    """True when the tesseract binary and the language data are installed."""
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return lang in out.stdout.split()


def _with_tesseract(encoded: list[tuple[bytes, str]], dpi: int, lang: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="motcua-ocr-") as tmp:
        listing = []
        for i, (data, kind) in enumerate(encoded):
            p = Path(tmp) / f"page_{i:03d}.{'jpg' if kind == 'jpeg' else 'png'}"
            p.write_bytes(data)
            listing.append(str(p))
        lst = Path(tmp) / "pages.txt"
        lst.write_text("\n".join(listing) + "\n", encoding="utf-8")
        base = Path(tmp) / "out"
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        proc = subprocess.run(["tesseract", str(lst), str(base), "-l", lang, "--dpi", str(dpi), "pdf"],
                              capture_output=True, text=True, timeout=timeout, env=env)
        pdf = base.with_suffix(".pdf")
        if proc.returncode != 0 or not pdf.exists():
            raise PdfError(f"tesseract failed: {proc.stderr.strip()[-300:]}")
        return pdf.read_bytes()


def build_pdf(pages: Sequence[np.ndarray], dpi: int = 200, *, max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
              text_layer: bool = False, lang: str = "vie", ocr_timeout: float = 120.0) -> PdfResult:
    """Build a multi-page PDF from enhanced page images (BGR or single-channel) at ``dpi``."""
    import img2pdf

    if not pages:
        raise PdfError("no pages to put in the PDF")
    if not 50 <= int(dpi) <= 1200:
        raise PdfError(f"dpi must be between 50 and 1200, got {dpi}")
    encoded = [encode_page(p, max_page_bytes) for p in pages]
    notes: list[str] = []
    if text_layer:
        if tesseract_available(lang):
            try:
                data = _with_tesseract(encoded, int(dpi), lang, ocr_timeout)
                return PdfResult(data, len(pages), True, [len(d) for d, _ in encoded], notes)
            except (PdfError, OSError, subprocess.SubprocessError) as exc:
                notes.append(f"text layer skipped: {exc}")
        else:
            notes.append(f"text layer skipped: tesseract with language '{lang}' is not installed")
    layout = img2pdf.get_fixed_dpi_layout_fun((int(dpi), int(dpi)))
    try:
        data = img2pdf.convert([d for d, _ in encoded], layout_fun=layout)
    except Exception as exc:  # img2pdf raises several private exception types
        raise PdfError(f"could not assemble PDF: {exc}") from exc
    return PdfResult(data, len(pages), False, [len(d) for d, _ in encoded], notes)


def write_pdf(pages: Sequence[np.ndarray], path: str | os.PathLike, dpi: int = 200, **kwargs) -> PdfResult:
    """:func:`build_pdf` and write it atomically to ``path`` (no half-written file on failure)."""
    result = build_pdf(pages, dpi, **kwargs)
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    try:
        tmp.write_bytes(result.data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PdfError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return result
