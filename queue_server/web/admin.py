"""Centre administration pages (`/admin`, admins only) and every user's own password page
(`/account/password`).

Plain HTML forms posted with the CSRF token; each handler turns the form into a dict, calls a
use case of queue_server.admin and either redirects with a message or renders the form again
with the message next to each field (422), the conflict banner (409) or the refusal with the
archive button (409). After a change the open displays get a fresh `state` at once.
"""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from .. import admin
from ..admin import centre as centre_uc
from ..admin import live
from ..auth import current_principal
from ..domain.access import Principal
from ..domain.errors import DomainError, Forbidden
from ..ops import backup as backups
from ..ops import health

bp = Blueprint("admin", __name__)

PAGES = [("admin.dashboard", "Tổng quan"), ("admin.centre", "Trung tâm"),
         ("admin.services", "Dịch vụ"), ("admin.counters", "Quầy"), ("admin.staff", "Cán bộ"),
         ("admin.devices", "Thiết bị"), ("admin.templates", "Mẫu nội dung"),
         ("admin.catalog", "Danh mục thủ tục"), ("admin.audit", "Nhật ký"),
         ("admin.health_page", "Tình trạng hệ thống")]


def _svc():
    return current_app.extensions["motcua"]


def _me() -> Principal:
    return current_principal()


@bp.before_request
def _guard():
    principal = current_principal()
    if principal is None or principal.kind != "user":
        if request.method == "GET":
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        return Response("Cần đăng nhập.", status=401)
    if request.path.startswith("/admin") and not principal.is_admin:
        raise Forbidden("Chỉ tài khoản quản trị mới vào được trang quản trị.")
    return None


def _form() -> dict[str, Any]:
    """request.form as a dict; fields sent several times (checkbox lists) become lists."""
    data: dict[str, Any] = {}
    for key in request.form:
        values = request.form.getlist(key)
        data[key] = values if key in ("services", "counters", "open_weekdays",
                                      "priority_groups") else values[-1]
    return data


def _page(template: str, status: int = 200, **context):
    context.setdefault("errors", {})
    return render_template(f"admin/{template}", pages=PAGES, me=_me(), **context), status


def _refresh() -> None:
    live.refresh_clients(_me().centre_id)


def _failed(template: str, exc: DomainError, **context):
    errors = getattr(exc, "fields", None) or {}
    banner = None if errors else exc.message
    return _page(template, exc.status, errors=errors, banner=banner,
                 archive_url=getattr(exc, "archive_url", None), **context)


# --- dashboard ---------------------------------------------------------------------------------
@bp.get("/admin")
def dashboard():
    svc, me = _svc(), _me()
    return _page("dashboard.html", services=admin.services.list_all(svc, me),
                 counters=admin.counters.list_all(svc, me),
                 checks=health.report(current_app, me.centre_id))


# --- centre ------------------------------------------------------------------------------------
@bp.route("/admin/centre", methods=["GET", "POST"])
def centre():
    svc, me = _svc(), _me()
    row = centre_uc.load(svc, me)
    if request.method == "GET":
        return _page("centre.html", values=centre_uc.form_values(row), weekdays=list(enumerate(centre_uc.WEEKDAYS)),
                     close_actions=centre_uc.CLOSE_ACTIONS)
    data = _form()
    upload = request.files.get("logo")
    logo = upload.read() if upload and upload.filename else None
    try:
        centre_uc.update_centre(svc, me, data, data_dir=current_app.config["DATA_DIR"], logo=logo)
    except DomainError as exc:
        values = {**centre_uc.form_values(row), **data}
        values["open_weekdays"] = [int(d) for d in data.get("open_weekdays", []) if d.isdigit()]
        return _failed("centre.html", exc, values=values, weekdays=list(enumerate(centre_uc.WEEKDAYS)),
                       close_actions=centre_uc.CLOSE_ACTIONS)
    _refresh()
    flash("Đã lưu thông tin Trung tâm.")
    return redirect(url_for("admin.centre"))


