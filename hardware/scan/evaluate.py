"""SmartDoc-style evaluation of :func:`detect_page` on a list of scenes with known corners."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from .detect import detect_page
from .geometry import jaccard
from .synth import NO_PAGE, SyntheticScene


@dataclass
class CategoryResult:
    """Per-category figures: mean Jaccard (pages) or correct-rejection rate (no-page scenes)."""

    category: str
    count: int
    mean_jaccard: float | None
    min_jaccard: float | None
    not_found: int
    rejected_ok: int | None
    ms_per_frame: float


def evaluate(scenes: list[SyntheticScene]) -> dict[str, CategoryResult]:
    """Run detection on every scene; a miss scores Jaccard 0, a page on a no-page scene is an error."""
    scores: dict[str, list[float]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    misses: dict[str, int] = defaultdict(int)
    for sc in scenes:
        t0 = time.perf_counter()
        det = detect_page(sc.image)
        times[sc.category].append((time.perf_counter() - t0) * 1000)
        if not det.found:
            misses[sc.category] += 1
        if sc.category == NO_PAGE:
            scores[sc.category].append(0.0 if det.found else 1.0)
        else:
            scores[sc.category].append(jaccard(det.corners, sc.corners, sc.image.shape[:2]))
    out = {}
    for cat, vals in scores.items():
        ms = sum(times[cat]) / len(times[cat])
        if cat == NO_PAGE:
            out[cat] = CategoryResult(cat, len(vals), None, None, misses[cat], int(sum(vals)), ms)
        else:
            out[cat] = CategoryResult(cat, len(vals), sum(vals) / len(vals), min(vals), misses[cat], None, ms)
    return out
