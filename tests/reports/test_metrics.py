"""Metric definitions on hand-built event logs whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from queue_server.reports import metrics, period, vnformat
from queue_server.reports.metrics import Band, CounterNow, Targets

DAY = "2026-11-18"


class Log:
    """Builds event dicts in the shape of GET /api/v1/events items."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, type_: str, hhmm: str, ticket: int | None = None, counter: int | None = None,
            day: str = DAY, actor: str = "device:agent", **data) -> Log:
        at = f"{day}T{hhmm}:00+07:00" if len(hhmm) == 5 else f"{day}T{hhmm}+07:00"
        self.items.append({"id": len(self.items) + 1, "type": type_, "ticket_id": ticket,
                           "at": at, "counter": counter, "actor": actor, "centre": "test", **data})
        return self

    def ticket(self, tid: int, service: str, issued: str, called: str | None = None,
               finished: str | None = None, counter: int = 1, level: int | None = None,
               scale: int = 3, day: str = DAY, **extra) -> Log:
        self.add("ticket.issued", issued, tid, day=day, number=f"A{tid:03d}", service=service,
                 status="waiting", **extra)
        if called:
            self.add("ticket.called", called, tid, counter, day=day, service=service, status="called")
        if finished:
            self.add("ticket.finished", finished, tid, counter, day=day, service=service,
                     status="done")
        if level is not None:
            self.add("ticket.rated", finished, tid, counter, day=day, service=service,
                     status="done", level=level, scale=scale)
        return self


def day_log() -> Log:
    log = Log()
    log.add("counter.changed", "07:00", counter=1, status="open", staff_id=7)
    log.add("counter.changed", "07:00", counter=2, status="open", staff_id=8)
    # waits (min): 5, 10, 20, 30 ; services: 10, 40, 20, 5 ; levels 3, 2, 1, 3
    log.ticket(1, "HT", "08:00", "08:05", "08:15", counter=1, level=3)
    log.ticket(2, "HT", "08:00", "08:10", "08:50", counter=2, level=2)
    log.ticket(3, "CT", "08:30", "08:50", "09:10", counter=1, level=1)
    log.ticket(4, "CT", "09:00", "09:30", "09:35", counter=2, level=3)
    # 5: called then no-show; 6: still waiting; 7: cancelled
    log.ticket(5, "HT", "09:10", "09:20", counter=1)
    log.add("ticket.no_show", "09:25", 5, 1, service="HT", status="no_show")
    log.ticket(6, "CT", "09:40")
    log.ticket(7, "HT", "09:45")
    log.add("ticket.cancelled", "09:50", 7, service="HT", status="cancelled")
    return log


NAMES = {7: "Nguyễn Văn An", 8: "Trần Thị Bình"}


def test_summary_of_a_hand_built_day():
    records = metrics.build_tickets(day_log().items, staff_names=NAMES)
    s = metrics.summary(records, Targets(), levels={3: "Rất hài lòng", 2: "Hài lòng",
                                                    1: "Không hài lòng"})
    assert (s["tickets"], s["served"], s["no_show"], s["cancelled"]) == (7, 4, 1, 1)
    assert s["no_show_rate"] == round(1 / 7, 4)
    # waits: 5, 10, 20, 30 and the no-show's 10 (it was called) → 5 values
    assert s["wait"]["mean_minutes"] == 15.0
    assert s["wait"]["median_minutes"] == 10.0
    assert s["wait"]["p90_minutes"] == 30.0
    assert s["wait"]["share_within_target"] == 0.6  # 5, 10, 10 of 5
    assert s["service_time"]["mean_minutes"] == 18.75  # (10 + 40 + 20 + 5) / 4
    assert s["service_time"]["p90_minutes"] == 40.0
    assert s["service_time"]["share_within_target"] == 0.75
    sat = s["satisfaction"]
    assert sat["rated"] == 4 and sat["rate"] == 0.75
    assert sat["by_level"] == {"3": 2, "2": 1, "1": 1}
    assert sat["share_by_level"]["3"] == 0.5
    # two staff worked one day each and served 2 each → 2 per staff-day, ×250 = 500 a year
    p = s["productivity"]
    assert (p["served_by_staff"], p["staff_days"], p["per_staff_per_day"]) == (4, 2, 2.0)
    assert p["projected_per_staff_year"] == 500.0
    assert p["share_of_target"] == round(500 / 1600, 4)


