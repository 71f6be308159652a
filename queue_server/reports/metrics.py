"""Every figure a manager sees, computed from the event log alone.

The dashboard, the reports, the exports and (later) prediction and simulation all call these
functions on the same list of event dicts — the items of GET /api/v1/events (id, type,
ticket_id, at, counter, actor, centre, number, service, status, priority, level, …) — so one
definition gives one number everywhere. Plain Python: no Flask, no database.

Definitions (SPEC §3 "Metrics"):
- a ticket belongs to the period of its *issue* and to the service it was *issued* for;
- wait = first call − issue (a transfer or requeue keeps the issue time, so it is not re-counted);
- service time = finish − first call;
- served = tickets that ended `done`; no-show = tickets that ended `no_show` (a returning
  no-show who was served counts as served);
- a ticket's counter and staff are those of the call that served it (its last call);
- satisfaction rate = (Rất hài lòng + Hài lòng) / rated, i.e. the top two levels of the ticket's
  scale; a replaced rating counts once, with its last level;
- percentiles are nearest-rank (p90 of 10 values is the 9th smallest);
- productivity = served ÷ staff-days worked (a staff member with ≥ 1 served ticket that day;
  a counter run by its agent with nobody logged in counts as one person), projected to a year
  of `working_days_per_year`.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNKNOWN = "—"


# --- targets ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """A gauge's colours: green at or beyond `green`, amber at or beyond `amber`, else red."""

    green: float
    amber: float
    higher_is_better: bool = True

    def state(self, value: float | None) -> str:
        if value is None:
            return "none"
        if self.higher_is_better:
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        return "green" if value <= self.green else "amber" if value <= self.amber else "red"


@dataclass(frozen=True)
class Targets:
    """The national targets (QĐ 468 / domain research §1.2), overridable per centre through the
    centre setting `targets` (see `Targets.from_settings`)."""

    wait_minutes: float = 15.0          # a wait within this counts towards the wait share
    service_minutes: float = 30.0       # a service within this counts towards the service share
    wait_share: Band = Band(0.90, 0.75)
    service_share: Band = Band(0.90, 0.75)
    satisfaction: Band = Band(0.95, 0.90)
    dossiers_per_staff_year: Band = Band(1600, 1280)
    working_days_per_year: int = 250
    idle_alert_minutes: float = 5.0     # an open, idle counter while people wait, for this long

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any] | None) -> Targets:
        """Read the centre's `targets` setting, e.g. {"wait_minutes": 15, "satisfaction":
        {"green": 0.95, "amber": 0.9}}; unknown keys are refused so a typo is noticed."""
        raw = dict(raw or {})
        base = cls()
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if not hasattr(base, name):
                raise ValueError(f"Chỉ tiêu '{name}' không có. Các chỉ tiêu: "
                                 f"{', '.join(base.__dataclass_fields__)}.")
            current = getattr(base, name)
            if isinstance(current, Band):
                if not isinstance(value, Mapping) or not {"green", "amber"} <= set(value):
                    raise ValueError(f"Chỉ tiêu '{name}' cần dạng {{\"green\": số, \"amber\": số}}.")
                try:
                    values[name] = Band(float(value["green"]), float(value["amber"]))
                except (TypeError, ValueError):
                    raise ValueError(f"Chỉ tiêu '{name}': green và amber phải là số.") from None
            else:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                    raise ValueError(f"Chỉ tiêu '{name}' phải là số dương.")
                values[name] = type(current)(value)
        return cls(**{**{k: getattr(base, k) for k in base.__dataclass_fields__}, **values})

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            out[name] = {"green": value.green, "amber": value.amber} if isinstance(value, Band) \
                else value
        return out


# --- tickets from events ---------------------------------------------------------------------

