"""Who may do what: the rules, independent of how a caller proved who they are.

A principal is a logged-in person (staff, manager, admin) or an enrolled device (kiosk,
display, agent, manager token). Staff act only at the counter they opened; an agent only at
the counter its token is bound to; an admin may act anywhere in the centre. A waiting ticket
transferred to one counter belongs to that counter alone until it is called there.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Forbidden, Unauthenticated
from .model import Counter, CounterStatus, Ticket, TicketStatus

USER_ROLES = ("staff", "manager", "admin")
DEVICE_ROLES = ("kiosk", "display", "agent", "manager")


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "device"
    role: str
    centre_id: int
    name: str
    user_id: int | None = None
    token_id: int | None = None
    counter_id: int | None = None  # an agent's bound counter

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return self.kind == "user" and self.role == "admin"

    @property
    def is_person(self) -> bool:
        return self.kind == "user"

    def has(self, *roles: str) -> bool:
        """Roles are written `user:staff`, `device:kiosk`, or bare (`manager`: either kind)."""
        return any(r in (self.role, f"{self.kind}:{self.role}") for r in roles)


def require(principal: Principal | None, *roles: str) -> Principal:
    if principal is None:
        raise Unauthenticated("Cần đăng nhập hoặc gửi mã thiết bị hợp lệ (Authorization: Bearer …).")
    if roles and not principal.has(*roles):
        raise Forbidden("Tài khoản hoặc thiết bị này không có quyền thực hiện thao tác này.")
    return principal


def check_same_centre(principal: Principal, centre_id: int) -> None:
    if principal.centre_id != centre_id:
        raise Forbidden("Đối tượng này thuộc Trung tâm khác.")


def check_acts_at(principal: Principal, counter: Counter) -> None:
    """May this principal operate this counter (call, serve, pause…) right now?"""
    check_same_centre(principal, counter.centre_id)
    if principal.is_admin:
        return
    if principal.kind == "device":
        if principal.role == "agent" and principal.counter_id == counter.id:
            return
        raise Forbidden(f"Thiết bị này không được thao tác tại quầy số {counter.number}.")
    if principal.role in ("staff", "manager") and counter.staff_id == principal.user_id \
            and counter.status != CounterStatus.CLOSED:
        return
    raise Forbidden(f"Bạn chỉ thao tác được tại quầy mình đang mở (không phải quầy số {counter.number}).")


def check_acts_on(principal: Principal, ticket: Ticket, own_counter: Counter | None) -> None:
    """A called/serving ticket belongs to its counter; a waiting one sent to a counter (a
    transfer) to that counter only, since only it will call the ticket; any other waiting one
    to the counters serving its service."""
    check_same_centre(principal, ticket.centre_id)
    if principal.is_admin:
        return
    if ticket.counter is not None and ticket.counter_id is not None:
        check_acts_at(principal, ticket.counter)
        return
    target = ticket.target_counter_id if ticket.status == TicketStatus.WAITING else None
    if target is not None and (own_counter is None or own_counter.id != target):
        where = ticket.target_counter
        name = f"quầy số {where.number} ({where.name})" if where is not None else "một quầy khác"
        raise Forbidden(f"Số {ticket.number} đã được chuyển đến {name}; chỉ cán bộ đang mở quầy "
                        "đó, thiết bị của quầy đó hoặc quản trị viên mới thao tác được với số này.")
    if own_counter is None:
        raise Forbidden("Hãy mở quầy trước khi thao tác với số thứ tự.")
    check_acts_at(principal, own_counter)
    if ticket.service_id not in own_counter.service_ids and ticket.target_counter_id != own_counter.id:
        raise Forbidden(f"Số {ticket.number} không thuộc dịch vụ của quầy số {own_counter.number}.")