@pytest.mark.parametrize("by,expected", [
    ("service", {"HT": (4, 2), "CT": (3, 2)}),
    ("counter", {1: (3, 2), 2: (2, 2), None: (2, 0)}),
    ("staff", {"Nguyễn Văn An": (3, 2), "Trần Thị Bình": (2, 2), None: (2, 0)}),
    ("hour", {8: (3, 3), 9: (4, 1)}),
])
def test_breakdowns_split_tickets_and_served(by, expected):
    records = metrics.build_tickets(day_log().items, staff_names=NAMES)
    rows = metrics.breakdown(records, by)
    assert {r["key"]: (r["tickets"], r["served"]) for r in rows} == expected
    assert sum(r["tickets"] for r in rows) == 7


def test_filters_select_service_and_counter():
    records = metrics.build_tickets(day_log().items, staff_names=NAMES)
    ct = metrics.summary(metrics.select(records, service="CT"))
    assert (ct["tickets"], ct["served"], ct["wait"]["mean_minutes"]) == (3, 2, 25.0)
    c2 = metrics.summary(metrics.select(records, counter=2))
    assert (c2["tickets"], c2["service_time"]["mean_minutes"]) == (2, 22.5)


@pytest.mark.parametrize("values,q,answer", [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
    ([5], 0.9, 5),
    ([3, 1, 2], 0.5, 2),
    ([], 0.9, None),
    (list(range(1, 12)), 0.9, 10),  # ceil(9.9) = 10th smallest
])
def test_nearest_rank(values, q, answer):
    assert metrics.nearest_rank(values, q) == answer


def test_transfer_keeps_issue_time_and_first_call_defines_wait():
    log = Log()
    log.ticket(1, "HT", "08:00", "08:10", counter=2)
    log.add("ticket.transferred", "08:20", 1, 2, service="CT", status="waiting",
            from_service="HT", to_service="CT")
    log.add("ticket.called", "08:40", 1, 3, service="CT", status="called")
    log.add("ticket.finished", "08:45", 1, 3, service="CT", status="done")
    (r,) = metrics.build_tickets(log.items)
    assert r.wait_minutes == 10 and r.service_minutes == 35  # first call 08:10 → finish 08:45
    assert (r.service, r.current_service, r.counter, r.first_counter) == ("HT", "CT", 3, 2)
    s = metrics.summary([r])
    assert s["transferred"] == 1 and s["served"] == 1


def test_requeued_no_show_served_later_counts_as_served():
    log = Log()
    log.ticket(1, "HT", "08:00", "08:05", counter=1)
    log.add("ticket.no_show", "08:07", 1, 1, service="HT", status="no_show")
    log.add("ticket.requeued", "08:20", 1, service="HT", status="waiting")
    log.add("ticket.called", "08:30", 1, 1, service="HT", status="called")
    log.add("ticket.finished", "08:40", 1, 1, service="HT", status="done")
    s = metrics.summary(metrics.build_tickets(log.items))
    assert (s["served"], s["no_show"], s["wait"]["mean_minutes"]) == (1, 0, 5.0)
    assert s["service_time"]["mean_minutes"] == 35.0


def test_replaced_rating_counts_once_with_its_last_level_and_five_level_scale():
    log = Log()
    log.ticket(1, "HT", "08:00", "08:05", "08:10", level=1, scale=5)
    log.add("ticket.rated", "08:10:20", 1, 1, service="HT", status="done", level=4, scale=5,
            replaced=True)
    log.ticket(2, "HT", "08:00", "08:05", "08:10", level=3, scale=5)
    sat = metrics.summary(metrics.build_tickets(log.items))["satisfaction"]
    assert sat["rated"] == 2 and sat["by_level"] == {"4": 1, "3": 1}
    assert sat["rate"] == 0.5  # 4 (Hài lòng) is satisfied, 3 (Bình thường) is not on 5 levels