def parse_at(value: str | dt.datetime) -> dt.datetime:
    """Event times are ISO 8601 with the centre's offset; local hour and day come from it."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


@dataclass
class TicketRecord:
    """One ticket's life, folded from its events."""

    id: int
    number: str
    service: str | None           # the service it was issued for
    issued_at: dt.datetime
    priority: str | None = None
    source: str | None = None
    current_service: str | None = None
    status: str = "waiting"
    called_at: dt.datetime | None = None      # first call
    first_counter: int | None = None
    counter: int | None = None                # counter of the last call (the one that served)
    staff: str | None = None                  # staff at that counter
    finished_at: dt.datetime | None = None
    transfers: int = 0
    dossier_code: str | None = None
    rating_level: int | None = None
    rating_scale: int | None = None
    rating_reason: str | None = None

    # Filled by `finalise()` once the ticket's events are folded (read many times by reports).
    wait_minutes: float | None = None
    service_minutes: float | None = None

    def finalise(self) -> TicketRecord:
        self.wait_minutes = (None if self.called_at is None
                             else (self.called_at - self.issued_at).total_seconds() / 60)
        done = self.called_at is not None and self.finished_at is not None and self.status == "done"
        self.service_minutes = ((self.finished_at - self.called_at).total_seconds() / 60
                                if done else None)
        return self

    @property
    def satisfied(self) -> bool | None:
        if self.rating_level is None:
            return None
        return is_satisfied(self.rating_level, self.rating_scale or 3)

    def key(self, by: str) -> Any:
        if by == "service":
            return self.service
        if by == "counter":
            return self.counter
        if by == "staff":
            return self.staff
        if by == "hour":
            return self.issued_at.hour
        if by == "day":
            return self.issued_at.date().isoformat()
        raise ValueError(f"Không chia được theo '{by}'. Chọn: {', '.join(BREAKDOWNS)}.")


BREAKDOWNS = ("service", "counter", "staff", "hour", "day")


def is_satisfied(level: int, scale: int) -> bool:
    """The top two levels of any scale: Rất hài lòng and Hài lòng."""
    return level >= scale - 1


def _actor_user(actor: str | None) -> str | None:
    if actor and actor.startswith("user:"):
        return actor[5:]
    return None


def build_tickets(events: Iterable[Mapping[str, Any]], *,
                  staff_names: Mapping[Any, str] | None = None,
                  start: dt.datetime | None = None,
                  end: dt.datetime | None = None) -> list[TicketRecord]:
    """Fold events into tickets issued in [start, end) (all when not given).

    `staff_names` maps a user id (from counter.changed) and/or a username (from the actor of a
    call) to the label reports show. Events of tickets issued before the list starts are ignored;
    counter.changed events before the period still tell who holds each counter.
    """
    names = staff_names or {}
    holder: dict[int, str | None] = {}
    records: dict[int, TicketRecord] = {}
    timed = [(parse_at(e["at"]), e.get("id") or 0, e) for e in events]
    timed.sort(key=lambda item: (item[0].timestamp(), item[1]))  # floats: aware compares are slow
    for at, _, ev in timed:
        kind = ev.get("type")
        if kind == "counter.changed":
            number = ev.get("counter")
            staff_id = ev.get("staff_id")
            if number is not None:
                if ev.get("status") == "closed" or staff_id is None:
                    holder[number] = None if ev.get("status") == "closed" else holder.get(number)
                else:
                    holder[number] = names.get(staff_id, f"#{staff_id}")
            continue
        tid = ev.get("ticket_id")
        if tid is None:
            continue
        if kind == "ticket.issued":
            if (start is not None and at < start) or (end is not None and at >= end):
                continue
            records[tid] = TicketRecord(id=tid, number=ev.get("number") or "", service=ev.get("service"),
                                        issued_at=at, priority=ev.get("priority"),
                                        source=ev.get("source"), current_service=ev.get("service"))
            continue
        rec = records.get(tid)
        if rec is None:
            continue
        if kind == "ticket.rated":
            rec.rating_level = ev.get("level")
            rec.rating_scale = ev.get("scale")
            rec.rating_reason = ev.get("reason")
            continue
        if ev.get("status"):
            rec.status = ev["status"]
        if ev.get("service"):
            rec.current_service = ev["service"]
        counter = ev.get("counter")
        if kind == "ticket.called":
            if rec.called_at is None:
                rec.called_at = at
                rec.first_counter = counter
            rec.counter = counter
            user = _actor_user(ev.get("actor"))
            rec.staff = holder.get(counter) or (names.get(user, user) if user else None)
        elif kind == "ticket.finished":
            rec.finished_at = at
            if counter is not None and counter != rec.counter:
                rec.counter = counter
                user = _actor_user(ev.get("actor"))
                rec.staff = holder.get(counter) or (names.get(user, user) if user else None)
            if ev.get("dossier_code"):
                rec.dossier_code = ev["dossier_code"]
        elif kind == "ticket.transferred":
            rec.transfers += 1
        elif kind == "ticket.requeued":
            rec.finished_at = None
    return [rec.finalise() for rec in records.values()]


# --- statistics ------------------------------------------------------------------------------

