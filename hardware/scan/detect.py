"""Find the four corners of a paper page in a photo, or say clearly that there is none.

Classical single-method detectors (biggest Canny contour) are near perfect on a plain desk and
collapse on clutter, so this module proposes many quadrilaterals from several independent cues and
lets a scoring function choose:

* edge maps (auto and low-threshold Canny on the lightness, and on a text-suppressing median
  blur) -> contours -> convex hull -> 4-gon;
* "paper-ness" segmentation (light and colourless, Otsu at the scene and local level, and the
  same after dividing out uneven illumination) -> connected regions -> 4-gon;
* the long edges of each region's convex hull extended to meet (a corner hidden under a phone
  or a finger bump on a side still leaves the four page sides as the longest edges);
* straight segments (LSD) grouped into long lines, combined into 4-gons (only when the other
  cues found nothing convincing: they are the slowest).

Each proposal is snapped to the real page border (per-side search along normal profiles plus a
RANSAC line fit, so fingers and pens covering part of a side do not drag it) and scored by how
much of each side carries a colour step with the lighter side inside, by shape (convex, plausible
angles, perspective-corrected aspect ratio, area) and by how paper-like its inside is (one nearly
uniform colour, neutral or lamp-tinted). Below ``ACCEPT_SCORE`` the answer is "not found"; sides
lying on the frame edge count as half-known, and the result says ``touches_border``.

Thresholds were tuned on the synthetic set in :mod:`synth`; real photographs may need retuning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .geometry import estimate_aspect, interior_angles, is_convex, order_corners, quad_area, side_lengths

WORK_SIZE = 640  # long side of the working image; corners are refined again at full size
ACCEPT_SCORE = 0.6


@dataclass
class PageDetection:
    """Result of :func:`detect_page`.

    ``corners`` is a (4, 2) float array (top-left, top-right, bottom-right, bottom-left as seen
    in the image, full-resolution pixels) when ``found``; otherwise None and ``reason`` says why.
    ``touches_border`` lists sides lying on the frame edge (page probably cut off).
    """

    found: bool
    corners: np.ndarray | None
    score: float
    reason: str = ""
    touches_border: bool = False
    details: dict = field(default_factory=dict)

    def corners_list(self) -> list[list[float]] | None:
        """Corners as plain lists for JSON (``{"corners": ...}``), or None."""
        if self.corners is None:
            return None
        return [[round(float(x), 1), round(float(y), 1)] for x, y in self.corners]


class _Work:
    """Pre-computed planes of the working-size image shared by all proposals."""

    def __init__(self, bgr: np.ndarray):
        self.bgr = bgr
        self.h, self.w = bgr.shape[:2]
        self.diag = float(np.hypot(self.w, self.h))
        # Float Lab is several times faster than the 8-bit path in OpenCV 5; rescale to the
        # familiar 8-bit convention (L 0-255, a/b centred on 128).
        lab = cv2.cvtColor(bgr.astype(np.float32) * (1 / 255.0), cv2.COLOR_BGR2LAB)
        lab *= np.array([2.55, 1.0, 1.0], np.float32)
        lab += np.array([0.0, 128.0, 128.0], np.float32)
        self.lab_s = cv2.GaussianBlur(lab, (0, 0), 1.2)
        self.light = np.clip(lab[..., 0] + 0.5, 0, 255).astype(np.uint8)
        # Grey-world on the brightest pixels (usually the paper): under warm or cool light the
        # page is tinted, so "colourless" is measured from the illuminant, not from neutral.
        # Only bright pixels that are already nearly grey vote (yellow notes do not), and the
        # shift is clipped to lamp-like casts (mostly along b), so a coloured desk or object
        # cannot make another coloured object look "neutral".
        sub = self.lab_s[::4, ::4]
        raw_chroma = np.hypot(sub[..., 1] - 128, sub[..., 2] - 128)
        bright = (sub[..., 0] >= np.percentile(sub[..., 0], 90)) & (raw_chroma < 25)
        self.a0 = self.b0 = 128.0
        if bright.mean() > 0.005:
            self.a0 += float(np.clip(np.median(sub[..., 1][bright]) - 128, -5, 5))
            self.b0 += float(np.clip(np.median(sub[..., 2][bright]) - 128, -4, 22))
        self.chroma = np.hypot(self.lab_s[..., 1] - self.a0, self.lab_s[..., 2] - self.b0)
        self.grey_f = cv2.GaussianBlur(self.light.astype(np.float32), (0, 0), 1.0)
        self.top_light = float(np.percentile(self.light[::4, ::4], 99))


def _to_quad(points: np.ndarray) -> np.ndarray | None:
    """Reduce a contour to a 4-gon via its hull, growing the simplification tolerance."""
    hull = cv2.convexHull(points.reshape(-1, 1, 2).astype(np.float32))
    peri = cv2.arcLength(hull, True)
    if peri <= 0:
        return None
    for eps in (0.015, 0.025, 0.035, 0.05, 0.07, 0.09):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float64)
        if len(approx) < 4:
            break
    # Fall back to the four hull points farthest along the diagonal directions.
    h = hull.reshape(-1, 2).astype(np.float64)
    if len(h) < 4:
        return None
    picks = [h[np.argmin(h[:, 0] + h[:, 1])], h[np.argmax(h[:, 0] - h[:, 1])],
             h[np.argmax(h[:, 0] + h[:, 1])], h[np.argmin(h[:, 0] - h[:, 1])]]
    quad = np.array(picks)
    return quad if quad_area(quad) > 0 else None


def _hull_line_quads(hull: np.ndarray, limit: float) -> list[np.ndarray]:
    """Quads from the long edges of a hull polygon, extended to meet.

    Recovers a page whose corner is hidden (a phone over it turns the hull into a pentagon) or
    whose outline has a finger bump: the four page sides are still the longest hull edges.
    """
    peri = cv2.arcLength(hull, True)
    poly = cv2.approxPolyDP(hull, 0.01 * peri, True).reshape(-1, 2).astype(np.float64)
    m = len(poly)
    if m <= 4 or m > 12:
        return []
    nxt = np.roll(poly, -1, axis=0)
    lengths = np.linalg.norm(nxt - poly, axis=1)
    keep = sorted(np.argsort(-lengths)[:6])
    hull_area = float(cv2.contourArea(poly.astype(np.float32)))
    # Homogeneous line of every hull edge: (a, b, c) with a x + b y + c = 0.
    la = poly[:, 1] - nxt[:, 1]
    lb = nxt[:, 0] - poly[:, 0]
    lc = poly[:, 0] * nxt[:, 1] - nxt[:, 0] * poly[:, 1]
    out = []
    from itertools import combinations

    for combo in combinations(keep, 4):
        pts = np.empty((4, 2))
        ok = True
        for k in range(4):
            i, j = combo[k - 1], combo[k]
            den = la[i] * lb[j] - la[j] * lb[i]
            if abs(den) < 1e-9:
                ok = False
                break
            pts[k, 0] = (lb[i] * lc[j] - lb[j] * lc[i]) / den
            pts[k, 1] = (lc[i] * la[j] - lc[j] * la[i]) / den
        if not ok or np.any(np.abs(pts) > limit):
            continue
        a = quad_area(pts)
        if 0.85 * hull_area <= a <= 1.5 * hull_area and is_convex(order_corners(pts)):
            out.append(pts)
    return out


def _contour_quads(mask: np.ndarray, min_area: float, mode: int = cv2.RETR_LIST) -> list[np.ndarray]:
    contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
    out = []
    limit = 1.5 * max(mask.shape)
    for c in contours:
        if len(c) < 4:
            continue
        x, y, bw, bh = cv2.boundingRect(c)
        if bw * bh < min_area:
            continue
        q = _to_quad(c)
        if q is not None and quad_area(q) >= min_area:
            out.append(q)
            hull = cv2.convexHull(c.reshape(-1, 1, 2).astype(np.float32))
            if cv2.contourArea(hull) >= min_area:
                out += _hull_line_quads(hull, limit)
    return out


def _edge_proposals(wk: _Work, min_area: float) -> list[np.ndarray]:
    quads: list[np.ndarray] = []
    grey = cv2.GaussianBlur(wk.light, (5, 5), 0)
    med = float(np.median(grey))
    kernel = np.ones((3, 3), np.uint8)
    smooth_l = cv2.medianBlur(wk.light, 5)  # 5 has a fast path; 7 is ~20x slower
    maps = [
        cv2.Canny(grey, int(max(5, 0.66 * med * 0.5)), int(min(255, 1.33 * med * 0.5 + 10))),
        cv2.Canny(grey, 8, 24),
        cv2.Canny(smooth_l, 15, 45),
    ]
    for edges in maps:
        dil = cv2.dilate(edges, kernel)
        quads += _contour_quads(dil, min_area, cv2.RETR_LIST)
    return quads


def _paper_maps(wk: _Work) -> list[np.ndarray]:
    """Binary masks of light, colourless pixels under several thresholds and normalisations."""
    whiteness = np.clip(wk.light.astype(np.float32) - 1.2 * wk.chroma, 0, 255).astype(np.uint8)
    whiteness = cv2.medianBlur(whiteness, 5)
    maps = []
    _, m = cv2.threshold(whiteness, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    maps.append(m)
    # Illumination-normalised: divide by a heavily blurred copy so a page in shade still stands out.
    small = cv2.resize(whiteness, (wk.w // 8 + 1, wk.h // 8 + 1), interpolation=cv2.INTER_AREA)
    bgd = cv2.resize(cv2.dilate(small, np.ones((7, 7), np.uint8)), (wk.w, wk.h), interpolation=cv2.INTER_LINEAR)
    norm = np.clip(whiteness.astype(np.float32) / np.maximum(bgd.astype(np.float32), 1) * 200, 0, 255).astype(np.uint8)
    _, m2 = cv2.threshold(norm, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    maps.append(m2)
    # Upper-mode Otsu: separate the page from a light table (both above the first threshold).
    bright = whiteness[m > 0]
    if bright.size > 100:
        t2, _ = cv2.threshold(bright.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        maps.append(((whiteness > t2) * 255).astype(np.uint8))
    # Local contrast: pixels lighter than their large neighbourhood.
    block = int(wk.diag * 0.12) | 1
    maps.append(cv2.adaptiveThreshold(whiteness, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, -4))
    return maps


def _region_proposals(wk: _Work, min_area: float) -> list[np.ndarray]:
    quads: list[np.ndarray] = []
    k_close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    k_open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    for m in _paper_maps(wk):
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, k_close)
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, k_open)
        quads += _contour_quads(m, min_area, cv2.RETR_EXTERNAL)
    return quads


def _line_proposals(wk: _Work, min_area: float) -> list[np.ndarray]:
    """Combine the longest straight segments into quads (works when contours are broken)."""
    lsd = cv2.createLineSegmentDetector()
    segs = lsd.detect(cv2.GaussianBlur(wk.light, (3, 3), 0))[0]
    if segs is None or len(segs) < 4:
        return []
    segs = segs.reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(segs[:, 2] - segs[:, 0], segs[:, 3] - segs[:, 1])
    keep = lengths > 0.06 * wk.diag
    segs, lengths = segs[keep], lengths[keep]
    if len(segs) < 4:
        return []
    order = np.argsort(-lengths)[:24]
    segs = segs[order]
    # Merge collinear segments into lines (angle, offset) to keep combinatorics small.
    lines: list[tuple[np.ndarray, float]] = []
    for s in segs:
        p, q = s[:2], s[2:]
        d = (q - p) / np.linalg.norm(q - p)
        n = np.array([-d[1], d[0]])
        c = float(n @ p)
        merged = False
        for ln, lc in lines:
            if abs(abs(ln @ n) - 1) < 0.003 and abs(lc - c * np.sign(ln @ n)) < 0.01 * wk.diag:
                merged = True
                break
        if not merged:
            lines.append((n, c))
        if len(lines) >= 12:
            break
    homs = [np.array([n[0], n[1], -c]) for n, c in lines]
    angles = [np.arctan2(n[1], n[0]) % np.pi for n, _ in lines]
    quads = []
    m = len(homs)
    pairs = []
    for i in range(m):
        for j in range(i + 1, m):
            da = abs(angles[i] - angles[j])
            da = min(da, np.pi - da)
            if da < np.radians(30):
                pairs.append((i, j, np.mean([angles[i], angles[j]])))
    for a in range(len(pairs)):
        for b in range(a + 1, len(pairs)):
            i, j, ang1 = pairs[a]
            k, m2, ang2 = pairs[b]
            if len({i, j, k, m2}) < 4:
                continue
            dd = abs(ang1 - ang2)
            dd = min(dd, np.pi - dd)
            if dd < np.radians(50):
                continue
            pts = []
            for x, y in ((i, k), (k, j), (j, m2), (m2, i)):
                v = np.cross(homs[x], homs[y])
                if abs(v[2]) < 1e-9:
                    break
                pts.append(v[:2] / v[2])
            if len(pts) != 4:
                continue
            q = np.array(pts)
            if np.any(q < -0.02 * wk.diag) or np.any(q[:, 0] > wk.w * 1.02) or np.any(q[:, 1] > wk.h * 1.02):
                continue
            q = order_corners(q)
            if is_convex(q) and quad_area(q) >= min_area:
                quads.append(q)
    return quads[:80]


def _ransac_line(pts: np.ndarray, weights: np.ndarray, tol: float, rng: np.random.Generator) -> np.ndarray | None:
    """Robust homogeneous line through ``pts`` (N, 2); None if too few inliers."""
    n = len(pts)
    if n < 6:
        return None
    # All hypotheses at once: 40 random point pairs, distances of every point to each line.
    i = rng.integers(0, n, 40)
    j = (i + rng.integers(1, n, 40)) % n
    d = pts[j] - pts[i]
    norm = np.hypot(d[:, 0], d[:, 1])
    ok = norm > 1e-6
    if not ok.any():
        return None
    i, d, norm = i[ok], d[ok], norm[ok]
    nrm = np.stack([-d[:, 1], d[:, 0]], 1) / norm[:, None]
    dist = np.abs(np.einsum("knd,kd->kn", pts[None, :, :] - pts[i][:, None, :], nrm))
    inl = dist < tol
    best = int(np.argmax((inl * weights[None, :]).sum(axis=1)))
    best_inl = inl[best]
    if best_inl.sum() < max(6, 0.3 * n):
        return None
    sel = pts[best_inl]
    vx, vy, x0, y0 = cv2.fitLine(sel.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.cross([x0, y0, 1.0], [x0 + vx, y0 + vy, 1.0])


def refine_quad(grey: np.ndarray, quad: np.ndarray, search: float, n_samples: int = 48,
                iterations: int = 2, seed: int = 0) -> np.ndarray:
    """Snap each side of ``quad`` to the strongest consistent step edge within ``search`` px.

    Samples intensity profiles along the side normals, keeps the per-profile edge peak of the
    dominant polarity and fits a RANSAC line, so partial occlusion does not move the side.
    """
    rng = np.random.default_rng(seed)
    h, w = grey.shape[:2]
    q = order_corners(quad)
    r = float(search)
    for _ in range(iterations):
        centre = q.mean(axis=0)
        lines = []
        for i in range(4):
            a, b = q[i], q[(i + 1) % 4]
            length = float(np.hypot(*(b - a)))
            if length < 4:
                return q
            d = (b - a) / length
            nrm = np.array([-d[1], d[0]])
            if (centre - a) @ nrm > 0:
                nrm = -nrm  # outward
            ts = np.linspace(0.06, 0.94, n_samples)
            base = a[None, :] + ts[:, None] * (b - a)[None, :]
            step = max(r / 12.0, 0.5)
            offs = np.arange(-r, r + step / 2, step)
            pts = base[:, None, :] + offs[None, :, None] * nrm[None, None, :]
            mx = pts[..., 0].astype(np.float32)
            my = pts[..., 1].astype(np.float32)
            prof = cv2.remap(grey, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            deriv = (prof[:, 2:] - prof[:, :-2]) / (2 * step)
            inside = (mx[:, 1:-1] >= 1) & (mx[:, 1:-1] <= w - 2) & (my[:, 1:-1] >= 1) & (my[:, 1:-1] <= h - 2)
            deriv = np.where(inside, deriv, 0)
            neg = -deriv  # bright inside, dark outside
            strength_neg = neg.max(axis=1)
            strength_pos = deriv.max(axis=1)
            use = neg if strength_neg.sum() >= strength_pos.sum() else deriv
            idx = use.argmax(axis=1)
            peak = use[np.arange(n_samples), idx]
            thr = max(1.0, 0.25 * float(np.median(peak)))
            good = peak > thr
            # Sub-sample peak by parabola fit.
            sub = idx.astype(np.float64)
            ok = (idx > 0) & (idx < use.shape[1] - 1)
            ii = np.arange(n_samples)[ok]
            y0, y1, y2 = use[ii, idx[ok] - 1], use[ii, idx[ok]], use[ii, idx[ok] + 1]
            den = y0 - 2 * y1 + y2
            sub[ok] += np.where(np.abs(den) > 1e-9, 0.5 * (y0 - y2) / np.where(np.abs(den) > 1e-9, den, 1), 0)
            off = offs[0] + (sub + 1) * step
            edge_pts = base + off[:, None] * nrm[None, :]
            line = _ransac_line(edge_pts[good], peak[good], max(1.0, r / 6), rng)
            if line is None:
                line = np.cross([a[0], a[1], 1.0], [b[0], b[1], 1.0])
            lines.append(line)
        new = []
        for i in range(4):
            v = np.cross(lines[i - 1], lines[i])
            if abs(v[2]) < 1e-9:
                return q
            new.append(v[:2] / v[2])
        new = np.array(new)
        if np.max(np.linalg.norm(new - q, axis=1)) > 3 * r or not is_convex(new):
            return q
        q = order_corners(new)
        r = max(r / 2.5, 1.5)
    return q


def _on_border(a: np.ndarray, b: np.ndarray, w: int, h: int, tol: float) -> bool:
    for axis, lim in ((0, 0), (0, w - 1), (1, 0), (1, h - 1)):
        if abs(a[axis] - lim) < tol and abs(b[axis] - lim) < tol:
            return True
    return False


def _score(wk: _Work, quad: np.ndarray) -> tuple[float, dict]:
    """Score in [0, 1]: edge support of the sides x shape plausibility x paper-like inside."""
    q = order_corners(quad)
    info: dict = {}
    if not is_convex(q):
        return 0.0, {"why": "not convex"}
    area_frac = quad_area(q) / (wk.w * wk.h)
    # Never accept (nearly) the whole frame: that is what a failed detector returns silently.
    if not (0.04 <= area_frac <= 0.9):
        return 0.0, {"why": "area"}
    ang = interior_angles(q)
    if ang.min() < 35 or ang.max() > 145:
        return 0.0, {"why": "angles"}
    sides = side_lengths(q)
    if sides.min() < 0.04 * wk.diag:
        return 0.0, {"why": "sliver"}
    # True aspect (perspective removed), so a steeply tilted A4 page is still A4-shaped.
    ratio = estimate_aspect(q, (wk.w, wk.h))
    ratio = max(ratio, 1 / ratio)
    if ratio > 2.4:
        return 0.0, {"why": "aspect"}
    aspect_fit = float(np.exp(-((min(abs(ratio - 1.414), abs(ratio - 1.294))) / 0.25) ** 2))
    shape = (0.75 + 0.25 * aspect_fit) * float(np.clip(1 - (np.abs(ang - 90).max() - 30) / 60, 0.5, 1))
    # Edge support: colour step across each side.
    centre = q.mean(axis=0)
    d = max(2.0, 0.006 * wk.diag)
    n = 40
    supports = []
    border_sides = 0
    lighter = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        if _on_border(a, b, wk.w, wk.h, 3.0):
            border_sides += 1
            # The frame edge says nothing about the page: neither support nor refute, but a
            # quad leaning on the frame must earn its score on the sides we can see.
            supports.append(-1.0)  # placeholder, set below once we know how many there are
            continue
        length = np.hypot(*(b - a))
        dvec = (b - a) / length
        nrm = np.array([-dvec[1], dvec[0]])
        if (centre - a) @ nrm > 0:
            nrm = -nrm
        ts = np.linspace(0.04, 0.96, n)
        base = a[None, :] + ts[:, None] * (b - a)[None, :]
        pin = (base - d * nrm).astype(np.float32)
        pout = (base + d * nrm).astype(np.float32)
        pfar = (base - 3 * d * nrm).astype(np.float32)
        vin = cv2.remap(wk.lab_s, pin[:, 0].reshape(1, -1), pin[:, 1].reshape(1, -1), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]
        vout = cv2.remap(wk.lab_s, pout[:, 0].reshape(1, -1), pout[:, 1].reshape(1, -1), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]
        vfar = cv2.remap(wk.lab_s, pfar[:, 0].reshape(1, -1), pfar[:, 1].reshape(1, -1), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]
        diff = np.linalg.norm(vin - vout, axis=1)
        # Inside should look like the interior a bit further in (a true border, not a line).
        consistent = np.linalg.norm(vin - vfar, axis=1) < np.maximum(diff, 6)
        outside_frame = (pout[:, 0] < 0) | (pout[:, 0] > wk.w - 1) | (pout[:, 1] < 0) | (pout[:, 1] > wk.h - 1)
        sup = ((diff > 7.0) & consistent) | outside_frame
        supports.append(float(sup.mean()))
        # Paper is lighter than what it lies on (dark, coloured or merely light desks alike).
        lighter.append(float(((vin[:, 0] - vout[:, 0] > 2.0) | outside_frame).mean()))
    if border_sides > 2 or border_sides == len(supports):
        return 0.0, {"why": "border"}
    # One side cut by the frame is the usual "page too close / shifted" case; two sides on the
    # frame (a corner region) is also what a shadow or clutter edge can fake, so it earns less.
    supports_a = np.array(supports)
    supports_a[supports_a < 0] = 0.8 if border_sides == 1 else 0.5
    if supports_a.min() < 0.3:
        return 0.0, {"why": "weak side", "supports": supports}
    edge = float(0.6 * supports_a.mean() + 0.4 * supports_a.min())
    polarity = float(np.mean(lighter))
    if polarity < 0.5:
        return 0.0, {"why": "darker than surroundings", "polarity": polarity}
    # Paper-likeness of the inside: mostly light and colourless, and lighter than the ring outside.
    hom = cv2.getPerspectiveTransform(np.float32([[0, 0], [1, 0], [1, 1], [0, 1]]), q.astype(np.float32))
    g = np.linspace(0.08, 0.92, 14)
    gx, gy = np.meshgrid(g, g)
    inner = cv2.perspectiveTransform(np.stack([gx.ravel(), gy.ravel()], 1).reshape(1, -1, 2).astype(np.float32), hom)[0]
    li = cv2.remap(wk.lab_s, inner[:, 0].reshape(1, -1), inner[:, 1].reshape(1, -1), cv2.INTER_LINEAR)[0]
    # Paper is one nearly uniform colour, neutral or tinted the way lamps tint (towards yellow,
    # slightly red): judge the tint of the candidate itself, then how uniform its inside is.
    tint_a = float(np.median(li[:, 1])) - 128
    tint_b = float(np.median(li[:, 2])) - 128
    if not (-6 <= tint_a <= 12 and -8 <= tint_b <= 38):
        return 0.0, {"why": "coloured, not paper", "tint": (tint_a, tint_b)}
    chroma_in = np.hypot(li[:, 1] - 128 - tint_a, li[:, 2] - 128 - tint_b)
    light_in = li[:, 0]
    top = wk.top_light
    paper = (chroma_in < 14) & (light_in > 0.35 * top)
    paper_frac = float(paper.mean())
    # Shade may darken part of a page, but its lit part is among the lightest things in view.
    if paper_frac < 0.75 or np.percentile(light_in[paper], 90) < 0.6 * top:
        return 0.0, {"why": "not paper", "paper": paper_frac}
    size = float(np.clip(area_frac / 0.15, 0, 1))
    score = edge * shape * (0.55 + 0.45 * paper_frac) * (0.7 + 0.3 * size) * (0.6 + 0.4 * polarity)
    info.update(supports=[round(float(v), 3) for v in supports_a], paper=paper_frac, polarity=polarity, shape=shape, area=area_frac, border_sides=border_sides)
    return float(score), info


def _dedupe(quads: list[np.ndarray], tol: float) -> list[np.ndarray]:
    if not quads:
        return []
    ordered = np.array([order_corners(q) for q in quads])
    keep: list[int] = []
    for i in range(len(ordered)):
        if keep:
            dist = np.linalg.norm(ordered[keep] - ordered[i][None], axis=2).max(axis=1)
            if dist.min() <= tol:
                continue
        keep.append(i)
    return [ordered[i] for i in keep]


def detect_page(image: np.ndarray, min_area_fraction: float = 0.04) -> PageDetection:
    """Detect the page in a BGR (or grey) photo; see :class:`PageDetection`.

    Raises ValueError for an empty or non-image array so bad frames are reported, not guessed.
    """
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise ValueError("detect_page needs a non-empty image array (H x W or H x W x 3)")
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    h0, w0 = image.shape[:2]
    if min(h0, w0) < 32:
        return PageDetection(False, None, 0.0, "image too small to contain a page")
    scale = min(1.0, WORK_SIZE / max(h0, w0))
    small = cv2.resize(image, (int(round(w0 * scale)), int(round(h0 * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else image
    wk = _Work(small)
    min_area = min_area_fraction * wk.w * wk.h
    proposals = _region_proposals(wk, min_area) + _edge_proposals(wk, min_area)
    proposals = _dedupe(proposals, 0.01 * wk.diag)
    scored = []
    for q in proposals:
        s, _ = _score(wk, q)
        scored.append((s, q))
    # Lines only when regions/edges gave nothing convincing (they are the slowest cue).
    if not scored or max(s for s, _ in scored) < 0.75:
        for q in _dedupe(_line_proposals(wk, min_area), 0.01 * wk.diag):
            s, _ = _score(wk, q)
            scored.append((s, q))
    if not scored:
        return PageDetection(False, None, 0.0, "no page-like shape found")
    scored.sort(key=lambda t: -t[0])
    best_s, best_q, best_info = 0.0, None, {}
    search = 0.025 * wk.diag
    for s0, q in scored[:4]:
        rq = refine_quad(wk.grey_f, q, search)
        s1, info = _score(wk, rq)
        if s1 < s0:
            rq, s1 = q, s0
            _, info = _score(wk, q)
        if s1 > best_s:
            best_s, best_q, best_info = s1, rq, info
    if best_q is None or best_s < ACCEPT_SCORE:
        return PageDetection(False, None, float(best_s), "no confident page outline (score below threshold)")
    corners = best_q / scale
    if scale < 1:
        # Final snap at full resolution, on the page's bounding box only (cheap for 12 MP photos).
        r = max(2.0, 1.5 / scale)
        x0, y0 = np.maximum(np.floor(corners.min(axis=0) - 3 * r), 0).astype(int)
        x1, y1 = np.minimum(np.ceil(corners.max(axis=0) + 3 * r), [w0, h0]).astype(int)
        roi = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
        grey_roi = cv2.GaussianBlur(roi, (0, 0), 1.0).astype(np.float32)
        corners = refine_quad(grey_roi, corners - [x0, y0], r, iterations=1) + [x0, y0]
    corners = order_corners(corners)
    corners[:, 0] = np.clip(corners[:, 0], 0, w0 - 1)
    corners[:, 1] = np.clip(corners[:, 1], 0, h0 - 1)
    return PageDetection(True, corners, float(best_s), "", bool(best_info.get("border_sides", 0)), best_info)
