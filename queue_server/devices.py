"""Device use cases: health reports from agents, print results and reprints, the device list.

The data path stays the one tickets use: validate, change rows and record events in one unit of
work, commit, then broadcast. Ticket print events go through ``QueueService._commit`` so kiosks and
technicians get them as ``ticket.printed`` / ``ticket.print_failed`` like any ticket event; a
``device.health`` event (no ticket) is stored the same way and broadcast after commit here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .domain import lifecycle
from .domain.access import Principal, require
from .domain.errors import Conflict, InvalidInput, NotFound
from .domain.model import Centre, DeviceToken, Event, TicketStatus
from .service_layer import Message, Outcome, QueueService, centre_room, settings_of
from .store import tables as t
from .views import event_view, iso

HEALTH_STATUSES = ("ok", "warning", "offline", "error")
DEVICE_KINDS = ("agent", "display", "keypad", "printer", "scanner", "other")
# Worse first: the overall status of an agent is the worst of its devices.
_SEVERITY = {"ok": 0, "warning": 1, "offline": 2, "error": 3}
# An agent reports every few seconds; silence this long means the PC or its network is down.
STALE_SECONDS = 30
# A kiosk agent that (re)connects prints the tickets its kiosk issued this recently without it.
UNPRINTED_SECONDS = 60
MAX_DEVICES = 32
PRINT_STATUSES = ("printed", "paper_out", "paper_near_end", "cover_open", "offline", "error",
                  "unreachable", "config", "render")
REPRINTABLE = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


def client_info(svc: QueueService, principal: Principal, state: dict, public_url: str) -> dict:
    """Who a Socket.IO client is, added to the `state` it gets on connect (agents need it)."""
    number = next((c["number"] for c in state.get("counters", [])
                   if principal.counter_id and c["id"] == principal.counter_id), None)
    info = {"name": principal.name, "role": principal.role, "kind": principal.kind,
            "counter": number, "counter_id": principal.counter_id,
            "public_url": public_url.rstrip("/")}
    if principal.kind == "device" and principal.role in ("agent", "kiosk"):
        info["rating_window_seconds"] = rating_window(svc, principal.centre_id)
        if principal.role == "kiosk":
            info["unprinted"] = unprinted_tickets(svc, principal)
            info["ticket"] = ticket_layout(svc, principal.centre_id)
    return info


def rating_window(svc: QueueService, centre_id: int) -> int:
    """The centre's rating window (seconds after finish a press still rates the ticket). A device
    agent judges keypad presses by it, so it gets it on connect and in every health answer: the
    centre's setting decides for every keypad, not each PC's own file."""
    with svc.uow(read_only=True) as uow:
        return settings_of(svc.centre(uow, centre_id)).rating_window_seconds


def ticket_layout(svc: QueueService, centre_id: int) -> dict:
    """What the centre's administrator set for printed tickets (header and footer lines, time
    zone); a kiosk agent prints with it unless its own configuration overrides it."""
    with svc.uow(read_only=True) as uow:
        centre = svc.centre(uow, centre_id)
        settings = centre.settings or {}
        header, footer = settings.get("ticket_header"), settings.get("ticket_footer")
        return {"header": [str(x) for x in header] if isinstance(header, list) else [],
                "footer": [str(x) for x in footer] if isinstance(footer, list) else None,
                "timezone": centre.timezone}


def unprinted_tickets(svc: QueueService, principal: Principal) -> list[dict]:
    """Tickets this kiosk issued in the last UNPRINTED_SECONDS that are still waiting and have no
    print result: issued while its agent was disconnected, so the agent prints them on connect."""
    since = svc.clock() - dt.timedelta(seconds=UNPRINTED_SECONDS)
    c = t.events.c
    with svc.uow(read_only=True) as uow:
        issued = uow.session.execute(select(c.ticket_id).where(
            c.centre_id == principal.centre_id, c.type == "ticket.issued", c.actor == principal.actor,
            c.at >= since)).scalars().all()
        if not issued:
            return []
        done = set(uow.session.execute(select(c.ticket_id).where(
            c.ticket_id.in_(issued), c.type.in_(("ticket.printed", "ticket.print_failed")))).scalars())
        centre = svc.centre(uow, principal.centre_id)
        out = []
        for ticket_id in issued:
            ticket = uow.repo.ticket(ticket_id)
            if ticket_id not in done and ticket is not None and ticket.status == TicketStatus.WAITING:
                out.append(svc.ticket_body(uow, ticket, centre))
        return out


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise InvalidInput(f"{name} phải là chuỗi (tối đa {limit} ký tự).")
    return value.strip()


def parse_health(body: dict) -> list[dict]:
    """The `devices` list of a health report, checked; a clear error names the bad entry."""
    devices = body.get("devices")
    if not isinstance(devices, list) or not 1 <= len(devices) <= MAX_DEVICES:
        raise InvalidInput('Gửi {"devices": [{"id": "quay-3-led", "kind": "display", '
                           f'"status": "ok", "message": ""}}, …] (1–{MAX_DEVICES} thiết bị).')
    out, seen = [], set()
    for n, item in enumerate(devices, 1):
        if not isinstance(item, dict):
            raise InvalidInput(f"Thiết bị thứ {n} phải là một đối tượng JSON.")
        device_id = _text(item.get("id"), f"devices[{n}].id", 80)
        if device_id in seen:
            raise InvalidInput(f"Trùng id thiết bị: {device_id}.")
        seen.add(device_id)
        kind = item.get("kind", "other")
        if kind not in DEVICE_KINDS:
            raise InvalidInput(f"devices[{n}].kind phải là một trong: {', '.join(DEVICE_KINDS)}.")
        status = item.get("status")
        if status not in HEALTH_STATUSES:
            raise InvalidInput(f"devices[{n}].status phải là một trong: {', '.join(HEALTH_STATUSES)}.")
        message = _text(item.get("message"), f"devices[{n}].message", 300, required=False)
        out.append({"id": device_id, "kind": kind, "status": status, "message": message})
    return out


def overall_status(devices: list[dict]) -> str:
    return max((d["status"] for d in devices), key=_SEVERITY.__getitem__, default="ok")


def _health_changes(before: dict | None, devices: list[dict]) -> list[dict]:
    old = {d["id"]: d for d in (before or {}).get("devices", [])}
    changes = []
    for device in devices:
        previous = old.pop(device["id"], None)
        if previous is None or previous["status"] != device["status"]:
            changes.append({**device, "previous": previous["status"] if previous else None})
    changes += [{**d, "status": "removed", "previous": d["status"]} for d in old.values()]
    return changes


def _token(uow, principal: Principal) -> DeviceToken:
    row = uow.session.get(DeviceToken, principal.token_id) if principal.token_id else None
    if row is None or row.revoked_at is not None:
        raise NotFound("Không tìm thấy mã thiết bị này.")
    return row


def report_health(svc: QueueService, principal: Principal, body: dict) -> Outcome:
    """Store an agent's health report on its token row; on a status change record and broadcast
    a ``device.health`` event."""
    require(principal, "device:agent", "device:kiosk")
    devices = parse_health(body)
    version = _text(body.get("agent"), "agent", 80, required=False)
    with svc.uow() as uow:
        # Locked like every writer of the centre's events (their ids then follow commit order,
        # which the `event_id` of a display's state relies on).
        centre = svc.centre(uow, principal.centre_id, lock=True)
        row = _token(uow, principal)
        now = svc.clock()
        changes = _health_changes(row.health, devices)
        status = overall_status(devices)
        row.health = {"status": status, "devices": devices, "agent": version}
        row.last_contact_at = now
        messages = []
        if changes:
            event = Event(centre_id=centre.id, type="device.health", at=now, actor=principal.actor,
                          counter_id=principal.counter_id,
                          counter_number=_counter_number(uow, principal),
                          data={"device": principal.name, "role": principal.role, "status": status,
                                "changes": changes})
            uow.record(event)
            uow.flush()
            tz = ZoneInfo(centre.timezone)
            payload = {"event_id": event.id, **event_view(event, centre, tz)}
            payload.pop("id")
            messages.append(Message("device.health", payload, centre_room(centre.id)))
        uow.commit()
        svc.publish(messages)
        return Outcome({"status": status, "changed": [c["id"] for c in changes],
                        "at": iso(now, ZoneInfo(centre.timezone)),
                        "rating_window_seconds": settings_of(centre).rating_window_seconds}, 200)


def _counter_number(uow, principal: Principal) -> int | None:
    if not principal.counter_id:
        return None
    counter = uow.repo.counter(principal.counter_id)
    return counter.number if counter else None


def print_result(svc: QueueService, principal: Principal, ticket_id: int, body: dict,
                 idempotency_key: str | None = None) -> Outcome:
    """A kiosk's agent says whether the ticket came out: event ``ticket.printed`` or
    ``ticket.print_failed``. The ticket itself is never touched: it was committed before printing."""
    require(principal, "device:kiosk", "device:agent")
    ok = body.get("ok")
    if not isinstance(ok, bool):
        raise InvalidInput('Gửi {"ok": true|false, "status": "printed"|"paper_out"|…, "message": "…"}.')
    status = body.get("status") or ("printed" if ok else "error")
    if status not in PRINT_STATUSES:
        raise InvalidInput(f"status phải là một trong: {', '.join(PRINT_STATUSES)}.")
    message = _text(body.get("message"), "message", 300, required=False)
    with svc.uow() as uow:
        centre = svc.centre(uow, principal.centre_id, lock=True)
        scope = f"print:{ticket_id}"
        key, replay = svc.replay(uow, principal, idempotency_key, scope)
        if replay is not None:
            return replay
        ticket = svc.ticket(uow, principal, ticket_id)
        now = svc.clock()
        event = _ticket_event(centre, ticket, "ticket.printed" if ok else "ticket.print_failed",
                              now, principal.actor,
                              {"ok": ok, "print_status": status, "message": message,
                               "device": principal.name})
        uow.record(event)
        uow.flush()
        out = {"ticket_id": ticket.id, "number": ticket.number, "event": event.type,
               "event_id": event.id, "ok": ok, "status": status, "message": message,
               "ticket_status": str(ticket.status),
               "at": lifecycle.local_time(centre, now).isoformat(timespec="seconds")}
        if key:
            uow.repo.remember_response(key, centre.id, scope, 201, out, now)
        svc.commit(uow, centre)
        return Outcome(out, 201)


def _ticket_event(centre: Centre, ticket, type_: str, now: dt.datetime, actor: str,
                  data: dict) -> Event:
    counter = ticket.counter if ticket.counter_id else None
    return Event(centre_id=centre.id, type=type_, at=now, actor=actor, ticket_id=ticket.id,
                 counter_id=counter.id if counter else None,
                 counter_number=counter.number if counter else None,
                 data={"number": ticket.number,
                       "service": ticket.service.code if ticket.service else None,
                       "status": str(ticket.status), **data})


def issuing_kiosk(uow, ticket) -> str | None:
    """The actor (``device:NAME``) of the kiosk that issued ``ticket``, if a kiosk did."""
    c = t.events.c
    actor = uow.session.scalars(select(c.actor).where(
        c.ticket_id == ticket.id, c.type == "ticket.issued").limit(1)).first()
    return actor if actor and actor.startswith("device:") else None


def request_reprint(svc: QueueService, principal: Principal, ticket_id: int, body: dict) -> Outcome:
    """Ask a kiosk's agent to print a ticket again: the kiosk asking (a citizen at it), else the
    kiosk that issued it, else the one named in the body (``{"kiosk": "kiosk-sanh"}``)."""
    require(principal, "device:kiosk", "user:staff", "user:manager", "user:admin")
    named = body.get("kiosk")
    if named is not None:
        named = _text(named, "kiosk", 120)
    with svc.uow() as uow:
        centre = svc.centre(uow, principal.centre_id, lock=True)
        ticket = svc.ticket(uow, principal, ticket_id)
        if ticket.status not in REPRINTABLE:
            raise Conflict(f"Số {ticket.number} đã kết thúc ({ticket.status}); không in lại.",
                           code="illegal_transition")
        if principal.role == "kiosk" and principal.kind == "device":
            printer = principal.actor
        elif named:
            kiosk = next((t for t in uow.repo.tokens(centre.id)
                          if t.name == named and t.role == "kiosk" and t.revoked_at is None), None)
            if kiosk is None:
                raise NotFound(f"Không có kiosk tên '{named}'.")
            printer = f"device:{kiosk.name}"
        else:
            printer = issuing_kiosk(uow, ticket)
            if printer is None:
                raise Conflict(f"Số {ticket.number} không được cấp tại kiosk; gửi "
                               '{"kiosk": "TÊN_KIOSK"} để chọn máy in.', code="no_printer")
        now = svc.clock()
        event = _ticket_event(centre, ticket, "ticket.print_requested", now, principal.actor,
                              {"printer": printer})
        uow.record(event)
        uow.flush()
        out = {"ticket_id": ticket.id, "number": ticket.number, "event": event.type,
               "event_id": event.id, "printer": printer,
               "at": lifecycle.local_time(centre, now).isoformat(timespec="seconds")}
        svc.commit(uow, centre)
        return Outcome(out, 202)


def device_status(row: DeviceToken, now: dt.datetime) -> str:
    """ok / warning / offline / error from the last report; offline when the agent went silent;
    ``unknown`` for a token that never reported (displays, report tokens)."""
    if row.last_contact_at is None or not row.health:
        return "unknown"
    if (now - row.last_contact_at).total_seconds() > STALE_SECONDS:
        return "offline"
    return row.health.get("status", "unknown")


def list_devices(svc: QueueService, principal: Principal) -> list[dict]:
    """Every device token of the centre with its role, counter, last contact and health."""
    require(principal, "manager", "user:admin")
    return device_rows(svc, principal.centre_id)


def device_rows(svc: QueueService, centre_id: int) -> list[dict]:
    """The device list of a centre, without an access check (the technician page checks)."""
    with svc.uow() as uow:
        centre = svc.centre(uow, centre_id)
        tz = ZoneInfo(centre.timezone)
        now = svc.clock()
        numbers = {c.id: c.number for c in uow.repo.counters(centre.id)}
        out = []
        for row in uow.repo.tokens(centre.id):
            if row.revoked_at is not None:
                continue
            health = row.health or {}
            out.append({"id": row.id, "name": row.name, "role": row.role,
                        "counter": numbers.get(row.counter_id),
                        "status": device_status(row, now),
                        "last_contact_at": iso(row.last_contact_at, tz),
                        "last_seen_at": iso(row.last_seen_at, tz),
                        "agent": health.get("agent") or None,
                        "devices": health.get("devices", [])})
        return out


def recent_events(svc: QueueService, centre_id: int, *, minutes: int = 60,
                  limit: int = 500) -> list[dict]:
    """The centre's events of the last ``minutes``, newest first (the technician's page)."""
    start = svc.clock() - dt.timedelta(minutes=minutes)
    with svc.uow() as uow:
        centre = svc.centre(uow, centre_id)
        tz = ZoneInfo(centre.timezone)
        rows = uow.repo.events(centre.id, start=start, end=None, after=None, limit=100_000)
        return [event_view(e, centre, tz) for e in reversed(rows[-limit:])]
