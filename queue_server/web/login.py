"""Staff, manager and admin login with sessions; repeated failures are throttled."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlparse

from flask import current_app, redirect, render_template, request, session, url_for

from ..auth import current_principal, password_ok
from . import bp

MAX_FAILURES = 5
LOCK_SECONDS = 300
_failures: dict[str, list[float]] = {}
_lock = threading.Lock()


def _throttle_key(username: str) -> str:
    return f"{username.lower()}|{request.remote_addr}"


def _locked(key: str) -> bool:
    now = time.monotonic()
    with _lock:
        recent = [t for t in _failures.get(key, []) if now - t < LOCK_SECONDS]
        _failures[key] = recent
        return len(recent) >= MAX_FAILURES


def _fail(key: str) -> None:
    with _lock:
        _failures.setdefault(key, []).append(time.monotonic())


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        key = _throttle_key(username)
        if _locked(key):
            error = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 5 phút."
            status = 429
        else:
            svc = current_app.extensions["motcua"]
            # Read-only: a password check (scrypt) takes about 0.1 s, far too long to hold the
            # writer lock every kiosk and counter queues on.
            with svc.uow(read_only=True) as uow:
                user = uow.repo.user_by_username(username)
                ok = user is not None and user.active and password_ok(user, password)
                user_id = user.id if ok else None
            if ok:
                session.clear()
                session["user_id"] = user_id
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")))
            _fail(key)
            error = "Sai tên đăng nhập hoặc mật khẩu."
            status = 401
    return render_template("login.html", error=error), status


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("web.login"))


@bp.get("/")
def index():
    return render_template("index.html", principal=current_principal())
