"""The queue engine: every change to a ticket or a counter, as named transitions.

Each function checks the rule, changes the entities in place and returns the `Event`s that
record it. Persistence and notification are the caller's business (the service layer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from .errors import Conflict, Forbidden, InvalidInput
from .model import (
    ACTIVE_STATUSES,
    Centre,
    Counter,
    CounterStatus,
    Event,
    Rating,
    Service,
    Ticket,
    TicketStatus,
    User,
)
from .policy import CallPolicy, callable_here, counts_as_priority, default_policy
from .settings import CentreSettings, parse_periods

DOSSIER_CODE_MAX = 40


def local_time(centre: Centre, now: dt.datetime) -> dt.datetime:
    return now.astimezone(ZoneInfo(centre.timezone))


def local_day(centre: Centre, now: dt.datetime) -> dt.date:
    """Numbers restart with each local day of the centre, not of the server."""
    return local_time(centre, now).date()


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def _event(
    type_: str, ticket: Ticket, now: dt.datetime, actor: str, counter: Counter | None = None, **data
) -> Event:
    service = ticket.service
    data = {
        "number": ticket.number,
        "service": service.code if service else None,
        "status": str(ticket.status),
        **data,
    }
    return Event(
        centre_id=ticket.centre_id,
        type=type_,
        at=now,
        actor=actor,
        ticket_id=ticket.id,
        counter_id=counter.id if counter else None,
        counter_number=counter.number if counter else None,
        data=data,
    )


def _require(ticket: Ticket, allowed: Sequence[TicketStatus], action: str) -> None:
    if ticket.status not in allowed:
        raise Conflict(
            f"Không thể {action} số {ticket.number}: số này đang ở trạng thái "
            f"'{STATUS_LABELS[ticket.status]}'.",
            code="illegal_transition",
        )


STATUS_LABELS = {
    TicketStatus.WAITING: "đang chờ",
    TicketStatus.CALLED: "đã gọi",
    TicketStatus.SERVING: "đang phục vụ",
    TicketStatus.DONE: "đã xong",
    TicketStatus.NO_SHOW: "vắng mặt",
    TicketStatus.CANCELLED: "đã hủy",
}


# --- issuing -------------------------------------------------------------------------------

def check_ticketing_open(
    centre: Centre, settings: CentreSettings, service: Service, now: dt.datetime
) -> None:
    """Refuse a ticket on a closed day, outside opening hours or outside the service's windows."""
    local = local_time(centre, now)
    if not service.active:
        raise Conflict(f"Dịch vụ {service.name} hiện không nhận hồ sơ.", code="service_inactive")
    if not settings.calendar.is_open_day(local.date()):
        raise Conflict("Hôm nay Trung tâm không làm việc. Vui lòng quay lại vào ngày làm việc.",
                       code="closed_day")
    if service.windows:
        periods = parse_periods(service.windows)
        where = "giờ lấy số của dịch vụ"
    else:
        periods = list(settings.calendar.hours)
        where = "giờ làm việc"
    if not any(start <= local.time() < end for start, end in periods):
        spans = ", ".join(f"{s:%H:%M}–{e:%H:%M}" if e != dt.time.max else f"{s:%H:%M}–24:00"
                          for s, e in periods)
        raise Conflict(f"Ngoài {where} ({spans}). Vui lòng quay lại trong khung giờ này.",
                       code="outside_hours")


def issue_ticket(
    centre: Centre,
    settings: CentreSettings,
    service: Service,
    seq: int,
    now: dt.datetime,
    *,
    actor: str,
    priority: str | None = None,
    appointment_at: dt.datetime | None = None,
    source: str = "kiosk",
) -> tuple[Ticket, Event]:
    """A new waiting ticket with the day's next number `seq` of its service."""
    if priority is not None and priority not in settings.priority_groups:
        groups = ", ".join(settings.priority_groups)
        raise InvalidInput(f"Nhóm ưu tiên '{priority}' không có. Chọn một trong: {groups}.")
    if priority is not None and not service.priority_enabled:
        raise InvalidInput(f"Dịch vụ {service.name} không phát số ưu tiên; hãy lấy số thường.")
    if priority is not None and service.priority_groups and priority not in service.priority_groups:
        names = ", ".join(settings.priority_groups.get(g, g) for g in service.priority_groups)
        raise InvalidInput(f"Dịch vụ {service.name} chỉ nhận số ưu tiên cho: {names}.")
    if service.daily_cap is not None and seq > service.daily_cap:
        raise Conflict(
            f"Dịch vụ {service.name} đã phát hết {service.daily_cap} số của hôm nay. "
            "Vui lòng quay lại vào ngày làm việc tiếp theo hoặc đặt lịch hẹn.",
            code="cap_reached",
        )
    ticket = Ticket(
        centre_id=centre.id,
        service_id=service.id,
        day=local_day(centre, now),
        seq=seq,
        number=format_number(service.prefix, seq),
        issued_at=now,
        priority=priority,
        appointment_at=appointment_at,
        source=source,
        issued_service_id=service.id,
    )
    ticket.service = service
    return ticket, _event("ticket.issued", ticket, now, actor, priority=priority, source=source)


