"""Staff accounts: create, edit role and allowed counters, reset a password, disable; and every
user's own password change. Passwords are stored hashed and never written to the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..auth import hash_password, password_ok
from ..domain.access import Principal, require
from ..domain.errors import Conflict, NotFound
from ..domain.model import Counter, User
from ..service_layer import MAX_ID, QueueService
from ..store import tables as t
from . import audit
from .forms import Checker, FieldErrors, check_version

USERNAME_PATTERN = r"[a-z0-9][a-z0-9._-]{2,39}"
MIN_PASSWORD = 8
ROLE_LABELS = {"staff": "Cán bộ quầy", "manager": "Quản lý", "admin": "Quản trị"}


def snapshot(user: User) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "active": user.active, "counters": sorted(c.number for c in user.allowed_counters)}


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def _load(uow, principal: Principal, user_id: int) -> User:
    user = uow.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None or user.centre_id != principal.centre_id:
        raise NotFound(f"Không tìm thấy tài khoản có mã {user_id}.")
    return user


def get(svc: QueueService, principal: Principal, user_id: int) -> User:
    with svc.uow() as uow:
        user = _load(uow, _admin(principal), user_id)
        uow.session.expunge_all()  # keep the loaded values once the unit of work closes
        return user


def list_all(svc: QueueService, principal: Principal) -> list[dict]:
    _admin(principal)
    with svc.uow() as uow:
        rows = uow.session.scalars(select(User).where(
            t.users.c.centre_id == principal.centre_id).order_by(t.users.c.username)).all()
        return [{**snapshot(u), "id": u.id, "version": u.version} for u in rows]


def check_password(check: Checker, name: str = "password", repeat: str = "password2") -> str:
    password = str(check.raw(name) or "")
    if len(password) < MIN_PASSWORD:
        check.fail(name, f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    elif len(password) > 200:
        check.fail(name, "Mật khẩu dài quá 200 ký tự.")
    elif password.isdigit() or password.lower() in ("password", "matkhau123", "12345678"):
        check.fail(name, "Mật khẩu quá dễ đoán; hãy dùng cả chữ và số.")
    if repeat in check.data and str(check.raw(repeat) or "") != password:
        check.fail(repeat, "Hai lần nhập mật khẩu không giống nhau.")
    return password


def _parse(data: dict, uow, principal: Principal, current: User | None,
           password_hash: str = "") -> dict[str, Any]:
    """The form's values; a new account's `password_hash` is made by the caller, outside the
    write transaction, from the same field checked here."""
    check = Checker(data)
    counters = {c.id: c for c in uow.session.scalars(select(Counter).where(
        t.counters.c.centre_id == principal.centre_id)).all()}
    values: dict[str, Any] = {}
    if current is None:
        values["username"] = check.text("username", "tên đăng nhập", max_len=40,
                                        pattern=USERNAME_PATTERN,
                                        hint="3–40 chữ thường không dấu, số, dấu . _ -").lower()
        if values["username"] and "username" not in check.errors \
                and uow.repo.user_by_username(values["username"]) is not None:
            check.fail("username", f"Tên đăng nhập {values['username']} đã có người dùng.")
        check_password(check)
        values["password_hash"] = password_hash
    values["full_name"] = check.text("full_name", "họ và tên", max_len=200)
    values["role"] = check.choice("role", "vai trò", ROLE_LABELS, default="staff")
    values["allowed_counters"] = [counters[i] for i in check.ids("counters", "quầy", set(counters))]
    values["active"] = check.flag("active") if current is not None else True
    if current is not None and current.id == principal.user_id:
        if values["role"] != "admin":
            check.fail("role", "Bạn không thể tự bỏ quyền quản trị của chính mình.")
        if not values["active"]:
            check.fail("active", "Bạn không thể tự khóa tài khoản của chính mình.")
    values["_version"] = check.version()
    check.done()
    return values


def create(svc: QueueService, principal: Principal, data: dict) -> User:
    principal = _admin(principal)
    # The hash takes ~0.1 s: made here, not inside the writer lock every kiosk queues on.
    password_hash = hash_password(str(Checker(data).raw("password") or ""))
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        values = _parse(data, uow, principal, None, password_hash)
        values.pop("_version")
        user = User(centre_id=principal.centre_id, **values)
        uow.repo.add(user)
        uow.flush()
        audit.record(uow, principal, "user.create", f"user:{user.username}",
                     centre_id=principal.centre_id, at=svc.clock(), after=snapshot(user))
        uow.commit()
        return user


def _admins_left(uow, centre_id: int, without: int) -> int:
    c = t.users.c
    return uow.session.execute(select(func.count()).where(
        c.centre_id == centre_id, c.role == "admin", c.active.is_(True), c.id != without)).scalar_one()


def update(svc: QueueService, principal: Principal, user_id: int, data: dict) -> User:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        user = _load(uow, principal, user_id)
        values = _parse(data, uow, principal, user)
        before = snapshot(user)
        if user.role == "admin" and (values["role"] != "admin" or not values["active"]) \
                and not _admins_left(uow, principal.centre_id, user.id):
            raise FieldErrors({"role": "Trung tâm cần ít nhất một tài khoản quản trị đang hoạt động."})
        check_version("Tài khoản", user, values.pop("_version"))
        for key, value in values.items():
            setattr(user, key, value)
        audit.record(uow, principal, "user.update", f"user:{user.username}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before,
                     after=snapshot(user))
        uow.commit()
    from .live import drop_connections

    drop_connections(user_id=None if user.active else user.id)  # a new role applies at once
    return user


def reset_password(svc: QueueService, principal: Principal, user_id: int, data: dict) -> User:
    principal = _admin(principal)
    check = Checker(data)
    password = check_password(check)
    check.done()
    password_hash = hash_password(password)  # ~0.1 s: before the writer lock, not inside it
    with svc.uow() as uow:
        user = _load(uow, principal, user_id)
        user.password_hash = password_hash
        user.version = (user.version or 1) + 1
        audit.record(uow, principal, "user.password_reset", f"user:{user.username}",
                     centre_id=principal.centre_id, at=svc.clock())
        uow.commit()
        return user


def change_own_password(svc: QueueService, principal: Principal, data: dict) -> None:
    """Any logged-in person: the current password, then the new one twice."""
    principal = require(principal, "user:staff", "user:manager", "user:admin")
    check = Checker(data)
    current = str(check.raw("current") or "")
    # The two password hashes (~0.1 s each) run outside the writer lock.
    with svc.uow(read_only=True) as uow:
        user = uow.repo.user(principal.user_id)
        if user is None or not password_ok(user, current):
            check.fail("current", "Mật khẩu hiện tại không đúng.")
    password = check_password(check)
    if password and password == current:
        check.fail("password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
    check.done()
    password_hash = hash_password(password)
    with svc.uow() as uow:
        user = uow.repo.user(principal.user_id)
        user.password_hash = password_hash
        user.version = (user.version or 1) + 1
        audit.record(uow, principal, "user.password_change", f"user:{user.username}",
                     centre_id=principal.centre_id, at=svc.clock())
        uow.commit()


def set_active(svc: QueueService, principal: Principal, user_id: int, active: bool) -> User:
    principal = _admin(principal)
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        user = _load(uow, principal, user_id)
        if not active and user.id == principal.user_id:
            raise Conflict("Bạn không thể tự khóa tài khoản của chính mình.", code="self")
        if not active and user.role == "admin" and not _admins_left(uow, principal.centre_id, user.id):
            raise Conflict("Trung tâm cần ít nhất một tài khoản quản trị đang hoạt động.", code="last_admin")
        before = snapshot(user)
        user.active = active
        user.version = (user.version or 1) + 1
        audit.record(uow, principal, "user.enable" if active else "user.disable",
                     f"user:{user.username}", centre_id=principal.centre_id, at=svc.clock(),
                     before=before, after=snapshot(user))
        uow.commit()
    from .live import drop_connections

    drop_connections(user_id=user.id)
    return user
