"""Services (queues with a ticket prefix): create, edit, order, archive, delete, link procedures.

Every change runs in one unit of work that locks the centre, checks the row's version (two
admins editing the same service never overwrite each other silently) and writes an audit row.
Kiosks and displays read services from the database on every request, so a change is live at once.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select

from ..domain import lifecycle
from ..domain.access import Principal, require
from ..domain.errors import NotFound
from ..domain.model import Service
from ..service_layer import MAX_ID, QueueService, settings_of
from ..store import tables as t
from . import audit
from .forms import Checker, InUse, check_version

CODE_PATTERN = r"[A-Z0-9][A-Z0-9_.-]{0,39}"
PREFIX_PATTERN = r"[A-Z]{1,3}"


def snapshot(service: Service) -> dict[str, Any]:
    return {"code": service.code, "name": service.name, "prefix": service.prefix,
            "daily_cap": service.daily_cap, "windows": service.windows,
            "sort_order": service.sort_order, "active": service.active,
            "priority_enabled": service.priority_enabled,
            "priority_groups": list(service.priority_groups or [])}


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def get(svc: QueueService, principal: Principal, service_id: int) -> Service:
    with svc.uow() as uow:
        service = _load(uow, _admin(principal), service_id)
        uow.session.expunge_all()  # keep the loaded values once the unit of work closes
        return service


def _load(uow, principal: Principal, service_id: int) -> Service:
    service = uow.session.get(Service, service_id) if 0 < service_id <= MAX_ID else None
    if service is None or service.centre_id != principal.centre_id:
        raise NotFound(f"Không tìm thấy dịch vụ có mã {service_id}.")
    return service


def priority_options(svc: QueueService, principal: Principal) -> list[tuple[str, str]]:
    """The centre's priority groups as (code, label), for the service form's checklist."""
    _admin(principal)
    with svc.uow() as uow:
        return list(settings_of(uow.repo.centre(principal.centre_id)).priority_groups.items())


def _parse_priority(check: Checker, uow, centre_id: int, current: Service | None) -> dict[str, Any]:
    """`priority_enabled` / `priority_groups` from the form. A form without the priority fields
    (`priority_shown` absent: an older page or a script) keeps what the service had."""
    if check.raw("priority_shown") is None:
        if current is None:
            return {"priority_enabled": True, "priority_groups": []}
        return {"priority_enabled": current.priority_enabled,
                "priority_groups": list(current.priority_groups or [])}
    known = settings_of(uow.repo.centre(centre_id)).priority_groups
    enabled = check.flag("priority_enabled")
    chosen = check.data.get("priority_groups") or []
    if not isinstance(chosen, (list, tuple)):
        chosen = [chosen]
    groups: list[str] = []
    for code in (str(c).strip() for c in chosen):
        if code not in known:
            check.fail("priority_groups", f"Nhóm ưu tiên {code} không có trong danh sách của "
                       "trung tâm (trang Mẫu); hãy tải lại trang.")
            break
        if code not in groups:
            groups.append(code)
    if groups and not enabled and "priority_groups" not in check.errors:
        check.fail("priority_groups", "Dịch vụ đã tắt số ưu tiên thì không chọn nhóm ưu tiên: "
                   "bỏ chọn các nhóm hoặc bật lại số ưu tiên.")
    return {"priority_enabled": enabled, "priority_groups": groups}


def list_all(svc: QueueService, principal: Principal) -> list[dict]:
    """Every service (archived ones last), with today's ticket count and linked procedures."""
    _admin(principal)
    with svc.uow() as uow:
        centre = uow.repo.centre(principal.centre_id)
        day = lifecycle.local_day(centre, svc.clock())
        counts = dict(uow.session.execute(
            select(t.tickets.c.service_id, func.count()).where(
                t.tickets.c.centre_id == centre.id, t.tickets.c.day == day
            ).group_by(t.tickets.c.service_id)).all())
        rows = uow.repo.services(centre.id, active_only=False)
        out = [{**snapshot(s), "id": s.id, "version": s.version, "today": counts.get(s.id, 0)}
               for s in rows]
    out.sort(key=lambda s: (not s["active"], s["sort_order"], s["id"]))
    return out


