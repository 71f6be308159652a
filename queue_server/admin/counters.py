"""Counters: number, name, services served, priority flag, zone/floor; archive or delete.

A counter's services are read by call-next on every call, so a change applies to the next call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, or_, select

from ..domain import lifecycle
from ..domain.access import Principal, require
from ..domain.errors import Conflict, NotFound
from ..domain.model import Counter, CounterStatus
from ..service_layer import MAX_ID, QueueService
from ..store import tables as t
from . import audit
from .forms import Checker, InUse, check_version


def snapshot(counter: Counter) -> dict[str, Any]:
    return {"number": counter.number, "name": counter.name, "priority": counter.priority,
            "zone": getattr(counter, "zone", "") or "", "active": counter.active,
            "services": [s.code for s in counter.services]}


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def _load(uow, principal: Principal, counter_id: int) -> Counter:
    counter = uow.session.get(Counter, counter_id) if 0 < counter_id <= MAX_ID else None
    if counter is None or counter.centre_id != principal.centre_id:
        raise NotFound(f"Không tìm thấy quầy có mã {counter_id}.")
    return counter


def get(svc: QueueService, principal: Principal, counter_id: int) -> Counter:
    with svc.uow() as uow:
        counter = _load(uow, _admin(principal), counter_id)
        uow.session.expunge_all()  # keep the loaded values once the unit of work closes
        return counter


def list_all(svc: QueueService, principal: Principal) -> list[dict]:
    _admin(principal)
    with svc.uow() as uow:
        rows = uow.session.scalars(select(Counter).where(
            t.counters.c.centre_id == principal.centre_id).order_by(t.counters.c.number)).all()
        out = [{**snapshot(c), "id": c.id, "version": c.version, "status": str(c.status),
                "sort_order": c.sort_order} for c in rows]
    out.sort(key=lambda c: (not c["active"], c["sort_order"], c["number"]))
    return out


def _parse(data: dict, uow, centre_id: int, current: Counter | None) -> dict[str, Any]:
    check = Checker(data)
    services = {s.id: s for s in uow.repo.services(centre_id, active_only=False)}
    values: dict[str, Any] = {
        "number": check.integer("number", "số quầy", low=1, high=9999),
        "name": check.text("name", "tên quầy", max_len=200),
        "priority": check.flag("priority"),
        "zone": check.text("zone", "khu vực / tầng", required=False, max_len=80),
    }
    chosen = check.ids("services", "dịch vụ", set(services))
    if not chosen and "services" not in check.errors:
        check.fail("services", "Hãy chọn ít nhất một dịch vụ quầy phục vụ.")
    values["services"] = [services[i] for i in chosen]
    if values["number"] is not None:
        other = uow.repo.counter_by_number(centre_id, values["number"])
        if other is not None and other is not current:
            archived = "" if other.active else " (đã lưu trữ)"
            check.fail("number", f"Số quầy {values['number']} đã có ({other.name}{archived}).")
    values["_version"] = check.version()
    check.done()
    return values


def create(svc: QueueService, principal: Principal, data: dict) -> Counter:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        values = _parse(data, uow, principal.centre_id, None)
        values.pop("_version")
        zone = values.pop("zone")
        last = uow.session.execute(select(func.max(t.counters.c.sort_order)).where(
            t.counters.c.centre_id == principal.centre_id)).scalar()
        counter = Counter(centre_id=principal.centre_id, sort_order=(last or 0) + 1, **values)
        counter.zone = zone
        uow.repo.add(counter)
        uow.flush()
        audit.record(uow, principal, "counter.create", f"counter:{counter.number}",
                     centre_id=principal.centre_id, at=svc.clock(), after=snapshot(counter))
        uow.commit()
        return counter


def update(svc: QueueService, principal: Principal, counter_id: int, data: dict) -> Counter:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        counter = _load(uow, principal, counter_id)
        values = _parse(data, uow, principal.centre_id, counter)
        before = snapshot(counter)
        check_version("Quầy", counter, values.pop("_version"))
        for key, value in values.items():
            setattr(counter, key, value)
        audit.record(uow, principal, "counter.update", f"counter:{counter.number}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before,
                     after=snapshot(counter))
        uow.commit()
        return counter


def delete_counter(svc: QueueService, principal: Principal, counter_id: int) -> None:
    """Delete a counter that never served anyone; otherwise refuse and offer archiving."""
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        counter = _load(uow, principal, counter_id)
        centre = uow.repo.centre(principal.centre_id)
        day = lifecycle.local_day(centre, svc.clock())
        c = t.tickets.c
        uses = or_(c.counter_id == counter.id, c.target_counter_id == counter.id)
        today = uow.session.execute(select(func.count()).where(uses, c.day == day)).scalar_one()
        ever = uow.session.execute(select(func.count()).where(uses)).scalar_one()
        events = uow.session.execute(select(func.count()).where(
            t.events.c.counter_id == counter.id)).scalar_one()
        archive = f"/admin/counters/{counter.id}/archive"
        if today:
            raise InUse(f"Không xóa được quầy số {counter.number}: hôm nay quầy đã gọi {today} số "
                        "thứ tự. Hãy lưu trữ quầy (ẩn khỏi màn hình, giữ số liệu) thay vì xóa.",
                        archive_url=archive)
        if ever or events:
            raise InUse(f"Không xóa được quầy số {counter.number}: quầy có {ever} số thứ tự và "
                        f"{events} sự kiện trong lịch sử, cần giữ cho báo cáo. Hãy lưu trữ quầy "
                        "thay vì xóa.", archive_url=archive)
        tokens = uow.session.execute(select(func.count()).where(
            t.device_tokens.c.counter_id == counter.id,
            t.device_tokens.c.revoked_at.is_(None))).scalar_one()
        if tokens:
            raise Conflict(f"Quầy số {counter.number} còn {tokens} mã thiết bị gắn với nó; hãy thu "
                           "hồi các mã đó (trang Thiết bị) trước khi xóa.", code="in_use")
        before = snapshot(counter)
        uow.session.execute(delete(t.user_counters).where(t.user_counters.c.counter_id == counter.id))
        uow.session.execute(t.device_tokens.update().where(
            t.device_tokens.c.counter_id == counter.id).values(counter_id=None))
        uow.session.delete(counter)
        audit.record(uow, principal, "counter.delete", f"counter:{before['number']}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before)
        uow.commit()


def set_active(svc: QueueService, principal: Principal, counter_id: int, active: bool) -> Counter:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        counter = _load(uow, principal, counter_id)
        if not active and counter.status != CounterStatus.CLOSED:
            raise Conflict(f"Quầy số {counter.number} đang mở; cán bộ cần đóng quầy trước khi lưu trữ.",
                           code="counter_open")
        before = snapshot(counter)
        counter.active = active
        counter.version = (counter.version or 1) + 1
        audit.record(uow, principal, "counter.restore" if active else "counter.archive",
                     f"counter:{counter.number}", centre_id=principal.centre_id, at=svc.clock(),
                     before=before, after=snapshot(counter))
        uow.commit()
        return counter


def reorder(svc: QueueService, principal: Principal, ids: list[Any]) -> list[int]:
    """Order of the counters (admin page, displays): `ids` lists counters first to last; the
    ones not listed keep their relative order after them. Returns the counter numbers in order."""
    principal = _admin(principal)
    from .forms import apply_order

    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        counters = {c.id: c for c in uow.session.scalars(select(Counter).where(
            t.counters.c.centre_id == principal.centre_id)).all()}
        current = lambda c: (c.sort_order, c.number)  # noqa: E731
        before = [c.number for c in sorted(counters.values(), key=current)]
        after = [c.number for c in apply_order(counters, ids, current, "quầy")]
        audit.record(uow, principal, "counter.reorder", "counters", centre_id=principal.centre_id,
                     at=svc.clock(), before=before, after=after)
        uow.commit()
        return after
