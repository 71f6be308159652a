"""Who is calling: a device token (`Authorization: Bearer …`, or the enrolment cookie of a
display or kiosk page) or a staff session. Lookups are cached for a few seconds so a busy
kiosk costs no extra query per request, yet a revoked token stops working at once after that.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

from flask import current_app, g, request, session
from werkzeug.security import check_password_hash, generate_password_hash

from .domain.access import Principal
from .domain.model import DeviceToken, User

DEVICE_COOKIE = "motcua_device"
CACHE_SECONDS = 5.0
TOUCH_SECONDS = 60.0

_cache: dict[str, tuple[float, Principal | None]] = {}
_touched: dict[int, float] = {}
_lock = threading.Lock()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "mc_" + secrets.token_urlsafe(32)


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def password_ok(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _cached(key: str, load, *, fresh: bool = False) -> Principal | None:
    """`load()`'s answer, reused for CACHE_SECONDS; `fresh` skips the reuse (and renews it)."""
    now = time.monotonic()
    with _lock:
        hit = None if fresh else _cache.get(key)
        if hit and hit[0] > now:
            return hit[1]
    value = load()
    with _lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def token_digest(token: str) -> str | None:
    """What the server keeps of a presented token (its hash), or None for one that cannot be
    valid (empty, or longer than any token it issues)."""
    if not token or len(token) > 200:
        return None
    return hash_token(token)


def principal_for_token(token: str) -> Principal | None:
    digest = token_digest(token)
    return principal_for_digest(digest) if digest else None


def principal_for_digest(digest: str, *, fresh: bool = False) -> Principal | None:
    """The device of a token, found by the token's hash (all the server keeps of it)."""

    def load() -> Principal | None:
        svc = current_app.extensions["motcua"]
        with svc.uow(read_only=True) as uow:
            row: DeviceToken | None = uow.repo.token_by_hash(digest)
            if row is None or row.revoked_at is not None:
                return None
            principal = Principal(kind="device", role=row.role, centre_id=row.centre_id,
                                  name=row.name, token_id=row.id, counter_id=row.counter_id)
        now = time.monotonic()
        if now - _touched.get(principal.token_id, 0) > TOUCH_SECONDS:
            _touched[principal.token_id] = now
            with svc.uow() as uow:
                uow.repo.touch_token(principal.token_id, svc.clock())
                uow.commit()
        return principal

    return _cached("t:" + digest, load, fresh=fresh)


def principal_for_user(user_id: int, *, fresh: bool = False) -> Principal | None:
    def load() -> Principal | None:
        svc = current_app.extensions["motcua"]
        with svc.uow(read_only=True) as uow:
            user = uow.repo.user(user_id)
            if user is None or not user.active:
                return None
            return Principal(kind="user", role=user.role, centre_id=user.centre_id,
                             name=user.username, user_id=user.id)

    return _cached(f"u:{user_id}", load, fresh=fresh)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def current_principal() -> Principal | None:
    """The caller of this request, or None. A bearer token wins over a cookie or a session."""
    if "principal" in g:
        return g.principal
    principal = None
    g.via_session = False
    token = bearer_token()
    if token is not None:
        principal = principal_for_token(token)
    elif session.get("user_id"):
        principal = principal_for_user(session["user_id"])
        g.via_session = principal is not None
    elif request.cookies.get(DEVICE_COOKIE):
        principal = principal_for_token(request.cookies[DEVICE_COOKIE])
    g.principal = principal
    return principal
