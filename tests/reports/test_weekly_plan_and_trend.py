"""Issue 7 gaps in the exports: the weekly staffing plan as its own Excel sheet (the same
numbers as GET /api/v1/reports/staffing) and the satisfaction trend chart in the PDF."""

from __future__ import annotations

import io

import pytest
from support import Api

from queue_server.reports import exports

DAY = "2026-11-18"


@pytest.fixture
def manager(app, seed):
    return Api(app.test_client(), seed.tokens["reports"])


def test_excel_has_the_weekly_plan_of_the_staffing_api(sim_day, manager):
    from openpyxl import load_workbook

    sim_day()
    plan = manager.get(f"/reports/staffing?from={DAY}&to={DAY}").json
    assert [d["label"] for d in plan["weekly"]] == ["Thứ Tư"]   # 18/11/2026 is a Wednesday
    r = manager.get(f"/reports/export?format=xlsx&from={DAY}&to={DAY}")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert "Kế hoạch bố trí quầy" in wb.sheetnames
    ws = wb["Kế hoạch bố trí quầy"]
    head = [c.value for c in ws[2]]
    assert head[:2] == ["Thứ", "Lĩnh vực"]
    hours = [int(h[:2]) for h in head[2:]]
    names = {s["code"]: s["name"] for s in plan["services"]}
    rows = {(row[0], row[1]): row[2:] for row in ws.iter_rows(min_row=3, values_only=True)}
    day = plan["weekly"][0]
    assert day["services"]
    for code, counters in day["services"].items():
        assert list(rows[("Thứ Tư", names[code])]) == [counters.get(str(h)) for h in hours]
    total = rows[("Thứ Tư", "Tổng (mỗi lĩnh vực quầy riêng)")]
    assert list(total) == [day["dedicated_total"].get(str(h)) for h in hours]
    assert sum(v for v in total if v) >= 1


def test_weekly_sheet_says_so_when_there_is_nothing_to_plan():
    from openpyxl import load_workbook

    report = {"centre": {"code": "X", "name": "Trung tâm X"},
              "period": {"label": "Ngày 18/11/2026", "from": DAY, "to": DAY}, "filters": {},
              "summary": {}, "breakdowns": {k: [] for k in exports.BREAKDOWN_TITLES},
              "satisfaction_report": {"levels": {}, "units": [],
                                      "total": {"name": "Toàn Trung tâm", "unit": None, "forms": 0,
                                                "levels": {}, "rate": None}},
              "staffing": {"weekly": [], "days": 0, "target_wait_minutes": 15, "names": {}}}
    ws = load_workbook(io.BytesIO(exports.to_xlsx(report)))["Kế hoạch bố trí quầy"]
    assert ws.cell(row=3, column=1).value.startswith("Chưa có số liệu")


def test_pdf_draws_the_satisfaction_trend(sim_day, manager):
    from pypdf import PdfReader

    sim_day()
    r = manager.get(f"/reports/export?format=pdf&from={DAY}&to={DAY}")
    assert r.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Tỷ lệ hài lòng theo ngày (%)" in text
    report = manager.get(f"/reports/report?from={DAY}&to={DAY}").json
    rate = report["breakdowns"]["day"][0]["satisfaction"]["rate"]
    assert rate is not None
    # the bar's value label, the Vietnamese way (e.g. "96" for 96,3%)
    assert exports.vnformat.number(rate * 100, 0) in text


def test_pdf_trend_is_left_out_without_ratings():
    from pypdf import PdfReader

    day = {"key": DAY, "label": "18/11/2026", "satisfaction": {"rate": None}}
    report = {"centre": {"code": "X", "name": "Trung tâm X"},
              "period": {"label": "Ngày 18/11/2026", "from": DAY, "to": DAY}, "filters": {},
              "summary": {}, "targets": {"wait_minutes": 15, "satisfaction": {"green": 0.95}},
              "breakdowns": {**{k: [] for k in exports.BREAKDOWN_TITLES}, "day": [day]},
              "satisfaction_report": {"levels": {}, "units": [],
                                      "total": {"name": "Toàn Trung tâm", "unit": None, "forms": 0,
                                                "levels": {}, "rate": None}}}
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(exports.to_pdf(report))).pages)
    assert "Tỷ lệ hài lòng theo ngày" not in text


def test_manager_pages_render_in_english(app, seed):
    import re

    boss = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', boss.get("/login").text).group(1)
    assert boss.post("/login", data={"csrf_token": token, "username": "boss",
                                     "password": seed.password}).status_code == 302
    en = {"Accept-Language": "en-GB,en;q=0.9"}
    page = boss.get("/manager", headers=en).get_data(as_text=True)
    for words in ("Dashboard", "Staffing advice", "Queue by service", "Longest wait",
                  '"state_green": "On target"', '"gauge_wait_share": "Wait '):
        assert words in page, words
    assert "Bảng điều hành" not in page and "Gợi ý bố trí quầy" not in page
    reports = boss.get("/manager/reports", headers=en).get_data(as_text=True)
    for words in ("Weekly staffing plan", "Download Excel", "Quarter",
                  '"wd_2": "Wednesday"', '"weekly_total": "Total counters"'):
        assert words in reports, words
    assert "Kế hoạch bố trí quầy theo tuần" not in reports
    vi = boss.get("/manager/reports", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert "Kế hoạch bố trí quầy theo tuần" in vi
