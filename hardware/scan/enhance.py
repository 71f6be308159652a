"""Clean-up of a flattened page so it looks like a flatbed scan and compresses well.

All modes first divide the page by an estimate of its blank-paper brightness (dark text and
strokes removed with a max filter), which removes shadows and uneven light while keeping hues:
a red seal stays red in colour mode and stays a mid-grey (clearly visible) in grey mode.
"""

from __future__ import annotations

import cv2
import numpy as np

MODES = ("colour", "grey", "bw")
_ALIASES = {"color": "colour", "gray": "grey", "greyscale": "grey", "grayscale": "grey",
            "bw": "bw", "b/w": "bw", "blackwhite": "bw", "colour": "colour", "grey": "grey"}


def normalise_mode(mode: str) -> str:
    """Map user spellings (color/gray/...) to one of MODES; ValueError names the choices."""
    key = _ALIASES.get(str(mode).lower().replace("-", "").replace(" ", ""))
    if key is None:
        raise ValueError(f"unknown enhancement mode {mode!r}; use one of {', '.join(MODES)}")
    return key


def paper_background(channel: np.ndarray) -> np.ndarray:
    """Estimate the blank-paper level of one 8-bit channel (float32, same size).

    Works on a 1/8 copy: a max filter removes text, stamps and lines, a median smooths the rest,
    and the result is scaled back up, so it is cheap even for a 300 DPI page.
    """
    h, w = channel.shape[:2]
    f = 8
    small = cv2.resize(channel, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(min(h, w) / f / 40)) * 2 + 1)  # ~2.5 % of the page width
    small = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    small = cv2.medianBlur(small, 2 * k + 1 if 2 * k + 1 <= 255 else 255)
    small = cv2.GaussianBlur(small, (0, 0), k / 2)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def _divide(img: np.ndarray) -> np.ndarray:
    """Per-channel flat-field correction to a white (255) background, float32 in [0, 255]."""
    chans = cv2.split(img) if img.ndim == 3 else [img]
    out = []
    for c in chans:
        bg = np.maximum(paper_background(c), 8.0)
        out.append(np.clip(c.astype(np.float32) / bg * 255.0, 0, 255))
    return cv2.merge(out) if len(out) > 1 else out[0]


def _levels(img: np.ndarray, white: float = 235.0, gamma: float = 1.2) -> np.ndarray:
    """Push near-white paper to pure white and darken ink slightly (smaller, crisper files)."""
    x = np.clip(img / white, 0, 1) ** gamma
    return (x * 255.0 + 0.5).astype(np.uint8)


def enhance(page: np.ndarray, mode: str = "grey") -> np.ndarray:
    """Return the cleaned page: BGR for "colour", single-channel for "grey" and "bw".

    "bw" is a local (adaptive) threshold of the shadow-free grey image with a global guard, so
    blank paper never turns into noise and faint pencil-grey still counts as ink only if dark.
    """
    if not isinstance(page, np.ndarray) or page.size == 0:
        raise ValueError("enhance needs a non-empty page image")
    mode = normalise_mode(mode)
    if page.ndim == 3 and page.shape[2] == 4:
        page = cv2.cvtColor(page, cv2.COLOR_BGRA2BGR)
    if mode == "colour":
        if page.ndim == 2:
            page = cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)
        return _levels(_divide(page))
    grey_src = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    flat = _divide(grey_src)
    if mode == "grey":
        return _levels(flat)
    flat8 = np.clip(flat, 0, 255).astype(np.uint8)
    block = max(15, (min(page.shape[:2]) // 50) | 1)
    local = cv2.adaptiveThreshold(flat8, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 12)
    ink = (local == 0) & (flat8 < 200)
    out = np.full(flat8.shape, 255, np.uint8)
    out[ink] = 0
    return out
