"""The reports API on a simulated morning: figures agree with what the test itself saw happen,
and the dashboard, the report and every export carry the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics

import pytest
from support import Api

from queue_server.reports import vnformat
from queue_server.reports.exports import SUMMARY_ROWS, pick, text

DAY = "2026-11-18"
Q = f"/reports/summary?from={DAY}&to={DAY}"


@pytest.fixture
def manager(app, seed):
    return Api(app.test_client(), seed.tokens["reports"])


def minutes(a: str | dt.datetime, b: str | dt.datetime) -> float:
    a = dt.datetime.fromisoformat(a) if isinstance(a, str) else a
    b = dt.datetime.fromisoformat(b) if isinstance(b, str) else b
    return (b - a).total_seconds() / 60


def test_a_simulated_morning_figures_agree_everywhere(sim_day, manager):
    """The summary matches what the test saw happen; the dashboard, the report, Excel, CSV and
    PDF carry the same numbers."""
    day = sim_day(1)
    r = manager.get(Q)
    assert r.status_code == 200, r.json
    s = r.json
    assert set(s) >= {"tickets", "served", "no_show", "wait", "service_time", "satisfaction"}
    assert s["tickets"] == len(day.issued) > 50
    assert s["served"] == len(day.finished)
    assert s["no_show"] == len(day.no_show)
    assert s["transferred"] == len(day.transferred)
    waits = [minutes(day.issued[t]["issued_at"], at) for t, at in day.first_call.items()]
    assert s["wait"]["mean_minutes"] == round(statistics.mean(waits), 2)
    assert s["wait"]["median_minutes"] == round(statistics.median(waits), 2)
    assert s["wait"]["share_within_target"] == round(sum(w <= 15 for w in waits) / len(waits), 4)
    services = [minutes(day.first_call[t], at) for t, at in day.finished.items()]
    assert s["service_time"]["mean_minutes"] == round(statistics.mean(services), 2)
    sat = s["satisfaction"]
    assert sat["rated"] == len(day.levels)
    assert sat["rate"] == round(sum(v >= 2 for v in day.levels.values()) / len(day.levels), 4)
    assert sat["by_level"] == {str(k): list(day.levels.values()).count(k) for k in (3, 2, 1)}
    for fraction in (s["wait"]["share_within_target"], s["service_time"]["share_within_target"],
                     sat["rate"]):
        assert 0 <= fraction <= 1

    ht = manager.get(Q + "&service=HT").json
    assert ht["tickets"] == sum(1 for b in day.issued.values() if b["service"] == "HT")
    c2 = manager.get(Q + "&counter=2").json
    assert 0 < c2["served"] < s["served"]

    # the same day through the dashboard, the report and every export
    dash = manager.get("/reports/dashboard").json
    report = manager.get(f"/reports/report?from={DAY}&to={DAY}").json
    summary = manager.get(Q).json
    today = dash["today"]
    assert today == report["summary"]
    assert {k: summary[k] for k in today} == today
    assert dash["gauges"] == report["gauges"]
    assert dash["live"]["waiting_total"] == sum(dash["live"]["waiting_by_service"].values())
    state = manager.get("/state").json
    assert dash["live"]["waiting_by_service"] == {k: v for k, v in state["waiting"].items() if v}
    # breakdowns add up to the whole
    for by, rows in report["breakdowns"].items():
        assert sum(r["tickets"] for r in rows) == today["tickets"], by
        assert sum(r["served"] for r in rows) == today["served"], by
    sat = report["satisfaction_report"]
    assert sum(u["forms"] for u in sat["units"]) == sat["total"]["forms"] == today["satisfaction"]["rated"]

    # Excel: numbers as numbers, equal to the API's
    from openpyxl import load_workbook

    r = manager.get(f"/reports/export?format=xlsx&from={DAY}&to={DAY}")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb["Tổng hợp"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_col=1, max_col=2) if row[0].value}
    for title, path, _kind in SUMMARY_ROWS:
        assert cells[title].value == pick(today, path), title
    assert cells["Từ ngày"].number_format == "dd/mm/yyyy"
    hours = wb["Theo giờ lấy số"]
    assert sum(row[1].value for row in hours.iter_rows(min_row=2)) == today["tickets"]
    sheet = wb["Mức độ hài lòng"]
    total = [c.value for c in list(sheet.iter_rows(min_row=3))[-1]]
    assert total[0] == "Toàn Trung tâm" and total[1] == sat["total"]["forms"]
    assert total[-1] == sat["total"]["rate"]

    # CSV: the Vietnamese way, with a BOM, `;`-separated
    r = manager.get(f"/reports/export?format=csv&from={DAY}&to={DAY}")
    assert r.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    values = {row[1]: row[2] for row in rows if row and row[0] == "Tổng hợp"}
    for title, path, kind in SUMMARY_ROWS:
        assert values[title] == text(pick(today, path), kind), title
    assert values["Tỷ lệ hài lòng"].endswith("%") and "," in values["Tỷ lệ hài lòng"]

    # PDF: the same figures as text, with Vietnamese letters intact
    from pypdf import PdfReader

    r = manager.get(f"/reports/export?format=pdf&from={DAY}&to={DAY}")
    assert r.data.startswith(b"%PDF") and r.headers["Content-Type"] == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Tỷ lệ hài lòng" in pdf_text and "Ngày 18/11/2026".upper() in pdf_text
    assert vnformat.percent(today["satisfaction"]["rate"]) in pdf_text
    assert text(today["wait"]["mean_minutes"], "min") in pdf_text


def test_periods_contain_the_day_and_an_empty_period_is_zero(sim_day, manager, app, seed):
    sim_day(3, minutes=40)
    # the reports read exactly the items of GET /api/v1/events (with `at` kept as a datetime)
    from support import HCM

    from queue_server.reports import data, period

    start, end = period.containing("day", dt.date(2026, 11, 18)).bounds(HCM)
    mine = data.events(app.extensions["motcua"], seed.centre_id, start, end)
    items = manager.get("/events?limit=10000").json["items"]
    assert len(items) > 50
    assert [{**e, "at": e["at"].isoformat(timespec="seconds")} for e in mine] == items
    day = manager.get(Q).json
    for kind in ("week", "month", "quarter", "year"):
        r = manager.get(f"/reports/summary?period={kind}&date={DAY}")
        assert r.status_code == 200
        assert r.json["tickets"] == day["tickets"] and r.json["period"]["kind"] == kind
    r = manager.get("/reports/summary?period=quarter&date=2026-11-18")
    assert r.json["period"]["label"] == "Quý IV/2026"
    empty = manager.get("/reports/summary?from=2026-11-17&to=2026-11-17").json
    assert empty["tickets"] == 0 and empty["wait"]["mean_minutes"] is None


@pytest.mark.parametrize("query", [
    "from=2026-11-18&to=2026-11-01", "from=2026-11-32&to=2026-12-01", "from=2026-11-18",
    "", "period=decade", "period=day&date=18/11/2026", "from=2000-01-01&to=2026-01-01",
    "from=2026-11-18&to=2026-11-18&service=ZZ", "from=2026-11-18&to=2026-11-18&counter=99",
    "from=2026-11-18&to=2026-11-18&counter=x",
])
def test_bad_periods_and_filters_are_422_with_a_message(manager, query):
    r = manager.get(f"/reports/summary?{query}")
    assert r.status_code == 422, (query, r.json)
    assert r.json["error"]["code"] == "invalid" and r.json["error"]["message"]


def test_bad_export_format(manager):
    r = manager.get(f"/reports/export?format=docx&from={DAY}&to={DAY}")
    assert r.status_code == 422 and "xlsx" in r.json["error"]["message"]


def test_only_managers_and_admins_may_read_reports(app, seed, login):
    callers = {token: Api(app.test_client(), seed.tokens[token])
               for token in ("kiosk", "display", "agent1", "reports")}
    callers.update({user: login(user) for user in ("staff2", "boss", "root")})
    callers["anonymous"] = Api(app.test_client())
    expected = {"anonymous": 401, "kiosk": 403, "display": 403, "agent1": 403, "staff2": 403,
                "reports": 200, "boss": 200, "root": 200}
    for path in (Q, "/reports/dashboard", f"/reports/report?from={DAY}&to={DAY}",
                 f"/reports/export?format=csv&from={DAY}&to={DAY}"):
        got = {name: api.get(path).status_code for name, api in callers.items()}
        assert got == expected, path
    page = callers["staff2"].client.get("/manager")
    assert page.status_code == 403
    assert callers["boss"].client.get("/manager").status_code == 200


def test_targets_come_from_centre_settings(app, seed, manager):
    with app.extensions["motcua"].uow() as uow:
        centre = uow.repo.centre(seed.centre_id)
        centre.settings = {**centre.settings, "targets": {"wait_minutes": 20,
                                                          "satisfaction": {"green": 0.9, "amber": 0.8}}}
        uow.commit()
    dash = manager.get("/reports/dashboard").json
    assert dash["targets"]["wait_minutes"] == 20
    assert dash["gauges"]["satisfaction"]["green"] == 0.9
    with app.extensions["motcua"].uow() as uow:
        centre = uow.repo.centre(seed.centre_id)
        centre.settings = {**centre.settings, "targets": {"wait_minuets": 20}}
        uow.commit()
    r = manager.get("/reports/dashboard")
    assert r.status_code == 422 and "wait_minuets" in r.json["error"]["message"]


def test_rating_window_replacement_and_reason_reach_the_report(app, seed, clock, manager, login):
    staff = login("staff2")
    kiosk = Api(app.test_client(), seed.tokens["kiosk"])
    c2 = seed.counters[2]
    assert staff.post(f"/counters/{c2}/open").status_code == 200
    tid = kiosk.post("/tickets", json={"service": "HT"}).json["id"]
    assert staff.post(f"/counters/{c2}/call-next").json["id"] == tid
    clock.advance(minutes=4)
    assert staff.post(f"/tickets/{tid}/finish").status_code == 200
    r = staff.post(f"/tickets/{tid}/rating", json={"level": 1, "source": "tablet"})
    assert r.status_code == 201 and r.json["replaced"] is False
    clock.advance(seconds=10)
    r = staff.post(f"/tickets/{tid}/rating", json={"level": 1, "reason": "attitude"})
    assert r.status_code == 200 and r.json["replaced"] is True
    r = staff.post(f"/tickets/{tid}/rating", json={"level": 1, "reason": "rude"})
    assert r.status_code == 422
    clock.advance(seconds=25)  # 35 s after finish: the 30 s window is over
    r = staff.post(f"/tickets/{tid}/rating", json={"level": 3})
    assert r.status_code == 409 and r.json["error"]["code"] == "rating_window_closed"
    report = manager.get(f"/reports/report?from={DAY}&to={DAY}").json
    sat = report["summary"]["satisfaction"]
    assert sat["rated"] == 1 and sat["by_level"]["1"] == 1 and sat["reasons"] == {"attitude": 1}
    assert report["satisfaction_report"]["total"]["reasons"] == {"attitude": 1}