def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(values: Sequence[float], limit: float) -> float | None:
    return sum(1 for v in values if v <= limit) / len(values) if values else None


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def wait_figures(records: Sequence[TicketRecord], targets: Targets) -> dict:
    waits = [r.wait_minutes for r in records if r.wait_minutes is not None]
    return {
        "count": len(waits),
        "mean_minutes": _r(_mean(waits)),
        "median_minutes": _r(statistics.median(waits) if waits else None),
        "p90_minutes": _r(nearest_rank(waits, 0.9)),
        "max_minutes": _r(max(waits) if waits else None),
        "share_within_target": _r(_share(waits, targets.wait_minutes), 4),
    }


def service_figures(records: Sequence[TicketRecord], targets: Targets) -> dict:
    times = [r.service_minutes for r in records if r.service_minutes is not None]
    return {
        "count": len(times),
        "mean_minutes": _r(_mean(times)),
        "median_minutes": _r(statistics.median(times) if times else None),
        "p90_minutes": _r(nearest_rank(times, 0.9)),
        "share_within_target": _r(_share(times, targets.service_minutes), 4),
    }


def satisfaction_figures(records: Sequence[TicketRecord],
                         levels: Mapping[int, str] | None = None) -> dict:
    """Counts per level (keys are the level as a string, as JSON has it), shares and the rate.

    `levels` (the centre's scale) makes every level appear, with zero when nobody chose it.
    """
    rated = [r for r in records if r.rating_level is not None]
    by_level: dict[str, int] = {str(k): 0 for k in sorted(levels or {}, reverse=True)}
    reasons: dict[str, int] = {}
    for r in rated:
        by_level[str(r.rating_level)] = by_level.get(str(r.rating_level), 0) + 1
        if r.rating_reason:
            reasons[r.rating_reason] = reasons.get(r.rating_reason, 0) + 1
    satisfied = sum(1 for r in rated if r.satisfied)
    return {
        "rated": len(rated),
        "rate": _r(satisfied / len(rated), 4) if rated else None,
        "by_level": by_level,
        "share_by_level": {k: (_r(v / len(rated), 4) if rated else None) for k, v in by_level.items()},
        "reasons": reasons,
        "response_rate": _r(len(rated) / sum(1 for r in records if r.status == "done"), 4)
        if any(r.status == "done" for r in records) else None,
    }


def productivity(records: Sequence[TicketRecord], targets: Targets) -> dict:
    """Served per staff per working day, projected to a year (the 1,600 dossiers target)."""
    per_staff: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in records:
        # A counter run by its device agent with nobody logged in still has a person at it.
        worker = r.staff or (f"Quầy {r.counter}" if r.counter is not None else None)
        if r.status == "done" and r.finished_at is not None and worker:
            per_staff[worker][r.finished_at.date().isoformat()] += 1
    staff_days = sum(len(days) for days in per_staff.values())
    served = sum(sum(days.values()) for days in per_staff.values())
    per_day = served / staff_days if staff_days else None
    by_staff = []
    for staff, days in sorted(per_staff.items()):
        n = sum(days.values())
        by_staff.append({"staff": staff, "served": n, "days": len(days),
                         "per_day": _r(n / len(days)),
                         "projected_per_year": _r(n / len(days) * targets.working_days_per_year, 1)})
    projected = per_day * targets.working_days_per_year if per_day is not None else None
    return {
        "served_by_staff": served,
        "staff_days": staff_days,
        "per_staff_per_day": _r(per_day),
        "projected_per_staff_year": _r(projected, 1),
        "target_per_year": targets.dossiers_per_staff_year.green,
        "share_of_target": _r(projected / targets.dossiers_per_staff_year.green, 4)
        if projected is not None else None,
        "by_staff": by_staff,
    }


def summary(records: Sequence[TicketRecord], targets: Targets | None = None, *,
            levels: Mapping[int, str] | None = None) -> dict:
    """The figures of GET /api/v1/reports/summary for a set of tickets."""
    targets = targets or Targets()
    records = list(records)
    tickets = len(records)
    no_show = sum(1 for r in records if r.status == "no_show")
    return {
        "tickets": tickets,
        "served": sum(1 for r in records if r.status == "done"),
        "no_show": no_show,
        "no_show_rate": _r(no_show / tickets, 4) if tickets else None,
        "cancelled": sum(1 for r in records if r.status == "cancelled"),
        "transferred": sum(1 for r in records if r.transfers),
        "unfinished": sum(1 for r in records if r.status in ("waiting", "called", "serving")),
        "wait": wait_figures(records, targets),
        "service_time": service_figures(records, targets),
        "satisfaction": satisfaction_figures(records, levels),
        "productivity": {k: v for k, v in productivity(records, targets).items() if k != "by_staff"},
    }


