"""The centre itself (name, address, logo, public address, time zone, working calendar, closing
action) and its templates (ticket header/footer, announcement, hall notice, rating scale, window
and reasons, priority groups). Both live in the `centres` row and its `settings` JSON; the engine
reads them through CentreSettings on every request, so a saved change applies to the next one.

Keys added here beside CentreSettings' own (which ignores keys it does not know):
`public_url`, `logo` (a file name under DATA_DIR/branding), `ticket_header`, `ticket_footer`
(lists of lines for the printed ticket).
"""

from __future__ import annotations

import datetime as dt
import io
import re
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
    RATING_WINDOW_RANGE,
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
PREVIEW_CODE = "0" * 16  # a tracking code's length: the preview's QR is as big as a real one


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
        "rating_window_seconds": settings.rating_window_seconds,
        "rating_reasons": "\n".join(f"{k} = {v}" for k, v in settings.rating_reasons.items()),
        "priority_groups": "\n".join(f"{k} = {v}" for k, v in settings.priority_groups.items()),
        "version": centre.version,
        **target_values(centre),
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
        "rating_window_seconds": check.integer(
            "rating_window_seconds", "thời gian nhận đánh giá sau khi hoàn thành (giây)",
            low=RATING_WINDOW_RANGE[0], high=RATING_WINDOW_RANGE[1]) or 30,
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
        tracking_url=f"{public_url.rstrip('/')}/t/{PREVIEW_CODE}", priority_label=None,
        header_lines=tuple(values["ticket_header"]),
        footer_lines=tuple(values["ticket_footer"]) or tuple(DEFAULT_FOOTER),
        logo_path=str(logo) if logo else None, timezone=centre.timezone)
    return render_png(ticket)


# --- targets (the gauges' chỉ tiêu) -------------------------------------------------------------
# form field → (label, Targets key, part of a band or None, unit, low, high); shares are typed in %.
TARGET_FIELDS: dict[str, tuple[str, str, str | None, str, float, float]] = {
    "t_wait_minutes": ("thời gian chờ tối đa", "wait_minutes", None, "phút", 1, 240),
    "t_service_minutes": ("thời gian phục vụ tối đa", "service_minutes", None, "phút", 1, 480),
    "t_wait_share_green": ("tỷ lệ chờ trong chỉ tiêu (đạt)", "wait_share", "green", "%", 1, 100),
    "t_wait_share_amber": ("tỷ lệ chờ trong chỉ tiêu (gần đạt)", "wait_share", "amber", "%", 1, 100),
    "t_service_share_green": ("tỷ lệ phục vụ trong chỉ tiêu (đạt)", "service_share", "green", "%",
                              1, 100),
    "t_service_share_amber": ("tỷ lệ phục vụ trong chỉ tiêu (gần đạt)", "service_share", "amber",
                              "%", 1, 100),
    "t_satisfaction_green": ("tỷ lệ hài lòng (đạt)", "satisfaction", "green", "%", 1, 100),
    "t_satisfaction_amber": ("tỷ lệ hài lòng (gần đạt)", "satisfaction", "amber", "%", 1, 100),
    "t_dossiers_green": ("số hồ sơ/cán bộ/năm (đạt)", "dossiers_per_staff_year", "green", "hồ sơ",
                         1, 100000),
    "t_dossiers_amber": ("số hồ sơ/cán bộ/năm (gần đạt)", "dossiers_per_staff_year", "amber",
                         "hồ sơ", 1, 100000),
}


def _targets_of(centre: Centre):
    from ..reports.metrics import Targets

    try:
        return Targets.from_settings((centre.settings or {}).get("targets"))
    except ValueError:
        return Targets()   # a hand-edited bad setting: the form shows (and saving repairs) defaults


def target_values(centre: Centre) -> dict[str, str]:
    """The targets form's values, shares as percentages, decimals with a comma."""
    targets = _targets_of(centre)
    out = {}
    for name, (_, key, part, unit, _, _) in TARGET_FIELDS.items():
        value = getattr(targets, key)
        value = getattr(value, part) if part else value
        value = value * 100 if unit == "%" else value
        out[name] = f"{value:g}".replace(".", ",")
    return out


def _number(check: Checker, name: str, label: str, low: float, high: float) -> float | None:
    raw = str(check.raw(name) or "").strip().replace(" ", "")
    if not raw:
        check.fail(name, f"Hãy nhập {label}.")
        return None
    if "," in raw or re.fullmatch(r"\d{1,3}(\.\d{3})+", raw):   # 1.600 and 92,5 the Vietnamese way
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        check.fail(name, f"{label.capitalize()} phải là số (ví dụ 95 hoặc 92,5).")
        return None
    if not low <= value <= high:
        check.fail(name, f"{label.capitalize()} phải từ {low:g} đến {high:g}.")
        return None
    return value


def parse_targets(check: Checker) -> dict[str, Any]:
    """The `targets` setting from the form (Targets.from_settings' shape), with a message beside
    each wrong field; the 'gần đạt' level may not be above the 'đạt' level."""
    values = {name: _number(check, name, label, low, high)
              for name, (label, _, _, _, low, high) in TARGET_FIELDS.items()}
    out: dict[str, Any] = {}
    for name, (_, key, part, unit, _, _) in TARGET_FIELDS.items():
        value = values[name]
        if value is None:
            continue
        value = round(value / 100, 4) if unit == "%" else value
        if part is None:
            out[key] = value
        else:
            out.setdefault(key, {})[part] = value
    for name, (label, key, part, _, _, _) in TARGET_FIELDS.items():
        band = out.get(key)
        if part == "amber" and isinstance(band, dict) and {"green", "amber"} <= set(band) \
                and band["amber"] > band["green"]:
            check.fail(name, f"Mức gần đạt phải thấp hơn hoặc bằng mức đạt ({label}).")
    if "dossiers_per_staff_year" in out:
        out["dossiers_per_staff_year"] = {k: int(round(v)) for k, v in
                                          out["dossiers_per_staff_year"].items()}
    return out


def update_targets(svc: QueueService, principal: Principal, data: dict) -> Centre:
    """Save the centre's targets (the dashboard's and the reports' gauges use them next time)."""
    from ..reports.metrics import Targets

    principal = _admin(principal)
    check = Checker(data)
    targets = parse_targets(check)
    version = check.version()
    check.done()
    Targets.from_settings(targets)   # the form only builds what it accepts
    with svc.uow() as uow:
        uow.repo.lock_centre(principal.centre_id)
        centre = uow.repo.centre(principal.centre_id)
        before = snapshot(centre)
        merged = {**dict((centre.settings or {}).get("targets") or {}), **targets}
        try:   # keys the form does not show (idle_alert_minutes…) stay, unless they are broken
            Targets.from_settings(merged)
        except ValueError:
            merged = targets
        check_version("Chỉ tiêu", centre, version)
        centre.settings = {**(centre.settings or {}), "targets": merged}
        audit.record(uow, principal, "centre.targets", f"centre:{centre.code}",
                     centre_id=centre.id, at=svc.clock(), before=before, after=snapshot(centre))
        uow.commit()
        return centre
