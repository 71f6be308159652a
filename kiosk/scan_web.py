"""Scanning pages: the kiosk's "Quét hồ sơ" screen (/kiosk/scan) and the staff list of a ticket's
scans (/counter/scans), opened from the counter console.

The kiosk page is enrolled like the kiosk home (`?token=` once, then the device cookie); staff
may open it too (to scan at the counter). The camera, outline, thumbnails and corner editor run
in the browser (static/js/scan.js) over the scans API. With no camera, or `?camera=sim`, the page
plays the simulated camera: demo frames rendered by hardware.scan.synth in the scan worker and
kept in DATA_DIR/scan-demo, so `make run` works without hardware.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, url_for

from kiosk.web import _int_setting, _viewer
from queue_server.auth import current_principal
from queue_server.domain.errors import DomainError, NotFound
from queue_server.scans import READ_ROLES, scan_service

bp = Blueprint("kiosk_scan", __name__, template_folder="templates")

SCAN_IDLE_SECONDS = 240
_FRAME = re.compile(r"^frame_\d{4}\.jpg$")


def _no_store(page: str) -> Response:
    reply = Response(page, mimetype="text/html")
    reply.headers["Cache-Control"] = "no-store"
    return reply


def _ticket_arg() -> int | None:
    raw = request.args.get("ticket", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


@bp.get("/kiosk/scan")
def scan_page():
    principal, response = _viewer()
    if response is not None:
        return response
    staff = principal.kind == "user"
    ticket_id, ticket_number = _ticket_arg(), None
    if ticket_id:
        svc = current_app.extensions["motcua"]
        with svc.uow(read_only=True) as uow:
            ticket = uow.repo.ticket(ticket_id)
            if ticket is None or ticket.centre_id != principal.centre_id:
                ticket_id = None
            else:
                ticket_number = ticket.number
    home = "/counter/scans" if staff else (
        url_for("kiosk.kiosk") if "kiosk.kiosk" in current_app.view_functions else "/")
    camera = request.args.get("camera", "auto")
    config = {
        "camera": camera if camera in ("auto", "sim", "real") else "auto",
        "ticket_id": ticket_id, "ticket_number": ticket_number, "home_url": home,
        "staff": staff, "mode": request.args.get("mode", "grey") if request.args.get("mode") in
        ("grey", "colour", "bw") else "grey",
        "idle_seconds": _int_setting("KIOSK_SCAN_IDLE_SECONDS", SCAN_IDLE_SECONDS, 5, 3600),
        "demo_url": url_for(".demo_list"),
        "fps": max(1, min(15, request.args.get("fps", 4, type=int) or 4)),
    }
    return _no_store(render_template("scan/kiosk_scan.html", sconfig=config))


@bp.get("/kiosk/scan/demo.json")
def demo_list():
    principal, response = _viewer()
    if response is not None:
        return response
    _folder, names = scan_service(current_app).demo_frames()
    return {"frames": [url_for(".demo_frame", name=n) for n in names]}


@bp.get("/kiosk/scan/demo/<name>")
def demo_frame(name: str):
    principal, response = _viewer()
    if response is not None:
        return response
    folder, names = scan_service(current_app).demo_frames()
    if not _FRAME.match(name) or name not in names:
        raise NotFound("Không có ảnh mẫu này.")
    return send_file(folder / name, mimetype="image/jpeg", max_age=3600)


# --- staff -----------------------------------------------------------------------------------
def _staff():
    principal = current_principal()
    if principal is None or principal.kind != "user":
        return None, redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if not principal.has(*READ_ROLES):
        return None, (render_template("error.html", status=403,
                                      message="Chỉ cán bộ đăng nhập mới xem được hồ sơ quét."), 403)
    return principal, None


@bp.get("/counter/scans")
def staff_scans():
    """The scans of a ticket (?ticket_id=), of a form draft (?draft=), or of the ticket this
    person is serving at their counter (default)."""
    principal, response = _staff()
    if response is not None:
        return response
    scans = scan_service(current_app)
    ticket_id = _ticket_arg() or (int(request.args["ticket_id"]) if request.args.get("ticket_id", "").isdigit()
                                  and 0 < int(request.args["ticket_id"]) < 2**31 else None)
    draft = (request.args.get("draft") or "")[:20]
    title, found, message, number = "", [], None, None
    try:
        if draft:
            found = scans.for_draft(principal, draft)
            title = f"Tờ khai {draft.upper()}"
        else:
            if ticket_id is None:
                svc = current_app.extensions["motcua"]
                with svc.uow(read_only=True) as uow:
                    counter = uow.repo.counter_of_staff(principal.user_id) if principal.user_id else None
                    current = uow.repo.current_at(counter.id) if counter else []
                    if current:
                        ticket_id, number = current[-1].id, current[-1].number
            if ticket_id is None:
                message = "Quầy của bạn chưa gọi số nào. Nhập mã tờ khai, hoặc mở từ một số thứ tự."
            else:
                found = scans.for_ticket(principal, ticket_id)
                number = number or (found[0]["ticket_number"] if found else None)
                title = f"Số {number}" if number else f"Phiếu mã {ticket_id}"
    except DomainError as exc:
        message = exc.message
    if not message and not found:
        message = "Chưa có hồ sơ quét nào."
    return _no_store(render_template("scan/staff_scans.html", scans=found, title=title,
                                     message=message, ticket_id=ticket_id, draft=draft))
