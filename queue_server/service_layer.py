"""Use cases of the queue: load, apply the engine, persist, then announce.

Every write runs in one unit of work that first locks its centre, so two kiosks never get the
same number and two counters never call the same ticket, on SQLite and on PostgreSQL alike.
Realtime messages and answers are built after the commit, outside the writer lock (the next
writer goes on meanwhile), and published in commit order.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event

from .domain import lifecycle
from .domain.access import Principal, check_acts_at, check_acts_on, check_same_centre, require
from .domain.errors import Conflict, InvalidInput, NotFound
from .domain.estimate import estimate_wait
from .domain.model import Centre, Counter, CounterStatus, Event, Service, Ticket, TicketStatus
from .domain.policy import CallPolicy, default_policy
from .domain.settings import CentreSettings
from .prediction.situation import forget as forget_situation
from .prediction.situation import may_overtake, situation_for
from .store.uow import UnitOfWork
from .store.writer_lock import writer_lock_for
from .views import counter_ref, counter_view, event_view, service_view, ticket_view


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Message:
    """A realtime message for a Socket.IO room.

    A `queue.changed` message carries only its centre: the broadcaster computes the waiting
    counts itself, once for a burst of changes, off the request's path.
    """

    event: str
    payload: dict
    room: str
    centre_id: int | None = None


@dataclass
class Outcome:
    body: Any
    status: int = 200
    messages: list[Message] = field(default_factory=list)


@lru_cache(maxsize=64)
def _settings(raw: str) -> CentreSettings:
    import json

    return CentreSettings.from_dict(json.loads(raw))


def settings_of(centre: Centre) -> CentreSettings:
    """The centre's rules, parsed once per distinct settings (and kept on a cached snapshot)."""
    import json

    parsed = centre.__dict__.get("_parsed_settings")
    return parsed or _settings(json.dumps(centre.settings or {}, sort_keys=True))


CENTRE_TTL = 2.0  # seconds a centre's snapshot is reused (see QueueService._centre)


class InOrder:
    """Hands message batches to `publish` in the order their slots were taken.

    A slot is taken inside the transaction, so slots follow commit order; the batch is built
    after the commit by a thread that may finish before an earlier one, and waits here for it.
    Every slot taken must be delivered (an empty batch when there is nothing to say).
    """

    def __init__(self, publish: Callable[[list[Message]], None]):
        self.publish = publish
        self._lock = threading.Lock()
        self._taken = 0
        self._due = 0
        self._ready: dict[int, list[Message]] = {}

    def slot(self) -> int:
        with self._lock:
            self._taken += 1
            return self._taken - 1

    def deliver(self, slot: int, messages: list[Message]) -> None:
        with self._lock:
            self._ready[slot] = messages
            while self._due in self._ready:
                batch = self._ready.pop(self._due)
                self._due += 1
                if batch:
                    self.publish(batch)


def centre_room(centre_id: int) -> str:
    return f"centre:{centre_id}"


# Ids and numbers are 32-bit columns; a larger one from a URL or body cannot exist (and SQLite
# would raise OverflowError on it), so it is simply not found.
MAX_ID = 2**31 - 1

TICKET_ACTIONS = ("recall", "skip", "start", "finish", "transfer", "cancel", "requeue")
COUNTER_ACTIONS = ("open", "pause", "close")