# --- counters --------------------------------------------------------------------------------

def open_counter(counter: Counter, user: User | None, now: dt.datetime, actor: str) -> Event:
    """Open (or resume) a counter; a staff member holds one counter at a time."""
    if user is not None:
        if not user.may_use(counter):
            raise Forbidden(f"Bạn không được phân công mở quầy số {counter.number}.")
        if counter.staff_id not in (None, user.id) and counter.status != CounterStatus.CLOSED:
            raise Conflict(f"Quầy số {counter.number} đang do cán bộ khác mở.", code="counter_taken")
    before = counter.status
    counter.status = CounterStatus.OPEN
    if user is not None:
        counter.staff_id = user.id
    if before != CounterStatus.OPEN:
        counter.status_since = now
    return _counter_event(counter, now, actor, "resumed" if before == CounterStatus.PAUSED else "opened")


def pause_counter(counter: Counter, now: dt.datetime, actor: str) -> Event:
    if counter.status == CounterStatus.CLOSED:
        raise Conflict(f"Quầy số {counter.number} đang đóng; hãy mở quầy trước.", code="counter_closed")
    counter.status = CounterStatus.PAUSED
    counter.status_since = now
    return _counter_event(counter, now, actor, "paused")


def close_counter(counter: Counter, now: dt.datetime, actor: str) -> Event:
    counter.status = CounterStatus.CLOSED
    counter.staff_id = None
    counter.status_since = now
    counter.priority_streak = 0
    return _counter_event(counter, now, actor, "closed")


def _counter_event(counter: Counter, now: dt.datetime, actor: str, change: str) -> Event:
    return Event(
        centre_id=counter.centre_id, type="counter.changed", at=now, actor=actor,
        counter_id=counter.id, counter_number=counter.number,
        data={"status": str(counter.status), "change": change, "staff_id": counter.staff_id},
    )


# --- calling and serving ---------------------------------------------------------------------

def call_next(
    counter: Counter,
    current: Sequence[Ticket],
    waiting: Sequence[Ticket],
    settings: CentreSettings,
    now: dt.datetime,
    *,
    actor: str,
    policy: CallPolicy = default_policy,
) -> tuple[Ticket | None, list[Event]]:
    """Finish what the counter is serving, then call whoever the policy picks (or nobody)."""
    if counter.status != CounterStatus.OPEN:
        state = "đang tạm dừng" if counter.status == CounterStatus.PAUSED else "đang đóng"
        raise Conflict(f"Quầy số {counter.number} {state}; hãy mở quầy để gọi số.",
                       code="counter_not_open")
    events = [finish(t, counter, now, actor=actor, auto=True) for t in current]
    chosen = policy(counter, waiting, now, settings)
    if chosen is None:
        return None, events
    normal_waiting = any(
        not counts_as_priority(counter, t, settings)
        for t in waiting if t is not chosen and callable_here(counter, t)
    )
    if counts_as_priority(counter, chosen, settings) and normal_waiting and not counter.priority:
        counter.priority_streak += 1
    else:
        counter.priority_streak = 0
    events.append(call(chosen, counter, now, actor=actor))
    return chosen, events


def call(ticket: Ticket, counter: Counter, now: dt.datetime, *, actor: str) -> Event:
    _require(ticket, [TicketStatus.WAITING], "gọi")
    ticket.status = TicketStatus.CALLED
    ticket.counter_id = counter.id
    ticket.counter = counter
    ticket.target_counter_id = None
    ticket.target_counter = None
    ticket.staff_id = counter.staff_id
    ticket.called_at = now
    ticket.recall_count = 0
    return _event("ticket.called", ticket, now, actor, counter,
                  wait_seconds=round((now - ticket.issued_at).total_seconds()))


