"""The prediction's inputs: one snapshot of a centre's queue per few seconds.

Built from `Repository.queue_situation` (three queries on indexed columns; the services'
priority settings are read with the pace, once a minute) and reused for
`TTL_SECONDS` of both the service's clock and the wall clock, so phones polling their ticket
and displays re-reading the queue cost no query at all; a simulation whose clock runs fast
still gets a fresh snapshot every few simulated seconds. What a cheap count cannot notice (a
counter opening or closing, a priority or booked ticket) makes the service layer `forget` it.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import weakref
from collections.abc import Iterable

from ..domain.model import Centre, Service, Ticket, TicketStatus
from ..domain.policy import accepted_groups
from ..domain.settings import CentreSettings
from .model import OpenCounter, RecentCall, Situation, WaitingTicket, priority_where_waiting

TTL_SECONDS = 3.0
# Recent service times change slowly, and which priority groups each service accepts even more
# rarely (an administrator's save): both are re-read once a minute.
PACE_SECONDS = 60.0

_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _ts(value: dt.datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def accepted_by_service(services: Iterable[Service], settings: CentreSettings
                        ) -> dict[int, frozenset[str]]:
    """Service id → the priority groups it calls first (`policy.accepted_groups`)."""
    return {s.id: accepted_groups(s, settings) for s in services if s.id is not None}


def build_situation(rows: dict[str, list], settings: CentreSettings, now: dt.datetime,
                    breaks: list[tuple[float, float]] | None = None,
                    recent: list[RecentCall] | None = None,
                    accepted: dict[int, frozenset[str]] | None = None) -> Situation:
    """A `Situation` from the rows of `Repository.queue_situation` (`recent`: calls read
    earlier, used instead of the rows' ended calls; `accepted`: `accepted_by_service`, without
    which every service takes every priority group of the centre)."""
    groups = frozenset(settings.priority_groups)
    services: dict[int, set[int]] = {}
    meta: dict[int, tuple[bool, int]] = {}
    for r in rows["counters"]:
        services.setdefault(r.id, set()).add(r.service_id)
        meta[r.id] = (bool(r.priority), r.priority_streak or 0)
    busy: dict[int, tuple[float, int]] = {}
    for r in rows["live"]:
        if r.status != TicketStatus.WAITING and r.counter_id is not None and r.called_at is not None:
            since = r.called_at.timestamp()
            if r.counter_id not in busy or since < busy[r.counter_id][0]:
                busy[r.counter_id] = (since, r.service_id)
    counters = [OpenCounter(cid, frozenset(services[cid]), meta[cid][0],
                            *(busy.get(cid) or (None, None)), streak=meta[cid][1])
                for cid in sorted(services)]
    waiting = [WaitingTicket(r.id, r.service_id, r.issued_at.timestamp(),
                             priority_where_waiting(r.priority, r.service_id, r.target_counter_id,
                                                    groups, accepted, counters),
                             _ts(r.appointment_at), r.target_counter_id)
               for r in rows["live"] if r.status == TicketStatus.WAITING]
    waiting.sort(key=lambda w: (w.issued_at, w.id))
    if recent is None:
        recent = []
    for r in rows["ended"]:
        end = r.finished_at or r.no_show_at
        if end is not None:
            recent.append(RecentCall(r.counter_id, r.service_id,
                                     max(0.0, (end - r.called_at).total_seconds() / 60)))
    return Situation(at=now.timestamp(), waiting=waiting, counters=counters, recent=recent,
                     default_minutes=settings.default_service_minutes,
                     interleave=settings.priority_interleave,
                     grace_seconds=settings.appointment_grace_minutes * 60, breaks=breaks or [],
                     groups=groups, accepted=accepted)


def closed_spans(centre: Centre, settings: CentreSettings, day: dt.date) -> list[tuple[float, float]]:
    """The gaps between the day's opening periods (the lunch break), as epoch seconds."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(centre.timezone)
    hours = sorted(settings.calendar.hours)
    spans = []
    for (_, end), (start, _) in zip(hours, hours[1:], strict=False):
        if end < start and end != dt.time.max:
            spans.append((dt.datetime.combine(day, end, tz).timestamp(),
                          dt.datetime.combine(day, start, tz).timestamp()))
    return spans


