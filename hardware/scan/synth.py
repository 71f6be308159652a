"""Seeded synthetic document photos with ground-truth corners (evaluation set generator).

We have no licensed photo corpus, so tests and the benchmark render Vietnamese form pages (text,
table, red seal, signature) and project them with a real pinhole camera (so perspective and
aspect-ratio recovery are honest) onto plain, light, textured or cluttered desks, then add fingers,
pens, shadows, uneven light, blur, noise and JPEG artefacts. Same seed, same image, every run.

A synthetic set alone does not prove real-photo accuracy; it measures regressions reproducibly.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import order_corners, quad_area

CATEGORIES: tuple[str, ...] = (
    "plain",
    "low_contrast",
    "textured",
    "cluttered",
    "occluded",
    "uneven_light",
    "blurred",
)
NO_PAGE = "no_page"

_WORDS = (
    "hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất công dân phường xã huyện tỉnh "
    "thành phố ủy ban nhân dân căn cước số điện thoại địa chỉ thường trú ngày tháng năm "
    "kính gửi tôi tên là sinh ngày nơi cư trú nội dung xác nhận đăng ký khai sinh kết hôn "
    "bản sao chứng thực trích lục hộ tịch lệ phí thời hạn giải quyết người nộp"
).split()


@dataclass(frozen=True)
class SyntheticScene:
    """One rendered photo: BGR image, ordered true corners (None when no page) and its label."""

    image: np.ndarray
    corners: np.ndarray | None
    category: str
    seed: int


def _font_paths() -> list[str]:
    paths = []
    try:
        import fontpkg_be_vietnam_pro as bvp  # optional; ships the product's UI font

        files = os.path.join(bvp.ROOT, "files")
        for name in sorted(os.listdir(files)):
            if name.endswith((".ttf", ".otf")):
                paths.append(os.path.join(files, name))
    except (ImportError, OSError):
        pass
    for p in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ):
        if os.path.exists(p):
            paths.append(p)
    return paths


def _font(size: int, bold: bool = False):
    from PIL import ImageFont

    paths = _font_paths()
    if bold:
        paths = [p for p in paths if "Bold" in p] + paths
    else:
        paths = [p for p in paths if "Regular" in p or "DejaVu" in p] + paths
    for p in paths:
        try:
            return ImageFont.truetype(p, size)
        except OSError:
            continue
    return ImageFont.load_default()


@functools.lru_cache(maxsize=16)
def _document_cached(seed: int, width: int, ratio: float) -> np.ndarray:
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    height = int(round(width * ratio))
    tint = rng.integers(0, 8, 3)
    paper = tuple(int(v) for v in (250 - tint))  # RGB
    img = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(img)
    u = width / 700.0
    ink = (20, 20, 30)
    f_head = _font(int(15 * u), bold=True)
    f_body = _font(int(14 * u))
    f_title = _font(int(22 * u), bold=True)
    m = int(55 * u)
    d.text((width / 2, m), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=f_head, fill=ink, anchor="mt")
    d.text((width / 2, m + 22 * u), "Độc lập - Tự do - Hạnh phúc", font=f_head, fill=ink, anchor="mt")
    d.line([(width / 2 - 90 * u, m + 44 * u), (width / 2 + 90 * u, m + 44 * u)], fill=ink, width=max(1, int(u)))
    titles = ("ĐƠN ĐỀ NGHỊ", "TỜ KHAI ĐĂNG KÝ", "GIẤY XÁC NHẬN", "BIÊN NHẬN HỒ SƠ")
    d.text((width / 2, m + 80 * u), titles[seed % len(titles)], font=f_title, fill=ink, anchor="mt")
    y = m + 130 * u
    line_h = 24 * u
    n_lines = int(rng.integers(10, 18))
    for i in range(n_lines):
        words = rng.choice(_WORDS, size=int(rng.integers(6, 12)))
        text = " ".join(words)
        if i % 4 == 0:
            text = text.capitalize() + ":"
        d.text((m, y), text, font=f_body, fill=ink)
        if rng.random() < 0.3:
            d.line([(m + 260 * u, y + 18 * u), (width - m, y + 18 * u)], fill=(90, 90, 90), width=1)
        y += line_h
        if y > height * 0.62:
            break
    # A small table, common on Vietnamese forms.
    rows, cols = 4, 3
    tx0, ty0, tx1 = m, y + 10 * u, width - m
    row_h = 26 * u
    for r in range(rows + 1):
        d.line([(tx0, ty0 + r * row_h), (tx1, ty0 + r * row_h)], fill=ink, width=max(1, int(u)))
    for c in range(cols + 1):
        x = tx0 + (tx1 - tx0) * c / cols
        d.line([(x, ty0), (x, ty0 + rows * row_h)], fill=ink, width=max(1, int(u)))
    for r in range(rows):
        for c in range(cols):
            word = str(rng.choice(_WORDS))
            d.text((tx0 + (tx1 - tx0) * c / cols + 6 * u, ty0 + r * row_h + 5 * u), word, font=f_body, fill=ink)
    # Red round seal (con dấu) over the signature, as on real documents.
    cx, cy = width * 0.68, min(height - 120 * u, ty0 + rows * row_h + 110 * u)
    r_out = 62 * u
    red = (200, 30, 35)
    d.ellipse([cx - r_out, cy - r_out, cx + r_out, cy + r_out], outline=red, width=int(4 * u))
    d.ellipse([cx - r_out + 10 * u, cy - r_out + 10 * u, cx + r_out - 10 * u, cy + r_out - 10 * u], outline=red, width=int(2 * u))
    star = []
    for k in range(10):
        ang = -np.pi / 2 + k * np.pi / 5
        rad = (22 if k % 2 == 0 else 9) * u
        star.append((cx + rad * np.cos(ang), cy + rad * np.sin(ang)))
    d.polygon(star, fill=red)
    d.text((cx, cy + 30 * u), "UBND PHƯỜNG", font=_font(int(10 * u), bold=True), fill=red, anchor="mt")
    # Signature scribble.
    pts = [(cx - 70 * u + 10 * u * k, cy - 5 * u + 14 * u * np.sin(k * 1.3 + seed)) for k in range(14)]
    d.line(pts, fill=(20, 30, 120), width=max(1, int(2 * u)))
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def render_document(seed: int = 0, width: int = 700, ratio: float = 297 / 210) -> np.ndarray:
    """A flat BGR form page (A4 ratio by default) with Vietnamese text, table and red seal."""
    return _document_cached(int(seed), int(width), float(ratio)).copy()


def _lowfreq(rng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    h, w = shape
    small = rng.standard_normal((max(2, cells * h // max(w, 1)), cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _background(rng: np.random.Generator, kind: str, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    if kind == "plain":
        base = rng.uniform(35, 150, 3) * rng.uniform(0.8, 1.1, 3)
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        img += _lowfreq(rng, shape, 4)[..., None] * 6
    elif kind == "light":
        grey = rng.uniform(180, 212)
        base = grey + rng.uniform(-10, 6, 3)
        img = np.empty((h, w, 3), np.float32)
        img[:] = base
        img += _lowfreq(rng, shape, 6)[..., None] * 4
    elif kind == "wood":
        base = np.array([rng.uniform(40, 90), rng.uniform(70, 120), rng.uniform(110, 170)], np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        ang = rng.uniform(0, np.pi)
        t = xx * np.cos(ang) + yy * np.sin(ang)
        warp = _lowfreq(rng, shape, 5) * rng.uniform(15, 40)
        grain = np.sin((t + warp) * rng.uniform(0.05, 0.15)) * 0.5 + 0.5
        fine = _lowfreq(rng, shape, 120) * 0.15
        img = base[None, None, :] * (0.75 + 0.3 * grain + fine)[..., None]
    elif kind == "fabric":
        base = rng.uniform(50, 170, 3).astype(np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(3, 7)
        weave = (np.sin(xx * 2 * np.pi / period) * np.sin(yy * 2 * np.pi / period)) * 0.12
        img = base[None, None, :] * (1.0 + weave + _lowfreq(rng, shape, 20) * 0.05)[..., None]
    else:  # granite / speckle
        base = rng.uniform(60, 170)
        img = np.empty((h, w, 3), np.float32)
        img[:] = base + rng.uniform(-15, 15, 3)
        speck = rng.standard_normal((h, w)).astype(np.float32)
        speck = cv2.GaussianBlur(speck, (0, 0), 1.2) * 40
        img += speck[..., None] + _lowfreq(rng, shape, 10)[..., None] * 10
    return np.clip(img, 0, 255)


def _random_colour(rng: np.random.Generator, allow_white: bool = False) -> tuple[int, int, int]:
    while True:
        c = rng.uniform(0, 255, 3)
        # Desk objects are not paper-coloured (light and nearly grey) unless asked for.
        if allow_white or not (c.min() > 110 and c.max() - c.min() < 70):
            return tuple(int(v) for v in c)


def _clutter(rng: np.random.Generator, canvas: np.ndarray, n: int, page_area: float) -> None:
    """Desk objects: books, phones, mugs, cables, keyboards, sticky notes, printed scraps."""
    h, w = canvas.shape[:2]
    img = np.clip(canvas, 0, 255).astype(np.uint8)  # OpenCV 5 text drawing wants 8-bit
    for _ in range(n):
        kind = rng.choice(["rect", "rect", "ellipse", "cable", "keys", "note", "text", "scrap"])
        cx, cy = rng.uniform(-0.1, 1.1) * w, rng.uniform(-0.1, 1.1) * h
        colour = _random_colour(rng)
        if kind == "rect":
            rw, rh = rng.uniform(0.05, 0.3) * w, rng.uniform(0.05, 0.3) * h
            box = cv2.boxPoints(((cx, cy), (rw, rh), rng.uniform(0, 180))).astype(np.int32)
            cv2.fillConvexPoly(img, box, colour, cv2.LINE_AA)
            if rng.random() < 0.5:
                cv2.polylines(img, [box], True, _random_colour(rng), int(rng.integers(1, 5)), cv2.LINE_AA)
        elif kind == "ellipse":
            ax = (int(rng.uniform(0.03, 0.12) * w), int(rng.uniform(0.03, 0.12) * w))
            cv2.ellipse(img, (int(cx), int(cy)), ax, rng.uniform(0, 180), 0, 360, colour, -1, cv2.LINE_AA)
            cv2.ellipse(img, (int(cx), int(cy)), (ax[0] * 3 // 4, ax[1] * 3 // 4), 0, 0, 360, _random_colour(rng), -1, cv2.LINE_AA)
        elif kind == "cable":
            pts = np.cumsum(rng.normal(0, 0.06 * w, (8, 2)), axis=0) + [cx, cy]
            cv2.polylines(img, [pts.astype(np.int32)], False, colour, int(rng.integers(3, 9)), cv2.LINE_AA)
        elif kind == "keys":
            kw = rng.uniform(0.2, 0.35) * w
            x0, y0 = int(cx - kw / 2), int(cy)
            cv2.rectangle(img, (x0, y0), (int(x0 + kw), int(y0 + kw * 0.35)), (40, 40, 45), -1)
            step = kw / 14
            for r in range(4):
                for c in range(13):
                    p = (int(x0 + 4 + c * step), int(y0 + 4 + r * step))
                    cv2.rectangle(img, p, (int(p[0] + step * 0.8), int(p[1] + step * 0.8)), (80, 80, 85), -1)
        elif kind == "note":
            s = np.sqrt(page_area) * rng.uniform(0.15, 0.3)
            box = cv2.boxPoints(((cx, cy), (s, s), rng.uniform(0, 90))).astype(np.int32)
            cv2.fillConvexPoly(img, box, (90, 230, 250) if rng.random() < 0.6 else (235, 235, 235), cv2.LINE_AA)
        elif kind == "scrap":
            # A small printed receipt / card: white and text-covered like the page, but small.
            s_area = rng.uniform(0.012, 0.035) * w * h
            asp = rng.uniform(0.35, 0.9)
            sw, sh = np.sqrt(s_area * asp), np.sqrt(s_area / asp)
            box = cv2.boxPoints(((cx, cy), (sw, sh), rng.uniform(0, 180))).astype(np.int32)
            cv2.fillConvexPoly(img, box, tuple(int(v) for v in rng.uniform(215, 245, 3)), cv2.LINE_AA)
            for k in range(4):
                t = 0.2 + 0.15 * k
                a = box[0] + t * (box[3] - box[0]) + 0.15 * (box[1] - box[0])
                b = a + 0.6 * (box[1] - box[0])
                cv2.line(img, tuple(int(v) for v in a), tuple(int(v) for v in b), (60, 60, 60), 1, cv2.LINE_AA)
        else:
            for k in range(int(rng.integers(2, 6))):
                cv2.putText(img, "".join(rng.choice(list("abcdefXYZ0123"), 8)), (int(cx), int(cy + k * 18)),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 1, cv2.LINE_AA)
    canvas[:] = img


def _project_page(rng: np.random.Generator, size: tuple[int, int], ratio: float,
                  area_range: tuple[float, float], margin: float, max_tilt: float) -> np.ndarray | None:
    """Project a flat page with a pinhole camera; return its 4 image corners or None."""
    w, h = size
    lo = np.array([w * margin, h * margin])
    hi = np.array([w * (1 - margin), h * (1 - margin)])
    for attempt in range(80):
        f = w * rng.uniform(0.7, 1.4)
        obj = np.array([[-0.5, -ratio / 2, 0], [0.5, -ratio / 2, 0], [0.5, ratio / 2, 0], [-0.5, ratio / 2, 0]])
        rz = rng.uniform(0, 2 * np.pi)
        ax, ay = np.radians(rng.uniform(-max_tilt, max_tilt, 2))
        rot, _ = cv2.Rodrigues(np.array([ax, ay, rz]))
        pts3 = obj @ rot.T
        shrink = 1.0 - attempt / 100
        target = rng.uniform(*area_range) * w * h * shrink

        def project(z: float, sx: float, sy: float, pts3: np.ndarray = pts3, f: float = f) -> np.ndarray | None:
            cam = pts3 + np.array([sx * z / f, sy * z / f, z])
            if np.any(cam[:, 2] <= 0.05):
                return None
            return np.stack([f * cam[:, 0] / cam[:, 2] + w / 2, f * cam[:, 1] / cam[:, 2] + h / 2], axis=1)

        z = 3.0
        quad = None
        for _ in range(6):
            quad = project(z, 0.0, 0.0)
            if quad is None:
                break
            z *= np.sqrt(quad_area(quad) / target)
        quad = project(z, 0.0, 0.0)
        if quad is None:
            continue
        # Shift the page in its plane so the projection lands at a random place inside the frame.
        room_lo = lo - quad.min(axis=0)
        room_hi = hi - quad.max(axis=0)
        if np.any(room_hi < room_lo):
            continue
        shift = rng.uniform(room_lo, room_hi)
        quad = project(z, shift[0], shift[1])
        if quad is not None and np.all(quad >= lo) and np.all(quad <= hi):
            return quad
    return None


def _composite_page(rng: np.random.Generator, bg: np.ndarray, doc: np.ndarray, quad: np.ndarray) -> np.ndarray:
    h, w = bg.shape[:2]
    dh, dw = doc.shape[:2]
    src = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
    hom = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    page = cv2.warpPerspective(doc, hom, (w, h), flags=cv2.INTER_AREA if dw > 1200 else cv2.INTER_LINEAR).astype(np.float32)
    mask = cv2.warpPerspective(np.ones((dh, dw), np.float32), hom, (w, h), flags=cv2.INTER_LINEAR)
    # Soft contact shadow under the sheet.
    shadow = cv2.GaussianBlur(mask, (0, 0), rng.uniform(2, 6))
    shift = np.float32([[1, 0, rng.uniform(-4, 4)], [0, 1, rng.uniform(1, 6)]])
    shadow = cv2.warpAffine(shadow, shift, (w, h))
    out = bg * (1 - rng.uniform(0.1, 0.35) * shadow[..., None])
    return out * (1 - mask[..., None]) + page * mask[..., None]


def _fingers(rng: np.random.Generator, img: np.ndarray, quad: np.ndarray, count: int) -> None:
    skin = np.array([rng.uniform(100, 150), rng.uniform(130, 175), rng.uniform(180, 235)])
    scale = np.sqrt(quad_area(quad))
    for _ in range(count):
        i = int(rng.integers(0, 4))
        a, b = quad[i], quad[(i + 1) % 4]
        t = rng.uniform(0.2, 0.8)
        p = a + t * (b - a)
        side = (b - a) / np.linalg.norm(b - a)
        inward = np.array([-side[1], side[0]])
        if np.dot(quad.mean(axis=0) - p, inward) < 0:
            inward = -inward
        ang = rng.uniform(-0.5, 0.5)
        d = np.array([inward[0] * np.cos(ang) - inward[1] * np.sin(ang), inward[0] * np.sin(ang) + inward[1] * np.cos(ang)])
        tip = p + d * scale * rng.uniform(0.04, 0.12)
        base = tip - d * scale * 1.5
        thick = int(scale * rng.uniform(0.06, 0.09))
        for k, shade in enumerate((0.8, 0.9, 1.0)):
            col = tuple(float(c * shade) for c in skin)
            cv2.line(img, tuple(int(v) for v in base), tuple(int(v) for v in tip), col, max(2, thick - k * thick // 4), cv2.LINE_AA)


def _pens(rng: np.random.Generator, img: np.ndarray, quad: np.ndarray, count: int) -> None:
    scale = np.sqrt(quad_area(quad))
    centre = quad.mean(axis=0)
    for _ in range(count):
        i = int(rng.integers(0, 4))
        p = quad[i] + rng.uniform(0.2, 0.8) * (quad[(i + 1) % 4] - quad[i])
        d = (centre - p) / np.linalg.norm(centre - p)
        ang = rng.uniform(-0.9, 0.9)
        d = np.array([d[0] * np.cos(ang) - d[1] * np.sin(ang), d[0] * np.sin(ang) + d[1] * np.cos(ang)])
        length = scale * rng.uniform(0.5, 0.8)
        start = p - d * length * rng.uniform(0.4, 0.7)
        end = start + d * length
        colour = [(30, 30, 30), (140, 40, 20), (30, 30, 170), (20, 120, 20)][int(rng.integers(0, 4))]
        cv2.line(img, tuple(int(v) for v in start), tuple(int(v) for v in end), colour, max(3, int(scale * 0.025)), cv2.LINE_AA)


def _over_corner(rng: np.random.Generator, img: np.ndarray, quad: np.ndarray) -> None:
    """A phone, book or mug lying over part of the page (covers one corner region)."""
    scale = np.sqrt(quad_area(quad))
    corner = quad[int(rng.integers(0, 4))]
    centre = corner + rng.normal(0, 0.06, 2) * scale
    size = (scale * rng.uniform(0.18, 0.3), scale * rng.uniform(0.3, 0.5))
    box = cv2.boxPoints((tuple(centre), size, rng.uniform(0, 180))).astype(np.int32)
    u8 = np.clip(img, 0, 255).astype(np.uint8)
    cv2.fillConvexPoly(u8, box, _random_colour(rng), cv2.LINE_AA)
    img[:] = u8


def _lighting(rng: np.random.Generator, img: np.ndarray, strength: float) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    ramp = ((xx / w - 0.5) * np.cos(ang) + (yy / h - 0.5) * np.sin(ang))
    field = 1.0 + ramp * strength
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    rad = np.hypot(xx - cx, yy - cy) / np.hypot(w, h)
    field *= 1.0 - strength * 0.6 * rad
    field /= max(field.max(), 1e-6) / rng.uniform(0.82, 0.97)  # cameras rarely clip paper
    out = img * field[..., None]
    if strength > 0.45 and rng.random() < 0.5:
        out *= np.array([rng.uniform(0.7, 0.85), rng.uniform(0.88, 0.95), 1.0])  # warm lamp (BGR)
    return out


def _cast_shadow(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """A soft shadow (a hand or phone over the page) darkening a random region."""
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.float32)
    c = np.array([rng.uniform(0, w), rng.uniform(0, h)])
    pts = c + rng.normal(0, 0.25, (6, 2)) * [w, h]
    hull = cv2.convexHull(pts.astype(np.float32)).astype(np.int32)
    cv2.fillConvexPoly(mask, hull, 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(8, 30) * w / 960)
    return img * (1 - rng.uniform(0.3, 0.5) * mask[..., None])


def _finish(rng: np.random.Generator, img: np.ndarray, blur: bool) -> np.ndarray:
    w = img.shape[1]
    if blur:
        if rng.random() < 0.5:
            img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.5, 3.0) * w / 960)
        else:
            n = int(rng.uniform(7, 13) * w / 960) | 1
            k = np.zeros((n, n), np.float32)
            k[n // 2, :] = 1.0 / n
            rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), rng.uniform(0, 180), 1.0)
            k = cv2.warpAffine(k, rot, (n, n))
            img = cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))
    else:
        img = cv2.GaussianBlur(img, (0, 0), 0.6)
    img = img + rng.normal(0, rng.uniform(1.5, 4.0), img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(70, 93))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else out


def make_scene(category: str, seed: int, size: tuple[int, int] = (960, 720),
               area: tuple[float, float] = (0.18, 0.5), doc_seed: int | None = None) -> SyntheticScene:
    """Render one photo of ``category`` (see CATEGORIES, or NO_PAGE) at ``size`` = (width, height).

    ``area`` is the range of the page's share of the frame; ``doc_seed`` swaps the printed page
    while keeping everything else (geometry, desk, light) identical, to simulate turning a page.
    """
    if category not in CATEGORIES and category != NO_PAGE:
        raise ValueError(f"unknown category {category!r}; choose from {CATEGORIES + (NO_PAGE,)}")
    rng = np.random.default_rng([seed, (CATEGORIES + (NO_PAGE,)).index(category)])
    w, h = size
    bg_kind = {
        "plain": "plain",
        "low_contrast": "light",
        "textured": str(rng.choice(["wood", "fabric", "granite"])),
        "cluttered": str(rng.choice(["plain", "wood", "granite"])),
        "occluded": str(rng.choice(["plain", "wood"])),
        "uneven_light": str(rng.choice(["plain", "light", "wood"])),
        "blurred": str(rng.choice(["plain", "wood", "granite"])),
        NO_PAGE: str(rng.choice(["plain", "light", "wood", "fabric", "granite"])),
    }[category]
    img = _background(rng, bg_kind, (h, w))
    ratio = 297 / 210 if rng.random() < 0.8 else 279.4 / 215.9
    quad = None
    if category != NO_PAGE:
        quad = _project_page(rng, size, ratio, area, 0.04, 28.0)
    if quad is None and category != NO_PAGE:
        raise RuntimeError("could not place page")  # practically unreachable; keeps generator honest
    page_area = quad_area(quad) if quad is not None else 0.25 * w * h
    if category in ("cluttered", NO_PAGE):
        _clutter(rng, img, int(rng.integers(10, 25)), page_area)
    if quad is not None:
        ds = int(rng.integers(0, 8))
        doc = render_document(ds if doc_seed is None else doc_seed, width=700 if w <= 1280 else 1100, ratio=ratio)
        img = _composite_page(rng, img, doc, quad)
        if category == "cluttered" and rng.random() < 0.5:
            _over_corner(rng, img, quad)
        if category == "occluded" or (category == "cluttered" and rng.random() < 0.5):
            _fingers(rng, img, quad, int(rng.integers(1, 3)))
            _pens(rng, img, quad, int(rng.integers(0, 2)) + (category == "occluded"))
    strength = {"uneven_light": rng.uniform(0.5, 0.9)}.get(category, rng.uniform(0.0, 0.3))
    img = _lighting(rng, img, strength)
    if category == "uneven_light" or rng.random() < 0.15:
        img = _cast_shadow(rng, img)
    img = _finish(rng, img, blur=category == "blurred")
    corners = order_corners(quad) if quad is not None else None
    return SyntheticScene(img, corners, category, seed)


def make_set(categories: tuple[str, ...] = CATEGORIES, per_category: int = 5, seed: int = 0,
             size: tuple[int, int] = (960, 720)) -> list[SyntheticScene]:
    """A deterministic evaluation set: ``per_category`` scenes for each category."""
    return [make_scene(c, seed * 100_000 + i, size) for c in categories for i in range(per_category)]


def write_demo_frames(folder: str | os.PathLike, pages: int = 3, frames_per_page: int = 12,
                      gap_frames: int = 4, size: tuple[int, int] = (1280, 720), seed: int = 0) -> list[str]:
    """Write a simulated camera session (JPEG frames) for demos: each page lies still for
    ``frames_per_page`` frames, separated by ``gap_frames`` of empty desk (the page being swapped).

    Play it with ``sources.CameraSource(folder, loop=True)``. Returns the written file paths.
    """
    os.makedirs(folder, exist_ok=True)
    paths: list[str] = []
    n = 0
    for p in range(pages):
        scene = make_scene("plain", seed * 1000 + p, size, doc_seed=p)
        desk = make_scene(NO_PAGE, seed * 1000 + p, size)
        for img in [scene.image] * frames_per_page + [desk.image] * gap_frames:
            path = os.path.join(os.fspath(folder), f"frame_{n:04d}.jpg")
            cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 88])
            paths.append(path)
            n += 1
    return paths
