"""Predict when a waiting ticket will be called by replaying the default call policy forward.

The naive estimate (people ahead × mean service time ÷ open counters) goes wrong where centres
are most real: counters serve several services, priority citizens and bookings are called
first, a counter's pace differs from its neighbour's, and the one being served now is partly
done. The replay takes all of that into account: each open counter becomes free after its
expected remaining time, takes whoever `default_policy` would give it (appointments in their
window, priority groups with the interleave rule, then the longest wait), and is busy for its
expected service time. The ticket's predicted call time is when some counter takes it, and the
people ahead of it are the waiting tickets of its service taken before it in the same replay, so
the two numbers a citizen reads never contradict each other or the real call order.

Plain Python over plain values; no database, no Flask. Times are epoch seconds (floats).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.policy import priority_counts


@dataclass(frozen=True)
class WaitingTicket:
    id: int
    service_id: int
    issued_at: float
    priority: bool = False
    appointment_at: float | None = None
    target_counter_id: int | None = None


@dataclass(frozen=True)
class OpenCounter:
    id: int
    service_ids: frozenset[int]
    priority: bool = False
    busy_since: float | None = None      # call time of the ticket at the counter now
    busy_service_id: int | None = None
    streak: int = 0                      # consecutive priority calls (the interleave rule)


@dataclass(frozen=True)
class RecentCall:
    """A call of today that ended (served or no-show): its counter, service and duration."""

    counter_id: int | None
    service_id: int
    minutes: float


@dataclass(frozen=True)
class Place:
    """Where a waiting ticket stands in the replay of the call policy."""

    seconds: float | None  # from the question's `now` until called; None: no open counter can call it
    ahead: int             # waiting tickets of its service called before it


@dataclass
class Situation:
    """A centre's queue at one moment, and what recent calls say about each counter's pace."""

    at: float
    waiting: list[WaitingTicket]
    counters: list[OpenCounter]
    recent: list[RecentCall] = field(default_factory=list)
    default_minutes: float = 10.0
    interleave: int = 2
    grace_seconds: float = 15 * 60
    breaks: list[tuple[float, float]] = field(default_factory=list)  # closed spans later today
    groups: frozenset[str] = frozenset()  # the centre's priority groups
    # Service id → the groups it calls first (`policy.accepted_groups`); None: all of `groups`.
    accepted: dict[int, frozenset[str]] | None = None
    # Ticket id → (seconds from `at`, people ahead) for every ticket the whole-queue replay calls
    # (lazy, once per snapshot).
    predicted: dict[int, tuple[float, int]] | None = None

    # --- pace ----------------------------------------------------------------------------
    def __post_init__(self) -> None:
        self._by_id = {w.id: w for w in self.waiting}
        by_service: dict[int, list[float]] = {}
        for call in self.recent:
            by_service.setdefault(call.service_id, []).append(call.minutes)
        everything = [c.minutes for c in self.recent]
        overall = sum(everything) / len(everything) if len(everything) >= 3 else self.default_minutes
        # A service with few calls today borrows from the whole centre (shrunk towards it).
        self.service_minutes = {
            s: (sum(v) + 3 * overall) / (len(v) + 3) for s, v in by_service.items()}
        self.overall_minutes = overall
        ratio: dict[int, list[float]] = {}
        for call in self.recent:
            if call.counter_id is not None:
                ratio.setdefault(call.counter_id, []).append(
                    call.minutes / self.service_minutes[call.service_id])
        # A counter's pace relative to the services' means, shrunk towards 1 with few calls.
        self.counter_factor = {c: (sum(v) + 3) / (len(v) + 3) for c, v in ratio.items()}

    def minutes(self, counter_id: int, service_id: int) -> float:
        return (self.service_minutes.get(service_id, self.overall_minutes)
                * self.counter_factor.get(counter_id, 1.0))

    # --- priority ------------------------------------------------------------------------
    def priority_of(self, group: str | None, service_id: int,
                    target_counter_id: int | None = None) -> bool:
        """Whether a ticket of `group` waiting for `service_id` (or sent to one open counter)
        is called as a priority: the call policy's rule (`policy.priority_counts`)."""
        return priority_where_waiting(group, service_id, target_counter_id, self.groups,
                                      self.accepted, self.counters)

    # --- prediction ----------------------------------------------------------------------
    def place(self, ticket: WaitingTicket, now: float) -> Place:
        """When `ticket` is called and how many of its service are called before it, from one
        replay of the call policy.

        A ticket the snapshot holds unchanged is read from one replay of the whole queue; a new
        or changed ticket (issued or transferred in this very transaction) gets its own replay.
        When no open counter can call it (`seconds` None), those ahead are the tickets of its
        service the replay calls meanwhile, then the uncalled ones before it in the policy's
        static order (`_policy_key`: a booking in its window, a priority that counts, the issue
        time), i.e. as the first counter to open would call them ignoring the interleave.
        """
        if self._by_id.get(ticket.id) == ticket:
            if self.predicted is None:
                self.predicted = _replay(self, self.waiting, None)
            queue, called = self.waiting, self.predicted
        else:
            queue = [w for w in self.waiting if w.id != ticket.id]
            queue.append(ticket)
            queue.sort(key=_fifo)
            called = _replay(self, queue, ticket.id)
        hit = called.get(ticket.id)
        if hit is not None:
            return Place(max(0.0, self._wall(hit[0]) - (now - self.at)), hit[1])
        mine = _policy_key(ticket, now, self.grace_seconds)
        ahead = sum(1 for w in queue if w.service_id == ticket.service_id and w.id != ticket.id
                    and (w.id in called or _policy_key(w, now, self.grace_seconds) < mine))
        return Place(None, ahead)

    def wait_seconds(self, ticket: WaitingTicket, now: float) -> float | None:
        """Seconds from `now` until `ticket` is called, or None when no open counter can call it."""
        return self.place(ticket, now).seconds

    def _wall(self, offset: float) -> float:
        """Working seconds from `at` → elapsed seconds, skipping the closed spans (lunch)."""
        t = self.at + offset
        for start, end in self.breaks:
            if start >= self.at and t > start:
                t += end - start
        return t - self.at