@bp.post("/admin/centre/targets")
def centre_targets():
    """The 'Chỉ tiêu' form of the centre page: the gauges' targets (centre setting `targets`)."""
    svc, me = _svc(), _me()
    row = centre_uc.load(svc, me)
    data = _form()
    try:
        centre_uc.update_targets(svc, me, data)
    except DomainError as exc:
        return _failed("centre.html", exc, values={**centre_uc.form_values(row), **data},
                       weekdays=list(enumerate(centre_uc.WEEKDAYS)),
                       close_actions=centre_uc.CLOSE_ACTIONS)
    flash("Đã lưu chỉ tiêu; bảng điều hành và báo cáo dùng chỉ tiêu mới ngay.")
    return redirect(url_for("admin.centre") + "#chi-tieu")


@bp.get("/admin/centre/logo.png")
def centre_logo():
    path = centre_uc.logo_path(current_app.config["DATA_DIR"], centre_uc.load(_svc(), _me()))
    if path is None:
        return Response(status=404)
    return send_file(path, mimetype="image/png", max_age=0)


# --- templates and live preview ----------------------------------------------------------------
@bp.route("/admin/templates", methods=["GET", "POST"])
def templates():
    svc, me = _svc(), _me()
    row = centre_uc.load(svc, me)
    if request.method == "GET":
        return _page("templates.html", values=centre_uc.form_values(row))
    data = _form()
    try:
        centre_uc.update_templates(svc, me, data)
    except DomainError as exc:
        return _failed("templates.html", exc, values={**centre_uc.form_values(row), **data})
    _refresh()
    flash("Đã lưu mẫu nội dung; phiếu, thông báo và màn hình dùng mẫu mới ngay.")
    return redirect(url_for("admin.templates"))


def _preview_service() -> str:
    services = admin.services.list_all(_svc(), _me())
    return next((s["name"] for s in services if s["active"]), "Hộ tịch")


@bp.post("/admin/templates/preview")
def templates_preview():
    row = centre_uc.load(_svc(), _me())
    return jsonify(centre_uc.preview(row, _form(), data_dir=current_app.config["DATA_DIR"],
                                     public_url=current_app.config["PUBLIC_URL"]))


@bp.post("/admin/templates/ticket.png")
def templates_ticket():
    svc = _svc()
    row = centre_uc.load(svc, _me())
    try:
        png = centre_uc.ticket_png(row, _form(), data_dir=current_app.config["DATA_DIR"],
                                   public_url=current_app.config["PUBLIC_URL"],
                                   service_name=_preview_service(), now=svc.clock())
    except ImportError:
        return Response("Máy chủ thiếu gói in phiếu (hardware); không xem trước được.", status=503)
    return send_file(io.BytesIO(png), mimetype="image/png", max_age=0)


# --- services ----------------------------------------------------------------------------------
def _service_values(service) -> dict:
    catalog = current_app.extensions["motcua_catalog"]
    linked = admin.services.linked_procedures(catalog, service.centre_id, service.code)
    return {**admin.services.snapshot(service), "id": service.id, "version": service.version,
            "windows": "\n".join(f"{a}-{b}" for a, b in service.windows or []),
            "daily_cap": service.daily_cap or "", "linked": linked, "procedures": ""}


def _services_page(status: int = 200, **context):
    svc, me = _svc(), _me()
    return _page("services.html", status, services=admin.services.list_all(svc, me),
                 priority_options=admin.services.priority_options(svc, me), **context)


@bp.get("/admin/services")
def services():
    return _services_page(values={})


