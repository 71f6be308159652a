"""The citizen kiosk at `/kiosk` and the public booking page at `/dat-lich`.

The kiosk is enrolled like a display: opened once with `?token=KIOSK_TOKEN`, the token moves
into the long-lived HTTP-only `motcua_device` cookie and the address is cleaned by a redirect.
The page then uses the JSON API with that cookie like any other client (writes carry the page's
Origin, checked by queue_server/api/common.py). Everything on screen is drawn by
static/js/kiosk.js; this module only renders the frame, the words (Vietnamese, or English with
`?lang=en`) and the centre's settings the script needs.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask_babel import force_locale
from flask_babel import gettext as _

from queue_server.auth import current_principal
from queue_server.bookings import BookingRules
from queue_server.domain import lifecycle
from queue_server.domain.access import Principal
from queue_server.domain.errors import NotFound, Unauthenticated
from queue_server.service_layer import settings_of
from queue_server.web.enrol import enrol_redirect

bp = Blueprint("kiosk", __name__, template_folder="../templates")

KIOSK_ROLES = ("device:kiosk", "user:staff", "user:manager", "user:admin")
LANGUAGES = ("vi", "en")
IDLE_SECONDS = 90
IDLE_WARNING_SECONDS = 10


def _lang() -> str:
    lang = request.args.get("lang", "vi")
    return lang if lang in LANGUAGES else "vi"


def _enrol_page(message: str | None, status: int):
    with force_locale(_lang()):
        return render_template("kiosk/enrol.html", message=message, path=request.path), status


def _viewer():
    """The kiosk (or staff checking it) allowed to see the page, or the response to send."""
    token = request.args.get("token")
    if token is not None:
        return None, enrol_redirect(token, ("device:kiosk",)) or _enrol_page(
            _("Mã thiết bị không hợp lệ, đã bị thu hồi hoặc không phải mã kiosk."), 401)
    principal = current_principal()
    if principal is None or not principal.has(*KIOSK_ROLES):
        return None, _enrol_page(None, 401)
    return principal, None


def _int_setting(name: str, default: int, low: int, high: int) -> int:
    """A config value, overridable per page with a query parameter (for tests and trials)."""
    raw = request.args.get(name.lower().removeprefix("kiosk_")) or current_app.config.get(name)
    try:
        value = int(raw) if raw is not None else default
    except (TypeError, ValueError):
        value = default
    return max(low, min(high, value))


def kiosk_strings() -> dict[str, str]:
    """Words the kiosk script puts on screen, translated here (Vietnamese source)."""
    return {
        "network_error": _("Không kết nối được máy chủ. Vui lòng thử lại hoặc hỏi cán bộ hướng dẫn."),
        "server_error": _("Lỗi máy chủ"),
        "no_results": _("Không tìm thấy thủ tục phù hợp. Hãy thử từ khác hoặc chọn lĩnh vực."),
        "results_for": _("Kết quả cho"),
        "procedures_in": _("Thủ tục thuộc lĩnh vực"),
        "procedures_count": _("thủ tục"),
        "all_present": _("Bạn đã có đủ giấy tờ bắt buộc."),
        "missing_title": _("Bạn còn thiếu %s giấy tờ bắt buộc:"),
        "missing_before": _("Trước khi lấy số, lưu ý: bạn còn thiếu"),
        "originals": _("bản chính"),
        "copies": _("bản sao"),
        "present_only": _("xuất trình, không nộp"),
        "optional": _("nếu có"),
        "form": _("mẫu"),
        "channel_direct": _("Nộp trực tiếp"),
        "channel_online": _("Nộp trực tuyến"),
        "channel_post": _("Nộp qua bưu chính"),
        "counters": _("Quầy số"),
        "no_counter": _("Hỏi cán bộ hướng dẫn tại sảnh"),
        "waiting_now": _("Đang chờ"),
        "people": _("người"),
        "people_ahead": _("Số người đang chờ trước bạn"),
        "wait_about": _("khoảng %s phút"),
        "wait_soon": _("sắp đến lượt"),
        "printing": _("Đang in phiếu…"),
        "reprinting": _("Đang in lại phiếu…"),
        "printed": _("Đã in phiếu — mời bạn nhận phiếu ở khe máy in."),
        "print_paper_out": _("Máy in hết giấy — vui lòng chụp màn hình để giữ số thứ tự."),
        "print_failed": _("Không in được phiếu — vui lòng chụp màn hình để giữ số thứ tự."),
        "print_unknown": _("Nếu không nhận được phiếu in, vui lòng chụp màn hình này."),
        "appointment": _("Lịch hẹn lúc"),
        "already_checked_in": _("Bạn đã nhận số cho lịch hẹn này."),
        "priority": _("Ưu tiên"),
        "code_hint": _("Nhập 6 ký tự của mã đặt lịch"),
        "id_hint": _("Nhập đủ 12 chữ số CCCD"),
        "idle_in": _("Màn hình sẽ trở về trang chủ sau %s giây."),
        "no_fee": _("Không ghi phí"),
        "time_label": _("Thời hạn:"),
        "fee_label": _("Lệ phí:"),
        "space": _("Dấu cách"),
    }


PRIORITY_LABELS = {  # the default groups, so English pages show English words
    "elderly": lambda: _("Người cao tuổi"),
    "pregnant": lambda: _("Phụ nữ mang thai"),
    "disability": lambda: _("Người khuyết tật"),
    "merit": lambda: _("Người có công với cách mạng"),
    "child": lambda: _("Người đi cùng trẻ nhỏ"),
}


def _kiosk_config(principal: Principal) -> tuple[str, dict]:
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        centre = svc.centre(uow, principal.centre_id)
        settings = settings_of(centre)
        name = centre.name
    groups = [{"code": code, "label": PRIORITY_LABELS[code]() if code in PRIORITY_LABELS else label}
              for code, label in settings.priority_groups.items()]
    return name, {
        "lang": _lang(),
        "idle_seconds": _int_setting("KIOSK_IDLE_SECONDS", IDLE_SECONDS, 5, 3600),
        "idle_warning_seconds": _int_setting("KIOSK_IDLE_WARNING_SECONDS", IDLE_WARNING_SECONDS, 1, 120),
        "priority_groups": groups,
        "forms_url": "/kiosk/forms",
        "scan_url": "/kiosk/scan",
    }


@bp.get("/kiosk")
def kiosk():
    principal, response = _viewer()
    if response is not None:
        return response
    with force_locale(_lang()):
        centre_name, config = _kiosk_config(principal)
        page = render_template("kiosk/kiosk.html", centre_name=centre_name, kconfig=config,
                               strings=kiosk_strings(), lang=_lang())
    reply = Response(page, mimetype="text/html")
    reply.headers["Cache-Control"] = "no-store"
    return reply


@bp.get("/kiosk/qr/<code>.svg")
def ticket_qr(code: str):
    """The QR code of a ticket's tracking link, drawn on the server (no script library needed)."""
    principal = current_principal()
    if principal is None or not principal.has(*KIOSK_ROLES):
        raise Unauthenticated(_("Cần mã thiết bị kiosk để tạo mã QR."))
    links = current_app.extensions["motcua_links"]
    with current_app.extensions["motcua"].uow(read_only=True) as uow:
        ticket = links.find(uow.session, code)
        if ticket is None or ticket.centre_id != principal.centre_id:
            raise NotFound(_("Không có phiếu với mã này."))
        url = links.url(ticket)
    return Response(qr_svg(url), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=86400"})


def qr_svg(data: str) -> bytes:
    """A crisp, scalable QR code (SVG path, error correction M, 4-module quiet zone)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.make_image().to_string()


def hint_texts() -> dict[str, str]:
    """What the kiosk says aloud on each screen when spoken hints are on (fixed sentences only)."""
    return {
        "home": _("Xin chào. Chạm nút màu đỏ để lấy số thứ tự, hoặc nút Tra cứu thủ tục để biết "
                  "cần mang giấy tờ gì."),
        "search": _("Gõ tên thủ tục bằng bàn phím trên màn hình, không cần dấu, hoặc chọn một "
                    "lĩnh vực ở dưới."),
        "procedure": _("Chạm vào từng giấy tờ bạn đã có. Màn hình sẽ cho biết giấy tờ còn thiếu. "
                       "Sau đó chạm nút Lấy số cho thủ tục này."),
        "services": _("Chạm vào dịch vụ bạn cần."),
        "priority": _("Chạm nút Lấy số. Nếu bạn thuộc diện ưu tiên, hãy chạm vào nhóm của bạn."),
        "ticket": _("Đây là số thứ tự của bạn. Hãy nhận phiếu và chờ gọi số. Quét mã QR để theo "
                    "dõi trên điện thoại."),
        "checkin": _("Nhập mã đặt lịch hoặc số căn cước, rồi chạm nút Nhận số."),
    }


def hint_voice(lang: str):
    """One cache of spoken hints per language (espeak-ng, no chime, said once)."""
    from pathlib import Path

    from queue_server.announce import AnnouncementCache

    key = f"motcua_kiosk_hints_{lang}"
    cache = current_app.extensions.get(key)
    if cache is None:
        cache = AnnouncementCache(Path(current_app.config["DATA_DIR"]) / "kiosk-hints" / lang,
                                  voice=lang, repeat=1, speed=135, max_files=100)
        current_app.extensions[key] = cache
    return cache


@bp.get("/kiosk/hints/<screen>.wav")
def hint(screen: str):
    """The spoken hint of a kiosk screen, for citizens who read with difficulty."""
    from queue_server.announce import SynthesisError
    from queue_server.web.display import AudioUnavailable

    principal = current_principal()
    if principal is None or not principal.has(*KIOSK_ROLES):
        raise Unauthenticated(_("Cần mã thiết bị kiosk."))
    lang = _lang()
    with force_locale(lang):
        texts = hint_texts()
    if screen not in texts:
        raise NotFound(_("Không có hướng dẫn cho màn hình này."))
    try:
        path = hint_voice(lang).path_for(texts[screen])
    except SynthesisError as exc:
        raise AudioUnavailable(str(exc)) from None
    reply = send_file(path, mimetype="audio/wav", max_age=86400, conditional=True, etag=True)
    reply.headers["Cache-Control"] = "private, max-age=86400"
    return reply


@bp.get("/dat-lich")
def booking_page():
    """Public: book an appointment at this server's centre, or cancel one."""
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        centre = uow.repo.centre_by_code(current_app.config["CENTRE_CODE"])
        if centre is None:
            raise NotFound(_("Trung tâm chưa được thiết lập."))
        services = [{"code": s.code, "name": s.name} for s in uow.repo.services(centre.id)]
        name, code = centre.name, centre.code
        today = lifecycle.local_day(centre, svc.clock()).isoformat()
        days_ahead = BookingRules.of(centre).days_ahead
    with force_locale(_lang()):
        return render_template("kiosk/booking.html", centre_name=name, lang=_lang(),
                               kconfig={"centre": code, "services": services, "today": today,
                                        "days_ahead": days_ahead},
                               strings=booking_strings())


def booking_strings() -> dict[str, str]:
    return {
        "network_error": _("Không kết nối được máy chủ."),
        "server_error": _("Lỗi máy chủ"),
        "full": _("hết chỗ"),
        "left": _("còn %s chỗ"),
        "no_slots": _("Không còn giờ trống trong ngày này."),
        "pick": _("Hãy chọn dịch vụ, ngày và giờ."),
        "when": _("Giờ hẹn"),
        "window": _("Nhận số tại kiosk từ %s đến %s."),
        "cancelled": _("Đã hủy lịch hẹn."),
    }