def priority_where_waiting(group: str | None, service_id: int, target_counter_id: int | None,
                           groups: frozenset[str], accepted: dict[int, frozenset[str]] | None,
                           counters: Iterable[OpenCounter]) -> bool:
    """`Situation.priority_of` over plain values (also used while building a situation)."""
    if group is None:
        return False
    accepted = accepted or {}
    at_counter = None
    if target_counter_id is not None:
        at_counter = [accepted.get(sid, groups) for c in counters
                      if c.id == target_counter_id for sid in c.service_ids]
    return priority_counts(group, accepted.get(service_id, groups), at_counter)


def _fifo(w: WaitingTicket) -> tuple[float, int]:
    return (w.issued_at, w.id)


def _policy_key(w: WaitingTicket, now: float, grace: float) -> tuple[int, float, float, int]:
    """The call policy's order without a counter: bookings in their window (by appointment),
    then priorities that count, then everyone else, each by issue time."""
    if w.appointment_at is not None and abs(now - w.appointment_at) <= grace:
        return (0, w.appointment_at, *_fifo(w))
    return (1 if w.priority else 2, 0.0, *_fifo(w))


def _replay(s: Situation, waiting: Iterable[WaitingTicket], target: int | None
            ) -> dict[int, tuple[float, int]]:
    """Ticket id → (working seconds after `s.at` when it is called, tickets of its service called
    before it) for every ticket the replay calls (stops once `target` is called)."""
    # One FIFO queue per service, and per counter for tickets sent to one counter, for normal
    # and priority tickets apart: their heads are all the policy needs to compare.
    normal: dict[object, deque] = {}
    prio: dict[object, deque] = {}
    booked: list[WaitingTicket] = []
    for w in waiting:
        key = w.service_id if w.target_counter_id is None else ("at", w.target_counter_id)
        (prio if w.priority else normal).setdefault(key, deque()).append(w)
        if w.appointment_at is not None:
            booked.append(w)
    taken: set[int] = set()
    out: dict[int, tuple[float, int]] = {}
    called: dict[int, int] = {}  # service id → tickets of it called so far
    heap: list[tuple[float, int, OpenCounter]] = []
    streak: dict[int, int] = {}
    for i, c in enumerate(s.counters):
        free = 0.0
        if c.busy_since is not None:
            expected = s.minutes(c.id, c.busy_service_id or -1) * 60
            elapsed = max(0.0, s.at - c.busy_since)
            free = max(expected - elapsed, 0.3 * expected)
        heapq.heappush(heap, (free, i, c))
        streak[c.id] = c.streak

    def head(q: deque | None) -> WaitingTicket | None:
        while q and q[0].id in taken:
            q.popleft()
        return q[0] if q else None

    while heap:
        free, i, c = heapq.heappop(heap)
        now = s.at + free
        chosen = None
        if booked:
            window = [w for w in booked if w.id not in taken and abs(now - w.appointment_at) <= s.grace_seconds
                      and (w.target_counter_id == c.id if w.target_counter_id is not None
                           else w.service_id in c.service_ids)]
            if window:
                chosen = min(window, key=lambda w: (w.appointment_at, *_fifo(w)))
        keys = (*c.service_ids, ("at", c.id))
        normal_heads = [h for h in (head(normal.get(k)) for k in keys) if h]
        prio_heads = [h for h in (head(prio.get(k)) for k in keys) if h]
        if chosen is None:
            if prio_heads and (c.priority or not normal_heads or streak[c.id] < s.interleave):
                chosen = min(prio_heads, key=_fifo)
            elif normal_heads or prio_heads:
                chosen = min(normal_heads or prio_heads, key=_fifo)
        if chosen is None:
            continue  # nothing this counter may call: it stays idle (arrivals are not foreseen)
        normal_left = any(h is not chosen for h in normal_heads)
        streak[c.id] = streak[c.id] + 1 if (chosen.priority and normal_left and not c.priority) else 0
        taken.add(chosen.id)
        ahead = called.get(chosen.service_id, 0)
        called[chosen.service_id] = ahead + 1
        out[chosen.id] = (free, ahead)
        if chosen.id == target:
            break
        heapq.heappush(heap, (free + s.minutes(c.id, chosen.service_id) * 60, i, c))
    return out