@bp.post("/admin/services")
def service_create():
    data = _form()
    if "priority_shown" in data:  # unchecked boxes are not sent: show them unchecked again
        data.setdefault("priority_enabled", "")
    try:
        service = admin.services.create(_svc(), _me(), data)
    except DomainError as exc:
        errors = getattr(exc, "fields", None) or {}
        return _services_page(exc.status, values=data, errors=errors,
                              banner=None if errors else exc.message)
    _refresh()
    flash(f"Đã thêm dịch vụ {service.name} (số {service.prefix}001…); kiosk hiển thị ngay.")
    return redirect(url_for("admin.services"))


@bp.route("/admin/services/<int:service_id>", methods=["GET", "POST"])
def service_edit(service_id: int):
    svc, me = _svc(), _me()
    service = admin.services.get(svc, me, service_id)
    options = admin.services.priority_options(svc, me)
    if request.method == "GET":
        return _page("service_edit.html", values=_service_values(service), priority_options=options)
    data = _form()
    if "priority_shown" in data:  # unchecked boxes are not sent: show them unchecked again
        data.setdefault("priority_enabled", "")
        data.setdefault("priority_groups", [])
    try:
        admin.services.update(svc, me, service_id, data)
    except DomainError as exc:
        return _failed("service_edit.html", exc, values={**_service_values(service), **data},
                       priority_options=options)
    _refresh()
    flash("Đã lưu dịch vụ.")
    return redirect(url_for("admin.services"))


@bp.post("/admin/services/<int:service_id>/delete")
def service_delete(service_id: int):
    svc, me = _svc(), _me()
    service = admin.services.get(svc, me, service_id)
    try:
        admin.services.delete_service(svc, me, service_id)
    except DomainError as exc:
        return _failed("service_edit.html", exc, values=_service_values(service),
                       priority_options=admin.services.priority_options(svc, me))
    _refresh()
    flash(f"Đã xóa dịch vụ {service.name}.")
    return redirect(url_for("admin.services"))


@bp.post("/admin/services/<int:service_id>/<any(archive, restore):action>")
def service_archive(service_id: int, action: str):
    service = admin.services.set_active(_svc(), _me(), service_id, action == "restore")
    _refresh()
    flash(f"Dịch vụ {service.name} {'đã hoạt động lại' if service.active else 'đã được lưu trữ (ngừng phát số)'}.")
    return redirect(url_for("admin.services"))


@bp.post("/admin/services/order")
def services_order():
    body = request.get_json(silent=True) or {}
    order = admin.services.reorder(_svc(), _me(), body.get("ids") or [])
    _refresh()
    return jsonify({"order": order})


# --- counters ----------------------------------------------------------------------------------
def _counters_page(status: int = 200, **context):
    svc, me = _svc(), _me()
    return _page("counters.html", status, counters=admin.counters.list_all(svc, me),
                 services=admin.services.list_all(svc, me), **context)


def _counter_values(counter) -> dict:
    return {**admin.counters.snapshot(counter), "id": counter.id, "version": counter.version,
            "services": [str(s.id) for s in counter.services], "status": str(counter.status)}


@bp.get("/admin/counters")
def counters():
    return _counters_page(values={"services": []})


@bp.post("/admin/counters")
def counter_create():
    data = _form()
    try:
        counter = admin.counters.create(_svc(), _me(), data)
    except DomainError as exc:
        errors = getattr(exc, "fields", None) or {}
        return _counters_page(exc.status, values={"services": [], **data}, errors=errors,
                              banner=None if errors else exc.message)
    _refresh()
    flash(f"Đã thêm quầy số {counter.number}.")
    return redirect(url_for("admin.counters"))


@bp.post("/admin/counters/order")
def counters_order():
    body = request.get_json(silent=True) or {}
    order = admin.counters.reorder(_svc(), _me(), body.get("ids") or [])
    _refresh()
    return jsonify({"order": order})


