"""Quadrilateral helpers shared by detection, warping, evaluation and auto-capture.

Corners are always float arrays of shape (4, 2) in pixel coordinates, ordered top-left,
top-right, bottom-right, bottom-left *as seen in the image*; every function that takes
corners from outside runs them through :func:`order_corners` so callers may pass any order.
"""

from __future__ import annotations

import cv2
import numpy as np

# Paper sizes in millimetres (short side, long side).
PAPER_SIZES_MM: dict[str, tuple[float, float]] = {
    "a4": (210.0, 297.0),
    "letter": (215.9, 279.4),
}


def as_quad(points: object) -> np.ndarray:
    """Validate and convert 4 points to a float64 (4, 2) array; raise ValueError otherwise."""
    quad = np.asarray(points, dtype=np.float64)
    if quad.shape != (4, 2) or not np.all(np.isfinite(quad)):
        raise ValueError(f"expected 4 finite (x, y) corners, got array of shape {quad.shape}")
    return quad


def order_corners(points: object) -> np.ndarray:
    """Order 4 points clockwise starting from the one nearest the image's top-left.

    Sorting by angle around the centroid (rather than by x+y / y-x alone) stays correct for
    pages rotated by any angle, including 45 degrees where the sum/difference trick ties.
    """
    quad = as_quad(points)
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]  # clockwise on screen because y grows downwards
    start = int(np.argmin(quad[:, 0] + quad[:, 1]))
    return np.roll(quad, -start, axis=0)


def quad_area(quad: np.ndarray) -> float:
    """Absolute polygon area (shoelace)."""
    x, y = quad[:, 0], quad[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def is_convex(quad: np.ndarray) -> bool:
    """True when the 4-gon is strictly convex (no self-intersection, no reflex corner)."""
    signs = []
    for i in range(4):
        a, b, c = quad[i], quad[(i + 1) % 4], quad[(i + 2) % 4]
        cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
        signs.append(np.sign(cross))
    return bool(all(s > 0 for s in signs) or all(s < 0 for s in signs))


def interior_angles(quad: np.ndarray) -> np.ndarray:
    """Interior angles in degrees at each corner."""
    out = np.empty(4)
    for i in range(4):
        p, a, b = quad[i], quad[i - 1], quad[(i + 1) % 4]
        v1, v2 = a - p, b - p
        cos = np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-12)
        out[i] = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return out


def side_lengths(quad: np.ndarray) -> np.ndarray:
    """Lengths of sides top, right, bottom, left (for an ordered quad)."""
    return np.linalg.norm(np.roll(quad, -1, axis=0) - quad, axis=1)


def quad_mask(quad: np.ndarray, shape: tuple[int, int], scale: int = 1) -> np.ndarray:
    """Filled uint8 mask of the quad; ``scale`` > 1 rasterises at higher resolution."""
    h, w = shape
    mask = np.zeros((h * scale, w * scale), np.uint8)
    pts = np.round(np.asarray(quad) * scale * 16).astype(np.int32)
    cv2.fillConvexPoly(mask, pts, 1, lineType=cv2.LINE_8, shift=4)
    return mask


def jaccard(detected: object, truth: object, image_shape: tuple[int, int]) -> float:
    """SmartDoc-style Jaccard index of a detected quad against the ground-truth quad.

    As in the SmartDoc 2015 challenge, both quads are projected into the ground-truth page frame
    (the homography sending the true corners to an upright rectangle) before intersecting, so the
    score does not depend on how large the page appears in the photo. ``image_shape`` is only used
    to size that rectangle. A missing detection (None) scores 0.
    """
    if detected is None:
        return 0.0
    gt = order_corners(truth)
    det = order_corners(detected)
    sides = side_lengths(gt)
    w = max(8.0, (sides[0] + sides[2]) / 2)
    h = max(8.0, (sides[1] + sides[3]) / 2)
    # Fixed working resolution keeps the metric cheap and independent of photo size.
    k = 600.0 / max(w, h)
    w, h = w * k, h * k
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    hom = cv2.getPerspectiveTransform(gt.astype(np.float32), target.astype(np.float32))
    det_t = cv2.perspectiveTransform(det.reshape(1, 4, 2).astype(np.float64), hom).reshape(4, 2)
    if not np.all(np.isfinite(det_t)):
        return 0.0
    margin = 400.0
    canvas = (int(h + 2 * margin), int(w + 2 * margin))
    m_gt = quad_mask(target + margin, canvas)
    m_det = quad_mask(np.clip(det_t, -margin + 1, max(w, h) + margin - 1) + margin, canvas)
    inter = np.count_nonzero(m_gt & m_det)
    union = np.count_nonzero(m_gt | m_det)
    return float(inter / union) if union else 0.0


def line_through(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Homogeneous line through two points."""
    return np.cross(np.array([p[0], p[1], 1.0]), np.array([q[0], q[1], 1.0]))


def intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    """Intersection point of two homogeneous lines, or None when (nearly) parallel."""
    x = np.cross(l1, l2)
    if abs(x[2]) < 1e-9:
        return None
    return x[:2] / x[2]


def estimate_aspect(quad: object, image_size: tuple[int, int] | None = None) -> float:
    """Estimate the real height/width ratio of the rectangle photographed as ``quad``.

    Uses Zhang & He's whiteboard method (recovers the focal length from the perspective of the
    quad, principal point at the image centre) so a page seen at an angle is not squashed; falls
    back to averaged opposite sides when the quad is nearly affine or the focal length is absurd.
    """
    q = order_corners(quad)
    sides = side_lengths(q)
    simple = float((sides[1] + sides[3]) / max(sides[0] + sides[2], 1e-9))
    if image_size is None:
        return simple
    w_img, h_img = image_size
    u0, v0 = w_img / 2.0, h_img / 2.0
    m1, m2, m4, m3 = (np.array([p[0], p[1], 1.0]) for p in q)  # paper naming: TL, TR, BR, BL
    den2 = np.dot(np.cross(m2, m4), m3)
    den3 = np.dot(np.cross(m3, m4), m2)
    if abs(den2) < 1e-9 or abs(den3) < 1e-9:
        return simple
    k2 = np.dot(np.cross(m1, m4), m3) / den2
    k3 = np.dot(np.cross(m1, m4), m2) / den3
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    if abs(n2[2] * n3[2]) < 1e-7:
        ratio_wh = np.sqrt((n2[0] ** 2 + n2[1] ** 2) / max(n3[0] ** 2 + n3[1] ** 2, 1e-12))
        return float(1.0 / ratio_wh) if ratio_wh > 0 else simple
    f2 = -(
        (n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 * u0)
        + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 * v0)
    ) / (n2[2] * n3[2])
    diag = float(np.hypot(w_img, h_img))
    if not np.isfinite(f2) or f2 <= 0 or not (0.2 * diag <= np.sqrt(f2) <= 6.0 * diag):
        return simple
    f = np.sqrt(f2)
    a_inv = np.array([[1 / f, 0, -u0 / f], [0, 1 / f, -v0 / f], [0, 0, 1.0]])
    b = a_inv.T @ a_inv
    num = n2 @ b @ n2
    den = n3 @ b @ n3
    if num <= 0 or den <= 0:
        return simple
    ratio = float(np.sqrt(den / num))  # height / width
    # Guard: a wildly different answer from the simple estimate means a numerically bad case.
    if not (0.6 * simple <= ratio <= 1.6 * simple):
        return simple
    return ratio
