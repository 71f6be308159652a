"""Simulation benchmark: a full centre day of 3,000 tickets on 20 counters through the real
engine (one QueueService, simulated clock, fresh SQLite database), the prediction's error
against the naive estimate per hour of day, and the staffing report's cost.

Target (issue 7): the 3,000-ticket day simulates in under 30 seconds.

    .venv/bin/python bench/bench_simulation.py           # 3,000-ticket day + 3 demo-profile days
    .venv/bin/python bench/bench_simulation.py --quick   # 1,000-ticket day + 1 demo day

Figures are printed and written as JSON to bench/results/simulation.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# 3,000 tickets on 20 counters in 7.5 hours is 150 a counter, 3 minutes each at full load: a day
# of quick services. Means are set so the peak hour runs the counters at about 90%.
SERVICES = {  # code: (share of tickets, mean service minutes, prefix) — the demo's codes
    "HT": (0.22, 2.1, "A"), "CT": (0.30, 1.3, "B"), "DD": (0.08, 2.9, "C"), "KD": (0.08, 2.6, "D"),
    "CA": (0.12, 1.7, "E"), "XH": (0.08, 2.0, "G"), "XD": (0.04, 3.2, "H"), "LL": (0.08, 1.6, "K")}
WEIGHTS = {7: 0.7, 8: 1.3, 9: 1.4, 10: 1.2, 11: 0.7, 13: 0.6, 14: 1.1, 15: 1.1, 16: 0.9}
PAIRS = [("HT", "LL"), ("CT", "HT"), ("DD", "XD"), ("KD", "CA"), ("XH", "CT"), ("CA", "HT"),
         ("CT", "LL"), ("HT", "XH"), ("CT", "CA"), ("DD", "KD")]


def busy_profile(tickets: int, counters: int):
    """A day of about `tickets` tickets over `counters` counters (two priority counters serve
    everything, the rest two services each)."""
    from queue_server.simulation.profile import _open_fraction, parse_profile

    sessions = [(dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0))]
    effective = sum(w * _open_fraction(sessions, h) for h, w in WEIGHTS.items())
    services = {}
    for code, (share, mean, prefix) in SERVICES.items():
        per_weight = tickets * share / effective
        services[code] = {"prefix": prefix, "arrivals": {f"{h:02d}": round(per_weight * w, 2) for h, w in WEIGHTS.items()},
                          "service_minutes": {"mean": mean, "sd": mean / 2},
                          "priority_share": 0.06, "appointment_share": 0.05, "no_show_share": 0.05}
    layout = [{"number": 1, "services": list(SERVICES), "priority": True},
              {"number": 2, "services": list(SERVICES), "priority": True}]
    for n in range(3, counters + 1):
        layout.append({"number": n, "services": list(PAIRS[(n - 3) % len(PAIRS)])})
    return parse_profile({"services": services, "counters": layout}, name=f"busy-{tickets}")


def new_app(tmp: str):
    from queue_server.app import create_app
    from queue_server.config import TestConfig
    from queue_server.store.migrate import upgrade

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(DATA_DIR=tmp, DATABASE_URL=f"sqlite:///{tmp}/sim.db")
    app = create_app(settings)
    upgrade(app.extensions["motcua_engine"])
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 tickets and one demo day")
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--counters", type=int, default=20)
    parser.add_argument("--demo-days", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tickets = args.tickets or (1000 if args.quick else 3000)
    demo_days = args.demo_days if args.demo_days is not None else (1 if args.quick else 3)

    from queue_server.demo import ensure_centre, load_demo
    from queue_server.prediction.evaluate import evaluate, format_table
    from queue_server.simulation.figures import figures
    from queue_server.simulation.profile import load_profile
    from queue_server.simulation.run import simulate
    from queue_server.staffing.advice import staffing_report

    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    results: dict = {"tickets_target": tickets, "counters": args.counters}
    monday = dt.date(2026, 11, 16)
    with tempfile.TemporaryDirectory() as tmp:
        app = new_app(tmp)
        svc = app.extensions["motcua"]
        with svc.uow() as uow:
            ensure_centre(uow, "bench", "Trung tâm bench", "Asia/Ho_Chi_Minh")
            uow.commit()
        profile = busy_profile(tickets, args.counters)
        result = simulate(svc.session_factory, "bench", profile, [monday], args.seed)
        results.update(tickets=result.tickets, ops=result.ops, simulate_s=round(result.seconds, 2),
                       ms_per_op=round(1000 * result.seconds / result.ops, 2),
                       tickets_per_s=round(result.tickets / result.seconds, 1),
                       target_s=30, within_target=result.seconds < 30)
        print(f"\nBusy day: {result.tickets} tickets, {args.counters} counters, {result.ops} engine "
              f"operations in {result.seconds:.1f} s ({results['ms_per_op']} ms/op, "
              f"{results['tickets_per_s']} tickets/s) — target < 30 s: "
              f"{'met' if results['within_target'] else 'MISSED'}")
        began = time.perf_counter()
        f = figures(svc, result)
        results["figures_s"] = round(time.perf_counter() - began, 2)
        s = f["summary"]
        print(f"  wait mean {s['wait']['mean_minutes']} min, ≤15 min {s['wait']['share_within_target']}, "
              f"served {s['served']}, satisfaction {s['satisfaction']['rate']}")
        print("  prediction on the busy day:")
        print("    " + format_table(f["prediction"]).replace("\n", "\n    "))
        results["busy_prediction"] = f["prediction"]["overall"]
        from queue_server.reports import data

        began = time.perf_counter()
        events = data.events(svc, result.layout.centre_id, result.start, result.end)
        report = staffing_report(f["records"], events, start=result.start, end=result.end,
                                 counter_services={n: sorted(v) for n, v in
                                                   result.layout.counter_services.items()},
                                 names=f["context"].service_names, target=15)
        results["staffing_report_s"] = round(time.perf_counter() - began, 2)
        print(f"  staffing report for the day: {results['staffing_report_s']} s, "
              f"{len(report['advice'])} advice lines")
        app.extensions["motcua_engine"].dispose()

    if demo_days:
        with tempfile.TemporaryDirectory() as tmp:
            app = new_app(tmp)
            svc = app.extensions["motcua"]
            with svc.uow() as uow:
                load_demo(uow, ensure_centre(uow, "demo", "Trung tâm demo", "Asia/Ho_Chi_Minh"))
                uow.commit()
            days = [monday + dt.timedelta(days=i) for i in range(demo_days)]
            result = simulate(svc.session_factory, "demo", load_profile(), days, args.seed)
            f = figures(svc, result)
            ev = evaluate(result.issued, f["records"])
            results["demo_days"] = demo_days
            results["demo_prediction"] = ev
            print(f"\nDemo profile, {demo_days} day(s), 6 counters: {result.tickets} tickets in "
                  f"{result.seconds:.1f} s; wait-time prediction vs the naive estimate "
                  "(mean absolute error, minutes):")
            print(format_table(ev))
            overall = ev["overall"]["improvement"]
            print(f"target ≥ 30% lower error: {'met' if overall and overall >= 0.3 else 'MISSED'} "
                  f"({(overall or 0) * 100:.0f}%)")
            app.extensions["motcua_engine"].dispose()

    out = ROOT / "bench" / "results" / "simulation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
