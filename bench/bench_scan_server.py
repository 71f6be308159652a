"""Benchmark scanning through the server: the API round trip, with the image work in the scan
worker process (what a kiosk waits for).

    .venv/bin/python bench/bench_scan_server.py            # 20 preview stills, 5 photos each size

Prints, per request type, median and 95th-percentile milliseconds: a 640x360 preview still to
corners (`POST /scans/detect`, the live outline), a 1920x1080 and a 12 MP photo to a stored clean
page (`POST /scans/<id>/pages`), and `finish` (3 pages → PDF). Also whether the server process
stayed free of OpenCV. The first request pays the worker start (reported separately).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _photos(sizes: list[tuple[int, int]]) -> dict:
    """JPEGs rendered in a child process, so this (server) process never loads OpenCV."""
    from queue_server import scanworker

    folder = Path(tempfile.mkdtemp(prefix="bench-scan-"))
    frames = scanworker.run("demo_frames", str(folder / "f"), timeout=300)["frames"]
    from PIL import Image

    base = Image.open(folder / "f" / frames[0]).convert("RGB")
    out = {}
    import io

    for w, h in sizes:
        buf = io.BytesIO()
        base.resize((w, h), Image.LANCZOS).save(buf, format="JPEG", quality=90)
        out[(w, h)] = buf.getvalue()
    return out


def _stats(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stills", type=int, default=20)
    ap.add_argument("--photos", type=int, default=5)
    args = ap.parse_args(argv)
    from support import Clock, make_app, seed_centre

    tmp = Path(tempfile.mkdtemp(prefix="bench-scan-server-"))
    app = make_app(f"sqlite:///{tmp / 'db.sqlite'}", tmp, Clock())
    seed = seed_centre(app)
    client = app.test_client()
    auth = {"Authorization": "Bearer " + seed.tokens["kiosk"], "Content-Type": "image/jpeg"}
    t0 = time.perf_counter()
    photos = _photos([(640, 360), (1920, 1080), (4000, 3000)])
    print(f"worker start + demo frames: {(time.perf_counter() - t0) * 1000:.0f} ms (first use only)")

    def timed(method: str, url: str, **kw) -> tuple[float, object]:
        start = time.perf_counter()
        r = client.open(url, method=method, **kw)
        return (time.perf_counter() - start) * 1000, r

    detect = []
    for i in range(args.stills):
        ms, r = timed("POST", f"/api/v1/scans/detect?session=bench{i % 2}xxxxx", data=photos[(640, 360)], headers=auth)
        assert r.status_code == 200, r.get_json()
        detect.append(ms)
    print(f"detect 640x360 still:      {_stats(detect)}")
    for size in ((1920, 1080), (4000, 3000)):
        scan = client.post("/api/v1/scans", json={}, headers={"Authorization": auth["Authorization"]}).json
        times = []
        for _ in range(args.photos):
            ms, r = timed("POST", f"/api/v1/scans/{scan['id']}/pages", data=photos[size], headers=auth)
            assert r.status_code == 201, r.get_json()
            times.append(ms)
        label = f"page from {size[0]}x{size[1]}:"
        print(f"{label:<27}{_stats(times)}")
    ticket = client.post("/api/v1/tickets", json={"service": "HT"},
                         headers={"Authorization": auth["Authorization"]}).json
    finish = []
    for _ in range(3):
        scan = client.post("/api/v1/scans", json={}, headers={"Authorization": auth["Authorization"]}).json
        for _ in range(3):
            client.post(f"/api/v1/scans/{scan['id']}/pages", data=photos[(1920, 1080)], headers=auth)
        ms, r = timed("POST", f"/api/v1/scans/{scan['id']}/finish", json={"ticket_id": ticket["id"]},
                      headers={"Authorization": auth["Authorization"]})
        assert r.status_code == 200, r.get_json()
        finish.append(ms)
    print(f"finish (3 pages → PDF):    {_stats(finish)}   PDF {r.json['pdf']['bytes'] // 1024} KB")
    print(f"server process imported cv2: {'cv2' in sys.modules}")
    from queue_server import scanworker

    scanworker.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