def recall(ticket: Ticket, counter: Counter, settings: CentreSettings, now: dt.datetime, *,
           actor: str) -> Event:
    _require(ticket, [TicketStatus.CALLED], "gọi lại")
    if ticket.recall_count >= settings.recall_limit:
        raise Conflict(
            f"Đã gọi lại số {ticket.number} {ticket.recall_count} lần (tối đa {settings.recall_limit}). "
            "Hãy đánh dấu vắng mặt hoặc bắt đầu phục vụ.",
            code="recall_limit",
        )
    ticket.recall_count += 1
    return _event("ticket.recalled", ticket, now, actor, counter, recall_count=ticket.recall_count)


def start(ticket: Ticket, counter: Counter, now: dt.datetime, *, actor: str) -> Event:
    _require(ticket, [TicketStatus.CALLED], "bắt đầu phục vụ")
    ticket.status = TicketStatus.SERVING
    ticket.started_at = now
    return _event("ticket.started", ticket, now, actor, counter)


def validate_dossier_code(code: str | None) -> str | None:
    """Mã hồ sơ as printed on the receipt: letters, digits, '.', '-', '/', '_' only."""
    if code is None:
        return None
    if not isinstance(code, str):
        raise InvalidInput("Mã hồ sơ phải là chuỗi ký tự.")
    code = code.strip()
    if not code:
        return None
    if len(code) > DOSSIER_CODE_MAX or not all(ch.isascii() and (ch.isalnum() or ch in ".-/_")
                                               for ch in code):
        raise InvalidInput(
            f"Mã hồ sơ '{code[:DOSSIER_CODE_MAX]}' không hợp lệ: chỉ gồm chữ, số và . - / _, "
            f"tối đa {DOSSIER_CODE_MAX} ký tự."
        )
    return code


def finish(ticket: Ticket, counter: Counter, now: dt.datetime, *, actor: str,
           dossier_code: str | None = None, auto: bool = False) -> Event:
    _require(ticket, ACTIVE_STATUSES, "hoàn thành")
    ticket.status = TicketStatus.DONE
    ticket.finished_at = now
    if dossier_code is not None:
        ticket.dossier_code = validate_dossier_code(dossier_code)
    service_from = ticket.called_at or now
    return _event("ticket.finished", ticket, now, actor, counter,
                  dossier_code=ticket.dossier_code, auto=auto,
                  service_seconds=round((now - service_from).total_seconds()))


def skip(ticket: Ticket, counter: Counter, now: dt.datetime, *, actor: str) -> Event:
    """The citizen did not come: no-show, re-queueable for a while."""
    _require(ticket, [TicketStatus.CALLED], "đánh dấu vắng mặt")
    ticket.status = TicketStatus.NO_SHOW
    ticket.no_show_at = now
    return _event("ticket.no_show", ticket, now, actor, counter)


def requeue(ticket: Ticket, settings: CentreSettings, now: dt.datetime, *, actor: str) -> Event:
    """A returning no-show goes back to waiting with its original issue time, within the window.

    Its priority group stays recorded and counts only if its service accepts it now
    (`policy.priority_counts`): a ticket transferred to a service without priority, then
    missed, does not jump that queue when it comes back."""
    _require(ticket, [TicketStatus.NO_SHOW], "xếp lại hàng")
    window = dt.timedelta(minutes=settings.no_show_requeue_minutes)
    if ticket.no_show_at is None or now - ticket.no_show_at > window:
        raise Conflict(
            f"Số {ticket.number} đã quá {settings.no_show_requeue_minutes} phút kể từ khi vắng mặt; "
            "vui lòng lấy số mới.",
            code="requeue_expired",
        )
    ticket.status = TicketStatus.WAITING
    ticket.counter_id = None
    ticket.counter = None
    return _event("ticket.requeued", ticket, now, actor)


