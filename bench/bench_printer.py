"""Benchmark: ticket render + ESC/POS encode, per paper width.

Targets (issue 5): p99 ≤ 50 ms and ≤ 60 KB per 80 mm ticket. Each iteration prints a different
number, queue length and minute (as at a real kiosk), so only the unchanging blocks are cached.

    .venv/bin/python bench/bench_printer.py [--iterations 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardware.printer import PROFILE_58MM, PROFILE_80MM, PrinterProfile, sample_ticket  # noqa: E402
from hardware.printer.encode import image_to_escpos  # noqa: E402
from hardware.printer.layout import render_ticket  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def run(profile: PrinterProfile, label: str, iterations: int) -> None:
    start = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    t0 = time.perf_counter()
    image_to_escpos(render_ticket(sample_ticket(number="A000"), profile.width_px), profile)
    cold = (time.perf_counter() - t0) * 1000
    render_ms, encode_ms, total_ms, sizes = [], [], [], []
    for i in range(iterations):
        ticket = sample_ticket(
            number=f"A{(i + 1) % 1000:03d}",
            people_ahead=i % 40,
            estimated_wait_minutes=(i % 40) * 4,
            issued_at=start + timedelta(minutes=i),
            tracking_url=f"https://motcua.example.vn/t/A{i % 1000:03d}?k={i * 7919 % 65536:04x}",
        )
        a = time.perf_counter()
        img = render_ticket(ticket, profile.width_px)
        b = time.perf_counter()
        job = image_to_escpos(img, profile)
        c = time.perf_counter()
        render_ms.append((b - a) * 1000)
        encode_ms.append((c - b) * 1000)
        total_ms.append((c - a) * 1000)
        sizes.append(len(job))
    print(
        f"{label:<22} cold {cold:6.1f} ms | render p50 {statistics.median(render_ms):5.2f} ms"
        f" | encode p50 {statistics.median(encode_ms):5.2f} ms"
        f" | total p50 {statistics.median(total_ms):5.2f} p99 {percentile(total_ms, 99):5.2f}"
        f" max {max(total_ms):5.2f} ms | bytes median {int(statistics.median(sizes))} max {max(sizes)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    print(f"{args.iterations} tickets per row, each with a new number, queue length, time and QR URL")
    run(PROFILE_80MM, "80 mm (576) GS v 0", args.iterations)
    run(PrinterProfile(impl="graphics"), "80 mm (576) GS ( L", args.iterations)
    run(PROFILE_58MM, "58 mm (384) GS v 0", args.iterations)
    print("targets: 80 mm p99 <= 50 ms and <= 60 KB (61440 bytes)")


if __name__ == "__main__":
    main()
