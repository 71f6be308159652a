"""Kiosk benchmark: tap on "Lấy số" → the ticket number on screen, in headless Chromium.

    .venv/bin/python bench/bench_kiosk.py [--taps 50] [--threads 16] [--json bench/results/kiosk.json]

A real `motcua serve` (SQLite, demo centre) and Debian's Chromium. Each round walks the kiosk
to the "Lấy số" button of a service (untimed), then times, inside the page, from the tap
(`click()`) to the next animation frame after the new number is drawn: the POST /api/v1/tickets
round trip, the server's transaction and the screen update. The figure measured from the test
driver (Playwright click → number visible, including its own RPC overhead) is printed as well.
Target (issue 4): p99 ≤ 300 ms on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from livesupport import LiveServer, seed_live_centre  # noqa: E402
from support import free_port  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SERVICES = ["HT", "CT", "DD", "KD", "CA", "XH", "XD", "LL"]

TIMED_TAP = """async () => {
  const number = document.getElementById("ticket-number");
  const before = number.textContent;
  const t0 = performance.now();
  const drawn = new Promise((resolve) => {
    const seen = new MutationObserver(() => {
      if (number.textContent && number.textContent !== before) {
        seen.disconnect();
        requestAnimationFrame(() => resolve(performance.now()));
      }
    });
    seen.observe(number, { childList: true, characterData: true, subtree: true });
  });
  document.getElementById("take-normal").click();
  return (await drawn) - t0;
}"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taps", type=int, default=50)
    parser.add_argument("--driver-taps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("bench_kiosk: chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    database_url = f"sqlite:///{work / 'motcua.db'}"
    seed_live_centre(database_url, work)
    server = LiveServer(database_url, work, free_port(), threads=args.threads, secret_key="bench")
    server.start()
    in_page: list[float] = []
    driver: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1080, "height": 1920})
            page.goto(f"{server.url}/kiosk?token=demo-kiosk&idle_seconds=3600")
            page.wait_for_selector("body[data-ready='1']")
            warm = 5
            for i in range(warm + args.taps + args.driver_taps):
                code = SERVICES[i % len(SERVICES)]
                page.click(".k-tile-ticket")
                page.click(f".k-service[data-code='{code}']")
                page.wait_for_selector("#take-normal", state="visible")
                if i < warm + args.taps:
                    elapsed = page.evaluate(TIMED_TAP)
                    page.wait_for_selector("[data-screen=ticket]", state="visible")
                    if i >= warm:
                        in_page.append(elapsed)
                else:
                    before = page.text_content("#ticket-number")
                    t0 = time.perf_counter()
                    page.click("#take-normal")
                    page.wait_for_function(
                        "(b) => { const n = document.getElementById('ticket-number');"
                        " return n.textContent && n.textContent !== b && n.offsetParent !== null; }",
                        arg=before, polling="raf")
                    driver.append((time.perf_counter() - t0) * 1000)
                page.click("#ticket-done")
                page.wait_for_selector("[data-screen=home]", state="visible")
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]
    result = {
        "taps_in_page": len(in_page), "taps_driver": len(driver), "cpus": os.cpu_count(),
        "load_avg_1m": round(load, 2),
        "in_page_ms": {"p50": round(statistics.median(in_page), 1), "p99": round(pct(in_page, 99), 1),
                       "max": round(max(in_page), 1)},
        "driver_ms": {"p50": round(statistics.median(driver), 1), "p99": round(pct(driver, 99), 1),
                      "max": round(max(driver), 1)},
        "target_p99_ms": 300,
    }
    print(f"kiosk tap 'Lấy số' → ticket on screen, Chromium, {os.cpu_count()} CPUs, load {load:.2f}")
    print(f"  in page ({len(in_page)} taps): p50 {result['in_page_ms']['p50']} ms, "
          f"p99 {result['in_page_ms']['p99']} ms, max {result['in_page_ms']['max']} ms")
    print(f"  from the driver ({len(driver)} taps, incl. Playwright overhead): "
          f"p50 {result['driver_ms']['p50']} ms, p99 {result['driver_ms']['p99']} ms")
    ok = result["in_page_ms"]["p99"] <= 300
    print(f"  target p99 ≤ 300 ms: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
