"""Entities of a service centre: services, counters, staff, tickets, ratings and events.

They are plain dataclasses; the store maps them onto tables imperatively, so the engine can
change them directly and the unit of work persists what changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .tracking_code import new_tracking_code


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class CounterStatus(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


ACTIVE_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)


@dataclass(eq=False)
class Centre:
    code: str
    name: str
    timezone: str = "Asia/Ho_Chi_Minh"
    settings: dict[str, Any] = field(default_factory=dict)
    address: str = ""
    id: int | None = None


@dataclass(eq=False)
class Service:
    centre_id: int
    code: str
    name: str
    prefix: str
    daily_cap: int | None = None
    # Ticketing windows as [["07:30", "11:30"], ["13:30", "16:30"]]; empty = the opening hours.
    windows: list[list[str]] = field(default_factory=list)
    sort_order: int = 0
    active: bool = True
    id: int | None = None
    # Priority tickets: off for some services; `priority_groups` lists the accepted group codes
    # (empty = every group of the centre).
    priority_enabled: bool = True
    priority_groups: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Counter:
    centre_id: int
    number: int
    name: str
    priority: bool = False
    status: CounterStatus = CounterStatus.CLOSED
    staff_id: int | None = None
    status_since: dt.datetime | None = None
    # Consecutive priority calls while normal tickets waited (the interleave rule).
    priority_streak: int = 0
    services: list[Service] = field(default_factory=list)
    active: bool = True
    id: int | None = None
    sort_order: int = 0  # order on the admin page and the displays; ties by number

    @property
    def service_ids(self) -> set[int]:
        return {s.id for s in self.services if s.id is not None}


@dataclass(eq=False)
class User:
    centre_id: int
    username: str
    full_name: str
    role: str  # staff | manager | admin
    password_hash: str = ""
    active: bool = True
    # Counters this user may open; empty means every counter of the centre.
    allowed_counters: list[Counter] = field(default_factory=list)
    id: int | None = None

    def may_use(self, counter: Counter) -> bool:
        return not self.allowed_counters or any(c.id == counter.id for c in self.allowed_counters)


@dataclass(eq=False)
class DeviceToken:
    centre_id: int
    name: str
    role: str  # kiosk | display | agent | manager
    token_hash: str
    counter_id: int | None = None
    created_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    last_seen_at: dt.datetime | None = None
    # The device agent's last health report: when it came and what it said.
    last_contact_at: dt.datetime | None = None
    health: dict[str, Any] | None = None
    id: int | None = None


@dataclass(eq=False)
class Ticket:
    centre_id: int
    service_id: int
    day: dt.date
    seq: int
    number: str
    issued_at: dt.datetime
    status: TicketStatus = TicketStatus.WAITING
    priority: str | None = None
    appointment_at: dt.datetime | None = None
    counter_id: int | None = None
    # A transfer to one specific counter: only that counter may call the ticket.
    target_counter_id: int | None = None
    staff_id: int | None = None
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    recall_count: int = 0
    transfer_count: int = 0
    dossier_code: str | None = None
    cancel_reason: str | None = None
    source: str = "kiosk"
    # Numbers are unique per issuing service and day, even after a transfer.
    issued_service_id: int | None = None
    # The key of the citizen's phone page (/t/<code>): random, never derived from the id.
    tracking_code: str = field(default_factory=new_tracking_code)
    id: int | None = None
    service: Service | None = None
    counter: Counter | None = None
    # The counter of `target_counter_id`: who may act on the ticket while it waits there.
    target_counter: Counter | None = None


@dataclass(eq=False)
class Rating:
    centre_id: int
    ticket_id: int
    level: int
    scale: int
    pressed_at: dt.datetime
    received_at: dt.datetime
    reason: str | None = None
    source: str = "keypad"
    counter_id: int | None = None
    staff_id: int | None = None
    service_id: int | None = None
    dossier_code: str | None = None
    id: int | None = None


@dataclass(eq=False)
class Event:
    """One state change: the single source of every metric and every realtime message."""

    centre_id: int
    type: str
    at: dt.datetime
    actor: str
    ticket_id: int | None = None
    counter_id: int | None = None
    counter_number: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