def _parse(data: dict, uow, centre_id: int, current: Service | None) -> dict[str, Any]:
    check = Checker(data)
    values: dict[str, Any] = {}
    if current is None:
        values["code"] = check.text("code", "mã dịch vụ", max_len=40, pattern=CODE_PATTERN,
                                    hint="chữ in hoa không dấu và số, ví dụ HT").upper()
    values["name"] = check.text("name", "tên dịch vụ", max_len=200)
    prefix = check.text("prefix", "chữ cái đầu số", max_len=3, pattern=PREFIX_PATTERN,
                        hint="1–3 chữ cái in hoa không dấu, ví dụ A")
    values["prefix"] = prefix
    values["daily_cap"] = check.integer("daily_cap", "số phiếu tối đa mỗi ngày", low=1,
                                        high=100_000, required=False)
    values["windows"] = check.periods("windows", "khung giờ lấy số")
    values.update(_parse_priority(check, uow, centre_id, current))
    if "code" not in check.errors and current is None and values["code"]:
        if uow.repo.service_by_code(centre_id, values["code"]) is not None:
            check.fail("code", f"Mã {values['code']} đã có dịch vụ khác dùng.")
    if prefix and "prefix" not in check.errors:
        other = uow.session.scalars(select(Service).where(
            t.services.c.centre_id == centre_id, t.services.c.prefix == prefix)).first()
        if other is not None and other is not current:
            archived = "" if other.active else " (đã lưu trữ)"
            check.fail("prefix", f"Chữ {prefix} đang dùng cho dịch vụ {other.name}{archived}.")
    values["procedures"] = [c.strip() for c in str(check.raw("procedures") or "").replace(",", "\n")
                            .splitlines() if c.strip()]
    values["_version"] = check.version()
    check.done()
    return values


def create(svc: QueueService, principal: Principal, data: dict) -> Service:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        values = _parse(data, uow, principal.centre_id, None)
        linked = values.pop("procedures")
        values.pop("_version")
        last = uow.session.execute(select(func.max(t.services.c.sort_order)).where(
            t.services.c.centre_id == principal.centre_id)).scalar()
        service = Service(centre_id=principal.centre_id, sort_order=(last or 0) + 1, **values)
        uow.repo.add(service)
        uow.flush()
        audit.record(uow, principal, "service.create", f"service:{service.code}",
                     centre_id=principal.centre_id, at=svc.clock(), after=snapshot(service))
        uow.commit()
    if linked:
        link_procedures(svc, principal, service.code, linked)
    return service


def update(svc: QueueService, principal: Principal, service_id: int, data: dict) -> Service:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        service = _load(uow, principal, service_id)
        values = _parse(data, uow, principal.centre_id, service)
        linked = values.pop("procedures")
        before = snapshot(service)
        check_version("Dịch vụ", service, values.pop("_version"))
        for key, value in values.items():
            setattr(service, key, value)
        audit.record(uow, principal, "service.update", f"service:{service.code}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before,
                     after=snapshot(service))
        uow.commit()
    if linked:
        link_procedures(svc, principal, service.code, linked)
    return service


def _ticket_counts(uow, service: Service, now) -> tuple[int, int]:
    """(today, ever) tickets issued for or now waiting in this service."""
    c = t.tickets.c
    centre = uow.repo.centre(service.centre_id)
    day = lifecycle.local_day(centre, now)
    uses = (c.service_id == service.id) | (c.issued_service_id == service.id)
    ever = uow.session.execute(select(func.count()).where(uses)).scalar_one()
    today = uow.session.execute(select(func.count()).where(uses, c.day == day)).scalar_one()
    return today, ever