def situation_for(uow, centre: Centre, settings: CentreSettings, ticket: Ticket,
                  issued_before: int, now: dt.datetime) -> Situation:
    """The centre's situation for the ticket's day, from the cache when it is younger than
    TTL_SECONDS on both clocks and still agrees with `issued_before` (`Repository.issued_before`:
    the waiting tickets of its service issued before it, a cheap count made afresh for every
    ticket body and used only for this check): a burst of tickets within those seconds is never
    estimated from a snapshot that misses the people just ahead. Tickets that can overtake
    (`may_overtake`) and counters opening or closing are not counted: the service layer
    `forget`s the snapshot when it commits one. One cache per session factory (per database)."""
    key = (centre.id, ticket.day)
    wall = time.monotonic()
    with _lock:
        cache = _caches.setdefault(uow.session_factory, {})
        hit = cache.get(key)
    counter_rows = None
    if hit is not None:
        built_wall, situation, counter_rows = hit
        young = (0 <= now.timestamp() - situation.at < TTL_SECONDS
                 and wall - built_wall < TTL_SECONDS)
        if young and _issued_before(situation, ticket) == issued_before:
            return situation
        if not young:
            counter_rows = None  # a young snapshot lacks tickets: its counters are still good
    pace = cache.get(("pace", *key))
    fresh = (pace is not None and 0 <= now.timestamp() - pace[1] < PACE_SECONDS
             and wall - pace[0] < PACE_SECONDS)
    rows = uow.repo.queue_situation(centre.id, ticket.day, recent=0 if fresh else 200,
                                    counters=counter_rows is None)
    if counter_rows is not None:
        rows["counters"] = counter_rows
    accepted = (pace[3] if fresh else
                accepted_by_service(uow.repo.services(centre.id, active_only=False), settings))
    situation = build_situation(rows, settings, now, closed_spans(centre, settings, ticket.day),
                                recent=pace[2] if fresh else None, accepted=accepted)
    with _lock:
        if len(cache) > 100:
            cache.clear()
        # Counters keep the age of the snapshot they were read for, never renewed by a refresh.
        cache[key] = ((hit[0] if counter_rows is not None and hit else wall), situation,
                      rows["counters"])
        if not fresh:
            cache[("pace", *key)] = (wall, situation.at, situation.recent, accepted)
    return situation


def forget(session_factory, centre_id: int) -> None:
    """Drop the centre's cached snapshots (every day; the pace, a minute's worth of past calls,
    is kept), so the next ticket body reads the queue and the open counters afresh. Called by
    the service layer after committing what the freshness check cannot see: a counter opened,
    paused or closed, or a ticket that may overtake others. Other server processes still see the
    change within TTL_SECONDS."""
    with _lock:
        cache = _caches.get(session_factory)
        if cache:
            for key in [k for k in cache if k[0] == centre_id]:
                del cache[key]


def may_overtake(ticket: Ticket) -> bool:
    """Whether a waiting ticket may be called before tickets of its service issued earlier (a
    priority group or a booking), which a count of earlier tickets cannot notice."""
    return ticket.status == TicketStatus.WAITING and (
        ticket.priority is not None or ticket.appointment_at is not None)


def _issued_before(situation: Situation, ticket: Ticket) -> int:
    """Waiting tickets of `ticket`'s service issued before it, by the snapshot (as
    `Repository.issued_before` counts them in the database)."""
    mine = (ticket.issued_at.timestamp(), ticket.id)
    return sum(1 for w in situation.waiting
               if w.service_id == ticket.service_id and w.id != ticket.id
               and (w.issued_at, w.id) < mine)
