"""Benchmark page detection on a seeded synthetic set (SmartDoc-style Jaccard per condition).

    .venv/bin/python bench/bench_scan.py                 # 25 scenes per condition, 1920x1080
    .venv/bin/python bench/bench_scan.py -n 10 --size 1280x720 --seed 3

Prints mean/min Jaccard and ms per frame for each condition, the no-page rejection rate, and
the time from a 12 MP JPEG to a clean page (decode + detect + warp + enhance). OpenCV runs on
one thread by default, matching the "one CPU core" target. Synthetic figures measure regressions;
they do not prove accuracy on real photographs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from hardware.scan.enhance import enhance  # noqa: E402
from hardware.scan.evaluate import evaluate  # noqa: E402
from hardware.scan.imageio import decode_image  # noqa: E402
from hardware.scan.pipeline import process_image  # noqa: E402
from hardware.scan.synth import CATEGORIES, NO_PAGE, make_scene  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--per-category", type=int, default=25)
    ap.add_argument("--size", default="1920x1080", help="frame size WxH")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="OpenCV threads (1 = one core)")
    args = ap.parse_args(argv)
    cv2.setNumThreads(args.threads)
    w, h = (int(v) for v in args.size.lower().split("x"))
    print(f"scan detection benchmark: {args.per_category} scenes/condition, {w}x{h}, seed {args.seed}, "
          f"{args.threads} OpenCV thread(s)")
    t0 = time.perf_counter()
    scenes = [make_scene(c, args.seed * 100_000 + i, (w, h))
              for c in CATEGORIES + (NO_PAGE,) for i in range(args.per_category)]
    print(f"generated {len(scenes)} scenes in {time.perf_counter() - t0:.1f} s")
    res = evaluate(scenes)
    print(f"{'condition':<14}{'n':>4}{'mean J':>9}{'min J':>8}{'missed':>8}{'ms/frame':>10}")
    all_j = []
    for cat in CATEGORIES:
        r = res[cat]
        all_j.append(r.mean_jaccard)
        print(f"{cat:<14}{r.count:>4}{r.mean_jaccard:>9.4f}{r.min_jaccard:>8.3f}{r.not_found:>8}{r.ms_per_frame:>10.1f}")
    r = res[NO_PAGE]
    print(f"{NO_PAGE:<14}{r.count:>4}   correctly rejected {r.rejected_ok}/{r.count}{r.ms_per_frame:>18.1f}")
    print(f"overall mean Jaccard (pages): {np.mean(all_j):.4f}")
    # 12 MP photo -> clean page, including JPEG decoding.
    big = make_scene("plain", args.seed, (4000, 3000))
    ok, data = cv2.imencode(".jpg", big.image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    times = []
    for _ in range(3):
        t = time.perf_counter()
        img = decode_image(data.tobytes())
        page = process_image(img, mode="grey", dpi=200, check=False)
        times.append((time.perf_counter() - t) * 1000)
    assert page.image.size and enhance is not None
    print(f"12 MP JPEG -> clean A4 grey page at 200 DPI: {min(times):.0f} ms (best of 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
