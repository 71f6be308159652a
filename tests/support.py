"""Test helpers: a real app on a temporary SQLite file (or PostgreSQL), a controllable
clock, a seeded centre, and guards for tests that need a system tool or service.

Outside CI a missing tool or service skips its tests with the reason; with MOTCUA_CI=1 (set by
.ci/run) the same situation fails, so nothing optional is silently skipped there.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import socket
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from queue_server.auth import clear_cache, hash_password, hash_token
from queue_server.domain.model import Centre, Counter, DeviceToken, Service, User

CI = os.environ.get("MOTCUA_CI") == "1"
ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PG_URL = os.environ.get("MOTCUA_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("MOTCUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# A Wednesday morning at the centre: inside the default opening hours.
WEDNESDAY_9AM = dt.datetime(2026, 11, 18, 9, 0, tzinfo=HCM)


def decode_qr(gray) -> str:
    """The text of the QR code in a grayscale image ('' if none is read). OpenCV's ArUco-based
    detector: the classic QRCodeDetector misses about one printed ticket in fifteen, perfect
    images included, which phones read without trouble."""
    import cv2

    text, _points, _ = cv2.QRCodeDetectorAruco().detectAndDecode(gray)
    return text


def eventually(predicate, timeout: float = 15.0, step: float = 0.1):
    """The first truthy value of `predicate()` within `timeout` seconds (else its last value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def socket_messages(client, *names: str, timeout: float = 5.0) -> list[dict]:
    """What a Flask-SocketIO test client received, waiting until each of `names` came (the
    broadcaster, which also sends `state`, emits from its own thread)."""
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while True:
        messages += client.get_received()
        if set(names) <= {m["name"] for m in messages} or time.monotonic() > deadline:
            return messages
        time.sleep(0.01)


def need(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a required tool or service is missing."""
    if condition:
        return
    if CI:
        pytest.fail(f"mandatory in CI: {reason}")
    pytest.skip(reason)


def need_tool(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"{name} is not installed (see README: system tools)")
    return path


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clock:
    """A real clock the test moves by hand; aware UTC datetimes like the server's own."""

    def __init__(self, start: dt.datetime = WEDNESDAY_9AM):
        self.now = start.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now

    def set_local(self, value: dt.datetime) -> None:
        self.now = value.astimezone(dt.UTC)




def pg_schema_url():
    need(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()



def make_app(database_url: str, tmp_path, clock=None, **config):
    from queue_server.app import create_app
    from queue_server.config import TestConfig
    from queue_server.store.migrate import upgrade

    clear_cache()
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(DATA_DIR=str(tmp_path / "data"), DATABASE_URL=database_url, **config)
    app = create_app(settings, clock=clock)
    upgrade(app.extensions["motcua_engine"])
    return app



SERVICES = [("HT", "Hộ tịch", "A"), ("CT", "Chứng thực", "B"), ("DD", "Đất đai", "C")]
COUNTERS = [(1, "Quầy ưu tiên", ["HT", "CT", "DD"], True), (2, "Quầy 2", ["HT"], False),
            (3, "Quầy 3", ["CT", "HT"], False), (4, "Quầy 4", ["DD"], False)]


class Seed:
    """Ids and secrets of the seeded test centre."""

    centre_id: int
    services: dict[str, int]
    counters: dict[int, int]  # number → id
    users: dict[str, int]
    tokens: dict[str, str]  # name → plain token
    password = "mat-khau-1"


@functools.lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(Seed.password)


def seed_centre(app, *, code="test", settings=None, suffix="") -> Seed:
    svc = app.extensions["motcua"]
    seed = Seed()
    with svc.uow() as uow:
        centre = Centre(code=code, name=f"Trung tâm {code}", settings=settings or {})
        uow.repo.add(centre)
        uow.flush()
        services = {}
        for order, (scode, name, prefix) in enumerate(SERVICES):
            services[scode] = Service(centre_id=centre.id, code=scode, name=name, prefix=prefix,
                                      sort_order=order)
            uow.repo.add(services[scode])
        uow.flush()
        counters = {}
        for number, name, codes, priority in COUNTERS:
            counters[number] = Counter(centre_id=centre.id, number=number, name=name,
                                       priority=priority, services=[services[c] for c in codes])
            uow.repo.add(counters[number])
        uow.flush()
        users = {}
        for username, role in [("staff2", "staff"), ("staff3", "staff"), ("boss", "manager"),
                               ("root", "admin")]:
            users[username] = User(centre_id=centre.id, username=username + suffix,
                                   full_name=username, role=role,
                                   password_hash=password_hash())
            uow.repo.add(users[username])
        tokens = {}
        for name, role, number in [("kiosk", "kiosk", None), ("display", "display", None),
                                   ("agent1", "agent", 1), ("agent2", "agent", 2),
                                   ("agent3", "agent", 3), ("agent4", "agent", 4),
                                   ("reports", "manager", None)]:
            plain = f"{code}-{name}-{uuid.uuid4().hex}"
            tokens[name] = plain
            uow.repo.add(DeviceToken(centre_id=centre.id, name=name, role=role,
                                     token_hash=hash_token(plain),
                                     counter_id=counters[number].id if number else None,
                                     created_at=dt.datetime.now(dt.UTC)))
        uow.flush()
        seed.centre_id = centre.id
        seed.services = {k: v.id for k, v in services.items()}
        seed.counters = {k: v.id for k, v in counters.items()}
        seed.users = {k: v.id for k, v in users.items()}
        seed.tokens = tokens
        uow.commit()
    return seed



class Api:
    """A thin JSON client over Flask's test client with a device token."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, **kw):
        return self.client.get(f"/api/v1{path}", headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(f"/api/v1{path}", json=json,
                                headers={**self.headers, **kw.pop("headers", {})}, **kw)