@bp.route("/admin/counters/<int:counter_id>", methods=["GET", "POST"])
def counter_edit(counter_id: int):
    svc, me = _svc(), _me()
    counter = admin.counters.get(svc, me, counter_id)
    services = admin.services.list_all(svc, me)
    if request.method == "GET":
        return _page("counter_edit.html", values=_counter_values(counter), services=services)
    data = _form()
    data.setdefault("services", [])
    try:
        admin.counters.update(svc, me, counter_id, data)
    except DomainError as exc:
        return _failed("counter_edit.html", exc, values={**_counter_values(counter), **data},
                       services=services)
    _refresh()
    flash(f"Đã lưu quầy số {data.get('number')}.")
    return redirect(url_for("admin.counters"))


@bp.post("/admin/counters/<int:counter_id>/delete")
def counter_delete(counter_id: int):
    svc, me = _svc(), _me()
    counter = admin.counters.get(svc, me, counter_id)
    try:
        admin.counters.delete_counter(svc, me, counter_id)
    except DomainError as exc:
        return _failed("counter_edit.html", exc, values=_counter_values(counter),
                       services=admin.services.list_all(svc, me))
    _refresh()
    flash(f"Đã xóa quầy số {counter.number}.")
    return redirect(url_for("admin.counters"))


@bp.post("/admin/counters/<int:counter_id>/<any(archive, restore):action>")
def counter_archive(counter_id: int, action: str):
    svc, me = _svc(), _me()
    try:
        counter = admin.counters.set_active(svc, me, counter_id, action == "restore")
    except DomainError as exc:
        counter = admin.counters.get(svc, me, counter_id)
        return _failed("counter_edit.html", exc, values=_counter_values(counter),
                       services=admin.services.list_all(svc, me))
    _refresh()
    flash(f"Quầy số {counter.number} {'đã hoạt động lại' if counter.active else 'đã được lưu trữ'}.")
    return redirect(url_for("admin.counters"))


# --- staff -------------------------------------------------------------------------------------
def _staff_page(status: int = 200, **context):
    svc, me = _svc(), _me()
    return _page("staff.html", status, users=admin.staff.list_all(svc, me),
                 counters=admin.counters.list_all(svc, me), roles=admin.staff.ROLE_LABELS,
                 **context)


def _user_values(user) -> dict:
    return {**admin.staff.snapshot(user), "id": user.id, "version": user.version,
            "counters": [str(c.id) for c in user.allowed_counters]}


@bp.get("/admin/staff")
def staff():
    return _staff_page(values={"counters": [], "role": "staff"})


@bp.post("/admin/staff")
def staff_create():
    data = _form()
    try:
        user = admin.staff.create(_svc(), _me(), data)
    except DomainError as exc:
        errors = getattr(exc, "fields", None) or {}
        data.pop("password", None)
        data.pop("password2", None)
        return _staff_page(exc.status, values={"counters": [], **data}, errors=errors,
                           banner=None if errors else exc.message)
    flash(f"Đã tạo tài khoản {user.username} ({admin.staff.ROLE_LABELS[user.role]}).")
    return redirect(url_for("admin.staff"))


@bp.route("/admin/staff/<int:user_id>", methods=["GET", "POST"])
def staff_edit(user_id: int):
    svc, me = _svc(), _me()
    user = admin.staff.get(svc, me, user_id)
    context = {"counters": admin.counters.list_all(svc, me), "roles": admin.staff.ROLE_LABELS}
    if request.method == "GET":
        return _page("staff_edit.html", values=_user_values(user), **context)
    data = _form()
    data.setdefault("counters", [])
    try:
        admin.staff.update(svc, me, user_id, data)
    except DomainError as exc:
        return _failed("staff_edit.html", exc, values={**_user_values(user), **data}, **context)
    flash(f"Đã lưu tài khoản {user.username}.")
    return redirect(url_for("admin.staff"))


