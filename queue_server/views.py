"""How entities look on the wire: one shape for the API, Socket.IO events and pages."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .domain.model import Centre, Counter, Event, Service, Ticket, TicketStatus


def iso(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """ISO 8601 in the centre's local time, with its UTC offset."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


def ticket_view(ticket: Ticket, tz: ZoneInfo, *, people_ahead: int | None = None,
                estimated_wait_minutes: int | None = None, tracking_url: str | None = None) -> dict:
    counter = ticket.counter if ticket.status != TicketStatus.WAITING else None
    # Only a waiting ticket transferred to one counter has a target; the lazy load happens then.
    target = ticket.target_counter if ticket.status == TicketStatus.WAITING \
        and ticket.target_counter_id is not None else None
    service = ticket.service
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": service.code if service else None,
        "service_name": service.name if service else None,
        "status": str(ticket.status),
        "priority": ticket.priority,
        "people_ahead": people_ahead if ticket.status == TicketStatus.WAITING else 0,
        "estimated_wait_minutes": (estimated_wait_minutes
                                   if ticket.status == TicketStatus.WAITING else 0),
        "counter": counter.number if counter else None,
        "counter_name": counter.name if counter else None,
        "target_counter": counter_ref(target),
        "issued_at": iso(ticket.issued_at, tz),
        "called_at": iso(ticket.called_at, tz),
        "started_at": iso(ticket.started_at, tz),
        "finished_at": iso(ticket.finished_at, tz),
        "appointment_at": iso(ticket.appointment_at, tz),
        "recall_count": ticket.recall_count,
        "transfer_count": ticket.transfer_count,
        "dossier_code": ticket.dossier_code,
        "cancel_reason": ticket.cancel_reason,
        "tracking_url": tracking_url,
    }


def service_view(service: Service, waiting: int) -> dict:
    return {"code": service.code, "name": service.name, "prefix": service.prefix,
            "waiting": waiting, "daily_cap": service.daily_cap, "windows": service.windows,
            "priority_enabled": service.priority_enabled,
            "priority_groups": list(service.priority_groups or [])}


def counter_view(counter: Counter, tz: ZoneInfo, *, staff_name: str | None = None) -> dict:
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "services": [s.code for s in counter.services],
        "status": str(counter.status),
        "priority": counter.priority,
        "staff": staff_name,
        "status_since": iso(counter.status_since, tz),
    }


def counter_ref(counter: Counter | None) -> dict | None:
    return {"number": counter.number, "name": counter.name} if counter else None


def event_view(event: Event, centre: Centre, tz: ZoneInfo) -> dict:
    return {
        **event.data,
        "id": event.id,
        "type": event.type,
        "ticket_id": event.ticket_id,
        "at": iso(event.at, tz),
        "counter": event.counter_number,
        "actor": event.actor,
        "centre": centre.code,
    }