def test_period_filter_uses_issue_time_and_prior_counter_state_names_staff():
    log = Log()
    log.add("counter.changed", "16:00", counter=1, day="2026-11-17", status="open", staff_id=7)
    log.ticket(1, "HT", "16:30", "16:35", "16:40", day="2026-11-17")
    log.ticket(2, "HT", "08:00", "08:05", "08:10")
    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2026, 11, 18, tzinfo=tz)
    records = metrics.build_tickets(log.items, staff_names=NAMES, start=start,
                                    end=start + dt.timedelta(days=1))
    assert [r.id for r in records] == [2]
    assert records[0].staff == "Nguyễn Văn An"


def test_staff_from_the_actor_when_no_counter_change_is_known():
    log = Log()
    log.add("ticket.issued", "08:00", 1, number="A001", service="HT", status="waiting")
    log.add("ticket.called", "08:05", 1, 4, actor="user:canbo1", service="HT", status="called")
    log.add("ticket.finished", "08:09", 1, 4, actor="user:canbo1", service="HT", status="done")
    (r,) = metrics.build_tickets(log.items, staff_names={"canbo1": "Cán bộ 1"})
    assert r.staff == "Cán bộ 1"


def test_empty_log_gives_none_not_zero_division():
    s = metrics.summary([])
    assert s["tickets"] == 0 and s["wait"]["mean_minutes"] is None
    assert s["satisfaction"]["rate"] is None and s["productivity"]["per_staff_per_day"] is None
    assert metrics.gauges(s, Targets())["satisfaction"]["state"] == "none"


def test_satisfaction_report_per_unit_counts_and_percentages():
    levels = {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}
    records = metrics.build_tickets(day_log().items)
    rep = metrics.satisfaction_report(records, levels, unit_names={"HT": "Hộ tịch", "CT": "Chứng thực"})
    units = {u["unit"]: u for u in rep["units"]}
    assert units["HT"]["name"] == "Hộ tịch" and units["HT"]["forms"] == 2
    assert units["HT"]["levels"]["3"] == {"label": "Rất hài lòng", "count": 1, "share": 0.5}
    assert units["CT"]["levels"]["1"]["count"] == 1 and units["CT"]["rate"] == 0.5
    assert rep["total"]["forms"] == 4 and rep["total"]["rate"] == 0.75
    assert list(rep["levels"]) == ["3", "2", "1"]


@pytest.mark.parametrize("value,state", [(0.96, "green"), (0.95, "green"), (0.92, "amber"),
                                         (0.89, "red"), (None, "none")])
def test_gauge_bands(value, state):
    assert Band(0.95, 0.90).state(value) == state


def test_targets_from_settings_and_bad_targets():
    t = Targets.from_settings({"wait_minutes": 20, "satisfaction": {"green": 0.9, "amber": 0.8}})
    assert t.wait_minutes == 20.0 and t.satisfaction == Band(0.9, 0.8)
    assert t.service_minutes == 30.0
    for bad in ({"wiat_minutes": 3}, {"wait_minutes": -1}, {"satisfaction": 0.9},
                {"satisfaction": {"green": "x", "amber": 1}}):
        with pytest.raises(ValueError):
            Targets.from_settings(bad)