@bp.post("/admin/staff/<int:user_id>/password")
def staff_password(user_id: int):
    svc, me = _svc(), _me()
    user = admin.staff.get(svc, me, user_id)
    try:
        admin.staff.reset_password(svc, me, user_id, _form())
    except DomainError as exc:
        errors = {("new_" + k): v for k, v in (getattr(exc, "fields", None) or {}).items()}
        return _page("staff_edit.html", exc.status, values=_user_values(user), errors=errors,
                     counters=admin.counters.list_all(svc, me), roles=admin.staff.ROLE_LABELS)
    flash(f"Đã đặt lại mật khẩu cho {user.username}; hãy báo mật khẩu mới cho người dùng.")
    return redirect(url_for("admin.staff_edit", user_id=user_id))


@bp.post("/admin/staff/<int:user_id>/<any(disable, enable):action>")
def staff_active(user_id: int, action: str):
    svc, me = _svc(), _me()
    try:
        user = admin.staff.set_active(svc, me, user_id, action == "enable")
    except DomainError as exc:
        user = admin.staff.get(svc, me, user_id)
        return _failed("staff_edit.html", exc, values=_user_values(user),
                       counters=admin.counters.list_all(svc, me), roles=admin.staff.ROLE_LABELS)
    flash(f"Tài khoản {user.username} {'đã mở lại' if user.active else 'đã bị khóa'}.")
    return redirect(url_for("admin.staff"))


# --- devices -----------------------------------------------------------------------------------
def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _devices_page(status: int = 200, **context):
    svc, me = _svc(), _me()
    return _page("devices.html", status, devices=admin.devices.list_all(svc, me),
                 counters=admin.counters.list_all(svc, me), roles=admin.devices.ROLE_LABELS,
                 **context)


@bp.get("/admin/devices")
def devices():
    return _devices_page(values={"role": "display"})


@bp.post("/admin/devices")
def device_create():
    data = _form()
    try:
        settings = centre_uc.load(_svc(), _me()).settings or {}
        public_url = settings.get("public_url") or current_app.config["PUBLIC_URL"]
        created = admin.devices.create(_svc(), _me(), data, public_url)
    except DomainError as exc:
        errors = getattr(exc, "fields", None) or {}
        return _devices_page(exc.status, values=data, errors=errors,
                             banner=None if errors else exc.message)
    page, status = _devices_page(values={"role": data.get("role", "display")}, created=created,
                                 qr=_qr_svg(created.enrol_url or created.token))
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"  # the token is shown once, never cached
    return response


@bp.post("/admin/devices/<int:token_id>/revoke")
def device_revoke(token_id: int):
    row = admin.devices.revoke(_svc(), _me(), token_id)
    flash(f"Đã thu hồi mã của thiết bị {row.name}; thiết bị bị ngắt kết nối ngay.")
    return redirect(url_for("admin.devices"))


# --- catalogue ---------------------------------------------------------------------------------
def _catalog():
    return current_app.extensions["motcua_catalog"]


@bp.get("/admin/catalog")
def catalog():
    return _page("catalog.html", procedures=admin.catalog.procedures(_me(), _catalog()))


@bp.post("/admin/catalog/import")
def catalog_import():
    upload = request.files.get("file")
    fmt = request.form.get("format") or ""
    try:
        if not upload or not upload.filename:
            raise admin.FieldErrors({"file": "Hãy chọn tệp danh mục (JSON hoặc CSV)."})
        if not fmt:
            fmt = upload.filename.rsplit(".", 1)[-1].lower()
        text = admin.catalog.decode(upload.read())
        report = admin.catalog.import_catalog(_svc(), _me(), _catalog(), text, fmt,
                                              dry_run=request.form.get("apply") != "1")
    except DomainError as exc:
        return _failed("catalog.html", exc,
                       procedures=admin.catalog.procedures(_me(), _catalog()))
    return _page("catalog.html", 200 if report.ok else 422, report=report,
                 procedures=admin.catalog.procedures(_me(), _catalog()))


