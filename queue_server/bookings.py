"""Appointments booked ahead (đặt lịch hẹn): slots per service, booking, kiosk check-in.

A centre offers slots of `slot_minutes` inside its opening hours (and the service's ticketing
windows), each with a capacity per service. A person holds at most one active booking, found
by a keyed hash of their 12-digit ID number: the number itself is never stored. At the kiosk the
citizen checks in with the booking code or the ID number, from `early_minutes` before the slot
until the centre's appointment grace window has passed, and gets a ticket with `appointment_at`
= the slot, which the call policy serves first while inside that window.

Rules come from the centre's settings under "bookings" (see `BookingRules`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from .domain import lifecycle
from .domain.access import Principal, require
from .domain.errors import Conflict, InvalidInput, NotFound
from .domain.model import Centre, Service
from .domain.settings import parse_periods
from .service_layer import Outcome, QueueService, settings_of, utcnow
from .store.tables import bookings as t_bookings
from .store.uow import UnitOfWork

CODE_ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes
CODE_LENGTH = 6
ID_NUMBER = re.compile(r"^\d{12}$")
STATUSES = ("booked", "checked_in", "cancelled")
FORGET_AFTER = dt.timedelta(days=1)  # then the ID hash is erased (personal data kept no longer)


@dataclass(frozen=True)
class BookingRules:
    """A centre's booking rules; `settings["bookings"]` may override any of them."""

    enabled: bool = True
    slot_minutes: int = 30
    capacity: int = 4  # bookings per service per slot
    capacity_by_service: tuple[tuple[str, int], ...] = ()
    days_ahead: int = 14  # how far ahead one may book
    early_minutes: int = 60  # check-in opens this long before the slot
    grace_minutes: int = 15  # …and closes this long after it (the centre's appointment grace)

    @classmethod
    def of(cls, centre: Centre) -> BookingRules:
        raw = (centre.settings or {}).get("bookings") or {}
        if not isinstance(raw, dict):
            raise InvalidInput("Cấu hình đặt lịch (bookings) phải là một đối tượng.")
        grace = settings_of(centre).appointment_grace_minutes
        try:
            rules = cls(
                enabled=bool(raw.get("enabled", True)),
                slot_minutes=int(raw.get("slot_minutes", cls.slot_minutes)),
                capacity=int(raw.get("capacity", cls.capacity)),
                capacity_by_service=tuple((str(k), int(v)) for k, v in
                                          (raw.get("capacity_by_service") or {}).items()),
                days_ahead=int(raw.get("days_ahead", cls.days_ahead)),
                early_minutes=int(raw.get("early_minutes", cls.early_minutes)),
                grace_minutes=int(raw.get("grace_minutes", grace)),
            )
        except (TypeError, ValueError, AttributeError):
            raise InvalidInput("Cấu hình đặt lịch (bookings) có giá trị không phải số.") from None
        if not 5 <= rules.slot_minutes <= 480 or rules.capacity < 0 or rules.days_ahead < 0:
            raise InvalidInput("Cấu hình đặt lịch: slot_minutes 5–480, capacity ≥ 0, days_ahead ≥ 0.")
        return rules

    def capacity_for(self, service_code: str) -> int:
        return dict(self.capacity_by_service).get(service_code, self.capacity)


def normalise_id_number(value: Any) -> str:
    """The 12-digit number of a CCCD / căn cước (spaces and dots tolerated), else InvalidInput."""
    if not isinstance(value, str):
        raise InvalidInput("Số định danh cá nhân (CCCD) phải là chuỗi 12 chữ số.")
    digits = re.sub(r"[\s.\-]", "", value)
    if not ID_NUMBER.match(digits):
        raise InvalidInput("Số định danh cá nhân (số CCCD) gồm đúng 12 chữ số, ví dụ 001190012345.")
    return digits


