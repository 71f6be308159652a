"""The report as Excel (openpyxl), PDF (fpdf2 with a Vietnamese font) and CSV.

Each takes the dict of `build.report`, so a file carries exactly the API's figures. Excel keeps
numbers as numbers (with dd/mm/yyyy and 0.0 formats, shown with the reader's separators); PDF
and CSV print them the Vietnamese way (1.234,5; 95,2%; dd/mm/yyyy). CSV is `;`-separated with a
UTF-8 BOM, so Excel on a Vietnamese Windows opens it with the accents intact.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from . import vnformat

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")

# (title, path in a summary dict, kind) — kind: int, min (minutes), share (fraction 0–1)
SUMMARY_ROWS: list[tuple[str, tuple[str, ...], str]] = [
    ("Số phiếu đã phát", ("tickets",), "int"),
    ("Đã phục vụ", ("served",), "int"),
    ("Vắng mặt", ("no_show",), "int"),
    ("Tỷ lệ vắng mặt", ("no_show_rate",), "share"),
    ("Đã chuyển quầy/dịch vụ", ("transferred",), "int"),
    ("Đã hủy", ("cancelled",), "int"),
    ("Thời gian chờ trung bình (phút)", ("wait", "mean_minutes"), "min"),
    ("Thời gian chờ trung vị (phút)", ("wait", "median_minutes"), "min"),
    ("Thời gian chờ P90 (phút)", ("wait", "p90_minutes"), "min"),
    ("Tỷ lệ chờ trong chỉ tiêu", ("wait", "share_within_target"), "share"),
    ("Thời gian phục vụ trung bình (phút)", ("service_time", "mean_minutes"), "min"),
    ("Thời gian phục vụ P90 (phút)", ("service_time", "p90_minutes"), "min"),
    ("Tỷ lệ phục vụ trong chỉ tiêu", ("service_time", "share_within_target"), "share"),
    ("Số phiếu đánh giá", ("satisfaction", "rated"), "int"),
    ("Tỷ lệ hài lòng", ("satisfaction", "rate"), "share"),
    ("Hồ sơ/cán bộ/ngày", ("productivity", "per_staff_per_day"), "min"),
    ("Dự kiến hồ sơ/cán bộ/năm", ("productivity", "projected_per_staff_year"), "min"),
]

BREAKDOWN_TITLES = {"service": "Theo dịch vụ", "counter": "Theo quầy", "staff": "Theo cán bộ",
                    "hour": "Theo giờ lấy số", "day": "Theo ngày"}
BREAKDOWN_COLUMNS = [SUMMARY_ROWS[i] for i in (0, 1, 2, 6, 8, 9, 10, 12, 13, 14)]


def pick(figures: dict, path: tuple[str, ...]) -> Any:
    value: Any = figures
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def text(value: Any, kind: str) -> str:
    if kind == "share":
        return vnformat.percent(value)
    if kind == "min":
        return vnformat.number(None if value is None else float(value), 1)
    return vnformat.number(value)


def _title(report: dict) -> list[str]:
    p = report["period"]
    lines = [report["centre"]["name"], f"BÁO CÁO HOẠT ĐỘNG XẾP HÀNG — {p['label'].upper()}",
             f"Từ {vnformat.date(p['from'])} đến {vnformat.date(p['to'])}"]
    if report.get("filters"):
        lines.append("Lọc: " + ", ".join(f"{k} = {v}" for k, v in report["filters"].items()))
    return lines


# --- CSV -------------------------------------------------------------------------------------

def to_csv(report: dict) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in _title(report):
        w.writerow([line])
    w.writerow([])
    w.writerow(["Mục", "Chỉ số", "Giá trị"])
    for title, path, kind in SUMMARY_ROWS:
        w.writerow(["Tổng hợp", title, text(pick(report["summary"], path), kind)])
    for by, rows in report["breakdowns"].items():
        w.writerow([])
        w.writerow([BREAKDOWN_TITLES[by], *[c[0] for c in BREAKDOWN_COLUMNS]])
        for row in rows:
            w.writerow([row["label"], *[text(pick(row, c[1]), c[2]) for c in BREAKDOWN_COLUMNS]])
    sat = report["satisfaction_report"]
    w.writerow([])
    w.writerow(["Đánh giá mức độ hài lòng", "Số phiếu",
                *[f"{label} ({unit})" for label in sat["levels"].values() for unit in ("số phiếu", "%")],
                "Tỷ lệ hài lòng"])
    for unit in [*sat["units"], sat["total"]]:
        w.writerow([unit["name"], vnformat.number(unit["forms"]),
                    *[x for lv in unit["levels"].values()
                      for x in (vnformat.number(lv["count"]), vnformat.percent(lv["share"]))],
                    vnformat.percent(unit["rate"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- Excel -----------------------------------------------------------------------------------

def to_xlsx(report: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    formats = {"int": "#,##0", "min": "#,##0.0", "share": "0.0%"}
    wb = Workbook()

    def header(ws, cells: list[str], row: int) -> None:
        for col, value in enumerate(cells, 1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def put(ws, row: int, col: int, value: Any, kind: str) -> None:
        cell = ws.cell(row=row, column=col, value=value)
        cell.number_format = formats[kind]

    ws = wb.active
    ws.title = "Tổng hợp"
    for i, line in enumerate(_title(report), 1):
        ws.cell(row=i, column=1, value=line).font = Font(bold=i <= 2, size=14 if i == 2 else 11)
    p = report["period"]
    row = len(_title(report)) + 1
    ws.cell(row=row, column=1, value="Từ ngày")
    c = ws.cell(row=row, column=2, value=dt.date.fromisoformat(p["from"]))
    c.number_format = "dd/mm/yyyy"
    ws.cell(row=row + 1, column=1, value="Đến ngày")
    c = ws.cell(row=row + 1, column=2, value=dt.date.fromisoformat(p["to"]))
    c.number_format = "dd/mm/yyyy"
    row += 3
    header(ws, ["Chỉ số", "Giá trị"], row)
    for title, path, kind in SUMMARY_ROWS:
        row += 1
        ws.cell(row=row, column=1, value=title)
        put(ws, row, 2, pick(report["summary"], path), kind)
    ws.column_dimensions["A"].width = 42
    ws.column_dimensions["B"].width = 18

    for by, rows in report["breakdowns"].items():
        sheet = wb.create_sheet(BREAKDOWN_TITLES[by])
        header(sheet, [BREAKDOWN_TITLES[by], *[c[0] for c in BREAKDOWN_COLUMNS]], 1)
        for r, item in enumerate(rows, 2):
            sheet.cell(row=r, column=1, value=item["label"])
            for col, (_, path, kind) in enumerate(BREAKDOWN_COLUMNS, 2):
                put(sheet, r, col, pick(item, path), kind)
        sheet.column_dimensions["A"].width = 28
        for col in range(2, len(BREAKDOWN_COLUMNS) + 2):
            sheet.column_dimensions[get_column_letter(col)].width = 14

    sat = report["satisfaction_report"]
    sheet = wb.create_sheet("Mức độ hài lòng")
    sheet.cell(row=1, column=1, value="ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG — " + p["label"]).font = bold
    cols = ["Đơn vị (lĩnh vực)", "Số phiếu"]
    for label in sat["levels"].values():
        cols += [f"{label} (số phiếu)", f"{label} (%)"]
    header(sheet, [*cols, "Tỷ lệ hài lòng"], 2)
    for r, unit in enumerate([*sat["units"], sat["total"]], 3):
        sheet.cell(row=r, column=1, value=unit["name"]).font = Font(bold=unit["unit"] is None)
        put(sheet, r, 2, unit["forms"], "int")
        col = 3
        for lv in unit["levels"].values():
            put(sheet, r, col, lv["count"], "int")
            put(sheet, r, col + 1, lv["share"], "share")
            col += 2
        put(sheet, r, col, unit["rate"], "share")
    sheet.column_dimensions["A"].width = 30
    if report.get("staffing"):
        _weekly_sheet(wb.create_sheet("Kế hoạch bố trí quầy"), report["staffing"], header, bold)

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def weekly_rows(staffing: dict) -> tuple[list[int], list[list[Any]]]:
    """The weekly staffing plan as (hours, rows): one row per weekday and service with the
    advised counters per hour (None where the plan has none), then the weekday's totals with
    counters of their own per service and with every counter serving every service."""
    weekly = staffing.get("weekly") or []
    names = staffing.get("names") or {}
    hours = sorted({int(h) for day in weekly for plan in day["services"].values() for h in plan})
    rows: list[list[Any]] = []
    for day in weekly:
        for code, plan in sorted(day["services"].items()):
            rows.append([day["label"], names.get(code, code), *[plan.get(str(h)) for h in hours]])
        rows.append([day["label"], "Tổng (mỗi lĩnh vực quầy riêng)",
                     *[day["dedicated_total"].get(str(h)) for h in hours]])
        rows.append([day["label"], "Tổng (mọi quầy phục vụ mọi lĩnh vực)",
                     *[day["pooled_total"].get(str(h)) for h in hours]])
    return hours, rows


def _weekly_sheet(sheet, staffing: dict, header: Callable, bold: Any) -> None:
    hours, rows = weekly_rows(staffing)
    sheet.cell(row=1, column=1, value="KẾ HOẠCH BỐ TRÍ QUẦY THEO TUẦN — số quầy đề xuất để chờ "
               f"trung bình ≤ {vnformat.number(staffing.get('target_wait_minutes'), 0)} phút "
               f"(theo {staffing.get('days', 0)} ngày làm việc)").font = bold
    header(sheet, ["Thứ", "Lĩnh vực", *[f"{h:02d}:00" for h in hours]], 2)
    for r, values in enumerate(rows, 3):
        for col, value in enumerate(values, 1):
            cell = sheet.cell(row=r, column=col, value=value)
            if col > 2:
                cell.number_format = "0"
            if values[1].startswith("Tổng"):
                cell.font = bold
    if not rows:
        sheet.cell(row=3, column=1, value="Chưa có số liệu để lập kế hoạch trong kỳ này.")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 40


# --- PDF -------------------------------------------------------------------------------------

class FontMissing(RuntimeError):
    """No font with Vietnamese letters: install fontpkg-be-vietnam-pro or fonts-dejavu-core."""


@cache
def font_files() -> tuple[Path, Path]:
    spec = importlib.util.find_spec("fontpkg_be_vietnam_pro")
    for location in (spec.submodule_search_locations or []) if spec else []:
        regular = Path(location) / "files" / "BeVietnamPro-Regular.ttf"
        bold = Path(location) / "files" / "BeVietnamPro-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    regular, bold = DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        return regular, bold
    raise FontMissing("Không tìm thấy phông chữ tiếng Việt để xuất PDF: cài gói PyPI "
                      "'fontpkg-be-vietnam-pro' hoặc gói Debian 'fonts-dejavu-core'.")


def to_pdf(report: dict) -> bytes:
    from fpdf import FPDF

    regular, bold = font_files()
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("vn", "", str(regular))
    pdf.add_font("vn", "B", str(bold))
    pdf.set_title(f"Báo cáo {report['period']['label']}")
    pdf.add_page()
    lines = _title(report)
    pdf.set_font("vn", "B", 13)
    pdf.cell(0, 7, lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("vn", "B", 15)
    pdf.cell(0, 9, lines[1], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("vn", "", 10)
    for line in lines[2:]:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    def table(headings: list[str], rows: list[list[str]], widths: list[float]) -> None:
        pdf.set_font("vn", "B", 8)
        pdf.set_fill_color(220, 230, 241)
        with pdf.table(col_widths=widths, text_align=["LEFT", *["RIGHT"] * (len(widths) - 1)],
                       line_height=5, first_row_as_headings=True) as t:
            r = t.row()
            for h in headings:
                r.cell(h)
            pdf.set_font("vn", "", 8)
            for values in rows:
                r = t.row()
                for v in values:
                    r.cell(v)
        pdf.ln(3)

    pdf.set_font("vn", "B", 11)
    pdf.cell(0, 7, "1. Tổng hợp", new_x="LMARGIN", new_y="NEXT")
    half = (len(SUMMARY_ROWS) + 1) // 2
    left, right = SUMMARY_ROWS[:half], SUMMARY_ROWS[half:]
    rows = []
    for i in range(half):
        row = [left[i][0], text(pick(report["summary"], left[i][1]), left[i][2])]
        if i < len(right):
            row += [right[i][0], text(pick(report["summary"], right[i][1]), right[i][2])]
        else:
            row += ["", ""]
        rows.append(row)
    table(["Chỉ số", "Giá trị", "Chỉ số", "Giá trị"], rows, [90, 35, 90, 35])

    by_hour = report["breakdowns"]["hour"]
    if by_hour:
        _chart_heading(pdf, "2. Thời gian chờ trung bình theo giờ lấy số (phút)")
        _bars(pdf, [(f"{r['key']:02d}h", r["wait"]["mean_minutes"]) for r in by_hour],
              report["targets"]["wait_minutes"])

    n = 3
    by_day = report["breakdowns"]["day"]
    if any(r["satisfaction"]["rate"] is not None for r in by_day):
        _chart_heading(pdf, f"{n}. Tỷ lệ hài lòng theo ngày (%)")
        n += 1
        rate = report["targets"]["satisfaction"]["green"] * 100
        _bars(pdf, [(r["label"][:5], None if r["satisfaction"]["rate"] is None
                     else r["satisfaction"]["rate"] * 100) for r in by_day[-62:]],
              rate, good_below=False, digits=0, top=100.0)
    for by, rows_ in report["breakdowns"].items():
        if by == "hour" or not rows_:
            continue
        pdf.set_font("vn", "B", 11)
        pdf.cell(0, 7, f"{n}. {BREAKDOWN_TITLES[by]}", new_x="LMARGIN", new_y="NEXT")
        n += 1
        headings = [BREAKDOWN_TITLES[by], *[c[0] for c in BREAKDOWN_COLUMNS]]
        body = [[r["label"], *[text(pick(r, c[1]), c[2]) for c in BREAKDOWN_COLUMNS]] for r in rows_]
        table(headings, body, [40, *[23.5] * len(BREAKDOWN_COLUMNS)])

    sat = report["satisfaction_report"]
    pdf.set_font("vn", "B", 11)
    pdf.cell(0, 7, f"{n}. Đánh giá mức độ hài lòng", new_x="LMARGIN", new_y="NEXT")
    headings = ["Đơn vị (lĩnh vực)", "Số phiếu"]
    for label in sat["levels"].values():
        headings += [f"{label} (số phiếu)", f"{label} (%)"]
    headings.append("Tỷ lệ hài lòng")
    body = [[u["name"], vnformat.number(u["forms"]),
             *[x for lv in u["levels"].values()
               for x in (vnformat.number(lv["count"]), vnformat.percent(lv["share"]))],
             vnformat.percent(u["rate"])] for u in [*sat["units"], sat["total"]]]
    rest = (277 - 60) / (len(headings) - 1)
    table(headings, body, [60, *[rest] * (len(headings) - 1)])
    pdf.set_font("vn", "", 8)
    pdf.cell(0, 5, f"Lập lúc {dt.datetime.now():%H:%M %d/%m/%Y} bởi MotCua.", new_x="LMARGIN",
             new_y="NEXT")
    return bytes(pdf.output())


def _chart_heading(pdf, title: str) -> None:
    """A chart's title, on a new page when the chart under it would not fit."""
    if pdf.will_page_break(7 + 52):
        pdf.add_page()
    pdf.set_font("vn", "B", 11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")


def _bars(pdf, items: list[tuple[str, float | None]], target: float, *, good_below: bool = True,
          digits: int = 1, top: float | None = None) -> None:
    """A small bar chart with the target as a red line (people would rather look than read).
    A bar is blue on the right side of the target (below it for waits, at or above it for
    satisfaction) and red otherwise."""
    height, width = 40.0, 250.0
    x0, y0 = pdf.l_margin + 10, pdf.get_y() + 2
    top = top or max([v or 0 for _, v in items] + [target]) * 1.15 or 1
    step = width / max(1, len(items))
    pdf.set_font("vn", "", 7 if len(items) <= 31 else 5)
    for i, (label, value) in enumerate(items):
        h = (value or 0) / top * height
        x = x0 + i * step
        good = (value or 0) <= target if good_below else (value or 0) >= target
        pdf.set_fill_color(11, 58, 117) if good else pdf.set_fill_color(179, 0, 27)
        if h > 0:
            pdf.rect(x + step * 0.15, y0 + height - h, step * 0.7, h, style="F")
        pdf.text(x + step * 0.2, y0 + height + 4, label)
        if value is not None:
            pdf.text(x + step * 0.2, y0 + height - h - 1, vnformat.number(value, digits))
    ty = y0 + height - target / top * height
    pdf.set_draw_color(179, 0, 27)
    pdf.line(x0, ty, x0 + width, ty)
    pdf.text(x0 + width + 1, ty + 1, f"chỉ tiêu {vnformat.number(target, 0)}")
    pdf.set_draw_color(0, 0, 0)
    pdf.set_y(y0 + height + 8)


FORMATS: dict[str, tuple[Callable[[dict], bytes], str]] = {
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (to_pdf, "application/pdf"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
}
