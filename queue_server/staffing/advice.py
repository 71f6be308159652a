"""Staffing advice from the event log: for each service and hour of day, the demand seen in a
period, the counters Erlang C asks for, the plan a simulation confirms, the counters that were
actually open for it, and the advice in words ("Mở thêm 1 quầy cho lĩnh vực Hộ tịch 8:00–10:00").

Demand and service times come from `reports.metrics` ticket records, so the advice rests on the
same figures as the reports. Each service is planned on counters of its own; a shared counter
counts towards each of its services in proportion to their work in that hour.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..reports.metrics import TicketRecord, parse_at
from .check import checked_plan
from .erlang import mean_wait, servers_needed

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class Demand:
    """Tickets per hour (averaged over the days the centre worked) and service time."""

    arrivals: dict[int, float]
    service_mean: float
    service_sd: float


def short_name(name: str) -> str:
    """'Hộ tịch (khai sinh, kết hôn, khai tử)' → 'Hộ tịch' for a one-line message."""
    return name.split(" (")[0].strip()


def demand(records: Sequence[TicketRecord], *, default_minutes: float = 10.0,
           weekday: int | None = None) -> dict[str, Demand]:
    """Per service: mean tickets per hour of issue over the days with tickets (of `weekday`
    only, when given), and the mean and spread of its service time."""
    chosen = [r for r in records if weekday is None or r.issued_at.weekday() == weekday]
    days = {r.issued_at.date() for r in chosen}
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    times: dict[str, list[float]] = defaultdict(list)
    for r in chosen:
        counts[r.service][r.issued_at.hour] += 1
    for r in records:   # service times from the whole period: they do not depend on the weekday
        if r.service_minutes is not None:
            times[r.current_service or r.service].append(r.service_minutes)
    out = {}
    for service, hours in counts.items():
        if service is None:
            continue
        t = times.get(service) or [default_minutes]
        mean = statistics.fmean(t)
        sd = statistics.pstdev(t) if len(t) > 1 else mean / 2
        out[service] = Demand({h: n / len(days) for h, n in sorted(hours.items())},
                              max(mean, 0.5), sd)
    return out


def open_counter_hours(events: Sequence[Mapping[str, Any]], start: dt.datetime,
                       end: dt.datetime) -> dict[int, dict[tuple[dt.date, int], float]]:
    """Counter number → {(day, hour): fraction of that hour it was open}, from counter.changed."""
    changes: dict[int, list[tuple[dt.datetime, bool]]] = defaultdict(list)
    for e in events:
        if e.get("type") == "counter.changed" and e.get("counter") is not None:
            changes[e["counter"]].append((parse_at(e["at"]), e.get("status") == "open"))
    out: dict[int, dict[tuple[dt.date, int], float]] = {}
    for number, items in changes.items():
        items.sort(key=lambda x: x[0])
        spans = []
        since = None
        for at, is_open in items:
            if is_open and since is None:
                since = at
            elif not is_open and since is not None:
                spans.append((since, at))
                since = None
        if since is not None:
            spans.append((since, end))
        cells: dict[tuple[dt.date, int], float] = defaultdict(float)
        for a, b in spans:
            a, b = max(a, start), min(b, end)
            t = a
            while t < b:
                hour_end = t.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
                stop = min(b, hour_end)
                cells[(t.date(), t.hour)] += (stop - t).total_seconds() / 3600
                t = stop
        out[number] = dict(cells)
    return out


def staffed(open_hours: Mapping[int, Mapping[tuple[dt.date, int], float]],
            counter_services: Mapping[int, Sequence[str]], demands: Mapping[str, Demand],
            days: int) -> dict[str, dict[int, float]]:
    """Counters that served each service per hour of day, averaged over `days`: a counter open
    the whole hour counts 1, split between its services in proportion to their work."""
    out: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for number, cells in open_hours.items():
        services = [s for s in counter_services.get(number, ()) if s in demands]
        if not services:
            continue
        for (_, hour), fraction in cells.items():
            work = {s: demands[s].arrivals.get(hour, 0) * demands[s].service_mean for s in services}
            total = sum(work.values())
            for s in services:
                share = work[s] / total if total else 1 / len(services)
                out[s][hour] += fraction * share / max(days, 1)
    return out


def plan(demands: Mapping[str, Demand], target: float, *, days: int = 20,
         seed: int = 1) -> dict[str, dict[int, dict]]:
    """Per service and hour: arrivals, Erlang C counters and their mean wait, the counters the
    simulation check settles on and its simulated mean wait."""
    out: dict[str, dict[int, dict]] = {}
    for service, d in sorted(demands.items()):
        erlang = {h: servers_needed(r, d.service_mean, target) for h, r in d.arrivals.items()}
        checked, waits = checked_plan(d.arrivals, erlang, d.service_mean, d.service_sd, target,
                                      days=days, seed=seed)
        out[service] = {h: {"hour": h, "arrivals_per_hour": round(r, 2),
                            "erlang_counters": erlang[h],
                            "erlang_wait_minutes": _finite(mean_wait(erlang[h], r, d.service_mean)),
                            "counters": checked[h],
                            "simulated_wait_minutes": round(waits.get(h, 0.0), 2)}
                        for h, r in d.arrivals.items()}
    return out


def pooled(demands: Mapping[str, Demand], target: float, *, seed: int = 1) -> dict[str, int]:
    """Counters per hour if every counter served every service (the fewest possible; a centre
    with counters per lĩnh vực needs between this and the sum of the services' own plans)."""
    hours = sorted({h for d in demands.values() for h in d.arrivals})
    arrivals = {h: sum(d.arrivals.get(h, 0) for d in demands.values()) for h in hours}
    work = {h: sum(d.arrivals.get(h, 0) * d.service_mean for d in demands.values()) for h in hours}
    total_arrivals = sum(arrivals.values())
    if not total_arrivals:
        return {}
    mean = sum(work.values()) / total_arrivals
    second = sum(d.arrivals.get(h, 0) * (d.service_sd ** 2 + d.service_mean ** 2)
                 for d in demands.values() for h in hours) / total_arrivals
    sd = math.sqrt(max(second - mean ** 2, 0.0))
    erlang = {h: servers_needed(arrivals[h], mean, target) for h in hours}
    checked, _ = checked_plan(arrivals, erlang, mean, sd, target, seed=seed)
    return {str(h): checked[h] for h in hours}


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else round(value, 2)


def observed_waits(records: Sequence[TicketRecord]) -> dict[tuple[str, int], float]:
    """Mean real wait per (service, hour of issue), in minutes."""
    waits: dict[tuple[str, int], list[float]] = defaultdict(list)
    for r in records:
        if r.wait_minutes is not None and r.service is not None:
            waits[(r.service, r.issued_at.hour)].append(r.wait_minutes)
    return {k: round(statistics.fmean(v), 2) for k, v in waits.items()}


def extra_counters(cell: Mapping[str, Any], target: float) -> int:
    """Counters to add in an hour: only where people really waited longer than the target on
    average; then as many as the checked plan has beyond the counters that were open (one at
    least). A shared counter is split between its services, so a small service planned on its
    own would always look short of a whole counter: the observed wait keeps that from becoming
    advice where nobody waited."""
    observed = cell.get("observed_wait_minutes")
    if observed is None or observed <= target:
        return 0
    return max(1, cell["counters"] - math.floor(cell["open_counters"] + 0.5))


def advice(cells: Mapping[str, Mapping[int, dict]], names: Mapping[str, str]) -> list[dict]:
    """Consecutive hours where the plan needs more counters than were open, as one sentence each."""
    out = []
    for service, hours in sorted(cells.items()):
        run: list[int] = []
        runs = []
        for h in sorted(hours):
            extra = hours[h].get("extra", 0)
            if extra > 0 and run and run[-1] == h - 1 and hours[run[-1]]["extra"] == extra:
                run.append(h)
                continue
            if run:
                runs.append(run)
            run = [h] if extra > 0 else []
        if run:
            runs.append(run)
        for r in runs:
            extra = hours[r[0]]["extra"]
            name = short_name(names.get(service, service))
            out.append({"service": service, "name": names.get(service, service), "extra": extra,
                        "from": f"{r[0]}:00", "to": f"{r[-1] + 1}:00",
                        "message": f"Mở thêm {extra} quầy cho lĩnh vực {name} "
                                   f"{r[0]}:00–{r[-1] + 1}:00"})
    return out


def staffing_report(records: Sequence[TicketRecord], events: Sequence[Mapping[str, Any]], *,
                    start: dt.datetime, end: dt.datetime, counter_services: Mapping[int, Sequence[str]],
                    names: Mapping[str, str], target: float, default_minutes: float = 10.0,
                    seed: int = 1) -> dict:
    """Everything `GET /api/v1/reports/staffing` returns: per service and hour the plan against
    the counters open, the advice, and a weekly plan (counters per weekday and hour)."""
    days = len({r.issued_at.date() for r in records})
    demands = demand(records, default_minutes=default_minutes)
    cells = plan(demands, target, seed=seed)
    have = staffed(open_counter_hours(events, start, end), counter_services, demands, days)
    seen = observed_waits(records)
    for service, hours in cells.items():
        for h, cell in hours.items():
            cell["open_counters"] = round(have.get(service, {}).get(h, 0.0), 2)
            cell["observed_wait_minutes"] = seen.get((service, h))
            cell["extra"] = extra_counters(cell, target)
    weekly = []
    for wd in sorted({r.issued_at.weekday() for r in records}):
        wd_cells = plan(demand(records, default_minutes=default_minutes, weekday=wd), target,
                        seed=seed)
        hours = sorted({h for v in wd_cells.values() for h in v})
        weekly.append({"weekday": wd, "label": WEEKDAYS[wd],
                       "services": {s: {str(h): v[h]["counters"] for h in sorted(v)}
                                    for s, v in wd_cells.items()},
                       "dedicated_total": {str(h): sum(v[h]["counters"] for v in wd_cells.values()
                                                       if h in v) for h in hours},
                       "pooled_total": pooled(demand(records, default_minutes=default_minutes,
                                                     weekday=wd), target, seed=seed)})
    return {
        "target_wait_minutes": target,
        "days": days,
        "services": [{"code": s, "name": names.get(s, s),
                      "service_minutes": round(demands[s].service_mean, 2),
                      "hours": [cells[s][h] for h in sorted(cells[s])]} for s in sorted(cells)],
        "advice": advice(cells, names),
        "weekly": weekly,
    }
