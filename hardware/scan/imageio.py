"""Safe loading of photos and scans: clear errors for bad input, bounded memory for huge ones.

Citizens and staff upload whatever their device produced. A PDF, a corrupt file, an empty file or
a 100-megapixel panorama must produce a message a person can act on and never crash or exhaust
memory; the original file is never modified.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

MAX_PIXELS = 40_000_000  # decode larger images at a reduced size (JPEG decodes 1/2, 1/4, 1/8 natively)
HARD_MAX_PIXELS = 1_000_000_000  # refuse outright: almost certainly a malicious or broken header
MAX_FILE_BYTES = 200 * 1024 * 1024


class ImageLoadError(ValueError):
    """The input is not a usable photo; ``message_vi`` is ready to show to a citizen."""

    def __init__(self, message: str, message_vi: str):
        super().__init__(message)
        self.message_vi = message_vi


def _probe_size(data: bytes) -> tuple[int, int] | None:
    """Width/height from the header only (Pillow reads lazily), or None if unknown.

    Pillow's own decompression-bomb guard (about 179 MP) is left in place process-wide; past it
    we refuse the file with a clear message instead of changing a global setting.
    """
    import io
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                return im.size
    except Image.DecompressionBombError as exc:
        raise ImageLoadError("image too large (decompression bomb guard)",
                             "Ảnh quá lớn để xử lý. Hãy chụp lại với độ phân giải thấp hơn.") from exc
    except Exception:  # Pillow raises many types for unknown formats; OpenCV may still decode
        return None


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode image bytes to BGR uint8, shrinking by 2/4/8 at decode time when too large."""
    if not data:
        raise ImageLoadError("empty file", "Tệp rỗng, không có ảnh. Hãy chọn hoặc chụp lại ảnh.")
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        raise ImageLoadError("this is a PDF, not a photo",
                             "Tệp này là PDF, không phải ảnh chụp. Hãy tải lên ảnh (JPG, PNG) hoặc quét lại giấy tờ.")
    size = _probe_size(data)
    flag = cv2.IMREAD_COLOR
    if size is not None:
        pixels = size[0] * size[1]
        if pixels > HARD_MAX_PIXELS:
            raise ImageLoadError(f"image too large ({size[0]}x{size[1]})",
                                 "Ảnh quá lớn để xử lý. Hãy chụp lại với độ phân giải thấp hơn.")
        for factor, reduced in ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4),
                                (8, cv2.IMREAD_REDUCED_COLOR_8)):
            if pixels > max_pixels and pixels / factor ** 2 <= max_pixels * 4:
                flag = reduced
            if pixels / factor ** 2 <= max_pixels:
                break
    buf = np.frombuffer(data, np.uint8)
    img = cv2.imdecode(buf, flag)
    if img is None:
        raise ImageLoadError("not a readable image (corrupt or unsupported format)",
                             "Không đọc được ảnh (tệp hỏng hoặc không phải ảnh). Hãy chụp hoặc tải lên lại.")
    if img.shape[0] * img.shape[1] > max_pixels:
        k = (max_pixels / (img.shape[0] * img.shape[1])) ** 0.5
        img = cv2.resize(img, (max(1, int(img.shape[1] * k)), max(1, int(img.shape[0] * k))), interpolation=cv2.INTER_AREA)
    if img.shape[0] < 16 or img.shape[1] < 16:
        raise ImageLoadError("image is too small", "Ảnh quá nhỏ. Hãy chụp lại gần hơn.")
    return img


def load_image(path: str | os.PathLike, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Read a photo from disk (read-only) with the checks of :func:`decode_image`."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageLoadError(f"file too large ({size} bytes)", "Tệp quá lớn. Hãy chụp lại với độ phân giải thấp hơn.")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise ImageLoadError(f"no such file: {p}", "Không tìm thấy tệp ảnh.") from exc
    except IsADirectoryError as exc:
        raise ImageLoadError(f"{p} is a folder, not an image", "Đây là thư mục, không phải ảnh.") from exc
    except PermissionError as exc:
        raise ImageLoadError(f"cannot read {p}: permission denied", "Không có quyền đọc tệp ảnh.") from exc
    return decode_image(data, max_pixels)
