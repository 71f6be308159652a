"""The simulation's hands on the real system: one QueueService with a simulated clock, acting
as the kiosk, the counters' agents and their staff, exactly as the API would make it act."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import update

from ..domain.access import Principal
from ..domain.errors import DomainError
from ..domain.model import Centre, Counter, Service
from ..service_layer import QueueService
from ..store import tables as t
from .profile import Profile


class SimClock:
    """The service layer's clock, moved by the simulation (aware UTC datetimes)."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Layout:
    """The centre as the simulation sees it (read from the database after `prepare`)."""

    centre_id: int
    timezone: str
    counters: dict[int, int] = field(default_factory=dict)              # number → id
    counter_services: dict[int, frozenset[str]] = field(default_factory=dict)
    staff: dict[int, tuple[int, str]] = field(default_factory=dict)     # number → (user id, name)
    service_names: dict[str, str] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    saved_counters: list[dict] = field(default_factory=list)


def prepare(svc: QueueService, centre_code: str, profile: Profile) -> Layout:
    """Add the profile's services and counters the centre lacks (existing ones are kept as they
    are) and remember the counters' state, to put back after the run."""
    with svc.uow() as uow:
        centre: Centre | None = uow.repo.centre_by_code(centre_code)
        if centre is None:
            raise DomainError(f"Không có Trung tâm mã '{centre_code}'. Chạy `motcua init` trước.")
        layout = Layout(centre_id=centre.id, timezone=centre.timezone)
        services: dict[str, Service] = {}
        order = len(uow.repo.services(centre.id, active_only=False))
        for code, sp in profile.services.items():
            service = uow.repo.service_by_code(centre.id, code)
            if service is None:
                taken = next((s for s in uow.repo.services(centre.id, active_only=False)
                              if s.prefix == sp.prefix), None)
                if taken is not None:
                    raise DomainError(f"Không thêm được dịch vụ {code}: chữ đầu số '{sp.prefix}' đã "
                                      f"thuộc dịch vụ {taken.code}. Đặt prefix khác trong hồ sơ.")
                service = Service(centre_id=centre.id, code=code, name=sp.name, prefix=sp.prefix,
                                  sort_order=order)
                order += 1
                uow.repo.add(service)
                layout.added.append(f"dịch vụ {code}")
            elif not service.active:
                raise DomainError(f"Dịch vụ {code} đang ngừng; bật lại hoặc bỏ khỏi hồ sơ mô phỏng.")
            services[code] = service
        uow.flush()
        for cp in profile.counters:
            counter = uow.repo.counter_by_number(centre.id, cp.number)
            if counter is None:
                counter = Counter(centre_id=centre.id, number=cp.number, name=cp.name,
                                  priority=cp.priority, services=[services[c] for c in cp.services])
                uow.repo.add(counter)
                layout.added.append(f"quầy {cp.number}")
            elif not counter.active:
                raise DomainError(f"Quầy {cp.number} đang ngừng; bật lại hoặc bỏ khỏi hồ sơ mô phỏng.")
            uow.flush()
            layout.counters[cp.number] = counter.id
            layout.counter_services[cp.number] = frozenset(s.code for s in counter.services)
            layout.saved_counters.append({"id": counter.id, "status": counter.status,
                                          "staff_id": counter.staff_id,
                                          "status_since": counter.status_since,
                                          "priority_streak": counter.priority_streak})
            if cp.staff:
                user = uow.repo.user_by_username(cp.staff)
                if user is not None and user.active and user.centre_id == centre.id:
                    layout.staff[cp.number] = (user.id, user.username)
        layout.service_names = {s.code: s.name for s in uow.repo.services(centre.id)}
        uow.commit()
    return layout


def restore_counters(svc: QueueService, layout: Layout) -> None:
    """Put each counter back as it was before the run (its simulated days ended closed)."""
    with svc.uow() as uow:
        for saved in layout.saved_counters:
            uow.session.execute(update(t.counters).where(t.counters.c.id == saved["id"]).values(
                status=saved["status"], staff_id=saved["staff_id"],
                status_since=saved["status_since"], priority_streak=saved["priority_streak"]))
        uow.commit()


class Driver:
    """The operations the simulation performs, each one QueueService call (one transaction)."""

    def __init__(self, svc: QueueService, layout: Layout):
        self.svc = svc
        self.layout = layout
        cid = layout.centre_id
        self.kiosk = Principal("device", "kiosk", cid, "mo-phong-kiosk")
        self.agents = {n: Principal("device", "agent", cid, f"mo-phong-quay-{n}", counter_id=i)
                       for n, i in layout.counters.items()}
        self.staff = {n: Principal("user", "staff", cid, name, user_id=uid)
                      for n, (uid, name) in layout.staff.items()}
        self.system = Principal("user", "admin", cid, "mo-phong")
        self.ops = 0

    def issue(self, service: str, priority: str | None, appointment_at: dt.datetime | None) -> dict:
        self.ops += 1
        return self.svc.issue(self.kiosk, service, priority=priority, appointment_at=appointment_at,
                              source="kiosk").body

    def call_next(self, number: int) -> dict | None:
        self.ops += 1
        return self.svc.call_next(self.agents[number], self.layout.counters[number]).body

    def act(self, number: int, ticket_id: int, action: str) -> None:
        self.ops += 1
        self.svc.ticket_action(self.agents[number], ticket_id, action)

    def cancel(self, ticket_id: int) -> None:
        self.ops += 1
        self.svc.ticket_action(self.system, ticket_id, "cancel", {"reason": "closed"})

    def rate(self, number: int, ticket_id: int, level: int, reason: str | None) -> None:
        self.ops += 1
        self.svc.rate(self.agents[number], ticket_id, level=level,
                      pressed_at=self.svc.clock() + dt.timedelta(seconds=3), reason=reason,
                      idempotency_key=None, source="keypad")

    def counter(self, number: int, action: str) -> None:
        self.ops += 1
        principal = self.agents[number]
        if action == "open" and number in self.staff:
            try:
                self.svc.counter_action(self.staff[number], self.layout.counters[number], "open")
                return
            except DomainError:
                pass  # the user holds another counter right now: the agent opens it instead
        self.svc.counter_action(principal, self.layout.counters[number], action)
