"""The counter tablet's rating page (`/rating`): big faces appear when the counter finishes a
ticket and disappear when the rating window closes.

The tablet is enrolled once with the counter's agent token (`/rating?token=…`: the token moves
into the long-lived device cookie and leaves the address bar), or used with the staff member's
own login, like commercial counter tablets. Ratings go through the existing
POST /api/v1/tickets/<id>/rating, so the engine's window and replacement rules apply.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from hardware.serial.keypad import keyboard_key_table

from ..auth import current_principal
from ..domain.errors import Forbidden, Unauthenticated
from ..service_layer import settings_of
from .enrol import enrol_redirect

bp = Blueprint("rating", __name__)

KEYPAD_DEBOUNCE_MS = 300  # a bouncing key repeats within this; a second real press comes later

ROLES = ("device:agent", "user:staff", "user:manager", "user:admin")


def strings() -> dict[str, str]:
    return {
        "network_error": _("Không kết nối được máy chủ."),
        "server_error": _("Lỗi máy chủ"),
        "idle": _("Cảm ơn Quý khách đã đến giao dịch"),
        "idle_no_counter": _("Chưa mở quầy — hãy mở quầy ở bàn gọi số"),
        "question": _("Quý khách đánh giá thế nào về lượt phục vụ số %s?"),
        "reason_question": _("Xin cho biết lý do (không bắt buộc)"),
        "skip_reason": _("Bỏ qua"),
        "thanks": _("Cảm ơn Quý khách đã đánh giá!"),
        "counter": _("Quầy số %s"),
        "seconds_left": _("Còn %s giây"),
        "window_closed": _("Đã hết thời gian đánh giá."),
    }


@bp.get("/rating")
def page():
    token = request.args.get("token")
    if token is not None:
        return enrol_redirect(token, ("device:agent",)) or (render_template(
            "error.html", status=401, message=_(
                "Mã thiết bị không hợp lệ hoặc không phải mã của thiết bị tại quầy (agent).")), 401)
    principal = current_principal()
    if principal is None:
        return redirect(url_for("web.login", next=request.path))
    if not principal.has(*ROLES):
        raise Forbidden(_("Trang đánh giá dành cho máy tính bảng tại quầy (mã thiết bị quầy) hoặc "
                          "cán bộ đăng nhập."))
    return render_template("rating.html", strings=strings())


@bp.get("/rating/config")
def config():
    """The scale, the reasons, the window and the counter this tablet stands at (or null)."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated(_("Cần đăng nhập hoặc mã thiết bị quầy."))
    if not principal.has(*ROLES):
        raise Forbidden(_("Không có quyền."))
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        centre = svc.centre(uow, principal.centre_id)
        settings = settings_of(centre)
        if principal.kind == "device":
            counter = uow.repo.counter(principal.counter_id) if principal.counter_id else None
        else:
            counter = uow.repo.counter_of_staff(principal.user_id)
        lowest = min(settings.rating_levels)
        body = {
            "centre": centre.name,
            "counter": {"id": counter.id, "number": counter.number, "name": counter.name}
            if counter else None,
            "scale": settings.rating_scale,
            "levels": [{"level": k, "label": v} for k, v in
                       sorted(settings.rating_levels.items(), reverse=True)],
            "lowest": lowest,
            "reasons": [{"code": k, "label": v} for k, v in settings.rating_reasons.items()],
            "window_seconds": settings.rating_window_seconds,
            # A USB rating keypad types digits: the key names the console maps to levels.
            "keys": keyboard_key_table(settings.rating_scale),
            "debounce_ms": KEYPAD_DEBOUNCE_MS,
        }
    reply = jsonify(body)
    reply.headers["Cache-Control"] = "no-store"
    return reply