def select(records: Iterable[TicketRecord], *, service: str | None = None,
           counter: int | None = None, staff: str | None = None) -> list[TicketRecord]:
    return [r for r in records
            if (service is None or r.service == service)
            and (counter is None or r.counter == counter)
            and (staff is None or r.staff == staff)]


def breakdown(records: Sequence[TicketRecord], by: str, targets: Targets | None = None, *,
              levels: Mapping[int, str] | None = None,
              label: Callable[[Any], str] | None = None) -> list[dict]:
    """One summary row per service, counter, staff, hour of issue or day of issue."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Không chia được theo '{by}'. Chọn: {', '.join(BREAKDOWNS)}.")
    groups: dict[Any, list[TicketRecord]] = defaultdict(list)
    for r in records:
        groups[r.key(by)].append(r)
    keys = sorted(groups, key=lambda k: (k is None, str(k) if by in ("service", "staff") else k or 0))
    rows = []
    for k in keys:
        row = summary(groups[k], targets, levels=levels)
        rows.append({"key": k, "label": label(k) if label else (UNKNOWN if k is None else str(k)),
                     **row})
    return rows


def satisfaction_report(records: Sequence[TicketRecord], levels: Mapping[int, str], *,
                        unit_names: Mapping[str, str] | None = None) -> dict:
    """The quarterly "Báo cáo đánh giá mức độ hài lòng" shape: per unit (lĩnh vực), số phiếu,
    count and % per level, satisfaction rate; plus the whole centre."""
    names = unit_names or {}
    groups: dict[str | None, list[TicketRecord]] = defaultdict(list)
    for r in records:
        groups[r.service].append(r)
    order = sorted(levels, reverse=True)

    def row(unit: str | None, name: str, subset: Sequence[TicketRecord]) -> dict:
        s = satisfaction_figures(subset, levels)
        return {"unit": unit, "name": name, "forms": s["rated"],
                "levels": {str(k): {"label": levels[k], "count": s["by_level"].get(str(k), 0),
                                    "share": s["share_by_level"].get(str(k))} for k in order},
                "rate": s["rate"], "reasons": s["reasons"]}

    units = [row(u, names.get(u, u or UNKNOWN), groups[u])
             for u in sorted(groups, key=lambda u: (u is None, u or ""))]
    return {"levels": {str(k): levels[k] for k in order}, "units": units,
            "total": row(None, "Toàn Trung tâm", list(records))}


# --- the live picture ------------------------------------------------------------------------

def waiting_now(records: Sequence[TicketRecord]) -> list[TicketRecord]:
    return [r for r in records if r.status == "waiting"]


def counter_activity(events: Iterable[Mapping[str, Any]]) -> dict[int, dt.datetime]:
    """When each counter last did something (opened, called, finished, …): idle time starts there."""
    last: dict[int, dt.datetime] = {}
    for ev in events:
        number = ev.get("counter")
        if number is None or ev.get("type") == "ticket.rated":
            continue
        at = parse_at(ev["at"])
        if number not in last or at > last[number]:
            last[number] = at
    return last


@dataclass
class CounterNow:
    """A counter as the dashboard sees it right now (from the live state)."""

    number: int
    name: str
    status: str
    services: list[str] = field(default_factory=list)
    staff: str | None = None
    status_since: dt.datetime | None = None
    busy: bool = False  # a ticket is called or being served there


def gauges(figures: Mapping[str, Any], targets: Targets) -> dict[str, dict]:
    """The four target gauges with their colour."""
    values = {
        "wait_share": figures["wait"]["share_within_target"],
        "service_share": figures["service_time"]["share_within_target"],
        "satisfaction": figures["satisfaction"]["rate"],
        "dossiers_per_staff_year": figures["productivity"]["projected_per_staff_year"],
    }
    out = {}
    for name, value in values.items():
        band: Band = getattr(targets, name)
        out[name] = {"value": value, "green": band.green, "amber": band.amber,
                     "state": band.state(value)}
    return out


def alerts(*, now: dt.datetime, records: Sequence[TicketRecord], counters: Sequence[CounterNow],
           last_activity: Mapping[int, dt.datetime], targets: Targets,
           default_service_minutes: float, closing: dt.datetime | None,
           service_names: Mapping[str, str] | None = None) -> list[dict]:
    """What needs a manager now, each with a suggested action (Vietnamese, for the screen).

    - a ticket waiting longer than the wait target;
    - a service whose queue will not clear by closing time at the current pace
      (waiting × mean service time today ÷ open counters serving it > minutes to closing);
    - an open counter with nobody at it for `idle_alert_minutes` while its services have people
      waiting.
    """
    names = service_names or {}
    waiting = waiting_now(records)
    out: list[dict] = []
    by_service: dict[str, list[TicketRecord]] = defaultdict(list)
    for r in waiting:
        by_service[r.current_service or UNKNOWN].append(r)
    open_for: dict[str, list[CounterNow]] = defaultdict(list)
    for c in counters:
        if c.status == "open":
            for code in c.services:
                open_for[code].append(c)

    long_waits = sorted((r for r in waiting
                         if (now - r.issued_at).total_seconds() / 60 > targets.wait_minutes),
                        key=lambda r: r.issued_at)
    for r in long_waits[:10]:
        minutes = (now - r.issued_at).total_seconds() / 60
        service = r.current_service or UNKNOWN
        action = (f"Ưu tiên gọi số {r.number} ở quầy đang phục vụ {names.get(service, service)}"
                  if open_for.get(service) else
                  f"Mở một quầy cho dịch vụ {names.get(service, service)}")
        out.append({"kind": "long_wait", "severity": "red", "ticket": r.number, "service": service,
                    "minutes": round(minutes, 1),
                    "message": f"Số {r.number} ({names.get(service, service)}) đã chờ "
                               f"{round(minutes)} phút, quá chỉ tiêu {targets.wait_minutes:g} phút.",
                    "action": action})

    service_minutes = mean_service_minutes(records, default_service_minutes)
    if closing is not None:
        left = (closing - now).total_seconds() / 60
        for service, queue in sorted(by_service.items()):
            per = service_minutes.get(service, default_service_minutes)
            servers = len(open_for.get(service, []))
            need = len(queue) * per
            if left <= 0:
                continue
            if servers == 0 or need / servers > left:
                extra = max(1, math.ceil(need / left) - servers)
                out.append({"kind": "will_not_clear", "severity": "amber", "service": service,
                            "waiting": len(queue), "open_counters": servers,
                            "message": f"{names.get(service, service)}: {len(queue)} người chờ, "
                                       f"{servers} quầy mở — không kịp trước giờ đóng cửa "
                                       f"{closing:%H:%M}.",
                            "action": f"Mở thêm {extra} quầy cho dịch vụ {names.get(service, service)}"})

    for c in counters:
        if c.status != "open" or c.busy:
            continue
        people = sum(len(by_service.get(code, [])) for code in c.services)
        if not people:
            continue
        since = max([t for t in (c.status_since, last_activity.get(c.number)) if t is not None],
                    default=None)
        if since is None:
            continue
        idle = (now - since).total_seconds() / 60
        if idle >= targets.idle_alert_minutes:
            who = f" ({c.staff})" if c.staff else ""
            out.append({"kind": "idle_counter", "severity": "amber", "counter": c.number,
                        "minutes": round(idle, 1), "waiting": people,
                        "message": f"Quầy số {c.number}{who} không gọi số {round(idle)} phút trong "
                                   f"khi {people} người đang chờ.",
                        "action": f"Nhắc quầy số {c.number} gọi số tiếp theo hoặc tạm dừng quầy"})
    return out


def mean_service_minutes(records: Sequence[TicketRecord], default: float) -> dict[str, float]:
    """Mean service time per service that served (after any transfer); absent where none finished."""
    times: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if r.service_minutes is not None:
            times[r.current_service or UNKNOWN].append(r.service_minutes)
    return {k: sum(v) / len(v) for k, v in times.items()} if times else {}


def live(records: Sequence[TicketRecord], now: dt.datetime) -> dict:
    """Waiting per service and the longest current wait."""
    waiting = waiting_now(records)
    per_service: dict[str, int] = defaultdict(int)
    for r in waiting:
        per_service[r.current_service or UNKNOWN] += 1
    longest = min(waiting, key=lambda r: r.issued_at, default=None)
    return {
        "waiting_total": len(waiting),
        "waiting_by_service": dict(sorted(per_service.items())),
        "longest_wait": None if longest is None else {
            "number": longest.number, "service": longest.current_service,
            "minutes": round((now - longest.issued_at).total_seconds() / 60, 1)},
    }
