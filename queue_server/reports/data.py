"""Reading what reports need from the store: the event dicts (exactly as GET /api/v1/events
shows them), the centre's names and targets, and the live counters."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..domain import lifecycle
from ..domain.errors import InvalidInput
from ..domain.model import TicketStatus
from ..service_layer import QueueService, settings_of
from ..store import tables as t
from .build import Context
from .metrics import CounterNow, Targets

PAGE = 20000
# Ratings and late actions of a ticket come after its issue day; read this far past the period.
TAIL = dt.timedelta(hours=12)


def context(svc: QueueService, centre_id: int) -> tuple[Context, ZoneInfo]:
    with svc.uow() as uow:
        centre = uow.repo.centre(centre_id)
        settings = settings_of(centre)
        try:
            targets = Targets.from_settings((centre.settings or {}).get("targets"))
        except ValueError as exc:
            raise InvalidInput(f"Thiết lập chỉ tiêu của Trung tâm không hợp lệ: {exc}") from None
        users = uow.session.execute(select(t.users.c.id, t.users.c.username, t.users.c.full_name)
                                    .where(t.users.c.centre_id == centre_id)).all()
        staff: dict = {}
        for uid, username, full_name in users:
            label = full_name or username
            staff[uid] = label
            staff[username] = label
        ctx = Context(
            centre_code=centre.code, centre_name=centre.name,
            levels=dict(settings.rating_levels), reasons=dict(settings.rating_reasons),
            targets=targets,
            service_names={s.code: s.name for s in uow.repo.services(centre_id, active_only=False)},
            counter_names={c.number: c.name for c in uow.repo.counters(centre_id)},
            staff_names=staff, default_service_minutes=settings.default_service_minutes)
        return ctx, ZoneInfo(centre.timezone)


def events(svc: QueueService, centre_id: int, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Events of [start, end + TAIL), preceded by each counter's last change before `start`
    (so a counter opened yesterday still names who holds it).

    The dicts are GET /api/v1/events items, except that `at` stays an aware local datetime
    (the metrics accept both; formatting and re-parsing a quarter of events costs seconds).
    Read as plain rows, not ORM objects, for the same reason.
    """
    c = t.events.c
    columns = (c.id, c.type, c.ticket_id, c.at, c.counter_number, c.actor, c.data)
    with svc.uow() as uow:
        centre = uow.repo.centre(centre_id)
        tz = ZoneInfo(centre.timezone)
        code = centre.code

        def item(row) -> dict:
            return {**(row.data or {}), "id": row.id, "type": row.type, "ticket_id": row.ticket_id,
                    "at": row.at.astimezone(tz), "counter": row.counter_number, "actor": row.actor,
                    "centre": code}

        latest = (select(func.max(c.id)).where(c.centre_id == centre_id, c.type == "counter.changed",
                                                c.at < start).group_by(c.counter_id))
        out = [item(row) for row in uow.session.execute(
            select(*columns).where(c.id.in_(latest)).order_by(c.id))]
        after = 0
        while True:
            rows = uow.session.execute(
                select(*columns).where(c.centre_id == centre_id, c.at >= start, c.at < end + TAIL,
                                       c.id > after).order_by(c.id).limit(PAGE)).all()
            out.extend(item(row) for row in rows)
            if len(rows) < PAGE:
                break
            after = rows[-1].id
    return out


def live_counters(svc: QueueService, centre_id: int) -> tuple[list[CounterNow], dt.datetime | None]:
    """The counters now (status, staff, since when, busy) and today's closing time."""
    with svc.uow() as uow:
        centre = uow.repo.centre(centre_id)
        tz = ZoneInfo(centre.timezone)
        settings = settings_of(centre)
        now = svc.clock()
        local = lifecycle.local_time(centre, now)
        closing_time = settings.calendar.closing_time(local.date())
        closing = (dt.datetime.combine(local.date(), closing_time, tz)
                   if closing_time is not None and closing_time != dt.time.max else None)
        out = []
        for counter in uow.repo.counters(centre_id):
            if not counter.active:
                continue
            staff = uow.repo.user(counter.staff_id) if counter.staff_id else None
            busy = any(tk.status in (TicketStatus.CALLED, TicketStatus.SERVING)
                       for tk in uow.repo.current_at(counter.id))
            out.append(CounterNow(
                number=counter.number, name=counter.name, status=str(counter.status),
                services=[s.code for s in counter.services],
                staff=(staff.full_name or staff.username) if staff else None,
                status_since=counter.status_since.astimezone(tz) if counter.status_since else None,
                busy=busy))
        return out, closing