def transfer(ticket: Ticket, now: dt.datetime, *, actor: str, counter: Counter | None,
             to_service: Service | None = None, to_counter: Counter | None = None) -> Event:
    """Back to waiting at another service or counter, keeping the original issue time.

    The priority group stays on the ticket but counts only where it is accepted (by the new
    service; for a counter, also by one of that counter's services): see
    `policy.priority_counts` for why it is kept rather than dropped."""
    _require(ticket, [TicketStatus.WAITING, *ACTIVE_STATUSES], "chuyển")
    if (to_service is None) == (to_counter is None):
        raise InvalidInput("Chọn đúng một nơi chuyển đến: một dịch vụ hoặc một quầy.")
    from_service = ticket.service.code if ticket.service else None
    from_counter = counter.number if counter else None
    if to_service is not None:
        if to_service.centre_id != ticket.centre_id or not to_service.active:
            raise InvalidInput("Dịch vụ chuyển đến không thuộc Trung tâm hoặc đã ngừng.")
        ticket.service_id = to_service.id
        ticket.service = to_service
        ticket.target_counter_id = None
        ticket.target_counter = None
    else:
        if to_counter.centre_id != ticket.centre_id or not to_counter.active:
            raise InvalidInput("Quầy chuyển đến không thuộc Trung tâm.")
        if counter is not None and to_counter.id == counter.id:
            raise InvalidInput("Không thể chuyển về chính quầy đang phục vụ.")
        ticket.target_counter_id = to_counter.id
        ticket.target_counter = to_counter
    ticket.status = TicketStatus.WAITING
    ticket.counter_id = None
    ticket.counter = None
    ticket.transfer_count += 1
    return _event(
        "ticket.transferred", ticket, now, actor, counter,
        from_service=from_service, from_counter=from_counter,
        to_service=to_service.code if to_service else None,
        to_counter=to_counter.number if to_counter else None,
    )


def cancel(ticket: Ticket, now: dt.datetime, *, actor: str, reason: str = "cancelled",
           counter: Counter | None = None) -> Event:
    _require(ticket, [TicketStatus.WAITING, TicketStatus.NO_SHOW, *ACTIVE_STATUSES], "hủy")
    ticket.status = TicketStatus.CANCELLED
    ticket.cancel_reason = reason
    return _event("ticket.cancelled", ticket, now, actor, counter, reason=reason)


def close_day(centre: Centre, settings: CentreSettings, waiting: Sequence[Ticket],
              now: dt.datetime) -> list[Event]:
    """At closing time (or for any earlier day), cancel what still waits, with reason `closed`."""
    if settings.close_action != "cancel":
        return []
    local = local_time(centre, now)
    closing = settings.calendar.closing_time(local.date())
    events = []
    for ticket in waiting:
        if ticket.status != TicketStatus.WAITING:
            continue
        past_day = ticket.day < local.date()
        after_close = ticket.day == local.date() and (closing is None or local.time() >= closing)
        if past_day or after_close:
            events.append(cancel(ticket, now, actor="system", reason="closed"))
    return events


# --- ratings ---------------------------------------------------------------------------------

def rate(ticket: Ticket, existing: Rating | None, settings: CentreSettings, *, level: int,
         pressed_at: dt.datetime, received_at: dt.datetime, reason: str | None, source: str,
         actor: str) -> tuple[Rating, Event, bool]:
    """Rate a finished ticket inside the window after finish (judged by when it was pressed).

    Returns the rating, its event and whether it replaced an earlier one.
    """
    if ticket.status != TicketStatus.DONE or ticket.finished_at is None:
        raise Conflict(f"Số {ticket.number} chưa hoàn thành nên chưa thể đánh giá.",
                       code="not_finished")
    if isinstance(level, bool) or not isinstance(level, int) or level not in settings.rating_levels:
        levels = ", ".join(f"{k} = {v}" for k, v in settings.rating_levels.items())
        raise InvalidInput(f"Mức đánh giá không hợp lệ. Chọn: {levels}.")
    if reason is not None and reason not in settings.rating_reasons:
        raise InvalidInput(f"Lý do '{reason}' không có. Chọn: {', '.join(settings.rating_reasons)}.")
    window = dt.timedelta(seconds=settings.rating_window_seconds)
    if not (ticket.finished_at - dt.timedelta(seconds=2) <= pressed_at <= ticket.finished_at + window):
        raise Conflict(
            f"Đã hết thời gian đánh giá cho số {ticket.number} "
            f"({settings.rating_window_seconds} giây sau khi hoàn thành).",
            code="rating_window_closed",
        )
    replaced = existing is not None
    rating = existing or Rating(
        centre_id=ticket.centre_id, ticket_id=ticket.id, level=level, scale=settings.rating_scale,
        pressed_at=pressed_at, received_at=received_at,
    )
    rating.level = level
    rating.scale = settings.rating_scale
    rating.reason = reason
    rating.pressed_at = pressed_at
    rating.received_at = received_at
    rating.source = source
    rating.counter_id = ticket.counter_id
    rating.staff_id = ticket.staff_id
    rating.service_id = ticket.service_id
    rating.dossier_code = ticket.dossier_code
    event = _event("ticket.rated", ticket, received_at, actor, ticket.counter, level=level,
                   scale=settings.rating_scale, reason=reason, replaced=replaced,
                   pressed_at=pressed_at.isoformat())
    return rating, event, replaced