def test_alerts_long_wait_will_not_clear_and_idle_counter():
    tz = dt.timezone(dt.timedelta(hours=7))
    now = dt.datetime(2026, 11, 18, 10, 0, tzinfo=tz)
    log = Log()
    log.ticket(1, "HT", "09:00", "09:05", "09:25", counter=2)   # HT service time 20 min
    for tid, issued in [(2, "09:30"), (3, "09:50"), (4, "09:55")]:
        log.ticket(tid, "HT", issued)
    log.ticket(5, "CT", "09:58")
    records = metrics.build_tickets(log.items)
    counters = [CounterNow(2, "Quầy 2", "open", ["HT"], "An",
                           dt.datetime(2026, 11, 18, 8, 0, tzinfo=tz), busy=False),
                CounterNow(3, "Quầy 3", "closed", ["CT"])]
    closing = dt.datetime(2026, 11, 18, 10, 40, tzinfo=tz)
    out = metrics.alerts(now=now, records=records, counters=counters,
                         last_activity=metrics.counter_activity(log.items), targets=Targets(),
                         default_service_minutes=10, closing=closing,
                         service_names={"HT": "Hộ tịch", "CT": "Chứng thực"})
    kinds = [(a["kind"], a.get("ticket") or a.get("service") or a.get("counter")) for a in out]
    # A002 waited 30 min (> 15); HT: 3 waiting × 20 min / 1 counter = 60 > 40 min left → +1;
    # CT: nobody open → open 1; counter 2 idle since 09:25 (35 min) while 3 wait for HT
    assert kinds == [("long_wait", "A002"), ("will_not_clear", "CT"), ("will_not_clear", "HT"),
                     ("idle_counter", 2)]
    assert out[2]["action"] == "Mở thêm 1 quầy cho dịch vụ Hộ tịch"
    assert out[1]["action"] == "Mở thêm 1 quầy cho dịch vụ Chứng thực"
    assert out[3]["minutes"] == 35.0
    live = metrics.live(records, now)
    assert live["waiting_by_service"] == {"CT": 1, "HT": 3}
    assert live["longest_wait"] == {"number": "A002", "service": "HT", "minutes": 30.0}


@pytest.mark.parametrize("kind,day,first,last,label", [
    ("day", "2026-11-18", "2026-11-18", "2026-11-18", "Ngày 18/11/2026"),
    ("week", "2026-11-18", "2026-11-16", "2026-11-22", "Tuần 47/2026 (16/11–22/11/2026)"),
    ("month", "2026-02-10", "2026-02-01", "2026-02-28", "Tháng 02/2026"),
    ("quarter", "2026-11-18", "2026-10-01", "2026-12-31", "Quý IV/2026"),
    ("quarter", "2026-02-01", "2026-01-01", "2026-03-31", "Quý I/2026"),
    ("year", "2026-11-18", "2026-01-01", "2026-12-31", "Năm 2026"),
])
def test_periods(kind, day, first, last, label):
    p = period.from_query({"period": kind, "date": day}, dt.date(2030, 1, 1))
    assert (p.first.isoformat(), p.last.isoformat(), p.label) == (first, last, label)


def test_from_to_naming_and_errors():
    p = period.from_query({"from": "2026-10-01", "to": "2026-12-31"}, dt.date(2026, 1, 1))
    assert p.kind == "quarter"
    p = period.from_query({"from": "2026-10-03", "to": "2026-10-09"}, dt.date(2026, 1, 1))
    assert p.kind == "custom" and p.days == 7 and p.label == "Từ 03/10/2026 đến 09/10/2026"
    for bad in ({"from": "2026-10-09", "to": "2026-10-01"}, {"from": "2026-13-01", "to": "2026-12-01"},
                {"from": "2026-10-01"}, {"from": "2020-01-01", "to": "2026-01-01"},
                {"period": "decade"}, {}, {"period": "day", "date": "18/11/2026"},
                {"period": "month", "from": "2026-10-01", "to": "2026-10-31"}):
        with pytest.raises(period.PeriodError):
            period.from_query(bad, dt.date(2026, 1, 1))


@pytest.mark.parametrize("value,decimals,text", [(1234.5, 1, "1.234,5"), (1234567, 1, "1.234.567"),
                                                 (0.25, 2, "0,25"), (None, 1, "–"), (15.0, 1, "15,0")])
def test_vietnamese_numbers(value, decimals, text):
    assert vnformat.number(value, decimals) == text


def test_vietnamese_percent_and_date():
    assert vnformat.percent(0.9523) == "95,2%"
    assert vnformat.date("2026-11-03") == "03/11/2026"
