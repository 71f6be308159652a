"""The centre itself (name, address, logo, public address, time zone, working calendar, closing
action) and its templates (ticket header/footer, announcement, hall notice, rating scale and
reasons, priority groups). Both live in the `centres` row and its `settings` JSON; the engine
reads them through CentreSettings on every request, so a saved change applies to the next one.

Keys added here beside CentreSettings' own (which ignores keys it does not know):
`public_url`, `logo` (a file name under DATA_DIR/branding), `ticket_header`, `ticket_footer`
(lists of lines for the printed ticket).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..announce import announcement_text, spoken_text
from ..domain.access import Principal, require
from ..domain.errors import InvalidInput
from ..domain.model import Centre
from ..domain.settings import (
    DEFAULT_PRIORITY_GROUPS,
    DEFAULT_RATING_REASONS,
    CentreSettings,
)
from ..service_layer import QueueService
from . import audit
from .forms import Checker, FieldErrors, check_version

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
CLOSE_ACTIONS = {"cancel": "Hủy các số còn chờ (lý do: hết giờ làm việc)",
                 "keep": "Giữ các số còn chờ (cán bộ tự xử lý)"}
LOGO_MAX_BYTES = 1024 * 1024
DEFAULT_FOOTER = ["Xin cảm ơn quý công dân!"]


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def snapshot(centre: Centre) -> dict[str, Any]:
    return {"name": centre.name, "address": centre.address, "timezone": centre.timezone,
            "settings": dict(centre.settings or {})}


def load(svc: QueueService, principal: Principal) -> Centre:
    principal = _admin(principal)
    with svc.uow() as uow:
        centre = uow.repo.centre(principal.centre_id)
        uow.session.expunge_all()  # keep the loaded values once the unit of work closes
        return centre


def form_values(centre: Centre) -> dict[str, Any]:
    """What the centre and template forms show, from the stored row."""
    raw = dict(centre.settings or {})
    settings = CentreSettings.from_dict(raw)
    cal = settings.calendar
    fmt = lambda t: "24:00" if t == dt.time.max else t.strftime("%H:%M")  # noqa: E731
    return {
        "name": centre.name, "address": centre.address, "timezone": centre.timezone,
        "public_url": raw.get("public_url", ""), "logo": raw.get("logo", ""),
        "open_weekdays": sorted(cal.open_weekdays),
        "hours": "\n".join(f"{fmt(s)}-{fmt(e)}" for s, e in cal.hours),
        "holidays": "\n".join(d.strftime("%d/%m/%Y") for d in sorted(cal.holidays)),
        "extra_open_days": "\n".join(d.strftime("%d/%m/%Y") for d in sorted(cal.extra_open_days)),
        "close_action": settings.close_action,
        "ticket_header": "\n".join(raw.get("ticket_header", [])),
        "ticket_footer": "\n".join(raw.get("ticket_footer", DEFAULT_FOOTER)),
        "announcement": settings.announcement, "notice": settings.notice,
        "rating_scale": settings.rating_scale, "priority_interleave": settings.priority_interleave,
        "rating_reasons": "\n".join(f"{k} = {v}" for k, v in settings.rating_reasons.items()),
        "priority_groups": "\n".join(f"{k} = {v}" for k, v in settings.priority_groups.items()),
        "version": centre.version,
    }


def _check_settings(new: dict[str, Any], field: str) -> None:
    try:
        CentreSettings.from_dict(new)
    except InvalidInput as exc:
        raise FieldErrors({field: exc.message}) from None


def save_logo(data_dir: str, content: bytes) -> str:
    """Check an uploaded logo is a real PNG/JPEG image and keep it as DATA_DIR/branding/logo.png."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > LOGO_MAX_BYTES:
        raise FieldErrors({"logo": "Ảnh logo lớn quá 1 MB."})
    try:
        with Image.open(io.BytesIO(content)) as img:
            if img.format not in ("PNG", "JPEG"):
                raise FieldErrors({"logo": "Logo phải là ảnh PNG hoặc JPEG."})
            img.load()
            img = img.convert("RGBA") if img.mode in ("P", "LA") else img
            img.thumbnail((600, 600))
            folder = Path(data_dir) / "branding"
            folder.mkdir(parents=True, exist_ok=True)
            img.save(folder / "logo.png", format="PNG")
    except (UnidentifiedImageError, OSError):
        raise FieldErrors({"logo": "Tệp tải lên không phải ảnh đọc được."}) from None
    return "logo.png"


def logo_path(data_dir: str, centre: Centre) -> Path | None:
    name = (centre.settings or {}).get("logo")
    path = Path(data_dir) / "branding" / name if name else None
    return path if path and path.is_file() else None


