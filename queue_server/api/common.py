"""Small pieces every API route uses: who is calling, the JSON body, time parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app, g, request

from ..auth import DEVICE_COOKIE, bearer_token, current_principal
from ..domain.access import Principal, require
from ..domain.errors import Forbidden, InvalidInput
from ..extensions import csrf
from ..service_layer import QueueService
from . import bp


@bp.before_request
def refuse_nul() -> None:
    """PostgreSQL text cannot hold U+0000: a NUL in the path, query or a header is a 422 here,
    not a database error (500) deep inside a route."""
    texts = [request.path, *request.args.keys(), *request.args.values(),
             *(value for _, value in request.headers.items())]
    if any("\x00" in text for text in texts):
        raise InvalidInput("Địa chỉ, tham số hoặc tiêu đề yêu cầu chứa ký tự NUL (\\u0000) không hợp lệ.")


def service() -> QueueService:
    return current_app.extensions["motcua"]


def caller(*roles: str) -> Principal:
    """The authenticated caller with one of `roles` (any role when none are given).

    Browser sessions must also carry the CSRF token on writes; bearer tokens need not.
    """
    principal = require(current_principal(), *roles)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if g.get("via_session"):
            csrf.protect()
        elif bearer_token() is None and request.cookies.get(DEVICE_COOKIE):
            check_same_origin()
    return principal


def check_same_origin() -> None:
    """A write authorised by the kiosk's enrolment cookie must come from a page of this server.

    The cookie is sent by the browser on its own (SameSite=Lax still allows same-site pages),
    so, like the CSRF token for sessions, the Origin (or Referer) header must name this host.
    """
    origin = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(origin)
    allowed = {request.host, urlsplit(current_app.config.get("PUBLIC_URL") or "").netloc}
    if not parts.netloc or parts.netloc not in allowed:
        raise Forbidden("Yêu cầu ghi bằng cookie thiết bị phải đến từ trang của máy chủ này "
                        "(thiếu hoặc sai tiêu đề Origin); hãy tải lại trang kiosk.", code="csrf")


def json_body() -> dict[str, Any]:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput('Nội dung yêu cầu phải là một đối tượng JSON, ví dụ {"service": "HT"}.')
    if _has_nul(data):  # PostgreSQL text cannot hold U+0000: refuse it here, not with a 500 there
        raise InvalidInput("Nội dung yêu cầu chứa ký tự NUL (\\u0000) không hợp lệ.")
    return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def parse_time(value: str | None, name: str, tz: ZoneInfo) -> dt.datetime | None:
    """ISO 8601; a time without an offset is the centre's local time."""
    if value is None or value == "":
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(value)
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        parsed.astimezone(dt.UTC).astimezone(tz)  # year 1 or 9999 may not fit in UTC or local
    except (ValueError, TypeError, OverflowError):
        raise InvalidInput(f"Tham số {name}='{value}' không phải thời gian ISO 8601 "
                           "(ví dụ 2026-11-21T08:00:00+07:00 hoặc 2026-11-21).") from None
    return parsed


def parse_int(value: str | None, name: str, *, default: int | None, low: int, high: int) -> int | None:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(f"Tham số {name} phải là số nguyên.") from None
    if not low <= number <= high:
        raise InvalidInput(f"Tham số {name} phải nằm trong khoảng {low}–{high}.")
    return number


def centre_tz(principal: Principal) -> ZoneInfo:
    svc = service()
    with svc.uow(read_only=True) as uow:
        return ZoneInfo(svc.centre(uow, principal.centre_id).timezone)
