"""The demo centre loaded by `motcua init --demo`: services, counters, staff and device tokens.

The demo calendar is open every day around the clock so `make run` works whenever someone tries
it; a real centre keeps the default calendar (Monday–Friday, 7:30–11:30 and 13:30–17:00).
"""

from __future__ import annotations

from .auth import hash_password, hash_token
from .domain.model import Centre, Counter, DeviceToken, Service, User
from .store.uow import UnitOfWork

DEMO_SETTINGS = {
    "calendar": {"open_weekdays": [0, 1, 2, 3, 4, 5, 6], "hours": [["00:00", "24:00"]]},
    "notice": "Trung tâm làm việc từ thứ Hai đến thứ Sáu, sáng 7:30–11:30, chiều 13:30–17:00. "
              "Công dân vui lòng giữ phiếu số thứ tự và theo dõi màn hình.",
}

SERVICES = [
    # code (the sample catalogue's service codes), name, prefix
    ("HT", "Hộ tịch (khai sinh, kết hôn, khai tử)", "A"),
    ("CT", "Chứng thực bản sao, chữ ký", "B"),
    ("DD", "Đất đai", "C"),
    ("KD", "Đăng ký hộ kinh doanh", "D"),
    ("CA", "Cư trú", "E"),
    ("XH", "Lao động – Thương binh – Xã hội", "G"),
    ("XD", "Xây dựng", "H"),
    ("LL", "Lý lịch tư pháp", "K"),
]

COUNTERS = [
    # number, name, services, priority
    (1, "Quầy ưu tiên", ["HT", "CT", "DD", "KD", "CA", "XH", "XD", "LL"], True),
    (2, "Quầy Hộ tịch", ["HT", "LL"], False),
    (3, "Quầy Chứng thực", ["CT", "HT"], False),
    (4, "Quầy Đất đai – Xây dựng", ["DD", "XD"], False),
    (5, "Quầy Kinh doanh – Cư trú", ["KD", "CA"], False),
    (6, "Quầy Lao động – Xã hội", ["XH", "CT"], False),
]

USERS = [
    # username, full name, role, password
    ("admin", "Quản trị hệ thống", "admin", "motcua-admin"),
    ("quanly", "Nguyễn Thị Quản Lý", "manager", "motcua"),
    *[(f"canbo{n}", f"Cán bộ quầy {n}", "staff", "motcua") for n in range(1, 7)],
]

TOKENS = [
    # name, role, counter number, token (demo only: real tokens come from `motcua token add`)
    ("kiosk-sanh", "kiosk", None, "demo-kiosk"),
    ("tv-sanh", "display", None, "demo-display"),
    ("bao-cao", "manager", None, "demo-manager"),
    *[(f"agent-quay-{n}", "agent", n, f"demo-agent-{n}") for n in range(1, 7)],
]


def ensure_centre(uow: UnitOfWork, code: str, name: str, timezone: str) -> Centre:
    centre = uow.repo.centre_by_code(code)
    if centre is None:
        centre = Centre(code=code, name=name, timezone=timezone, settings={})
        uow.repo.add(centre)
        uow.flush()
    return centre


def load_demo_catalog(store) -> bool:
    """The bundled sample catalogue, when the centre has none yet."""
    from kiosk.catalog import load_sample

    if store.load_all().procedures:
        return False
    store.replace_all(load_sample())
    return True


def load_demo(uow: UnitOfWork, centre: Centre) -> list[str]:
    """Add whatever of the demo is missing (idempotent); returns what was added."""
    added: list[str] = []
    if not centre.settings:
        centre.settings = dict(DEMO_SETTINGS)
        centre.address = "Số 1 đường Demo, xã Demo"
    by_code = {}
    for order, (code, name, prefix) in enumerate(SERVICES):
        service = uow.repo.service_by_code(centre.id, code)
        if service is None:
            service = Service(centre_id=centre.id, code=code, name=name, prefix=prefix,
                              sort_order=order)
            uow.repo.add(service)
            added.append(f"service {code}")
        by_code[code] = service
    uow.flush()
    for number, name, codes, priority in COUNTERS:
        if uow.repo.counter_by_number(centre.id, number) is None:
            uow.repo.add(Counter(centre_id=centre.id, number=number, name=name, priority=priority,
                                 services=[by_code[c] for c in codes]))
            added.append(f"counter {number}")
    uow.flush()
    for username, full_name, role, password in USERS:
        if uow.repo.user_by_username(username) is None:
            uow.repo.add(User(centre_id=centre.id, username=username, full_name=full_name,
                              role=role, password_hash=hash_password(password)))
            added.append(f"user {username}")
    for name, role, counter_number, token in TOKENS:
        if uow.repo.token_by_hash(hash_token(token)) is None:
            counter = uow.repo.counter_by_number(centre.id, counter_number) if counter_number else None
            uow.repo.add(DeviceToken(centre_id=centre.id, name=name, role=role,
                                     token_hash=hash_token(token),
                                     counter_id=counter.id if counter else None,
                                     created_at=_now()))
            added.append(f"token {name}")
    return added


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)
