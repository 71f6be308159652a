"""GET /api/v1/reports/staffing on simulated days: advice where people waited too long, the
plan checked by simulation, a weekly plan; managers only; bad periods explained."""

from __future__ import annotations

import re

from support import Api

from queue_server.staffing.advice import advice, short_name


def test_staffing_report_on_simulated_days(app, seed, busy_weeks, clock):
    api = Api(app.test_client(), seed.tokens["reports"])
    r = api.get("/reports/staffing", query_string={"from": "2026-11-16", "to": "2026-11-18"})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["period"]["from"] == "2026-11-16" and body["days"] == 3
    assert body["target_wait_minutes"] == 15
    services = {s["code"]: s for s in body["services"]}
    assert set(services) == {"HT", "CT", "DD"}
    ht = {h["hour"]: h for h in services["HT"]["hours"]}
    # Demand is what was issued: HT's 9:00 hour averages about 9 × 1.8 tickets.
    assert 10 < ht[9]["arrivals_per_hour"] < 23
    for cell in ht.values():
        # The checked plan never has fewer counters than Erlang C and keeps the simulated wait in target.
        assert cell["counters"] >= cell["erlang_counters"]
        assert cell["simulated_wait_minutes"] <= 15
    # The HT morning peak overwhelmed counters 2 and 3: advice says so, in the dashboard's words.
    peak = [a for a in body["advice"] if a["service"] == "HT"]
    assert peak, body["advice"]
    assert re.fullmatch(r"Mở thêm \d+ quầy cho lĩnh vực Hộ tịch \d{1,2}:00–\d{1,2}:00", peak[0]["message"])
    hours = [h for h in ht.values() if h["extra"]]
    assert all(h["observed_wait_minutes"] > 15 for h in hours)
    # Nobody waited long for DD: no advice there.
    assert not [a for a in body["advice"] if a["service"] == "DD"]
    weekly = body["weekly"]
    assert [d["label"] for d in weekly] == ["Thứ Hai", "Thứ Ba", "Thứ Tư"]
    monday = weekly[0]
    assert set(monday["services"]) == {"HT", "CT", "DD"}
    for hour, pooled in monday["pooled_total"].items():
        assert 0 < pooled <= monday["dedicated_total"][hour]


def test_staffing_report_access_and_bad_periods(app, seed):
    assert Api(app.test_client(), seed.tokens["kiosk"]).get("/reports/staffing").status_code == 403
    assert Api(app.test_client()).get("/reports/staffing").status_code == 401
    api = Api(app.test_client(), seed.tokens["reports"])
    r = api.get("/reports/staffing", query_string={"from": "2026-11-20", "to": "2026-11-16"})
    assert r.status_code == 422 and "trước ngày bắt đầu" in r.json["error"]["message"]
    empty = api.get("/reports/staffing")   # default: the 4 weeks ending yesterday — no tickets
    assert empty.status_code == 200
    assert empty.json["services"] == [] and empty.json["advice"] == [] and empty.json["days"] == 0


def test_advice_joins_consecutive_hours():
    cells = {"HT": {8: {"extra": 1}, 9: {"extra": 1}, 10: {"extra": 2}, 11: {"extra": 0},
                    14: {"extra": 1}}}
    out = advice(cells, {"HT": "Hộ tịch (khai sinh, kết hôn, khai tử)"})
    assert [a["message"] for a in out] == [
        "Mở thêm 1 quầy cho lĩnh vực Hộ tịch 8:00–10:00",
        "Mở thêm 2 quầy cho lĩnh vực Hộ tịch 10:00–11:00",
        "Mở thêm 1 quầy cho lĩnh vực Hộ tịch 14:00–15:00"]
    assert short_name("Đất đai") == "Đất đai"


def test_advice_becomes_extra_counters_in_its_hours():
    import datetime as dt

    from queue_server.simulation.profile import load_profile
    from queue_server.staffing.confirm import with_advice

    profile = load_profile()
    plus = with_advice(profile, [{"service": "HT", "extra": 2, "from": "8:00", "to": "10:00"},
                                 {"service": "NOPE", "extra": 1, "from": "8:00", "to": "9:00"}])
    added = plus.counters[len(profile.counters):]
    assert [c.services for c in added] == [("HT",), ("HT",)]
    assert all(c.hours == ((dt.time(8), dt.time(10)),) for c in added)
    assert len({c.number for c in plus.counters}) == len(plus.counters)
