"""Run every benchmark (bench/bench_*.py) in turn, each in its own process, and print its figures.

    .venv/bin/python bench/run_all.py                # all of them
    .venv/bin/python bench/run_all.py queue scan     # only bench_queue.py and bench_scan.py
    .venv/bin/python bench/run_all.py --list

Each benchmark prints its own figures (and may write JSON to bench/results/); this script streams
that output, bounds each run by --timeout, and ends with a one-line summary per benchmark. The exit
status is non-zero if any benchmark failed or timed out. Benchmarks share the machine's CPUs, so
they run one after another, never together.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def discover(names: list[str]) -> list[Path]:
    found = sorted(BENCH.glob("bench_*.py"))
    if not names:
        return found
    wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
    unknown = wanted - {p.stem.removeprefix("bench_") for p in found}
    if unknown:
        raise SystemExit(f"run_all: no benchmark named {', '.join(sorted(unknown))}; "
                         f"have: {', '.join(p.stem for p in found)}")
    return [p for p in found if p.stem.removeprefix("bench_") in wanted]


def run_one(path: Path, timeout: float) -> tuple[str, float]:
    """Stream one benchmark's output; returns (outcome, seconds)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(path)], cwd=BENCH.parent,
                            start_new_session=True)
    try:
        code = proc.wait(timeout=timeout)
        outcome = "ok" if code == 0 else f"failed (exit {code})"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: it and what it started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        outcome = f"timed out after {timeout:.0f} s"
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        raise
    return outcome, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every bench/bench_*.py in turn.")
    parser.add_argument("names", nargs="*", help="only these (queue, scan, printer, ...)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per benchmark")
    args = parser.parse_args(argv)

    benches = discover(args.names)
    if args.list or not benches:
        print("\n".join(p.name for p in benches) or "run_all: no bench/bench_*.py found")
        return 0
    summary = []
    for path in benches:
        print(f"\n===== {path.name} =====", flush=True)
        outcome, seconds = run_one(path, args.timeout)
        summary.append((path.name, outcome, seconds))
    print("\n===== summary =====")
    width = max(len(name) for name, _, _ in summary)
    for name, outcome, seconds in summary:
        print(f"{name.ljust(width)}  {outcome:<24}  {seconds:6.0f} s")
    return 0 if all(outcome == "ok" for _, outcome, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