@bp.get("/admin/catalog/export.<any(json, csv):fmt>")
def catalog_export(fmt: str):
    text = admin.catalog.export_catalog(_me(), _catalog(), fmt)
    mimetype = "application/json" if fmt == "json" else "text/csv"
    return Response(text, mimetype=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=danh-muc-thu-tuc.{fmt}"})


@bp.route("/admin/catalog/<code>", methods=["GET", "POST"])
def procedure_edit(code: str):
    import json

    if request.method == "GET":
        record = admin.catalog.get_procedure(_me(), _catalog(), code)
        return _page("procedure_edit.html", code=code,
                     record=json.dumps(record, ensure_ascii=False, indent=2))
    text = request.form.get("record", "")
    try:
        admin.catalog.save_procedure(_svc(), _me(), _catalog(), code, text)
    except DomainError as exc:
        return _failed("procedure_edit.html", exc, code=code, record=text)
    flash(f"Đã lưu thủ tục {code}; kiosk dùng bản mới ngay.")
    return redirect(url_for("admin.procedure_edit", code=code))


# --- audit log ---------------------------------------------------------------------------------
def _audit_rows(limit: int) -> tuple[list[dict], dict]:
    from zoneinfo import ZoneInfo

    from ..api.common import parse_time

    me = _me()
    tz = ZoneInfo(centre_uc.load(_svc(), me).timezone)
    filters = {k: (request.args.get(k) or "").strip()[:100] for k in ("q", "actor", "start", "end", "source")}
    start = parse_time(filters["start"], "start", tz)
    end = parse_time(filters["end"], "end", tz)
    rows = admin.audit.search(_svc(), me.centre_id, q=filters["q"], actor=filters["actor"],
                              start=start, end=end, limit=limit,
                              include_events=filters["source"] != "admin")
    return rows, filters


@bp.get("/admin/audit")
def audit():
    try:
        rows, filters = _audit_rows(300)
    except DomainError as exc:
        return _page("audit.html", 422, rows=[], filters=dict(request.args), banner=exc.message)
    return _page("audit.html", rows=rows, filters=filters)


@bp.get("/admin/audit.csv")
def audit_csv():
    rows, _ = _audit_rows(100_000)
    return Response(admin.audit.to_csv(rows), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=nhat-ky.csv"})


# --- health and backup -------------------------------------------------------------------------
@bp.get("/admin/health")
def health_page():
    folder = backups.backup_dir(current_app.config)
    files = sorted(folder.glob("motcua-*.*"), reverse=True) if folder.is_dir() else []
    return _page("health.html", checks=health.report(current_app, _me().centre_id),
                 backups=[(p.name, p.stat().st_size) for p in files[:20]],
                 backup_at=current_app.config.get("BACKUP_AT") or "")


@bp.post("/admin/backup")
def backup_now():
    import datetime as dt

    folder = backups.backup_dir(current_app.config)
    url = current_app.config["DATABASE_URL"]
    try:
        result = backups.backup(url, folder / backups.nightly_name(dt.datetime.now(dt.UTC), url))
    except backups.BackupError as exc:
        flash(f"Sao lưu thất bại: {exc}", "error")
        return redirect(url_for("admin.health_page"))
    backups.remember(folder, result)
    with _svc().uow() as uow:
        admin.audit.record(uow, _me(), "backup.create", result.path.name,
                           centre_id=_me().centre_id, at=_svc().clock(),
                           after={"size": result.size, "kind": result.kind})
        uow.commit()
    flash(f"Đã sao lưu: {result.path.name} ({result.size // 1024} KB).")
    return redirect(url_for("admin.health_page"))


# --- own password ------------------------------------------------------------------------------
@bp.route("/account/password", methods=["GET", "POST"])
def own_password():
    if request.method == "GET":
        return _page("password.html", values={})
    try:
        admin.staff.change_own_password(_svc(), _me(), _form())
    except DomainError as exc:
        return _failed("password.html", exc, values={})
    flash("Đã đổi mật khẩu.")
    return redirect(url_for("admin.own_password"))