class QueueService:
    def __init__(self, session_factory, *, clock: Callable[[], dt.datetime] = utcnow,
                 policy: CallPolicy = default_policy,
                 publish: Callable[[list[Message]], None] | None = None,
                 tracking_url: Callable[[Ticket], str | None] | None = None):
        self.session_factory = session_factory
        self.tracking_url = tracking_url or (lambda ticket: None)
        self._write_lock = writer_lock_for(session_factory.kw["bind"].url)
        self._centres: dict[int, tuple[float, Centre]] = {}
        self._services: dict[int, tuple[float, dict[str, Service]]] = {}
        sa_event.listen(session_factory, "before_flush", self._forget_changed_centres)
        sa_event.listen(session_factory, "after_commit", self._forget_after_commit)
        self.clock = clock
        self.policy = policy
        self.publish = publish or (lambda messages: None)
        self._in_order = InOrder(lambda messages: self.publish(messages))

    def uow(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.session_factory, read_only=read_only, write_lock=self._write_lock)

    # --- helpers ---------------------------------------------------------------------------
    def centre(self, uow: UnitOfWork, centre_id: int, *, lock: bool = False) -> Centre:
        """The centre, as a read-only snapshot reused for `CENTRE_TTL` seconds: every request
        needs it, and it changes only when an administrator saves (which clears it at once in
        this process; other processes see the change within the TTL)."""
        if lock:
            uow.repo.lock_centre(centre_id)
        now = time.monotonic()
        hit = self._centres.get(centre_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        centre = uow.repo.centre(centre_id)
        if centre is None:
            raise NotFound("Không tìm thấy Trung tâm.")
        snapshot = Centre(**{f.name: copy.deepcopy(getattr(centre, f.name))
                             for f in dataclasses.fields(Centre)})
        snapshot.__dict__["_parsed_settings"] = settings_of(snapshot)  # never changes: read-only
        self._centres[centre_id] = (now + CENTRE_TTL, snapshot)
        return snapshot

    def service_by_code(self, uow: UnitOfWork, centre_id: int, code: str) -> Service | None:
        """A service of the centre, from a snapshot kept like the centre's (`CENTRE_TTL`) and
        merged into this session without a query: every ticket issued needs one."""
        now = time.monotonic()
        hit = self._services.get(centre_id)
        if hit is None or hit[0] <= now:
            loaded = uow.repo.services(centre_id, active_only=False)
            for service in loaded:
                uow.session.expunge(service)  # detached and never changed: safe to share
            hit = (now + CENTRE_TTL, {s.code: s for s in loaded})
            self._services[centre_id] = hit
        cached = hit[1].get(code)
        return None if cached is None else uow.session.merge(cached, load=False)

    def _forget_changed_centres(self, session, *_args) -> None:
        """Drop cached centres (and their services) this session writes (before the flush
        and again after commit)."""
        changed = session.info.setdefault("motcua_centres", set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Centre) and obj.id is not None:
                changed.add(obj.id)
            elif isinstance(obj, Service) and obj.centre_id is not None:
                changed.add(obj.centre_id)
        for centre_id in changed:
            self._forget_centre(centre_id)

    def _forget_after_commit(self, session) -> None:
        for centre_id in session.info.pop("motcua_centres", ()):
            self._forget_centre(centre_id)

    def _forget_centre(self, centre_id: int) -> None:
        self._centres.pop(centre_id, None)
        self._services.pop(centre_id, None)

    def ticket(self, uow: UnitOfWork, principal: Principal, ticket_id: int) -> Ticket:
        ticket = uow.repo.ticket(ticket_id) if 0 < ticket_id <= MAX_ID else None
        if ticket is None or ticket.centre_id != principal.centre_id:
            raise NotFound(f"Không tìm thấy số thứ tự có mã {ticket_id}.")
        return ticket

    def _counter(self, uow: UnitOfWork, principal: Principal, counter_id: int) -> Counter:
        counter = uow.repo.counter(counter_id) if 0 < counter_id <= MAX_ID else None
        if counter is None or counter.centre_id != principal.centre_id or not counter.active:
            raise NotFound(f"Không tìm thấy quầy có mã {counter_id}.")
        return counter

    def ticket_body(self, uow: UnitOfWork, ticket: Ticket, centre: Centre) -> dict:
        """The ticket as the API shows it; built once per transaction (after its changes)."""
        key = ("ticket", ticket.id)
        if key not in uow.cache:
            uow.cache[key] = self._build_ticket_body(uow, ticket, centre)
        return uow.cache[key]

    def _build_ticket_body(self, uow: UnitOfWork, ticket: Ticket, centre: Centre) -> dict:
        tz = ZoneInfo(centre.timezone)
        link = self.tracking_url(ticket)
        if ticket.status != TicketStatus.WAITING:
            return ticket_view(ticket, tz, tracking_url=link)
        # The SQL count (same service, issued earlier) only checks that the cached snapshot
        # misses nobody; who is really ahead comes from the replay, with the estimate.
        issued_before = uow.repo.issued_before(ticket)
        now = self.clock()
        situation = situation_for(uow, centre, settings_of(centre), ticket, issued_before, now)
        estimate = estimate_wait(ticket, situation, now)
        return ticket_view(ticket, tz, people_ahead=estimate.people_ahead,
                           estimated_wait_minutes=estimate.minutes, tracking_url=link)

    def commit(self, uow: UnitOfWork, centre: Centre) -> list[Message]:
        """Flush and commit; then, beside the next writer, turn the recorded events into
        messages and publish them (in commit order). The unit of work only reads afterwards."""
        # The session's identity map holds objects weakly: keep what this transaction changed
        # alive, so the messages below find its tickets there instead of loading them again.
        changed = [*uow.session.dirty, *uow.session.new]
        slot = self._in_order.slot()
        messages: list[Message] = []
        try:
            uow.commit_and_read()
            messages = self._messages(uow, centre)
        finally:
            self._in_order.deliver(slot, messages)
            del changed
        return messages

    def _messages(self, uow: UnitOfWork, centre: Centre) -> list[Message]:
        tz = ZoneInfo(centre.timezone)
        room = centre_room(centre.id)
        # Does the centre's prediction snapshot miss what this commit changed? Then drop it
        # before the answers below are built from it.
        if any(event.type == "counter.changed" or may_overtake(uow.repo.ticket(event.ticket_id))
               for event in uow.events):
            forget_situation(self.session_factory, centre.id)
        messages: list[Message] = []
        queue_touched = False
        for event in uow.events:
            base = {"event_id": event.id, "at": lifecycle.local_time(centre, event.at).isoformat(
                timespec="seconds"), "actor": event.actor}
            if event.type == "counter.changed":
                counter = uow.repo.counter(event.counter_id)
                messages.append(Message(event.type, {**base, **event.data,
                                                     "counter": counter_view(counter, tz)}, room))
                queue_touched = True
                continue
            ticket = uow.repo.ticket(event.ticket_id)
            counter = uow.repo.counter(event.counter_id) if event.counter_id else None
            payload = {**base, **event_view(event, centre, tz),
                       "ticket": self.ticket_body(uow, ticket, centre),
                       "counter": counter_ref(counter)}
            payload.pop("id")
            messages.append(Message(event.type, payload, room))
            queue_touched = queue_touched or event.type != "ticket.rated"
        if queue_touched:
            messages.append(Message("queue.changed", {}, room, centre_id=centre.id))
        return messages

    def queue_snapshot(self, centre_id: int) -> dict:
        """The `queue.changed` payload: waiting tickets per service code, now."""
        with self.uow(read_only=True) as uow:
            centre = self.centre(uow, centre_id)
            waiting = uow.repo.waiting_by_code(centre.id, lifecycle.local_day(centre, self.clock()))
            return {"waiting": waiting, "total": sum(waiting.values())}

    # --- reads -----------------------------------------------------------------------------
    def list_services(self, principal: Principal) -> list[dict]:
        with self.uow(read_only=True) as uow:
            centre = self.centre(uow, principal.centre_id)
            day = lifecycle.local_day(centre, self.clock())
            counts = uow.repo.waiting_counts(centre.id, day)
            return [service_view(s, counts.get(s.id, 0)) for s in uow.repo.services(centre.id)]

    def list_counters(self, principal: Principal) -> list[dict]:
        with self.uow(read_only=True) as uow:
            centre = self.centre(uow, principal.centre_id)
            tz = ZoneInfo(centre.timezone)
            out = []
            for counter in uow.repo.counters(centre.id):
                staff = uow.repo.user(counter.staff_id) if counter.staff_id else None
                out.append(counter_view(counter, tz, staff_name=staff.full_name if staff else None))
            return out

    def get_ticket(self, principal: Principal, ticket_id: int) -> dict:
        with self.uow(read_only=True) as uow:
            ticket = self.ticket(uow, principal, ticket_id)
            return self.ticket_body(uow, ticket, self.centre(uow, ticket.centre_id))

    def state(self, centre_id: int, *, recent: int = 10) -> dict:
        """Everything a display needs to draw itself from nothing (sent on every connect)."""
        with self.uow(read_only=True) as uow:
            centre = self.centre(uow, centre_id)
            tz = ZoneInfo(centre.timezone)
            now = self.clock()
            day = lifecycle.local_day(centre, now)
            settings = settings_of(centre)
            counts = uow.repo.waiting_counts(centre.id, day)
            services = uow.repo.services(centre.id)
            counters = []
            for counter in uow.repo.counters(centre.id):
                view = counter_view(counter, tz)
                current = uow.repo.current_at(counter.id)
                view["current"] = ticket_view(current[-1], tz) if current else None
                counters.append(view)
            return {
                "centre": {"code": centre.code, "name": centre.name, "address": centre.address},
                "event_id": uow.repo.last_event_id(centre.id),
                "server_time": lifecycle.local_time(centre, now).isoformat(timespec="seconds"),
                "notice": settings.notice,
                "announcement": settings.announcement,
                "services": [service_view(s, counts.get(s.id, 0)) for s in services],
                "waiting": {s.code: counts.get(s.id, 0) for s in services},
                "counters": counters,
                "recent_calls": [
                    {"ticket": ticket_view(t, tz), "counter": counter_ref(t.counter)}
                    for t in uow.repo.recent_calls(centre.id, day, recent)
                ],
            }

    def events(self, principal: Principal, *, start: dt.datetime | None, end: dt.datetime | None,
               after: int | None, limit: int) -> dict:
        with self.uow(read_only=True) as uow:
            centre = self.centre(uow, principal.centre_id)
            tz = ZoneInfo(centre.timezone)
            rows = uow.repo.events(centre.id, start=start, end=end, after=after, limit=limit + 1)
            items = [event_view(e, centre, tz) for e in rows[:limit]]
            return {"items": items, "next": items[-1]["id"] if len(rows) > limit else None}

    # --- writes ----------------------------------------------------------------------------
    def issue(self, principal: Principal, service_code: str, *, priority: str | None = None,
              appointment_at: dt.datetime | None = None, source: str | None = None) -> Outcome:
        require(principal, "device:kiosk", "user:staff", "user:manager", "user:admin")
        with self.uow() as uow:
            centre = self.centre(uow, principal.centre_id, lock=True)
            settings = settings_of(centre)
            service = self.service_by_code(uow, centre.id, service_code)
            if service is None or not service.active:
                codes = ", ".join(s.code for s in uow.repo.services(centre.id))
                raise NotFound(f"Không có dịch vụ mã '{service_code}'. Các mã hiện có: {codes}.")
            now = self.clock()
            lifecycle.check_ticketing_open(centre, settings, service, now)
            seq = uow.repo.next_seq(service.id, lifecycle.local_day(centre, now))
            ticket, event = lifecycle.issue_ticket(
                centre, settings, service, seq, now, actor=principal.actor, priority=priority,
                appointment_at=appointment_at,
                source=source or ("kiosk" if principal.role == "kiosk" else "counter"),
            )
            uow.repo.insert_ticket(ticket)
            event.ticket_id = ticket.id
            uow.record(event)
            messages = self.commit(uow, centre)
            return Outcome(self.ticket_body(uow, ticket, centre), 201, messages)

    def call_next(self, principal: Principal, counter_id: int) -> Outcome:
        with self.uow() as uow:
            self.centre(uow, principal.centre_id, lock=True)
            counter = self._counter(uow, principal, counter_id)
            check_acts_at(principal, counter)
            centre = self.centre(uow, counter.centre_id)
            now = self.clock()
            day = lifecycle.local_day(centre, now)
            ticket, events = lifecycle.call_next(
                counter, uow.repo.current_at(counter.id), uow.repo.waiting_for(counter, day),
                settings_of(centre), now, actor=principal.actor, policy=self.policy)
            uow.record(*events)
            if ticket is None and not events:
                return Outcome(None, 204)
            messages = self.commit(uow, centre)
            body = self.ticket_body(uow, ticket, centre) if ticket else None
            return Outcome(body, 200 if ticket else 204, messages)

    def ticket_action(self, principal: Principal, ticket_id: int, action: str,
                      params: dict[str, Any] | None = None) -> Outcome:
        params = params or {}
        if action not in TICKET_ACTIONS:
            raise NotFound(f"Không có thao tác '{action}'.")
        with self.uow() as uow:
            self.centre(uow, principal.centre_id, lock=True)
            ticket = self.ticket(uow, principal, ticket_id)
            centre = self.centre(uow, ticket.centre_id)
            settings = settings_of(centre)
            now = self.clock()
            actor = principal.actor
            own = self._own_counter(uow, principal)
            counter = ticket.counter if ticket.counter_id else None
            if action == "requeue":
                require(principal, "device:kiosk", "user:staff", "user:manager", "user:admin")
                event = lifecycle.requeue(ticket, settings, now, actor=actor)
            else:
                require(principal, "device:agent", "user:staff", "user:manager", "user:admin")
                check_acts_on(principal, ticket, own)
                if action == "recall":
                    event = lifecycle.recall(ticket, counter, settings, now, actor=actor)
                elif action == "skip":
                    event = lifecycle.skip(ticket, counter, now, actor=actor)
                elif action == "start":
                    event = lifecycle.start(ticket, counter, now, actor=actor)
                elif action == "finish":
                    event = lifecycle.finish(ticket, counter or own, now, actor=actor,
                                             dossier_code=params.get("dossier_code"))
                elif action == "cancel":
                    reason = params.get("reason") or "cancelled"
                    if not isinstance(reason, str) or len(reason) > 40:
                        raise InvalidInput("Lý do hủy phải là chuỗi ngắn (tối đa 40 ký tự).")
                    event = lifecycle.cancel(ticket, now, actor=actor, reason=reason,
                                             counter=counter)
                else:
                    event = self._transfer(uow, principal, ticket, counter, params, now)
            uow.record(event)
            messages = self.commit(uow, centre)
            return Outcome(self.ticket_body(uow, ticket, centre), 200, messages)

    def _own_counter(self, uow: UnitOfWork, principal: Principal) -> Counter | None:
        if principal.kind == "device" and principal.counter_id:
            return uow.repo.counter(principal.counter_id)
        if principal.user_id:
            return uow.repo.counter_of_staff(principal.user_id)
        return None

    def _transfer(self, uow, principal, ticket, counter, params, now) -> Event:
        service_code, counter_number = params.get("service"), params.get("counter")
        if (service_code is None) == (counter_number is None):
            raise InvalidInput('Chuyển đến đâu? Gửi {"service": MÃ_DỊCH_VỤ} hoặc {"counter": SỐ_QUẦY}.')
        to_service = to_counter = None
        if service_code is not None:
            if not isinstance(service_code, str):
                raise InvalidInput("Mã dịch vụ phải là chuỗi.")
            to_service = uow.repo.service_by_code(ticket.centre_id, service_code)
            if to_service is None:
                raise NotFound(f"Không có dịch vụ mã '{service_code}'.")
        else:
            if isinstance(counter_number, bool) or not isinstance(counter_number, int):
                raise InvalidInput("Số quầy phải là số nguyên.")
            to_counter = (uow.repo.counter_by_number(ticket.centre_id, counter_number)
                          if abs(counter_number) <= MAX_ID else None)
            if to_counter is None or not to_counter.active:
                raise NotFound(f"Không có quầy số {counter_number}.")
        return lifecycle.transfer(ticket, now, actor=principal.actor, counter=counter,
                                  to_service=to_service, to_counter=to_counter)

    def counter_action(self, principal: Principal, counter_id: int, action: str) -> Outcome:
        if action not in COUNTER_ACTIONS:
            raise NotFound(f"Không có thao tác '{action}'.")
        require(principal, "device:agent", "user:staff", "user:manager", "user:admin")
        with self.uow() as uow:
            centre = self.centre(uow, principal.centre_id, lock=True)
            counter = self._counter(uow, principal, counter_id)
            now = self.clock()
            if action == "open":
                event = self._open(uow, principal, counter, now)
            else:
                check_acts_at(principal, counter)
                if action == "pause":
                    event = lifecycle.pause_counter(counter, now, principal.actor)
                else:
                    if uow.repo.current_at(counter.id):
                        raise Conflict(
                            f"Quầy số {counter.number} đang phục vụ một số thứ tự; hãy hoàn thành, "
                            "chuyển hoặc đánh dấu vắng mặt trước khi đóng quầy.",
                            code="counter_busy")
                    event = lifecycle.close_counter(counter, now, principal.actor)
            uow.record(event)
            tz = ZoneInfo(centre.timezone)
            self.commit(uow, centre)
            return Outcome(counter_view(counter, tz), 200)

    def _open(self, uow: UnitOfWork, principal: Principal, counter: Counter,
              now: dt.datetime) -> Event:
        check_same_centre(principal, counter.centre_id)
        if principal.kind == "device":
            check_acts_at(principal, counter)
            return lifecycle.open_counter(counter, None, now, principal.actor)
        user = uow.repo.user(principal.user_id)
        held = uow.repo.counter_of_staff(user.id)
        if held is not None and held.id != counter.id:
            raise Conflict(f"Bạn đang mở quầy số {held.number}; hãy đóng quầy đó trước.",
                           code="already_open_elsewhere")
        if principal.is_admin and counter.staff_id not in (None, user.id) \
                and counter.status != CounterStatus.CLOSED:
            # An admin may reopen a counter someone else holds without taking it over.
            return lifecycle.open_counter(counter, None, now, principal.actor)
        return lifecycle.open_counter(counter, user, now, principal.actor)

    def replay(self, uow: UnitOfWork, principal: Principal, idempotency_key: str | None,
               scope: str) -> tuple[str | None, Outcome | None]:
        """(stored key, the first answer) for a repeated Idempotency-Key; (key, None) when new.

        A key is remembered per centre and for one request `scope`; reused elsewhere it is a 409.
        """
        if not idempotency_key:
            return None, None
        key = f"{principal.centre_id}:{idempotency_key}"
        stored = uow.repo.idempotent_response(key)
        if stored is None:
            return key, None
        if stored[0] != scope:
            raise Conflict("Idempotency-Key này đã được dùng cho một yêu cầu khác.",
                           code="idempotency_key_reused")
        return key, Outcome(stored[2], stored[1])

    def rate(self, principal: Principal, ticket_id: int, *, level: Any, pressed_at: dt.datetime,
             reason: str | None, idempotency_key: str | None, source: str) -> Outcome:
        require(principal, "device:agent", "device:kiosk", "user:staff", "user:manager",
                "user:admin")
        with self.uow() as uow:
            self.centre(uow, principal.centre_id, lock=True)
            scope = f"rating:{ticket_id}"
            key, replay = self.replay(uow, principal, idempotency_key, scope)
            if replay is not None:
                return replay
            ticket = self.ticket(uow, principal, ticket_id)
            centre = self.centre(uow, ticket.centre_id)
            if principal.role == "agent" or (principal.is_person and not principal.is_admin):
                if ticket.counter is None:
                    raise Conflict("Số này chưa được phục vụ tại quầy nào.", code="not_finished")
                check_acts_at(principal, ticket.counter)
            now = self.clock()
            existing = uow.repo.rating_for(ticket.id)
            rating, event, replaced = lifecycle.rate(
                ticket, existing, settings_of(centre), level=level, pressed_at=pressed_at,
                received_at=now, reason=reason, source=source, actor=principal.actor)
            if not replaced:
                uow.repo.add(rating)
            uow.record(event)
            uow.flush()
            body = {"ticket_id": ticket.id, "number": ticket.number, "level": rating.level,
                    "scale": rating.scale, "reason": rating.reason, "replaced": replaced,
                    "pressed_at": lifecycle.local_time(centre, pressed_at).isoformat(),
                    "label": settings_of(centre).rating_levels[rating.level],
                    "counter": ticket.counter.number if ticket.counter else None,
                    "at": lifecycle.local_time(centre, now).isoformat(timespec="seconds")}
            status = 200 if replaced else 201
            if key:
                uow.repo.remember_response(key, centre.id, scope, status, body, now)
            self.commit(uow, centre)
            return Outcome(body, status)

    def close_due(self) -> int:
        """Cancel tickets still waiting after closing time, for every centre. Returns the count."""
        total = 0
        with self.uow(read_only=True) as uow:
            centre_ids = [c.id for c in uow.repo.centres()]
        for centre_id in centre_ids:
            with self.uow() as uow:
                centre = self.centre(uow, centre_id, lock=True)
                events = lifecycle.close_day(centre, settings_of(centre),
                                             uow.repo.waiting(centre.id), self.clock())
                if events:
                    uow.record(*events)
                    self.commit(uow, centre)
                    total += len(events)
        return total
