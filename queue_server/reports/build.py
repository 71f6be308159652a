"""Assemble the report and the dashboard from event dicts with `metrics` — still plain Python,
so the API, the manager pages and the exports show one computation's numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import metrics
from .metrics import CounterNow, Targets
from .period import Period


@dataclass
class Context:
    """What a report needs to know about the centre beyond its events."""

    centre_code: str
    centre_name: str
    levels: dict[int, str]
    reasons: dict[str, str]
    targets: Targets = field(default_factory=Targets)
    service_names: dict[str, str] = field(default_factory=dict)
    counter_names: dict[int, str] = field(default_factory=dict)
    staff_names: dict[Any, str] = field(default_factory=dict)
    default_service_minutes: float = 10.0


def records_for(events: Sequence[Mapping[str, Any]], ctx: Context, start: dt.datetime | None,
                end: dt.datetime | None, *, service: str | None = None,
                counter: int | None = None) -> list[metrics.TicketRecord]:
    records = metrics.build_tickets(events, staff_names=ctx.staff_names, start=start, end=end)
    if service is not None or counter is not None:
        records = metrics.select(records, service=service, counter=counter)
    return records


def summary(records: Sequence[metrics.TicketRecord], ctx: Context) -> dict:
    return metrics.summary(records, ctx.targets, levels=ctx.levels)


def report(records: Sequence[metrics.TicketRecord], ctx: Context, period: Period,
           filters: Mapping[str, Any] | None = None) -> dict:
    """The whole report: summary, gauges, breakdowns, satisfaction report, productivity."""
    labels = {
        "service": lambda k: ctx.service_names.get(k, k) if k else metrics.UNKNOWN,
        "counter": lambda k: ctx.counter_names.get(k, f"Quầy {k}") if k is not None else metrics.UNKNOWN,
        "staff": lambda k: k or metrics.UNKNOWN,
        "hour": lambda k: f"{k:02d}:00–{k:02d}:59",
        "day": lambda k: f"{k[8:10]}/{k[5:7]}/{k[:4]}",
    }
    figures = summary(records, ctx)
    return {
        "centre": {"code": ctx.centre_code, "name": ctx.centre_name},
        "period": period.as_dict(),
        "filters": dict(filters or {}),
        "targets": ctx.targets.as_dict(),
        "summary": figures,
        "gauges": metrics.gauges(figures, ctx.targets),
        "breakdowns": {by: metrics.breakdown(records, by, ctx.targets, levels=ctx.levels,
                                             label=labels[by]) for by in metrics.BREAKDOWNS},
        "satisfaction_report": metrics.satisfaction_report(records, ctx.levels,
                                                           unit_names=ctx.service_names),
        "reasons": ctx.reasons,
        "productivity": metrics.productivity(records, ctx.targets),
    }


def dashboard(events: Sequence[Mapping[str, Any]], ctx: Context, *, now: dt.datetime,
              day_start: dt.datetime, counters: Sequence[CounterNow],
              closing: dt.datetime | None) -> dict:
    """The live dashboard: now, today's figures, target gauges and alerts."""
    records = records_for(events, ctx, day_start, None)
    figures = summary(records, ctx)
    live = metrics.live(records, now)
    activity = metrics.counter_activity(e for e in events if metrics.parse_at(e["at"]) >= day_start)
    return {
        "centre": {"code": ctx.centre_code, "name": ctx.centre_name},
        "now": now.isoformat(timespec="seconds"),
        "day": day_start.date().isoformat(),
        "live": {
            **live,
            "services": [{"code": code, "name": name,
                          "waiting": live["waiting_by_service"].get(code, 0),
                          "open_counters": sum(1 for c in counters
                                               if c.status == "open" and code in c.services)}
                         for code, name in ctx.service_names.items()],
            "counters": [{"number": c.number, "name": c.name, "status": c.status,
                          "staff": c.staff, "busy": c.busy, "services": c.services,
                          "since": c.status_since.isoformat(timespec="seconds")
                          if c.status_since else None,
                          "minutes": round((now - c.status_since).total_seconds() / 60, 1)
                          if c.status_since else None}
                         for c in counters if c.status != "closed"],
        },
        "today": figures,
        "targets": ctx.targets.as_dict(),
        "gauges": metrics.gauges(figures, ctx.targets),
        "levels": {str(k): v for k, v in ctx.levels.items()},
        "by_hour": [{"hour": row["key"], "tickets": row["tickets"], "served": row["served"],
                     "wait_mean_minutes": row["wait"]["mean_minutes"]}
                    for row in metrics.breakdown(records, "hour", ctx.targets)],
        "alerts": metrics.alerts(now=now, records=records, counters=counters,
                                 last_activity=activity, targets=ctx.targets,
                                 default_service_minutes=ctx.default_service_minutes,
                                 closing=closing, service_names=ctx.service_names),
    }
