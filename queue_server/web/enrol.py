"""Enrolling a screen (hall TV, counter display, kiosk, counter tablet) with its device token.

The screen is opened once with `?token=…`; the token moves into a long-lived HTTP-only cookie and
leaves the address bar, so a TV can be set up with a URL and left alone.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Response, redirect, request

from ..auth import DEVICE_COOKIE, principal_for_token

COOKIE_MAX_AGE = int(dt.timedelta(days=400).total_seconds())  # browsers cap cookies at 400 days


def enrol_redirect(token: str, roles: tuple[str, ...]) -> Response | None:
    """A redirect to this page without the token, setting the device cookie; None when the token
    is unknown, revoked or not one of `roles`."""
    token = token.strip()
    principal = principal_for_token(token)
    if principal is None or not principal.has(*roles):
        return None
    rest = {k: v for k, v in request.args.items() if k != "token"}
    response = redirect(request.path + (f"?{urlencode(rest)}" if rest else ""))
    response.set_cookie(DEVICE_COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=request.is_secure, path="/")
    response.headers["Cache-Control"] = "no-store"
    return response
