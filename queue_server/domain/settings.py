"""Per-centre rules with their defaults, parsed from the centre's stored settings.

Everything a centre may tune lives here, validated once, so the engine reads plain attributes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput

DEFAULT_PRIORITY_GROUPS = {
    "elderly": "Người cao tuổi",
    "pregnant": "Phụ nữ mang thai",
    "disability": "Người khuyết tật",
    "merit": "Người có công với cách mạng",
    "child": "Người đi cùng trẻ nhỏ",
}

RATING_SCALES = {
    3: {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"},
    5: {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng", 1: "Rất không hài lòng"},
}

# Reasons for the lowest level, mapped to the Thông tư 01/2018 evaluation criteria.
DEFAULT_RATING_REASONS = {
    "time": "Thời gian giải quyết chưa đúng hẹn / chờ lâu",
    "contacts": "Phải đi lại, liên hệ nhiều lần",
    "agencies": "Phải qua nhiều cơ quan, bộ phận",
    "attitude": "Thái độ, tác phong của cán bộ",
}


def parse_hhmm(value: str) -> dt.time:
    try:
        hours, minutes = value.split(":")
        if hours == "24" and minutes == "00":
            return dt.time.max
        return dt.time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise InvalidInput(f"Giờ không hợp lệ: {value!r} (định dạng HH:MM)") from None


def parse_periods(periods: Any) -> list[tuple[dt.time, dt.time]]:
    """[["07:30", "11:30"], …] → sorted (start, end) pairs; rejects empty or reversed ones."""
    if not isinstance(periods, list):
        raise InvalidInput("Khung giờ phải là danh sách [[\"HH:MM\", \"HH:MM\"], …]")
    result = []
    for item in periods:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise InvalidInput("Mỗi khung giờ gồm giờ bắt đầu và giờ kết thúc")
        start, end = parse_hhmm(item[0]), parse_hhmm(item[1])
        if end <= start:
            raise InvalidInput(f"Khung giờ {item[0]}–{item[1]}: giờ kết thúc phải sau giờ bắt đầu")
        result.append((start, end))
    return sorted(result)


@dataclass(frozen=True)
class WorkingCalendar:
    """Open days and hours of a centre. Weekends and public holidays are closed by default."""

    open_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    hours: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(7, 30), dt.time(11, 30)),
        (dt.time(13, 30), dt.time(17, 0)),
    )
    holidays: frozenset[dt.date] = frozenset()
    extra_open_days: frozenset[dt.date] = frozenset()  # e.g. a Saturday worked in lieu

    def is_open_day(self, day: dt.date) -> bool:
        if day in self.extra_open_days:
            return True
        return day.weekday() in self.open_weekdays and day not in self.holidays

    def is_open_at(self, local: dt.datetime) -> bool:
        t = local.time()
        return self.is_open_day(local.date()) and any(s <= t < e for s, e in self.hours)

    def closing_time(self, day: dt.date) -> dt.time | None:
        """End of the last opening period of that day, or None on a closed day."""
        if not self.is_open_day(day) or not self.hours:
            return None
        return max(end for _, end in self.hours)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> WorkingCalendar:
        try:
            weekdays = frozenset(int(d) for d in raw.get("open_weekdays", [0, 1, 2, 3, 4]))
            holidays = frozenset(dt.date.fromisoformat(d) for d in raw.get("holidays", []))
            extra = frozenset(dt.date.fromisoformat(d) for d in raw.get("extra_open_days", []))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Lịch làm việc không hợp lệ: {exc}") from None
        if not weekdays <= set(range(7)):
            raise InvalidInput("Ngày trong tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật)")
        hours = raw.get("hours")
        periods = tuple(parse_periods(hours)) if hours is not None else cls.hours
        return cls(weekdays, periods, holidays, extra)


# Seconds after "Hoàn thành" a keypad/tablet press still rates the ticket: under 5 s a citizen
# cannot reach the keypad, over 10 minutes the press would likely rate the next person's service.
RATING_WINDOW_RANGE = (5, 600)


@dataclass(frozen=True)
class CentreSettings:
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    # What happens to waiting tickets at closing time: "cancel" (reason `closed`) or "keep".
    close_action: str = "cancel"
    priority_groups: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_GROUPS))
    # At most this many priority calls in a row at a normal counter while normal tickets wait.
    priority_interleave: int = 2
    appointment_grace_minutes: int = 15
    recall_limit: int = 3
    no_show_requeue_minutes: int = 30
    rating_scale: int = 3
    rating_window_seconds: int = 30
    rating_reasons: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RATING_REASONS))
    default_service_minutes: float = 10.0
    announcement: str = "Xin mời công dân có số thứ tự {number} đến quầy số {counter}"
    notice: str = ""

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> CentreSettings:
        raw = dict(raw or {})
        base = cls()
        calendar = WorkingCalendar.from_dict(raw.pop("calendar", {}) or {})
        values: dict[str, Any] = {"calendar": calendar}
        for name in (
            "close_action", "priority_groups", "priority_interleave", "appointment_grace_minutes",
            "recall_limit", "no_show_requeue_minutes", "rating_scale", "rating_window_seconds",
            "rating_reasons", "default_service_minutes", "announcement", "notice",
        ):
            if name in raw:
                expected = type(getattr(base, name))
                value = raw[name]
                if expected is float and isinstance(value, int):
                    value = float(value)
                if not isinstance(value, expected) or isinstance(value, bool) and expected is not bool:
                    raise InvalidInput(f"Thiết lập {name} phải có kiểu {expected.__name__}")
                values[name] = value
        settings = cls(**values)
        if settings.close_action not in ("cancel", "keep"):
            raise InvalidInput("close_action phải là 'cancel' hoặc 'keep'")
        if settings.rating_scale not in RATING_SCALES:
            raise InvalidInput("Thang đánh giá phải là 3 hoặc 5 mức")
        if settings.priority_interleave < 1:
            raise InvalidInput("priority_interleave phải ≥ 1")
        low, high = RATING_WINDOW_RANGE
        if not low <= settings.rating_window_seconds <= high:
            raise InvalidInput(f"rating_window_seconds phải từ {low} đến {high} giây")
        return settings

    @property
    def rating_levels(self) -> dict[int, str]:
        return RATING_SCALES[self.rating_scale]
