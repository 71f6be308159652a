"""Hall display (`/display`), counter display (`/display/counter/<n>`) and the announcement audio
they play (`/display/announcements/<number>/<counter>.wav`).

A TV is enrolled once by opening its page with `?token=DEVICE_TOKEN`: the token moves into a
long-lived HTTP-only cookie and the address bar is cleaned by a redirect, so a screen is set up
with one URL and left alone. Logged-in staff may open the same pages to check them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_file
from flask_babel import gettext as _

from ..announce import AnnouncementCache, SynthesisError, spoken_text
from ..auth import current_principal
from ..domain.access import Principal
from ..domain.errors import DomainError, InvalidInput, NotFound, Unauthenticated
from ..service_layer import settings_of
from .enrol import enrol_redirect

bp = Blueprint("display", __name__)

VIEW_ROLES = ("device:display", "user:staff", "user:manager", "user:admin")


class AudioUnavailable(DomainError):
    code = "audio_unavailable"
    status = 503


def announcer() -> AnnouncementCache:
    """One cache per app: DATA_DIR/announcements; recorded clips from ANNOUNCE_CLIPS_DIR
    (default DATA_DIR/voice-clips) are preferred whenever they cover a sentence."""
    cache = current_app.extensions.get("motcua_announce")
    if cache is None:
        data = Path(current_app.config["DATA_DIR"])
        clips = current_app.config.get("ANNOUNCE_CLIPS_DIR") or data / "voice-clips"
        cache = AnnouncementCache(data / "announcements", clips_dir=clips,
                                  chime=Path(current_app.static_folder) / "audio" / "chime.wav")
        current_app.extensions["motcua_announce"] = cache
    return cache


def _enrol_page(message: str | None, status: int):
    return render_template("display_enrol.html", message=message, path=request.path), status


def _viewer(*roles: str):
    """The principal allowed to see this page, or a response (enrol redirect or explanation)."""
    token = request.args.get("token")
    if token is not None:
        return None, enrol_redirect(token, roles) or _enrol_page(
            _("Mã thiết bị không hợp lệ, đã bị thu hồi hoặc không phải mã màn hình hiển thị."), 401)
    principal = current_principal()
    if principal is None or not principal.has(*roles):
        return None, _enrol_page(None, 401)
    return principal, None


def _page(template: str, principal: Principal, **extra):
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        name = svc.centre(uow, principal.centre_id).name
    return render_template(template, centre_name=name, strings=display_strings(), **extra)


def display_strings() -> dict[str, str]:
    """Words the display scripts put on screen, translated on the server."""
    weekdays = [_("Chủ nhật"), _("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"),
                _("Thứ Bảy")]
    return {
        **{f"weekday_{i}": name for i, name in enumerate(weekdays)},
        "invite": _("Mời số"),
        "serving": _("Đang phục vụ"),
        "paused": _("Quầy tạm dừng"),
        "closed": _("Quầy đóng"),
        "idle": _("Sẵn sàng"),
        "to_counter": _("đến quầy số %s"),
        "server_error": _("Lỗi máy chủ"),
        "network_error": _("Không kết nối được máy chủ."),
    }


@bp.get("/display")
def hall():
    principal, response = _viewer(*VIEW_ROLES)
    if response is not None:
        return response
    return _page("display_hall.html", principal)


@bp.get("/display/counter/<int:number>")
def counter(number: int):
    principal, response = _viewer(*VIEW_ROLES, "device:agent")
    if response is not None:
        return response
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        row = uow.repo.counter_by_number(principal.centre_id, number)
        if row is None or not row.active:
            raise NotFound(_("Không có quầy số %(n)s.", n=number))
        name = row.name
    return _page("display_counter.html", principal, counter_number=number, counter_name=name)


@bp.get("/display/announcements/<number>/<int:counter>.wav")
def announcement(number: str, counter: int):
    """The spoken call for `number` at `counter`: chime, then the centre's sentence twice."""
    principal = current_principal()
    if principal is None or not principal.has(*VIEW_ROLES, "device:agent"):
        raise Unauthenticated(_("Cần mã thiết bị màn hình hoặc đăng nhập để nghe thông báo."))
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        template = settings_of(svc.centre(uow, principal.centre_id)).announcement
    try:
        spoken = spoken_text(template, number, counter)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        path = announcer().path_for(spoken)
    except SynthesisError as exc:
        raise AudioUnavailable(str(exc)) from None
    reply = send_file(path, mimetype="audio/wav", max_age=86400, conditional=True, etag=True)
    reply.headers["Cache-Control"] = "private, max-age=86400"
    return reply
