"""The manager's pages: the live dashboard (`/manager`) and the reports (`/manager/reports`).

Both are thin: the figures come from the reports API (`/api/v1/reports/dashboard`,
`/api/v1/reports/report`, `/api/v1/reports/export`) read with the session, so the page shows
exactly what the API and the exports give. A manager or admin login is required.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth import current_principal
from ..domain.errors import Forbidden

bp = Blueprint("manager", __name__, url_prefix="/manager")

MANAGER_ROLES = ("user:manager", "user:admin")


def _manager():
    """The logged-in manager, a redirect to the login page, or Forbidden for other people."""
    principal = current_principal()
    if principal is None or principal.kind != "user":
        return None, redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if not principal.has(*MANAGER_ROLES):
        raise Forbidden(_("Chỉ lãnh đạo (quản lý) hoặc quản trị viên mới xem được trang này."))
    return principal, None


def strings() -> dict[str, str]:
    """Messages the scripts show, translated on the server."""
    return {
        "network_error": _("Không kết nối được máy chủ."),
        "server_error": _("Lỗi máy chủ"),
        "minutes": _("%s phút"),
        "people": _("%s người"),
        "none": _("Không có"),
        "no_alerts": _("Không có cảnh báo. Mọi chỉ số trong tầm kiểm soát."),
        "counter_open": _("Đang mở"),
        "counter_paused": _("Tạm dừng"),
        "counter_closed": _("Đóng"),
        "busy": _("Đang phục vụ"),
        "idle": _("Rảnh"),
        "state_green": _("Đạt"),
        "state_amber": _("Gần đạt"),
        "state_red": _("Chưa đạt"),
        "state_none": _("Chưa có số liệu"),
        "gauge_wait_share": _("Chờ ≤ %s phút"),
        "gauge_service_share": _("Phục vụ ≤ %s phút"),
        "gauge_satisfaction": _("Tỷ lệ hài lòng"),
        "gauge_dossiers_per_staff_year": _("Hồ sơ/cán bộ/năm (dự kiến)"),
        "target": _("Chỉ tiêu %s"),
        "suggest": _("Đề xuất: %s"),
        "updated": _("Cập nhật %s"),
        "loading": _("Đang tải…"),
        "by_service": _("Theo dịch vụ"), "by_counter": _("Theo quầy"), "by_staff": _("Theo cán bộ"),
        "by_hour": _("Theo giờ lấy số"), "by_day": _("Theo ngày"),
        "col_key": _("Nhóm"), "col_tickets": _("Số phiếu"), "col_served": _("Đã phục vụ"),
        "col_no_show": _("Vắng mặt"), "col_wait_mean": _("Chờ TB (phút)"),
        "col_wait_p90": _("Chờ P90"), "col_wait_share": _("Chờ trong chỉ tiêu"),
        "col_service_mean": _("Phục vụ TB (phút)"), "col_service_share": _("Phục vụ trong chỉ tiêu"),
        "col_rated": _("Số phiếu đánh giá"), "col_rate": _("Tỷ lệ hài lòng"),
        "col_unit": _("Đơn vị (lĩnh vực)"), "col_forms": _("Số phiếu"),
        "col_staff": _("Cán bộ"), "col_days": _("Số ngày"), "col_per_day": _("Hồ sơ/ngày"),
        "col_per_year": _("Dự kiến/năm"),
        "chart_wait_by_hour": _("Thời gian chờ trung bình theo giờ (phút)"),
        "chart_satisfaction_trend": _("Tỷ lệ hài lòng theo ngày"),
        **{f"wd_{i}": name for i, name in enumerate(   # Python's weekday(): 0 is Monday
            [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"),
             _("Chủ nhật")])},
        "weekly_weekday": _("Thứ"), "weekly_service": _("Lĩnh vực"),
        "weekly_total": _("Tổng số quầy"),
        "weekly_note": _("Số quầy tối thiểu để thời gian chờ trung bình ≤ %s phút, theo số liệu "
                         "của kỳ báo cáo (Erlang C, kiểm tra bằng mô phỏng). Ô trống: không cần "
                         "quầy."),
        "weekly_none": _("Chưa có số liệu để lập kế hoạch bố trí quầy trong kỳ này."),
    }


@bp.get("")
def dashboard():
    principal, redirect_to = _manager()
    if redirect_to:
        return redirect_to
    return render_template("manager.html", me=principal.name, strings=strings())


@bp.get("/reports")
def reports():
    principal, redirect_to = _manager()
    if redirect_to:
        return redirect_to
    return render_template("manager_reports.html", me=principal.name, strings=strings())
