"""The citizen's phone page from the ticket's QR: `/t/<code>`, the ticket's random tracking code.

Public, no login, no cookie: the code is the only key. The page draws itself from
`GET /api/v1/track/<code>` and polls it, so it needs nothing but a phone browser. Old signed
links (`/q/<id>-<signature>`, printed before tracking codes) redirect to the ticket's `/t/` page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..domain.errors import NotFound

bp = Blueprint("track", __name__)

POLL_SECONDS = 5


def track_strings() -> dict[str, str]:
    return {
        "waiting": _("Đang chờ"),
        "called": _("Đến lượt bạn!"),
        "serving": _("Đang được phục vụ"),
        "done": _("Đã hoàn thành"),
        "no_show": _("Đã qua lượt (vắng mặt)"),
        "cancelled": _("Đã hủy"),
        "go_to": _("Mời bạn đến quầy số %s"),
        "moved_counter": _("Số của bạn đã được chuyển đến quầy %s — vui lòng chờ gọi"),
        "moved_service": _("Số của bạn đã được chuyển sang dịch vụ %s — vui lòng chờ gọi"),
        "no_show_hint": _("Nếu bạn vừa quay lại, hãy đến kiosk hoặc quầy hướng dẫn để được xếp lại."),
        "wait_about": _("khoảng %s phút"),
        "wait_soon": _("sắp đến lượt"),
        "updated": _("Cập nhật lúc"),
        "offline": _("Mất kết nối — đang thử lại…"),
        "rate_title": _("Bạn có hài lòng với việc phục vụ?"),
        "rated": _("Cảm ơn bạn đã đánh giá!"),
        "appointment": _("Lịch hẹn lúc"),
        "network_error": _("Không kết nối được máy chủ."),
        "server_error": _("Lỗi máy chủ"),
    }


def _lang() -> str:
    lang = request.args.get("lang", "vi")
    return lang if lang in ("vi", "en") else "vi"


HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}  # the URL is the key


def _tracking_code(code: str) -> str:
    """The stored tracking code of the ticket a link names; 404 for anything else."""
    with current_app.extensions["motcua"].uow(read_only=True) as uow:
        ticket = current_app.extensions["motcua_links"].find(uow.session, code)
        if ticket is None:
            raise NotFound(_("Không tìm thấy phiếu này. Hãy quét lại mã QR trên phiếu số thứ tự."))
        return ticket.tracking_code


@bp.get("/t/<code>")
def track(code: str):
    canonical = _tracking_code(code)
    if canonical != code:  # typed in capitals or with dashes, or an old signed code
        return redirect(url_for("track.track", code=canonical, **request.args)), 302, HEADERS
    poll = request.args.get("poll", "")
    poll_seconds = min(60, max(1, int(poll))) if poll.isdigit() else POLL_SECONDS
    with force_locale(_lang()):
        page = render_template("track.html", code=code, strings=track_strings(), lang=_lang(),
                               poll_seconds=poll_seconds)
    return page, 200, HEADERS


@bp.get("/q/<code>")
def track_legacy(code: str):
    """A ticket printed before tracking codes: its signed link leads to its `/t/` page."""
    canonical = _tracking_code(code)
    return redirect(url_for("track.track", code=canonical, **request.args)), 302, HEADERS
