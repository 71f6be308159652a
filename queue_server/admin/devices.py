"""Device tokens: create (the token is shown once and stored only as a hash), list with last
contact and health, revoke (the token stops working at once, open sockets included)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..auth import hash_token, new_token
from ..domain.access import Principal, require
from ..domain.errors import Conflict, NotFound
from ..domain.model import Counter, DeviceToken
from ..service_layer import MAX_ID, QueueService
from ..store import tables as t
from ..views import iso
from . import audit
from .forms import Checker

ROLE_LABELS = {"display": "Màn hình sảnh / quầy", "kiosk": "Kiosk lấy số",
               "agent": "Máy trạm quầy (LED, bàn phím đánh giá)", "manager": "Báo cáo (chỉ đọc)"}
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{1,79}"


@dataclass
class NewToken:
    id: int
    name: str
    role: str
    token: str  # the only time the plain token exists outside the device
    counter: int | None
    enrol_url: str | None


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def enrol_url(public_url: str, role: str, token: str, counter: int | None = None) -> str | None:
    base = public_url.rstrip("/")
    if role == "display":
        return f"{base}/display?token={token}"
    if role == "kiosk":
        return f"{base}/kiosk?token={token}"
    if role == "agent" and counter:
        return f"{base}/display/counter/{counter}?token={token}"
    return None


def create(svc: QueueService, principal: Principal, data: dict, public_url: str) -> NewToken:
    principal = _admin(principal)
    check = Checker(data)
    name = check.text("name", "tên thiết bị", max_len=80, pattern=NAME_PATTERN,
                      hint="chữ không dấu, số, dấu . _ -, ví dụ tv-sanh")
    role = check.choice("role", "loại thiết bị", ROLE_LABELS)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        counters = {c.id: c for c in uow.repo.counters(principal.centre_id)}
        counter: Counter | None = None
        chosen = check.ids("counter", "quầy", set(counters)) if check.raw("counter") else []
        if role == "agent":
            if not chosen and "counter" not in check.errors:
                check.fail("counter", "Máy trạm quầy phải gắn với một quầy.")
            counter = counters[chosen[0]] if chosen else None
        elif chosen:
            check.fail("counter", "Chỉ máy trạm quầy mới gắn với quầy; hãy để trống.")
        if name and "name" not in check.errors and any(
                r.name == name and r.revoked_at is None for r in uow.repo.tokens(principal.centre_id)):
            check.fail("name", f"Đã có thiết bị tên {name}; hãy đặt tên khác hoặc thu hồi mã cũ.")
        check.done()
        token = new_token()
        row = DeviceToken(centre_id=principal.centre_id, name=name, role=role,
                          token_hash=hash_token(token), counter_id=counter.id if counter else None,
                          created_at=svc.clock())
        uow.repo.add(row)
        uow.flush()
        audit.record(uow, principal, "device.create", f"device:{name}", centre_id=principal.centre_id,
                     at=svc.clock(), after={"name": name, "role": role,
                                            "counter": counter.number if counter else None})
        uow.commit()
        number = counter.number if counter else None
        return NewToken(row.id, name, role, token, number, enrol_url(public_url, role, token, number))


def list_all(svc: QueueService, principal: Principal) -> list[dict]:
    """Every token, revoked ones too (greyed), with last contact and health where reported."""
    from ..devices import device_status

    _admin(principal)
    with svc.uow() as uow:
        centre = uow.repo.centre(principal.centre_id)
        tz = ZoneInfo(centre.timezone)
        now = svc.clock()
        numbers = dict(uow.session.execute(select(t.counters.c.id, t.counters.c.number).where(
            t.counters.c.centre_id == centre.id)).all())
        out: list[dict[str, Any]] = []
        for row in uow.repo.tokens(centre.id):
            health = row.health or {}
            out.append({"id": row.id, "name": row.name, "role": row.role,
                        "counter": numbers.get(row.counter_id),
                        "created_at": iso(row.created_at, tz), "revoked_at": iso(row.revoked_at, tz),
                        "last_seen_at": iso(row.last_seen_at, tz),
                        "last_contact_at": iso(row.last_contact_at, tz),
                        "status": "revoked" if row.revoked_at else device_status(row, now),
                        "devices": health.get("devices", [])})
    out.sort(key=lambda r: (r["revoked_at"] is not None, r["name"]))
    return out


def revoke(svc: QueueService, principal: Principal, token_id: int) -> DeviceToken:
    """Revoke now: stored, the auth cache cleared, the device's sockets dropped."""
    principal = _admin(principal)
    with svc.uow() as uow:
        row = uow.session.get(DeviceToken, token_id) if 0 < token_id <= MAX_ID else None
        if row is None or row.centre_id != principal.centre_id:
            raise NotFound(f"Không tìm thấy mã thiết bị {token_id}.")
        if row.revoked_at is not None:
            raise Conflict(f"Mã của thiết bị {row.name} đã bị thu hồi trước đó.", code="revoked")
        row.revoked_at = svc.clock()
        audit.record(uow, principal, "device.revoke", f"device:{row.name}",
                     centre_id=principal.centre_id, at=row.revoked_at,
                     before={"name": row.name, "role": row.role}, after={"revoked": True})
        uow.commit()
    from .live import drop_connections

    drop_connections(token_id=row.id)
    return row