def update_centre(svc: QueueService, principal: Principal, data: dict, *,
                  data_dir: str, logo: bytes | None = None) -> Centre:
    principal = _admin(principal)
    check = Checker(data)
    name = check.text("name", "tên Trung tâm", max_len=200)
    address = check.text("address", "địa chỉ", required=False, max_len=300)
    timezone = check.text("timezone", "múi giờ", max_len=64)
    if timezone and "timezone" not in check.errors:
        try:
            ZoneInfo(timezone)
            if timezone not in available_timezones():
                raise ZoneInfoNotFoundError(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            check.fail("timezone", f"Không có múi giờ '{timezone[:40]}' (ví dụ Asia/Ho_Chi_Minh).")
    public_url = check.text("public_url", "địa chỉ công khai", required=False, max_len=200,
                            pattern=r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?",
                            hint="ví dụ https://motcua.xa-demo.gov.vn").rstrip("/")
    weekdays = check.ids("open_weekdays", "ngày làm việc", set(range(7)))
    hours = check.periods("hours", "giờ làm việc")
    if not hours and "hours" not in check.errors:
        check.fail("hours", "Hãy nhập ít nhất một khung giờ làm việc, ví dụ 07:30-11:30.")
    holidays = check.dates("holidays", "ngày nghỉ lễ")
    extra = check.dates("extra_open_days", "ngày làm bù")
    close_action = check.choice("close_action", "cách xử lý số còn chờ", CLOSE_ACTIONS)
    version = check.version()
    check.done()
    logo_name = save_logo(data_dir, logo) if logo else None
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        centre = uow.repo.centre(principal.centre_id)
        before = snapshot(centre)
        settings = dict(centre.settings or {})
        settings["calendar"] = {"open_weekdays": sorted(weekdays), "hours": hours,
                                "holidays": holidays, "extra_open_days": extra}
        settings["close_action"] = close_action
        settings["public_url"] = public_url
        if logo_name:
            settings["logo"] = logo_name
        _check_settings(settings, "hours")
        check_version("Thiết lập Trung tâm", centre, version)
        centre.name, centre.address, centre.timezone = name, address, timezone
        centre.settings = settings
        audit.record(uow, principal, "centre.update", f"centre:{centre.code}",
                     centre_id=centre.id, at=svc.clock(), before=before, after=snapshot(centre))
        uow.commit()
        return centre


def update_templates(svc: QueueService, principal: Principal, data: dict) -> Centre:
    principal = _admin(principal)
    check = Checker(data)
    values = parse_templates(check)
    version = check.version()
    check.done()
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        centre = uow.repo.centre(principal.centre_id)
        before = snapshot(centre)
        settings = {**(centre.settings or {}), **values}
        _check_settings(settings, "announcement")
        check_version("Mẫu nội dung", centre, version)
        centre.settings = settings
        audit.record(uow, principal, "centre.templates", f"centre:{centre.code}",
                     centre_id=centre.id, at=svc.clock(), before=before, after=snapshot(centre))
        uow.commit()
        return centre


def parse_templates(check: Checker) -> dict[str, Any]:
    """The template fields, validated (shared by saving and by the live preview)."""
    announcement = check.text("announcement", "câu thông báo gọi số", max_len=300)
    if announcement and "announcement" not in check.errors:
        if "{number}" not in announcement or "{counter}" not in announcement:
            check.fail("announcement", "Câu thông báo phải có {number} (số thứ tự) và {counter} (số quầy).")
        else:
            try:
                announcement_text(announcement, "A001", 1)
            except ValueError as exc:
                check.fail("announcement", str(exc))
    scale = check.choice("rating_scale", "thang đánh giá", ("3", "5"), default="3")
    reasons = check.pairs("rating_reasons", "lý do chưa hài lòng") or dict(DEFAULT_RATING_REASONS)
    groups = check.pairs("priority_groups", "nhóm ưu tiên") or dict(DEFAULT_PRIORITY_GROUPS)
    return {
        "ticket_header": check.lines("ticket_header", "dòng đầu phiếu", max_lines=4),
        "ticket_footer": check.lines("ticket_footer", "dòng cuối phiếu", max_lines=4),
        "announcement": announcement,
        "notice": check.text("notice", "dòng thông báo màn hình sảnh", required=False, max_len=300),
        "rating_scale": int(scale) if scale in ("3", "5") else 3,
        "rating_reasons": reasons,
        "priority_groups": groups,
        "priority_interleave": check.integer("priority_interleave", "số lượt ưu tiên liên tiếp",
                                             low=1, high=20) or 2,
    }


def preview(centre: Centre, data: dict, *, data_dir: str, public_url: str,
            service_name: str = "Hộ tịch", number: str = "A025", counter: int = 3) -> dict[str, Any]:
    """The sentence as shown and as spoken, for the form being typed (not yet saved)."""
    check = Checker(data)
    values = parse_templates(check)
    if check.errors:
        return {"errors": check.errors}
    return {"errors": {}, "text": announcement_text(values["announcement"], number, counter),
            "spoken": spoken_text(values["announcement"], number, counter),
            "notice": values["notice"], "rating_scale": values["rating_scale"]}


def ticket_png(centre: Centre, data: dict, *, data_dir: str, public_url: str,
               service_name: str, now: dt.datetime) -> bytes:
    """The printed ticket for the template being typed, as the kiosk printer would print it."""
    from hardware.printer import TicketPrint, render_png

    check = Checker(data)
    values = parse_templates(check)
    logo = logo_path(data_dir, centre)
    ticket = TicketPrint(
        centre_name=centre.name, number="A025", service_name=service_name or "Dịch vụ",
        people_ahead=4, issued_at=now, estimated_wait_minutes=18,
        tracking_url=f"{public_url.rstrip('/')}/q/preview", priority_label=None,
        header_lines=tuple(values["ticket_header"]),
        footer_lines=tuple(values["ticket_footer"]) or tuple(DEFAULT_FOOTER),
        logo_path=str(logo) if logo else None, timezone=centre.timezone)
    return render_png(ticket)
