"""A simulation profile: opening sessions, services (arrivals per hour, service-time
distribution, priority, appointment, no-show and rating shares) and counters.

Profiles are TOML files so a centre can describe its own day; every mistake is reported with
the key that holds it, because a profile is typed by hand.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_PROFILE = Path(__file__).with_name("demo_profile.toml")


class ProfileError(ValueError):
    """A profile that cannot be simulated; the message names the key to fix."""


def _time(value: Any, where: str) -> dt.time:
    try:
        hours, minutes = str(value).split(":")
        if (int(hours), int(minutes)) == (24, 0):
            return dt.time.max
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ProfileError(f"{where}: giờ '{value}' không hợp lệ (dạng HH:MM).") from None


def _periods(value: Any, where: str) -> list[tuple[dt.time, dt.time]]:
    if not isinstance(value, list) or not value:
        raise ProfileError(f"{where}: cần danh sách khung giờ, ví dụ [[\"07:30\", \"11:30\"]].")
    out = []
    for item in value:
        if not isinstance(item, list) or len(item) != 2:
            raise ProfileError(f"{where}: mỗi khung giờ gồm [bắt đầu, kết thúc].")
        start, end = _time(item[0], where), _time(item[1], where)
        if end <= start:
            raise ProfileError(f"{where}: khung {item[0]}–{item[1]} kết thúc trước khi bắt đầu.")
        out.append((start, end))
    return sorted(out)


def _share(raw: dict, key: str, where: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ProfileError(f"{where}.{key} phải là một tỷ lệ từ 0 đến 1.")
    return float(value)


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ProfileError(f"{where} phải là số dương.")
    return float(value)


@dataclass(frozen=True)
class ServiceProfile:
    code: str
    name: str
    prefix: str
    arrivals: dict[int, float]          # hour of day → tickets per hour
    service_mean: float                 # minutes
    service_sd: float                   # minutes (log-normal around the mean)
    priority_share: float = 0.05
    appointment_share: float = 0.0
    no_show_share: float = 0.05

    def rate(self, hour: int) -> float:
        return self.arrivals.get(hour, 0.0)


@dataclass(frozen=True)
class CounterProfile:
    number: int
    name: str
    services: tuple[str, ...]
    priority: bool = False
    staff: str | None = None            # username to open it as (else its agent opens it)
    hours: tuple[tuple[dt.time, dt.time], ...] = ()   # empty: the centre's sessions
    speed: float = 1.0                  # service time is divided by this


@dataclass(frozen=True)
class Profile:
    sessions: tuple[tuple[dt.time, dt.time], ...]
    weekdays: frozenset[int]
    services: dict[str, ServiceProfile]
    counters: tuple[CounterProfile, ...]
    overtime_minutes: float = 30.0      # serve those still waiting this long after a session
    rating_share: float = 0.7
    unhappy_after_minutes: float = 30.0  # a longer wait makes "Không hài lòng" likely
    no_show_minutes: float = 2.0         # how long a counter waits for a no-show before skipping
    appointment_slot_minutes: int = 15
    name: str = "profile"

    def counter_hours(self, counter: CounterProfile) -> tuple[tuple[dt.time, dt.time], ...]:
        return counter.hours or self.sessions

    def expected_tickets(self) -> float:
        """Tickets a day the arrival rates give (rates apply to the part of each hour in a session)."""
        total = 0.0
        for service in self.services.values():
            for hour, rate in service.arrivals.items():
                total += rate * _open_fraction(self.sessions, hour)
        return total

    def scaled(self, factor: float) -> Profile:
        """The same day with every arrival rate multiplied by `factor`."""
        services = {code: ServiceProfile(**{**s.__dict__, "arrivals": {h: r * factor for h, r in
                                                                       s.arrivals.items()}})
                    for code, s in self.services.items()}
        return Profile(**{**self.__dict__, "services": services})


def _open_fraction(sessions, hour: int) -> float:
    start = hour * 60
    minutes = 0.0
    for a, b in sessions:
        lo = a.hour * 60 + a.minute
        hi = 24 * 60 if b == dt.time.max else b.hour * 60 + b.minute
        minutes += max(0, min(hi, start + 60) - max(lo, start))
    return minutes / 60


def load_profile(path: str | Path | None = None) -> Profile:
    """Read a profile file (the bundled demo profile when `path` is None)."""
    path = Path(path) if path else DEMO_PROFILE
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ProfileError(f"Không tìm thấy tệp hồ sơ mô phỏng: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: không đọc được TOML ({exc}).") from None
    return parse_profile(raw, name=path.stem)


def parse_profile(raw: dict[str, Any], name: str = "profile") -> Profile:
    centre = raw.get("centre", {})
    if not isinstance(centre, dict):
        raise ProfileError("[centre] phải là một bảng.")
    sessions = tuple(_periods(centre.get("sessions", [["07:30", "11:30"], ["13:30", "17:00"]]),
                              "centre.sessions"))
    weekdays = centre.get("weekdays", [0, 1, 2, 3, 4])
    if not isinstance(weekdays, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
        raise ProfileError("centre.weekdays: các ngày từ 0 (thứ Hai) đến 6 (Chủ nhật).")
    services_raw = raw.get("services")
    if not isinstance(services_raw, dict) or not services_raw:
        raise ProfileError("Hồ sơ cần ít nhất một dịch vụ: [services.MÃ].")
    services: dict[str, ServiceProfile] = {}
    for code, s in services_raw.items():
        where = f"services.{code}"
        if not isinstance(s, dict):
            raise ProfileError(f"[{where}] phải là một bảng.")
        arrivals_raw = s.get("arrivals")
        if not isinstance(arrivals_raw, dict) or not arrivals_raw:
            raise ProfileError(f"{where}.arrivals: cần số lượt đến mỗi giờ, ví dụ {{08 = 30, 09 = 40}}.")
        arrivals = {}
        for hour, rate in arrivals_raw.items():
            try:
                h = int(hour)
            except ValueError:
                raise ProfileError(f"{where}.arrivals: giờ '{hour}' không hợp lệ (0–23).") from None
            if not 0 <= h <= 23:
                raise ProfileError(f"{where}.arrivals: giờ '{hour}' không hợp lệ (0–23).")
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 0:
                raise ProfileError(f"{where}.arrivals.{hour} phải là số không âm.")
            arrivals[h] = float(rate)
        minutes = s.get("service_minutes", {})
        if not isinstance(minutes, dict):
            raise ProfileError(f"{where}.service_minutes: dạng {{mean = 8, sd = 4}}.")
        mean = _positive(minutes.get("mean", 10), f"{where}.service_minutes.mean")
        sd = minutes.get("sd", mean / 2)
        if isinstance(sd, bool) or not isinstance(sd, (int, float)) or sd < 0:
            raise ProfileError(f"{where}.service_minutes.sd phải là số không âm.")
        prefix = s.get("prefix", code[:1])
        if not isinstance(prefix, str) or not prefix:
            raise ProfileError(f"{where}.prefix phải là chuỗi, ví dụ \"A\".")
        services[code] = ServiceProfile(
            code=code, name=str(s.get("name", code)), prefix=prefix, arrivals=arrivals,
            service_mean=mean, service_sd=float(sd),
            priority_share=_share(s, "priority_share", where, 0.05),
            appointment_share=_share(s, "appointment_share", where, 0.0),
            no_show_share=_share(s, "no_show_share", where, 0.05))
    prefixes: dict[str, str] = {}
    for code, sp in services.items():
        if sp.prefix in prefixes:
            raise ProfileError(f"services.{code}.prefix: chữ đầu số '{sp.prefix}' đã dùng cho dịch vụ "
                               f"{prefixes[sp.prefix]}; mỗi dịch vụ cần chữ đầu số riêng.")
        prefixes[sp.prefix] = code
    counters_raw = raw.get("counters")
    if not isinstance(counters_raw, list) or not counters_raw:
        raise ProfileError("Hồ sơ cần ít nhất một quầy: [[counters]].")
    counters = []
    seen = set()
    for i, c in enumerate(counters_raw):
        where = f"counters[{i}]"
        if not isinstance(c, dict):
            raise ProfileError(f"{where} phải là một bảng.")
        number = c.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1 or number in seen:
            raise ProfileError(f"{where}.number phải là số quầy nguyên dương, không trùng.")
        seen.add(number)
        codes = c.get("services")
        if not isinstance(codes, list) or not codes:
            raise ProfileError(f"{where}.services: danh sách mã dịch vụ quầy phục vụ.")
        unknown = [x for x in codes if x not in services]
        if unknown:
            raise ProfileError(f"{where}.services: không có dịch vụ {', '.join(map(str, unknown))} "
                               f"trong [services].")
        hours = tuple(_periods(c["hours"], f"{where}.hours")) if "hours" in c else ()
        counters.append(CounterProfile(
            number=number, name=str(c.get("name", f"Quầy {number}")), services=tuple(codes),
            priority=bool(c.get("priority", False)), staff=c.get("staff"), hours=hours,
            speed=_positive(c.get("speed", 1.0), f"{where}.speed")))
    served = {code for c in counters for code in c.services}
    missing = [code for code in services if code not in served]
    if missing:
        raise ProfileError(f"Không quầy nào phục vụ dịch vụ {', '.join(missing)}.")
    behaviour = raw.get("behaviour", {})
    if not isinstance(behaviour, dict):
        raise ProfileError("[behaviour] phải là một bảng.")
    return Profile(
        sessions=sessions, weekdays=frozenset(weekdays), services=services, counters=tuple(counters),
        overtime_minutes=float(behaviour.get("overtime_minutes", 30)),
        rating_share=_share(behaviour, "rating_share", "behaviour", 0.7),
        unhappy_after_minutes=_positive(behaviour.get("unhappy_after_minutes", 30),
                                        "behaviour.unhappy_after_minutes"),
        no_show_minutes=_positive(behaviour.get("no_show_minutes", 2), "behaviour.no_show_minutes"),
        name=name)


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """(mu, sigma) of the log-normal with this mean and standard deviation."""
    if sd <= 0:
        return math.log(mean), 0.0
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)

