"""Reports benchmark: how long the dashboard and a quarter's report take to compute.

A synthetic busy centre — 3,000 tickets a day over 20 counters, each ticket issued, called,
finished (or no-show) and mostly rated — is written as events into a fresh SQLite database.
Measured:

- the pure metrics (`build_tickets` + `build.report`) over a day and over a quarter of event
  dicts, in memory;
- the real dashboard read (`/api/v1/reports/dashboard` through Flask's test client: events read
  from the database, folded, alerts) at the end of the busy day;
- the real day report and its Excel, PDF and CSV exports through the API.

    .venv/bin/python bench/bench_reports.py            # quarter = 65 working days
    .venv/bin/python bench/bench_reports.py --quick    # 10 days

Figures are printed and written as JSON to bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SERVICES = ["HT", "CT", "DD", "KD", "CA", "XH", "XD", "LL"]


def synthetic_day(day: dt.date, tickets: int, counters: int, rng: random.Random, first_id: int,
                  first_ticket: int) -> list[dict]:
    """Events of one busy day in the API's event-dict shape."""
    out: list[dict] = []
    eid = first_id
    opens = dt.datetime.combine(day, dt.time(7, 30), HCM)
    for number in range(1, counters + 1):
        out.append({"id": eid, "type": "counter.changed", "ticket_id": None,
                    "at": opens.isoformat(), "counter": number, "actor": "system",
                    "centre": "bench", "status": "open", "change": "opened", "staff_id": number})
        eid += 1
    free = [opens] * counters
    for i in range(tickets):
        tid = first_ticket + i
        issued = opens + dt.timedelta(seconds=i * 9 * 3600 / tickets)
        service = rng.choice(SERVICES)
        c = min(range(counters), key=lambda k: free[k])
        called = max(issued, free[c]) + dt.timedelta(seconds=5)
        done = called + dt.timedelta(minutes=rng.uniform(2, 9))
        free[c] = done
        base = {"ticket_id": tid, "actor": f"device:agent-{c + 1}", "centre": "bench",
                "number": f"A{i + 1:03d}", "service": service}

        def ev(kind, at, counter=None, base=base, **data):
            nonlocal eid
            eid += 1
            return {**base, "id": eid, "type": kind, "at": at.isoformat(), "counter": counter,
                    **data}

        out.append(ev("ticket.issued", issued, status="waiting", priority=None, source="kiosk"))
        out.append(ev("ticket.called", called, c + 1, status="called"))
        if rng.random() < 0.05:
            out.append(ev("ticket.no_show", called + dt.timedelta(minutes=2), c + 1, status="no_show"))
            continue
        out.append(ev("ticket.started", called + dt.timedelta(seconds=30), c + 1, status="serving"))
        out.append(ev("ticket.finished", done, c + 1, status="done"))
        if rng.random() < 0.8:
            out.append(ev("ticket.rated", done + dt.timedelta(seconds=5), c + 1, status="done",
                          level=rng.choices([3, 2, 1], weights=[7, 2, 1])[0], scale=3))
    return out


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--counters", type=int, default=20)
    args = parser.parse_args()
    days = 10 if args.quick else 65
    rng = random.Random(7)

    from queue_server.reports import build, period
    from queue_server.reports.metrics import Targets

    ctx = build.Context("bench", "Bench", {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"},
                        {}, Targets(), {s: s for s in SERVICES})
    first_day = dt.date(2026, 10, 1)
    events: list[dict] = []
    d = first_day
    while len(events) == 0 or d.toordinal() - first_day.toordinal() < days * 7 // 5:
        if d.weekday() < 5:
            events += synthetic_day(d, args.tickets, args.counters, rng, len(events) + 1,
                                    len(events) + 1)
        d += dt.timedelta(days=1)
    last_day = d - dt.timedelta(days=1)
    one_day = [e for e in events if e["at"].startswith(first_day.isoformat())]
    results: dict = {"tickets_per_day": args.tickets, "counters": args.counters,
                     "events_day": len(one_day), "events_period": len(events)}

    p_day = period.containing("day", first_day)
    secs, _ = timed(lambda: build.report(build.records_for(one_day, ctx, None, None), ctx, p_day), 3)
    results["pure_day_report_s"] = round(secs, 3)
    p_all = period.custom(first_day, last_day)
    secs, _ = timed(lambda: build.report(build.records_for(events, ctx, None, None), ctx, p_all))
    results["pure_period_report_s"] = round(secs, 3)
    results["period_days"] = p_all.days

    # the real path: a database with the busy day's events, read through the API
    from queue_server.app import create_app
    from queue_server.auth import hash_token
    from queue_server.demo import ensure_centre, load_demo
    from queue_server.domain.model import Counter, DeviceToken
    from queue_server.store import tables as t
    from queue_server.store.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        now = dt.datetime.combine(first_day, dt.time(16, 45), HCM)
        app = create_app({"DATA_DIR": tmp, "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                          "BACKGROUND_JOBS": False, "REDIS_URL": None},
                         clock=lambda: now.astimezone(dt.UTC))
        upgrade(app.extensions["motcua_engine"])
        svc = app.extensions["motcua"]
        with svc.uow() as uow:
            centre = ensure_centre(uow, "bench", "Bench", "Asia/Ho_Chi_Minh")
            load_demo(uow, centre)
            uow.flush()
            existing = list(uow.repo.counters(centre.id))
            services = list(uow.repo.services(centre.id))
            for n in range(len(existing) + 1, args.counters + 1):
                uow.repo.add(Counter(centre_id=centre.id, number=n, name=f"Quầy {n}",
                                     services=services))
            uow.repo.add(DeviceToken(centre_id=centre.id, name="bench", role="manager",
                                     token_hash=hash_token("bench-manager"),
                                     created_at=dt.datetime.now(dt.UTC)))
            uow.flush()
            by_code = {s.code: s for s in services}
            ids: dict[int, int] = {}
            seq = 0
            for e in one_day:
                if e["type"] == "ticket.issued":
                    seq += 1
                    at = dt.datetime.fromisoformat(e["at"]).astimezone(dt.UTC)
                    service = by_code[e["service"]]
                    row = uow.session.execute(t.tickets.insert().values(
                        centre_id=centre.id, service_id=service.id, issued_service_id=service.id,
                        day=first_day, seq=seq, number=f"{service.prefix}{seq:04d}", issued_at=at,
                        status="done", recall_count=0, transfer_count=0, source="kiosk"))
                    ids[e["ticket_id"]] = row.inserted_primary_key[0]
            rows = []
            for e in one_day:
                data = {k: v for k, v in e.items()
                        if k not in ("id", "type", "ticket_id", "at", "counter", "actor", "centre")}
                rows.append({"centre_id": centre.id, "type": e["type"],
                             "at": dt.datetime.fromisoformat(e["at"]).astimezone(dt.UTC),
                             "actor": e["actor"], "ticket_id": ids.get(e["ticket_id"]),
                             "counter_number": e["counter"], "data": data})
            uow.session.execute(t.events.insert(), rows)
            uow.commit()
        client = app.test_client()
        headers = {"Authorization": "Bearer bench-manager"}
        secs, r = timed(lambda: client.get("/api/v1/reports/dashboard", headers=headers), 3)
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["today"]["tickets"] == args.tickets, r.get_json()["today"]["tickets"]
        results["api_dashboard_s"] = round(secs, 3)
        q = f"from={first_day}&to={first_day}"
        secs, r = timed(lambda: client.get(f"/api/v1/reports/report?{q}", headers=headers), 3)
        results["api_day_report_s"] = round(secs, 3)
        for fmt in ("xlsx", "pdf", "csv"):
            secs, r = timed(lambda f=fmt: client.get(f"/api/v1/reports/export?format={f}&{q}",
                                                     headers=headers), 2)
            assert r.status_code == 200
            results[f"api_export_{fmt}_s"] = round(secs, 3)
        app.extensions["motcua_engine"].dispose()

    for k, v in results.items():
        print(f"{k:28} {v}")
    out = ROOT / "bench" / "results" / "reports.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
