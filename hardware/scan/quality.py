"""Capture quality checks with retake messages a citizen can act on (Vietnamese first).

Each check measures one thing on the page region of the *photo* (not the enhanced output, which
would hide the problem): sharpness by variance of the Laplacian, glare by saturated area, darkness
by median lightness, cut-off by corners on the frame edge, size by the page's share of the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .detect import PageDetection, detect_page
from .geometry import order_corners, quad_area, side_lengths

MESSAGES: dict[str, str] = {
    "no_page": "Không tìm thấy trang giấy. Hãy đặt cả trang giấy vào giữa khung hình, trên nền khác màu giấy.",
    "blur": "Ảnh bị mờ. Hãy giữ yên giấy và máy, chờ máy lấy nét rồi chụp lại.",
    "glare": "Trang giấy bị lóa sáng. Hãy nghiêng nhẹ trang giấy hoặc tránh đèn chiếu thẳng rồi chụp lại.",
    "too_dark": "Ảnh quá tối. Hãy bật thêm đèn hoặc chuyển tới chỗ sáng hơn rồi chụp lại.",
    "cut_off": "Trang giấy bị cắt ở mép khung hình. Hãy đặt cả trang giấy nằm trọn trong khung rồi chụp lại.",
    "too_small": "Trang giấy quá nhỏ trong khung hình. Hãy đưa giấy lại gần máy ảnh hơn rồi chụp lại.",
}


@dataclass(frozen=True)
class QualityThresholds:
    """Tunable limits; defaults calibrated on the synthetic set (see tests/scan)."""

    min_sharpness: float = 2500.0  # variance of Laplacian on textured page parts, native resolution
    max_glare_fraction: float = 0.015  # share of page area that is saturated highlight
    min_median_light: float = 70.0  # median lightness (0-255) of the page
    edge_margin: float = 0.01  # corners closer than this fraction of the frame to an edge
    min_area_fraction: float = 0.15  # page share of the frame


@dataclass(frozen=True)
class QualityIssue:
    """One problem: a stable ``code`` for the UI and a ready ``message`` to show."""

    code: str
    message: str


@dataclass
class QualityReport:
    """``ok`` is True when there is nothing to retake; ``metrics`` holds the measured values."""

    ok: bool
    issues: list[QualityIssue] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        """The retake messages in order of importance."""
        return [i.message for i in self.issues]


def _issue(code: str) -> QualityIssue:
    return QualityIssue(code, MESSAGES[code])


def _native_page(image: np.ndarray, corners: np.ndarray, cap: int = 1400) -> np.ndarray:
    """The page rectified at roughly the resolution it has in the photo (no upsampling blur)."""
    sides = side_lengths(corners)
    w = max(16.0, (sides[0] + sides[2]) / 2)
    h = max(16.0, (sides[1] + sides[3]) / 2)
    k = min(1.0, cap / max(w, h))
    w, h = int(w * k), int(h * k)
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    hom = cv2.getPerspectiveTransform(corners.astype(np.float32), dst)
    page = cv2.warpPerspective(image, hom, (w, h), flags=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    m = max(2, int(0.03 * min(w, h)))  # ignore the border band (desk edge, shadow)
    return page[m:h - m, m:w - m]


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian over the textured part: blank paper does not count as blurry."""
    lap = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    local = cv2.blur(np.abs(lap), (15, 15))
    busy = local > np.percentile(local, 70)
    return float(lap[busy].var()) if busy.any() else 0.0


def check_quality(image: np.ndarray, detection: PageDetection | None = None,
                  thresholds: QualityThresholds = QualityThresholds()) -> QualityReport:
    """Check a photo (BGR) and its detection (computed if not given); issues in retake order."""
    if not isinstance(image, np.ndarray) or image.size == 0:
        raise ValueError("check_quality needs a non-empty image")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if detection is None:
        detection = detect_page(image)
    h, w = image.shape[:2]
    metrics: dict[str, float] = {}
    issues: list[QualityIssue] = []
    frame_light = float(np.median(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)))
    if not detection.found or detection.corners is None:
        metrics["median_light"] = frame_light
        if frame_light < thresholds.min_median_light:
            issues.append(_issue("too_dark"))
        issues.append(_issue("no_page"))
        return QualityReport(False, issues, metrics)
    corners = order_corners(detection.corners)
    area = quad_area(corners) / float(w * h)
    metrics["area_fraction"] = area
    margin = thresholds.edge_margin * max(w, h)
    near_edge = bool(np.any(corners[:, 0] < margin) or np.any(corners[:, 0] > w - 1 - margin)
                     or np.any(corners[:, 1] < margin) or np.any(corners[:, 1] > h - 1 - margin))
    metrics["touches_edge"] = float(near_edge or detection.touches_border)
    page = _native_page(image, corners)
    grey = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    light = float(np.median(grey))
    metrics["median_light"] = light
    sat = (page.min(axis=2) >= 250).astype(np.uint8)
    sat = cv2.morphologyEx(sat, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    glare = float(sat.mean())
    metrics["glare_fraction"] = glare
    sharp = sharpness(grey)
    metrics["sharpness"] = sharp
    if near_edge or detection.touches_border:
        issues.append(_issue("cut_off"))
    if area < thresholds.min_area_fraction:
        issues.append(_issue("too_small"))
    if light < thresholds.min_median_light:
        issues.append(_issue("too_dark"))
    # Highlights are brighter than the paper around them; a uniformly white page is not glare.
    if glare > thresholds.max_glare_fraction and light < 245:
        issues.append(_issue("glare"))
    if sharp < thresholds.min_sharpness:
        issues.append(_issue("blur"))
    return QualityReport(not issues, issues, metrics)
