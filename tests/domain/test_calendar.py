"""Working days, hours, holidays and settings validation."""

import datetime as dt

import pytest

from queue_server.domain.errors import InvalidInput
from queue_server.domain.settings import CentreSettings, WorkingCalendar


def test_default_calendar_is_weekdays_with_lunch_break():
    cal = WorkingCalendar()
    wed = dt.date(2026, 11, 18)
    assert cal.is_open_at(dt.datetime.combine(wed, dt.time(8, 0)))
    assert not cal.is_open_at(dt.datetime.combine(wed, dt.time(12, 0)))
    assert not cal.is_open_day(dt.date(2026, 11, 21))  # Saturday
    assert cal.closing_time(wed) == dt.time(17, 0)
    assert cal.closing_time(dt.date(2026, 11, 22)) is None


def test_holidays_close_and_extra_days_open():
    cal = WorkingCalendar.from_dict({"holidays": ["2026-09-02"], "extra_open_days": ["2026-11-21"]})
    assert not cal.is_open_day(dt.date(2026, 9, 2))
    assert cal.is_open_day(dt.date(2026, 11, 21))


@pytest.mark.parametrize("raw", [
    {"calendar": {"hours": [["11:00", "08:00"]]}},
    {"calendar": {"hours": [["8h", "9h"]]}},
    {"calendar": {"open_weekdays": [7]}},
    {"close_action": "explode"},
    {"rating_scale": 4},
    {"priority_interleave": 0},
    {"recall_limit": "three"},
    {"rating_window_seconds": 0},
    {"rating_window_seconds": 3600},
])
def test_bad_settings_are_refused_with_a_message(raw):
    with pytest.raises(InvalidInput) as exc:
        CentreSettings.from_dict(raw)
    assert exc.value.message
