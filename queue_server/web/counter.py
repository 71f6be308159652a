"""The counter staff console (`/counter`) and the one read it needs beyond the API
(`/counter/overview`): the counters this person may open, the counter they hold, its current
ticket, the waiting list for its services and today's counts, in one answer.

Every write goes through the JSON API (`/api/v1/counters/…`, `/api/v1/tickets/…`) with the
session cookie and the X-CSRFToken header, so the console can do nothing the API would not allow.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import current_principal
from ..domain import lifecycle
from ..domain.access import Principal
from ..domain.errors import Forbidden, NotFound, Unauthenticated
from ..domain.model import CounterStatus
from ..service_layer import QueueService, settings_of
from ..views import counter_view, ticket_view

bp = Blueprint("counter", __name__)

CONSOLE_ROLES = ("user:staff", "user:manager", "user:admin")
WAITING_LIST_MAX = 200


def _person() -> Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthenticated(_("Cần đăng nhập."))
    if not principal.has(*CONSOLE_ROLES):
        raise Forbidden(_("Chỉ cán bộ đăng nhập mới dùng được bàn gọi số."))
    return principal


@bp.get("/counter")
def console():
    principal = current_principal()
    if principal is None or principal.kind != "user":
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    _person()
    return render_template("counter.html", me=principal.name, strings=console_strings())


def console_strings() -> dict[str, str]:
    """Messages the console script shows, translated on the server (`%s` is filled in JS)."""
    return {
        "network_error": _("Không kết nối được máy chủ; thao tác chưa được thực hiện."),
        "server_error": _("Lỗi máy chủ"),
        "nobody_waiting": _("Không còn ai chờ."),
        "called": _("Đã gọi số %s."),
        "recalled": _("Đã gọi lại số %s."),
        "started": _("Bắt đầu phục vụ số %s."),
        "finished": _("Đã kết thúc số %s."),
        "skipped": _("Số %s được đánh dấu vắng mặt."),
        "cancelled": _("Đã hủy số %s."),
        "transferred": _("Đã chuyển số %s."),
        "opened": _("Đã mở quầy số %s."),
        "rated": _("Đã ghi nhận đánh giá: %s."),
        "rating_none": _("Không có lượt vừa phục vụ để đánh giá (đã quá thời gian đánh giá)."),
        "paused": _("Quầy đang tạm dừng."),
        "resumed": _("Quầy tiếp tục nhận số."),
        "closed": _("Đã đóng quầy."),
        "confirm_cancel": _("Hủy số %s? Công dân sẽ phải lấy số mới."),
        "confirm_close": _("Đóng quầy này?"),
        "no_current": _("Chưa gọi số nào"),
        "no_current_action": _("Chưa có số nào đang phục vụ."),
        "counter": _("Quầy số %s"),
        "open_counter": _("Mở quầy"),
        "held_by": _("Đang do %s mở"),
        "yours": _("Quầy của bạn"),
        "bad_dossier": _("Mã hồ sơ chỉ gồm chữ, số và . - / _, tối đa 40 ký tự."),
        "choose_target": _("Chọn nơi chuyển đến"),
        "to_service": _("Dịch vụ: %s"),
        "to_counter": _("Quầy số %s"),
        "status_waiting": _("Đang chờ"),
        "status_called": _("Đã gọi"),
        "status_serving": _("Đang phục vụ"),
        "counter_open": _("Đang mở"),
        "counter_paused": _("Tạm dừng"),
        "counter_closed": _("Đóng"),
        "busy": _("Đang xử lý thao tác trước…"),
        "priority_short": _("ƯT"),
        # Reprint: the paper comes out of the kiosk that issued the ticket, not at the counter.
        "reprint_sent": _("Đã gửi lệnh in lại số %(number)s đến máy in của kiosk %(kiosk)s; "
                          "đang chờ máy in…"),
        "reprint_done": _("Đã in lại phiếu số %(number)s tại kiosk %(kiosk)s."),
        "reprint_failed": _("Máy in của kiosk %(kiosk)s chưa in được số %(number)s: %(message)s"),
        "reprint_paper_out": _("máy in hết giấy; thay giấy rồi bấm In lại phiếu lần nữa."),
        "reprint_silent": _("Máy in của kiosk %(kiosk)s chưa trả lời — kiểm tra máy kiosk đang "
                            "bật và có mạng, rồi bấm In lại phiếu lần nữa."),
        "reprint_no_printer": _("Số %(number)s không được lấy tại kiosk nên không có phiếu "
                                "để in lại."),
    }


def counter_overview(svc: QueueService, principal: Principal, counter_id: int | None) -> dict:
    """What the console draws: choosable counters, the held one and, for the shown counter,
    its current ticket, waiting list (oldest first, capped) and today's counts."""
    with svc.uow(read_only=True) as uow:
        centre = svc.centre(uow, principal.centre_id)
        tz = ZoneInfo(centre.timezone)
        now = svc.clock()
        day = lifecycle.local_day(centre, now)
        user = uow.repo.user(principal.user_id)
        held = uow.repo.counter_of_staff(user.id)
        counters = []
        for row in uow.repo.counters(centre.id):
            if not (principal.is_admin or user.may_use(row)):
                continue
            staff = uow.repo.user(row.staff_id) if row.staff_id else None
            view = counter_view(row, tz, staff_name=staff.full_name if staff else None)
            view["mine"] = row.staff_id == user.id and row.status != CounterStatus.CLOSED
            view["free"] = row.status == CounterStatus.CLOSED or row.staff_id in (None, user.id)
            counters.append(view)
        shown = None
        if counter_id is not None:
            shown = uow.repo.counter(counter_id)
            if shown is None or shown.centre_id != centre.id or not shown.active:
                raise NotFound(_("Không tìm thấy quầy có mã %(id)s.", id=counter_id))
        elif held is not None:
            shown = held
        body: dict = {
            "server_time": lifecycle.local_time(centre, now).isoformat(timespec="seconds"),
            "me": {"name": user.full_name or user.username, "role": user.role},
            "held": held.id if held else None,
            "counters": counters,
            "services": [{"code": s.code, "name": s.name} for s in uow.repo.services(centre.id)],
            "all_counters": [{"number": c.number, "name": c.name}
                             for c in uow.repo.counters(centre.id) if c.active],
            "priority_groups": settings_of(centre).priority_groups,
            "counter": None,
        }
        if shown is None:
            return body
        waiting = uow.repo.waiting_for(shown, day)
        current = uow.repo.current_at(shown.id)
        counts = uow.repo.counts_today(shown.id, day)
        staff = uow.repo.user(shown.staff_id) if shown.staff_id else None
        body["counter"] = {
            **counter_view(shown, tz, staff_name=staff.full_name if staff else None),
            "mine": shown.staff_id == user.id and shown.status != CounterStatus.CLOSED,
            "current": ticket_view(current[-1], tz) if current else None,
            "waiting": [ticket_view(t, tz) for t in waiting[:WAITING_LIST_MAX]],
            "waiting_total": len(waiting),
            "today": {
                "served": counts.get("done", 0),
                "no_show": counts.get("no_show", 0),
                "cancelled": counts.get("cancelled", 0),
                "called": sum(counts.values()),
                "waiting": len(waiting),
            },
        }
        return body


@bp.get("/counter/overview")
def overview():
    principal = _person()
    raw = request.args.get("counter")
    counter_id = None
    if raw:
        if not raw.isdigit():
            raise NotFound(_("Mã quầy phải là số."))
        counter_id = int(raw)
    reply = jsonify(counter_overview(current_app.extensions["motcua"], principal, counter_id))
    reply.headers["Cache-Control"] = "no-store"
    return reply
