"""The discrete-event loop: arrivals, counters' shifts, calls, services, no-shows and ratings,
played in time order against the real engine (see `driver.Driver`).

The loop keeps a small mirror of the queue (how many wait per service, who is at each counter)
only to avoid pointless calls; every decision about *who* is called is the engine's own.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..domain.errors import DomainError
from ..domain.estimate import naive_wait_minutes
from ..service_layer import QueueService, settings_of
from ..store import tables as t
from .arrivals import Citizen, plan_day, rating_for
from .driver import Driver, Layout, SimClock, prepare, restore_counters
from .profile import Profile

START, FREE, ARRIVE, END = 0, 1, 2, 3   # order of simultaneous events


class SimulationError(ValueError):
    """A run that cannot start (days already hold tickets, nothing to simulate, …)."""


@dataclass
class Issued:
    """What the citizen was told when the ticket was issued, kept to judge the prediction."""

    ticket_id: int
    service: str
    issued_at: dt.datetime       # local time
    estimate: int | None         # the server's estimate (the model)
    naive: int                   # people ahead × mean service time ÷ open counters
    people_ahead: int
    priority: str | None
    appointment: bool


@dataclass
class CounterSim:
    number: int
    services: frozenset[str]
    speed: float
    shifts: list[tuple[dt.datetime, dt.datetime]]
    status: str = "closed"
    in_shift: bool = False
    deadline: dt.datetime | None = None
    current: int | None = None


@dataclass
class SimulationResult:
    days: list[dt.date]
    start: dt.datetime            # UTC, start of the first simulated day (local midnight)
    end: dt.datetime              # UTC, end of the last simulated day
    layout: Layout
    issued: list[Issued] = field(default_factory=list)
    refused: int = 0
    cancelled_at_close: int = 0
    cancelled_elsewhere: int = 0   # by another process (a running server's closing-time job)
    ops: int = 0
    seconds: float = 0.0

    @property
    def tickets(self) -> int:
        return len(self.issued)


def simulation_days(days: int, start: dt.date | None, today: dt.date, profile: Profile) -> list[dt.date]:
    """`days` calendar days from `start` (default: ending yesterday), keeping the profile's
    working weekdays."""
    if days < 1:
        raise SimulationError("Số ngày mô phỏng (--days) phải ≥ 1.")
    first = start or today - dt.timedelta(days=days)
    span = [first + dt.timedelta(days=i) for i in range(days)]
    return [d for d in span if d.weekday() in profile.weekdays]


def days_with_tickets(svc: QueueService, centre_id: int, days: list[dt.date]) -> list[dt.date]:
    c = t.tickets.c
    with svc.uow() as uow:
        rows = uow.session.execute(select(c.day, func.count()).where(
            c.centre_id == centre_id, c.day.in_(days)).group_by(c.day)).all()
    return sorted(day for day, n in rows if n)


def simulate(session_factory, centre_code: str, profile: Profile, days: list[dt.date], seed: int,
             *, tracking_url=None) -> SimulationResult:
    """Simulate `days` at the centre, writing real tickets and events through one QueueService
    whose clock the loop moves. Refuses days that already have tickets."""
    if not days:
        raise SimulationError("Không có ngày làm việc nào trong khoảng đã chọn (xem centre.weekdays).")
    clock = SimClock(dt.datetime.now(dt.UTC))
    svc = QueueService(session_factory, clock=clock, tracking_url=tracking_url)
    layout = prepare(svc, centre_code, profile)
    busy = days_with_tickets(svc, layout.centre_id, days)
    if busy:
        raise SimulationError("Đã có số thứ tự trong các ngày "
                              + ", ".join(d.strftime("%d/%m/%Y") for d in busy)
                              + "; chọn ngày khác bằng --start hoặc dùng cơ sở dữ liệu khác.")
    tz = ZoneInfo(layout.timezone)
    with svc.uow() as uow:
        default_minutes = settings_of(uow.repo.centre(layout.centre_id)).default_service_minutes
    result = SimulationResult(
        days=days, layout=layout,
        start=dt.datetime.combine(days[0], dt.time(0), tz).astimezone(dt.UTC),
        end=dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0), tz).astimezone(dt.UTC))
    driver = Driver(svc, layout)
    began = time.perf_counter()
    try:
        for day in days:
            _Day(profile, driver, clock, tz, day, seed, default_minutes, result).run()
    finally:
        restore_counters(svc, layout)
    result.ops = driver.ops
    result.seconds = time.perf_counter() - began
    c = t.tickets.c
    with svc.uow() as uow:
        cancelled = uow.session.execute(select(func.count()).where(
            c.centre_id == layout.centre_id, c.day.in_(days), c.status == "cancelled")).scalar_one()
    result.cancelled_elsewhere = max(0, cancelled - result.cancelled_at_close)
    return result


class _Day:
    def __init__(self, profile: Profile, driver: Driver, clock: SimClock, tz: ZoneInfo,
                 day: dt.date, seed: int, default_minutes: float, result: SimulationResult):
        self.profile, self.driver, self.clock, self.tz = profile, driver, clock, tz
        self.day, self.result, self.default_minutes = day, result, default_minutes
        self.citizens = plan_day(profile, day, seed, tz)
        self.heap: list = []
        self.seq = itertools.count()
        self.waiting: dict[str, int] = defaultdict(int)      # service → tickets waiting
        self.waiting_ids: dict[int, str] = {}                # ticket id → service
        self.by_ticket: dict[int, Citizen] = {}
        self.issued_at: dict[int, dt.datetime] = {}
        self.called_at: dict[int, dt.datetime] = {}
        self.recent: dict[str, deque] = defaultdict(lambda: deque(maxlen=20))
        self.counters: dict[int, CounterSim] = {}
        for cp in profile.counters:
            shifts = [(self._utc(a), self._utc(b)) for a, b in profile.counter_hours(cp)]
            self.counters[cp.number] = CounterSim(cp.number, driver.layout.counter_services[cp.number],
                                                  cp.speed, shifts)

    def _utc(self, t: dt.time) -> dt.datetime:
        if t == dt.time.max:
            return dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time(0), self.tz).astimezone(dt.UTC)
        return dt.datetime.combine(self.day, t, self.tz).astimezone(dt.UTC)

    def push(self, at: dt.datetime, kind: int, data) -> None:
        heapq.heappush(self.heap, (at, kind, next(self.seq), data))

    def run(self) -> None:
        for c in self.counters.values():
            for a, b in c.shifts:
                self.push(a, START, c.number)
                self.push(b, END, c.number)
        for citizen in self.citizens:
            self.push(citizen.at, ARRIVE, citizen)
        last = None
        while self.heap:
            at, kind, _, data = heapq.heappop(self.heap)
            self.clock.now = last = at
            if kind == START:
                self.start(self.counters[data])
            elif kind == END:
                self.end(self.counters[data])
            elif kind == ARRIVE:
                self.arrive(data)
            else:
                self.free(self.counters[data])
        if last is not None:
            self.clock.now = last + dt.timedelta(minutes=1)
        for tid in list(self.waiting_ids):   # nobody left to serve them today
            try:
                self.driver.cancel(tid)
                self.result.cancelled_at_close += 1
            except DomainError:
                pass  # already cancelled (a running server's closing job got there first)
        for c in self.counters.values():
            if c.status != "closed":
                self.driver.counter(c.number, "close")
                c.status = "closed"

    # --- counters ------------------------------------------------------------------------
    def accepting(self, c: CounterSim) -> bool:
        return c.status == "open" and (c.in_shift or (c.deadline is not None
                                                      and self.clock.now < c.deadline))

    def start(self, c: CounterSim) -> None:
        c.in_shift, c.deadline = True, None
        if c.status != "open":
            self.driver.counter(c.number, "open")
            c.status = "open"
        if c.current is None:
            self.try_call(c)

    def end(self, c: CounterSim) -> None:
        c.in_shift = False
        c.deadline = self.clock.now + dt.timedelta(minutes=self.profile.overtime_minutes)
        if c.current is None and not self.try_call(c):
            self.stop(c)

    def stop(self, c: CounterSim) -> None:
        if c.status != "open" or c.in_shift:
            return
        last_shift = all(a < self.clock.now for a, _ in c.shifts)
        action = "close" if last_shift else "pause"
        self.driver.counter(c.number, action)
        c.status = "closed" if last_shift else "paused"

    def has_work(self, c: CounterSim) -> bool:
        return any(self.waiting[s] for s in c.services)

    def try_call(self, c: CounterSim) -> bool:
        if c.current is not None or not self.accepting(c) or not self.has_work(c):
            return False
        return self.called(c, self.driver.call_next(c.number))

    def called(self, c: CounterSim, body: dict | None) -> bool:
        if body is None:
            return False
        tid = body["id"]
        service = self.waiting_ids.pop(tid)
        self.waiting[service] -= 1
        c.current = tid
        now = self.clock.now
        self.called_at.setdefault(tid, now)
        citizen = self.by_ticket[tid]
        minutes = self.profile.no_show_minutes if citizen.no_show else citizen.service_minutes / c.speed
        self.push(now + dt.timedelta(minutes=minutes), FREE, c.number)
        return True

    def free(self, c: CounterSim) -> None:
        tid, c.current = c.current, None
        citizen = self.by_ticket[tid]
        if citizen.no_show:
            self.driver.act(c.number, tid, "skip")
            if not self.try_call(c):
                self.stop(c)
            return
        now = self.clock.now
        if self.accepting(c) and self.has_work(c):
            self.called(c, self.driver.call_next(c.number))   # finishes `tid`, calls the next
        else:
            self.driver.act(c.number, tid, "finish")
        self.recent[citizen.service].append((now - self.called_at[tid]).total_seconds() / 60)
        if citizen.rates:
            wait = (self.called_at[tid] - self.issued_at[tid]).total_seconds() / 60
            level, reason = rating_for(citizen, wait, self.profile.unhappy_after_minutes)
            self.driver.rate(c.number, tid, level, reason)
        if c.current is None:
            self.stop(c)

    # --- citizens ------------------------------------------------------------------------
    def arrive(self, citizen: Citizen) -> None:
        try:
            body = self.driver.issue(citizen.service, citizen.priority, citizen.appointment_at)
        except DomainError:
            self.result.refused += 1   # the centre's calendar or a daily cap turned them away
            return
        tid = body["id"]
        now = self.clock.now
        self.by_ticket[tid] = citizen
        self.issued_at[tid] = now
        self.waiting[citizen.service] += 1
        self.waiting_ids[tid] = citizen.service
        open_here = sum(1 for c in self.counters.values()
                        if c.status == "open" and citizen.service in c.services)
        self.result.issued.append(Issued(
            ticket_id=tid, service=citizen.service, issued_at=now.astimezone(self.tz),
            estimate=body.get("estimated_wait_minutes"),
            naive=naive_wait_minutes(body.get("people_ahead") or 0, self.recent[citizen.service],
                                     open_here, self.default_minutes),
            people_ahead=body.get("people_ahead") or 0, priority=citizen.priority,
            appointment=citizen.appointment_at is not None))
        for c in sorted(self.counters.values(), key=lambda c: c.number):
            if citizen.service in c.services and c.current is None and self.try_call(c):
                break