def normalise_code(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Mã đặt lịch phải là chuỗi 6 ký tự.")
    code = re.sub(r"[\s\-]", "", value).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise InvalidInput(f"Mã đặt lịch gồm {CODE_LENGTH} ký tự chữ và số, như trên giấy hẹn "
                           "(ví dụ K7MX3P).")
    return code


def parse_slot(value: Any, tz: ZoneInfo) -> dt.datetime:
    if not isinstance(value, str) or not value:
        raise InvalidInput("Thiếu giờ hẹn: gửi slot dạng ISO 8601, ví dụ 2026-11-23T08:00:00+07:00.")
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(f"Giờ hẹn '{value[:40]}' không phải thời gian ISO 8601.") from None


def parse_day(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise InvalidInput("Thiếu ngày: gửi date=YYYY-MM-DD.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Ngày '{value[:40]}' không hợp lệ (định dạng YYYY-MM-DD).") from None


class BookingService:
    """Use cases of bookings over the queue's database; tickets are issued by QueueService."""

    def __init__(self, queue: QueueService, secret: str,
                 clock: Callable[[], dt.datetime] | None = None):
        self.queue = queue
        self.secret = secret.encode()
        self._clock = clock

    def clock(self) -> dt.datetime:
        return (self._clock or self.queue.clock or utcnow)()

    def uow(self) -> UnitOfWork:
        return self.queue.uow()

    def id_hash(self, id_number: str) -> str:
        """Keyed, so a leaked table cannot be reversed by trying all 10^12 numbers without the key."""
        return hmac.new(self.secret, f"id-number:{id_number}".encode(), hashlib.sha256).hexdigest()

    # --- look-ups ----------------------------------------------------------------------------
    def _centre(self, uow: UnitOfWork, centre_code: str | None, centre_id: int | None = None,
                *, lock: bool = False) -> Centre:
        centre = (uow.repo.centre(centre_id) if centre_id is not None
                  else uow.repo.centre_by_code(centre_code or ""))
        if centre is None:
            raise NotFound("Không tìm thấy Trung tâm.")
        if lock:
            uow.repo.lock_centre(centre.id)
        return centre

    def _service(self, uow: UnitOfWork, centre: Centre, code: Any) -> Service:
        if not isinstance(code, str) or not code:
            raise InvalidInput('Thiếu mã dịch vụ: gửi service, ví dụ "HT".')
        service = uow.repo.service_by_code(centre.id, code)
        if service is None or not service.active:
            codes = ", ".join(s.code for s in uow.repo.services(centre.id))
            raise NotFound(f"Không có dịch vụ mã '{code[:20]}'. Các mã hiện có: {codes}.")
        return service

    def _slot_starts(self, centre: Centre, service: Service, rules: BookingRules,
                     day: dt.date) -> list[dt.datetime]:
        """Slot starts (UTC) of one local day: inside opening hours and the service windows."""
        settings = settings_of(centre)
        if not settings.calendar.is_open_day(day):
            return []
        tz = ZoneInfo(centre.timezone)

        def spans(periods):
            for start, end in periods:
                a = dt.datetime.combine(day, start, tz)
                b = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz)
                     if end == dt.time.max else dt.datetime.combine(day, end, tz))
                yield a, b

        hours = list(spans(settings.calendar.hours))
        windows = list(spans(parse_periods(service.windows))) if service.windows else hours
        step = dt.timedelta(minutes=rules.slot_minutes)
        out = []
        for a, b in hours:
            at = a
            while at + step <= b:
                if any(wa <= at and at + step <= wb for wa, wb in windows):
                    out.append(at.astimezone(dt.UTC))
                at += step
        return out

    def _booked_counts(self, uow: UnitOfWork, service: Service, start: dt.datetime,
                       end: dt.datetime) -> dict[dt.datetime, int]:
        c = t_bookings.c
        rows = uow.session.execute(
            select(c.slot_at, func.count()).where(
                c.service_id == service.id, c.slot_at >= start, c.slot_at < end,
                c.status != "cancelled").group_by(c.slot_at)).all()
        return {row[0]: row[1] for row in rows}

    def slots(self, centre_code: str | None, service_code: Any, day_text: Any) -> dict:
        """Slots of a day for a service, with what is left; past slots are not offered."""
        day = parse_day(day_text)
        with self.uow() as uow:
            centre = self._centre(uow, centre_code)
            service = self._service(uow, centre, service_code)
            rules = BookingRules.of(centre)
            tz = ZoneInfo(centre.timezone)
            now = self.clock()
            today = lifecycle.local_day(centre, now)
            starts = []
            if rules.enabled and today <= day <= today + dt.timedelta(days=rules.days_ahead):
                starts = [s for s in self._slot_starts(centre, service, rules, day) if s > now]
            step = dt.timedelta(minutes=rules.slot_minutes)
            counts = self._booked_counts(uow, service, starts[0], starts[-1] + step) if starts else {}
            capacity = rules.capacity_for(service.code)
            return {
                "service": service.code, "service_name": service.name, "date": day.isoformat(),
                "slot_minutes": rules.slot_minutes,
                "slots": [{"start": s.astimezone(tz).isoformat(timespec="minutes"),
                           "end": (s + step).astimezone(tz).isoformat(timespec="minutes"),
                           "capacity": capacity, "available": max(0, capacity - counts.get(s, 0))}
                          for s in starts],
            }

    def _view(self, row, centre: Centre, service: Service | None, rules: BookingRules) -> dict:
        tz = ZoneInfo(centre.timezone)
        slot = row.slot_at
        status = row.status
        if status == "booked" and self.clock() > slot + dt.timedelta(minutes=rules.grace_minutes):
            status = "expired"
        return {
            "code": row.code, "status": status,
            "service": service.code if service else None,
            "service_name": service.name if service else None,
            "slot_at": slot.astimezone(tz).isoformat(timespec="minutes"),
            "check_in_from": (slot - dt.timedelta(minutes=rules.early_minutes)).astimezone(tz)
            .isoformat(timespec="minutes"),
            "check_in_until": (slot + dt.timedelta(minutes=rules.grace_minutes)).astimezone(tz)
            .isoformat(timespec="minutes"),
            "centre_name": centre.name,
        }

    def _active_for(self, uow: UnitOfWork, centre: Centre, digest: str, rules: BookingRules):
        c = t_bookings.c
        horizon = self.clock() - dt.timedelta(minutes=rules.grace_minutes)
        return uow.session.execute(
            select(t_bookings).where(c.centre_id == centre.id, c.id_hash == digest,
                                     c.status == "booked", c.slot_at >= horizon)
            .order_by(c.slot_at).limit(1)).first()

    # --- writes ------------------------------------------------------------------------------
    def book(self, centre_code: str | None, body: dict) -> Outcome:
        """A new booking; one active booking per ID number, never more than a slot's capacity."""
        id_number = normalise_id_number(body.get("id_number"))
        digest = self.id_hash(id_number)
        with self.uow() as uow:
            centre = self._centre(uow, centre_code, lock=True)
            rules = BookingRules.of(centre)
            if not rules.enabled:
                raise Conflict("Trung tâm chưa nhận đặt lịch hẹn.", code="bookings_closed")
            service = self._service(uow, centre, body.get("service"))
            tz = ZoneInfo(centre.timezone)
            slot = parse_slot(body.get("slot"), tz)
            local_day = slot.astimezone(tz).date()
            now = self.clock()
            today = lifecycle.local_day(centre, now)
            if slot <= now:
                raise Conflict("Giờ hẹn này đã qua; hãy chọn giờ khác.", code="slot_past")
            if local_day > today + dt.timedelta(days=rules.days_ahead):
                raise Conflict(f"Chỉ đặt lịch trước tối đa {rules.days_ahead} ngày.",
                               code="slot_too_far")
            if slot not in self._slot_starts(centre, service, rules, local_day):
                raise InvalidInput("Giờ hẹn không phải một khung giờ của dịch vụ; hãy chọn trong "
                                   "danh sách khung giờ (GET /api/v1/bookings/slots).")
            self._forget_old(uow, centre, now)
            existing = self._active_for(uow, centre, digest, rules)
            if existing is not None:
                when = existing.slot_at.astimezone(tz).strftime("%H:%M ngày %d/%m/%Y")
                raise Conflict(f"Số CCCD này đã có một lịch hẹn chưa dùng ({when}, mã "
                               f"{existing.code}). Hãy hủy lịch đó trước khi đặt lịch mới.",
                               code="already_booked")
            step = dt.timedelta(minutes=rules.slot_minutes)
            taken = self._booked_counts(uow, service, slot, slot + step).get(slot, 0)
            if taken >= rules.capacity_for(service.code):
                raise Conflict("Khung giờ này đã kín; hãy chọn khung giờ khác.", code="slot_full")
            code = self._new_code(uow)
            uow.session.execute(t_bookings.insert().values(
                centre_id=centre.id, code=code, service_id=service.id, slot_at=slot,
                id_hash=digest, status="booked", created_at=now))
            row = uow.session.execute(select(t_bookings).where(t_bookings.c.code == code)).one()
            body_out = self._view(row, centre, service, rules)
            uow.commit()
            return Outcome(body_out, 201)

    def _forget_old(self, uow: UnitOfWork, centre: Centre, now: dt.datetime) -> None:
        """A day after its slot a booking needs no link to a person any more: drop the hash."""
        c = t_bookings.c
        uow.session.execute(t_bookings.update().where(
            c.centre_id == centre.id, c.slot_at < now - FORGET_AFTER, c.id_hash != "")
            .values(id_hash=""))

    def _new_code(self, uow: UnitOfWork) -> str:
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if uow.session.execute(select(t_bookings.c.id).where(
                    t_bookings.c.code == code)).first() is None:
                return code
        raise Conflict("Không tạo được mã đặt lịch; vui lòng thử lại.", code="code_exhausted")

    def _row_by_code(self, uow: UnitOfWork, code: str):
        row = uow.session.execute(select(t_bookings).where(t_bookings.c.code == code)).first()
        if row is None:
            raise NotFound(f"Không tìm thấy lịch hẹn mã {code}. Hãy kiểm tra lại mã trên giấy hẹn.")
        return row

    def get(self, code_text: Any) -> dict:
        code = normalise_code(code_text)
        with self.uow() as uow:
            row = self._row_by_code(uow, code)
            centre = self._centre(uow, None, row.centre_id)
            return self._view(row, centre, self._service_by_id(uow, centre, row.service_id),
                              BookingRules.of(centre))

    def _service_by_id(self, uow: UnitOfWork, centre: Centre, service_id: int) -> Service | None:
        return next((s for s in uow.repo.services(centre.id, active_only=False)
                     if s.id == service_id), None)

    def cancel(self, code_text: Any, body: dict) -> Outcome:
        """Cancel with the code and the same ID number (so a code seen over a shoulder is not enough)."""
        code = normalise_code(code_text)
        digest = self.id_hash(normalise_id_number(body.get("id_number")))
        with self.uow() as uow:
            row = self._row_by_code(uow, code)
            centre = self._centre(uow, None, row.centre_id, lock=True)
            row = self._row_by_code(uow, code)
            if not hmac.compare_digest(row.id_hash, digest):
                raise NotFound(f"Không tìm thấy lịch hẹn mã {code} của số CCCD này.")
            if row.status != "booked":
                raise Conflict("Lịch hẹn này đã được dùng hoặc đã hủy.", code="booking_not_active")
            uow.session.execute(t_bookings.update().where(t_bookings.c.id == row.id)
                                .values(status="cancelled"))
            row = self._row_by_code(uow, code)
            out = self._view(row, centre, self._service_by_id(uow, centre, row.service_id),
                             BookingRules.of(centre))
            uow.commit()
            return Outcome(out, 200)

    def check_in(self, principal: Principal, body: dict) -> Outcome:
        """Booking code or ID number → a ticket with appointment_at = the slot (201), or the ticket
        already issued for it (200) when the citizen checks in twice."""
        require(principal, "device:kiosk", "user:staff", "user:manager", "user:admin")
        code_text, id_text = body.get("code"), body.get("id_number")
        if bool(code_text) == bool(id_text):
            raise InvalidInput('Gửi mã đặt lịch {"code": "K7MX3P"} hoặc số CCCD '
                               '{"id_number": "001190012345"} (một trong hai).')
        with self.uow() as uow:
            centre = self._centre(uow, None, principal.centre_id, lock=True)
            rules = BookingRules.of(centre)
            tz = ZoneInfo(centre.timezone)
            now = self.clock()
            if code_text:
                row = self._row_by_code(uow, normalise_code(code_text))
                if row.centre_id != centre.id:
                    raise NotFound("Lịch hẹn này thuộc Trung tâm khác.")
            else:
                digest = self.id_hash(normalise_id_number(id_text))
                c = t_bookings.c
                today = lifecycle.local_day(centre, now)
                start = dt.datetime.combine(today, dt.time(0), tz).astimezone(dt.UTC)
                row = uow.session.execute(
                    select(t_bookings).where(and_(c.centre_id == centre.id, c.id_hash == digest,
                                                  c.slot_at >= start,
                                                  c.status.in_(("booked", "checked_in"))))
                    .order_by(c.status == "checked_in", c.slot_at).limit(1)).first()
                if row is None:
                    raise NotFound("Không có lịch hẹn hôm nay cho số CCCD này. Nếu chưa đặt lịch, "
                                   "hãy chọn “Lấy số thứ tự”.")
            existing_ticket = row.ticket_id if row.status == "checked_in" else None
            if existing_ticket is None and row.status != "booked":
                raise Conflict("Lịch hẹn này đã hủy hoặc đã được dùng.", code="booking_not_active")
        if existing_ticket is not None:  # outside the transaction: get_ticket opens its own
            return Outcome(self.queue.get_ticket(principal, existing_ticket), 200)
        with self.uow() as uow:
            centre = self._centre(uow, None, principal.centre_id, lock=True)
            opens = row.slot_at - dt.timedelta(minutes=rules.early_minutes)
            closes = row.slot_at + dt.timedelta(minutes=rules.grace_minutes)
            if now < opens:
                slot_local = row.slot_at.astimezone(tz)
                raise Conflict(f"Chưa đến giờ nhận số cho lịch hẹn {slot_local:%H:%M ngày %d/%m}; "
                               f"mời quay lại từ {opens.astimezone(tz):%H:%M}.", code="too_early")
            if now > closes:
                raise Conflict(f"Lịch hẹn lúc {row.slot_at.astimezone(tz):%H:%M} đã quá giờ "
                               f"(nhận số đến {closes.astimezone(tz):%H:%M}). Mời lấy số thường "
                               "hoặc đặt lịch mới.", code="booking_expired")
            service = self._service_by_id(uow, centre, row.service_id)
            claimed = uow.session.execute(
                t_bookings.update().where(t_bookings.c.id == row.id, t_bookings.c.status == "booked")
                .values(status="checked_in", checked_in_at=now)).rowcount
            if claimed != 1:
                raise Conflict("Lịch hẹn này vừa được nhận số; vui lòng thử lại.", code="conflict")
            uow.commit()
            booking_id, slot, service_code = row.id, row.slot_at, service.code
        try:
            outcome = self.queue.issue(principal, service_code, appointment_at=slot)
        except Exception:
            with self.uow() as uow:  # the ticket was refused: the booking stays usable
                uow.session.execute(t_bookings.update().where(t_bookings.c.id == booking_id)
                                    .values(status="booked", checked_in_at=None))
                uow.commit()
            raise
        with self.uow() as uow:
            uow.session.execute(t_bookings.update().where(t_bookings.c.id == booking_id)
                                .values(ticket_id=outcome.body["id"]))
            uow.commit()
        return outcome
