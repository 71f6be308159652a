"""Form drafts: what a citizen prepared at the kiosk, kept until staff take it at the counter.

A draft stores only the cleaned fields of its form (kiosk.forms), never the scanned CCCD string.
It is reached two ways: from the citizen's ticket, or by a short reference code shown (and
printed) at the kiosk. The kiosk that created it gets a secret key once, which it needs to
change, print or delete it, so another citizen at the same kiosk cannot read it back by code;
staff (and counter agents) of the same centre read it by code or by ticket.

Drafts expire (config DRAFT_TTL: "end_of_day", the default, or a number of minutes) and
`purge()` deletes expired ones: run by `motcua drafts purge` and, cheaply, on every creation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, insert, select, update

from kiosk.forms import FORMS, FormInvalid, clean, get_form
from kiosk.forms.pdf import PdfFontMissing, render_pdf

from .domain.access import Principal, require
from .domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from .store.tables import drafts

CREATE_ROLES = ("device:kiosk", "user:staff", "user:manager", "user:admin")
READ_ROLES = ("user:staff", "user:manager", "user:admin", "device:agent")
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B look-alikes
CODE_LENGTH = 6
_CODE_INPUT = re.compile(r"[\s\-.]")


class DraftExpired(DomainError):
    code = "expired"
    status = 410


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"
    status = 503


class DraftFormInvalid(InvalidInput):
    """A draft whose fields do not validate; `fields` maps field → message for the wizard."""

    code = "invalid_form"

    def __init__(self, errors: dict[str, str]):
        super().__init__(str(FormInvalid(errors)))
        self.fields = errors


def normalise_code(raw: Any) -> str | None:
    """What a person types ("k7m-4px", "K7M 4PX") → "K7M4PX", or None if it cannot be a code."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = _CODE_INPUT.sub("", raw).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Expiry:
    """"end_of_day" (local midnight of the centre) or a fixed number of minutes."""

    minutes: int | None = None

    @classmethod
    def parse(cls, value: Any) -> Expiry:
        if value in (None, "", "end_of_day"):
            return cls(None)
        try:
            minutes = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"DRAFT_TTL must be 'end_of_day' or minutes, not {value!r}") from None
        if minutes < 1:
            raise ValueError("DRAFT_TTL minutes must be at least 1")
        return cls(minutes)

    def at(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        if self.minutes is not None:
            return now + dt.timedelta(minutes=self.minutes)
        local = now.astimezone(tz)
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return midnight.astimezone(dt.UTC)


class DraftService:
    def __init__(self, queue_service, expiry: Expiry | None = None):
        self.svc = queue_service  # its unit of work and clock
        self.expiry = expiry or Expiry()

    # --- helpers ---------------------------------------------------------------------------
    def _centre_tz(self, uow, centre_id: int) -> ZoneInfo:
        centre = uow.repo.centre(centre_id)
        return ZoneInfo(centre.timezone if centre else "Asia/Ho_Chi_Minh")

    def _validate(self, form_code: Any, data: Any, today: dt.date):
        form = get_form(form_code)
        if form is None:
            raise InvalidInput("Không có mẫu tờ khai này. Các mẫu: khai-sinh, ket-hon, ct01, ho-kinh-doanh.")
        try:
            return form, clean(form, data, today)
        except FormInvalid as exc:
            raise DraftFormInvalid(exc.errors) from None

    def _check_ticket(self, uow, principal: Principal, ticket_id: Any, tz: ZoneInfo) -> dict | None:
        if ticket_id is None:
            return None
        if isinstance(ticket_id, bool) or not isinstance(ticket_id, int) or not 0 < ticket_id < 2**31:
            raise InvalidInput("ticket_id phải là mã số thứ tự (số nguyên) hoặc null.")
        ticket = uow.repo.ticket(ticket_id)
        today = self.svc.clock().astimezone(tz).date()
        if ticket is None or ticket.centre_id != principal.centre_id or ticket.day != today:
            raise InvalidInput("Không tìm thấy số thứ tự này trong hôm nay; kiểm tra lại phiếu.")
        return {"id": ticket.id, "number": ticket.number}

    def _row(self, uow, centre_id: int, code: Any):
        norm = normalise_code(code)
        if norm is None:
            raise NotFound("Mã tờ khai gồm 6 ký tự, ví dụ K7M-4PX. Kiểm tra lại mã trên màn hình hoặc phiếu.")
        row = uow.session.execute(select(drafts).where(drafts.c.code == norm)).mappings().first()
        if row is None or row["centre_id"] != centre_id:
            raise NotFound(f"Không có tờ khai mã {display_code(norm)} (có thể đã bị xóa).")
        if row["expires_at"] <= self.svc.clock():
            raise DraftExpired(f"Tờ khai mã {display_code(norm)} đã hết hạn lưu; công dân cần khai lại.")
        return row

    def _check_key(self, row, key: Any) -> None:
        if not isinstance(key, str) or not hmac.compare_digest(_hash(key), row["key_hash"]):
            raise Forbidden("Thiếu hoặc sai khóa của tờ khai (chỉ kiosk đã tạo tờ khai mới sửa được).")

    def _body(self, uow, row, tz: ZoneInfo) -> dict:
        form = get_form(row["form"])
        number = None
        if row["ticket_id"] is not None:
            ticket = uow.repo.ticket(row["ticket_id"])
            number = ticket.number if ticket else None
        local = lambda t: t.astimezone(tz).isoformat(timespec="seconds")  # noqa: E731
        return {
            "code": row["code"], "display_code": display_code(row["code"]),
            "form": row["form"], "form_title": form.title if form else row["form"],
            "procedures": list(form.procedures) if form else [],
            "ticket_id": row["ticket_id"], "ticket_number": number, "data": dict(row["data"]),
            "created_at": local(row["created_at"]), "updated_at": local(row["updated_at"]),
            "expires_at": local(row["expires_at"]),
            "pdf_url": f"/api/v1/drafts/{row['code']}/pdf",
        }

    def _new_code(self, uow) -> str:
        for _ in range(20):
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if uow.session.execute(select(drafts.c.id).where(drafts.c.code == code)).first() is None:
                return code
        raise DomainError("Không tạo được mã tờ khai; vui lòng thử lại.")  # pragma: no cover

    # --- the API ---------------------------------------------------------------------------
    def create(self, principal: Principal, form_code: Any, data: Any, ticket_id: Any = None) -> dict:
        require(principal, *CREATE_ROLES)
        self.purge()
        now = self.svc.clock()
        with self.svc.uow() as uow:
            tz = self._centre_tz(uow, principal.centre_id)
            _, values = self._validate(form_code, data, now.astimezone(tz).date())
            ticket = self._check_ticket(uow, principal, ticket_id, tz)
            key = secrets.token_urlsafe(24)
            code = self._new_code(uow)
            uow.session.execute(insert(drafts).values(
                centre_id=principal.centre_id, code=code, key_hash=_hash(key), form=form_code,
                data=values, ticket_id=ticket["id"] if ticket else None, created_by=principal.actor,
                created_at=now, updated_at=now, expires_at=self.expiry.at(now, tz)))
            uow.commit()
            row = uow.session.execute(select(drafts).where(drafts.c.code == code)).mappings().one()
            return {**self._body(uow, row, tz), "key": key}

    def update(self, principal: Principal, code: Any, key: Any, body: dict) -> dict:
        """Change the fields (`data`, validated whole) and/or the linked `ticket_id`."""
        require(principal, *CREATE_ROLES)
        now = self.svc.clock()
        with self.svc.uow() as uow:
            tz = self._centre_tz(uow, principal.centre_id)
            row = self._row(uow, principal.centre_id, code)
            self._check_key(row, key)
            changes: dict[str, Any] = {"updated_at": now}
            if "data" in body:
                _, changes["data"] = self._validate(row["form"], body["data"], now.astimezone(tz).date())
            if "ticket_id" in body:
                ticket = self._check_ticket(uow, principal, body["ticket_id"], tz)
                changes["ticket_id"] = ticket["id"] if ticket else None
            if len(changes) == 1:
                raise InvalidInput('Gửi "data" (các ô của tờ khai) và/hoặc "ticket_id".')
            uow.session.execute(update(drafts).where(drafts.c.id == row["id"]).values(**changes))
            uow.commit()
            row = uow.session.execute(select(drafts).where(drafts.c.id == row["id"])).mappings().one()
            return self._body(uow, row, tz)

    def get(self, principal: Principal, code: Any, key: Any = None) -> dict:
        """Staff and agents read any draft of their centre; the creating kiosk needs its key."""
        with self.svc.uow() as uow:
            tz = self._centre_tz(uow, principal.centre_id)
            row = self._row(uow, principal.centre_id, code)
            if not principal.has(*READ_ROLES):
                require(principal, *CREATE_ROLES)
                self._check_key(row, key)
            return self._body(uow, row, tz)

    def for_ticket(self, principal: Principal, ticket_id: int) -> list[dict]:
        require(principal, *READ_ROLES)
        now = self.svc.clock()
        with self.svc.uow() as uow:
            tz = self._centre_tz(uow, principal.centre_id)
            rows = uow.session.execute(
                select(drafts).where(drafts.c.centre_id == principal.centre_id,
                                     drafts.c.ticket_id == ticket_id, drafts.c.expires_at > now)
                .order_by(drafts.c.updated_at.desc(), drafts.c.id.desc())).mappings().all()
            return [self._body(uow, row, tz) for row in rows]

    def delete(self, principal: Principal, code: Any, key: Any) -> None:
        """The citizen withdraws: the creating kiosk (with its key) or staff delete a draft."""
        with self.svc.uow() as uow:
            row = self._row(uow, principal.centre_id, code)
            if not principal.has(*READ_ROLES):
                require(principal, *CREATE_ROLES)
                self._check_key(row, key)
            uow.session.execute(delete(drafts).where(drafts.c.id == row["id"]))
            uow.commit()

    def pdf(self, principal: Principal, code: Any, key: Any = None) -> tuple[bytes, str]:
        body = self.get(principal, code, key)
        form = get_form(body["form"])
        if form is None:  # a form withdrawn since the draft was made
            raise NotFound("Mẫu tờ khai này không còn được hỗ trợ.")
        with self.svc.uow() as uow:
            centre = uow.repo.centre(principal.centre_id)
            place = centre.name if centre else ""
        made_on = dt.date.fromisoformat(body["updated_at"][:10])
        expires = dt.datetime.fromisoformat(body["expires_at"]).strftime("%H:%M %d/%m/%Y")
        try:
            pdf = render_pdf(form, body["data"], reference=body["display_code"], made_on=made_on,
                             expires=expires, place=place)
        except PdfFontMissing as exc:
            raise PdfUnavailable(f"Không tạo được bản PDF: {exc}") from None
        return pdf, f"{form.code}-{body['code']}.pdf"

    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete every expired draft (all centres); returns how many."""
        now = now or self.svc.clock()
        with self.svc.uow() as uow:
            result = uow.session.execute(delete(drafts).where(drafts.c.expires_at <= now))
            uow.commit()
            return result.rowcount or 0


def forms_catalog() -> list[dict]:
    """Every form definition, as the wizard and other clients read them."""
    return [form.to_dict() for form in FORMS.values()]


def draft_service(app) -> DraftService:
    """The app's DraftService, made on first use from its QueueService and DRAFT_TTL."""
    service = app.extensions.get("motcua_drafts")
    if service is None:
        service = DraftService(app.extensions["motcua"], Expiry.parse(app.config.get("DRAFT_TTL")))
        app.extensions["motcua_drafts"] = service
    return service


@click.group("drafts")
def drafts_group() -> None:
    """Form drafts prepared at the kiosk."""


@drafts_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete expired drafts now (the server also deletes them as new ones are made)."""
    click.echo(f"Deleted {draft_service(current_app).purge()} expired drafts.")