def delete_service(svc: QueueService, principal: Principal, service_id: int) -> None:
    """Delete a service nobody ever took a ticket for; otherwise refuse and offer archiving."""
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        service = _load(uow, principal, service_id)
        today, ever = _ticket_counts(uow, service, svc.clock())
        bookings = _count_if_table(uow, "bookings", "service_id", service.id)
        if today:
            raise InUse(f"Không xóa được dịch vụ {service.name}: hôm nay đã có {today} số thứ tự "
                        "của dịch vụ này. Hãy lưu trữ dịch vụ (ngừng phát số, giữ số liệu) thay vì xóa.",
                        archive_url=f"/admin/services/{service.id}/archive")
        if ever or bookings:
            raise InUse(f"Không xóa được dịch vụ {service.name}: dịch vụ có {ever} số thứ tự"
                        f"{f' và {bookings} lịch hẹn' if bookings else ''} trong lịch sử, cần giữ "
                        "cho báo cáo. Hãy lưu trữ dịch vụ thay vì xóa.",
                        archive_url=f"/admin/services/{service.id}/archive")
        before = snapshot(service)
        uow.session.execute(delete(t.counter_services).where(
            t.counter_services.c.service_id == service.id))
        uow.session.execute(delete(t.ticket_sequences).where(
            t.ticket_sequences.c.service_id == service.id))
        uow.session.delete(service)
        audit.record(uow, principal, "service.delete", f"service:{before['code']}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before)
        uow.commit()


def _count_if_table(uow, table: str, column: str, value: int) -> int:
    tbl = t.metadata.tables.get(table)
    if tbl is None:
        return 0
    from sqlalchemy import inspect

    if not inspect(uow.session.connection()).has_table(table):
        return 0
    return uow.session.execute(select(func.count()).where(tbl.c[column] == value)).scalar_one()


def set_active(svc: QueueService, principal: Principal, service_id: int, active: bool) -> Service:
    """Archive (stop issuing, keep history) or bring back a service."""
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        service = _load(uow, principal, service_id)
        before = snapshot(service)
        service.active = active
        service.version = (service.version or 1) + 1
        audit.record(uow, principal, "service.restore" if active else "service.archive",
                     f"service:{service.code}", centre_id=principal.centre_id, at=svc.clock(),
                     before=before, after=snapshot(service))
        uow.commit()
        return service


def reorder(svc: QueueService, principal: Principal, ids: list[Any]) -> list[str]:
    """Kiosk order of the services: `ids` lists every active service once, first to last."""
    principal = _admin(principal)
    from .forms import apply_order

    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        services = {s.id: s for s in uow.repo.services(principal.centre_id, active_only=False)}
        current = lambda s: (s.sort_order, s.id)  # noqa: E731
        before = [s.code for s in sorted(services.values(), key=current)]
        after = [s.code for s in apply_order(services, ids, current, "dịch vụ")]
        audit.record(uow, principal, "service.reorder", "services", centre_id=principal.centre_id,
                     at=svc.clock(), before=before, after=after)
        uow.commit()
        return after


def linked_procedures(catalog, centre_id: int, code: str) -> list[dict]:
    return [{"code": p.code, "name": p.name} for p in catalog.store(centre_id).load_all().procedures
            if p.service == code]


def link_procedures(svc: QueueService, principal: Principal, service_code: str,
                    codes: list[str], catalog=None) -> list[str]:
    """Send these catalogue procedures to this service's queue (the kiosk's "lấy số" for them)."""
    from flask import current_app

    from .forms import FieldErrors

    catalog = catalog or current_app.extensions["motcua_catalog"]
    store = catalog.store(principal.centre_id)
    current = store.load_all()
    known = {p.code: p for p in current.procedures}
    missing = [c for c in codes if c not in known]
    if missing:
        raise FieldErrors({"procedures": "Không có thủ tục mã: " + ", ".join(missing[:5])})
    moved = [c for c in codes if known[c].service != service_code]
    if not moved:
        return []
    before = {c: known[c].service for c in moved}
    for code in moved:
        known[code].service = service_code
    store.replace_all(current)
    with svc.uow() as uow:
        audit.record(uow, principal, "catalog.link", f"service:{service_code}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before,
                     after={c: service_code for c in moved})
        uow.commit()
    return moved
