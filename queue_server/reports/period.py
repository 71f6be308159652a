"""Report periods: a day, an ISO week, a month, a quarter, a year or a custom range of days,
in the centre's local calendar, with the Vietnamese label a report prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

KINDS = ("day", "week", "month", "quarter", "year", "custom")
MAX_DAYS = 732  # two years: longer ranges belong in several reports
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """A period a person asked for that does not make sense; the message says how to fix it."""


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date  # first day, inclusive
    last: dt.date   # last day, inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware local datetimes: midnight of the first day to after the last."""
        start = dt.datetime.combine(self.first, dt.time(0), tz)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tz)
        return start, end

    @property
    def label(self) -> str:
        f = self.first
        if self.kind == "day":
            return f"Ngày {f:%d/%m/%Y}"
        if self.kind == "week":
            week = f.isocalendar()
            return f"Tuần {week.week}/{week.year} ({f:%d/%m}–{self.last:%d/%m/%Y})"
        if self.kind == "month":
            return f"Tháng {f:%m/%Y}"
        if self.kind == "quarter":
            return f"Quý {ROMAN[(f.month - 1) // 3 + 1]}/{f.year}"
        if self.kind == "year":
            return f"Năm {f.year}"
        return f"Từ {f:%d/%m/%Y} đến {self.last:%d/%m/%Y}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "from": self.first.isoformat(), "to": self.last.isoformat(),
                "days": self.days, "label": self.label}


def parse_date(value: str | None, name: str) -> dt.date:
    if not value or not isinstance(value, str):
        raise PeriodError(f"Thiếu tham số {name} (định dạng YYYY-MM-DD, ví dụ 2026-11-18).")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"Tham số {name}='{value[:20]}' không phải ngày YYYY-MM-DD "
                          "(ví dụ 2026-11-18).") from None


def containing(kind: str, day: dt.date) -> Period:
    """The day, week (Monday–Sunday), month, quarter or year that contains `day`."""
    if kind == "day":
        return Period(kind, day, day)
    if kind == "week":
        first = day - dt.timedelta(days=day.weekday())
        return Period(kind, first, first + dt.timedelta(days=6))
    if kind == "month":
        first = day.replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, first, nxt - dt.timedelta(days=1))
    if kind == "quarter":
        month = (day.month - 1) // 3 * 3 + 1
        first = dt.date(day.year, month, 1)
        nxt = dt.date(day.year + 1, 1, 1) if month == 10 else dt.date(day.year, month + 3, 1)
        return Period(kind, first, nxt - dt.timedelta(days=1))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise PeriodError(f"Loại kỳ '{kind[:20]}' không có. Chọn: {', '.join(KINDS[:-1])} "
                      "hoặc gửi from và to.")


def custom(first: dt.date, last: dt.date) -> Period:
    if last < first:
        raise PeriodError(f"Ngày kết thúc {last:%d/%m/%Y} trước ngày bắt đầu {first:%d/%m/%Y}.")
    period = Period("custom", first, last)
    if period.days > MAX_DAYS:
        raise PeriodError(f"Khoảng thời gian dài {period.days} ngày; tối đa {MAX_DAYS} ngày cho một "
                          "báo cáo.")
    return period


def from_query(args: Mapping[str, str], today: dt.date) -> Period:
    """`from`+`to` (a custom range, inclusive), or `period` (day|week|month|quarter|year) with
    an optional `date` inside it (today by default)."""
    kind = args.get("period")
    if args.get("from") is not None or args.get("to") is not None:
        if kind not in (None, "", "custom"):
            raise PeriodError("Gửi hoặc from và to, hoặc period (và date), không gửi cả hai.")
        first = parse_date(args.get("from"), "from")
        last = parse_date(args.get("to"), "to")
        period = custom(first, last)
        for candidate in ("day", "week", "month", "quarter", "year"):
            named = containing(candidate, first)
            if (named.first, named.last) == (first, last):
                return named
        return period
    if not kind:
        raise PeriodError("Thiếu kỳ báo cáo: gửi from=YYYY-MM-DD&to=YYYY-MM-DD hoặc "
                          "period=day|week|month|quarter|year&date=YYYY-MM-DD.")
    day = parse_date(args["date"], "date") if args.get("date") else today
    return containing(kind, day)
