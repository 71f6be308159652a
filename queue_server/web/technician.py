"""The technician's pages: every device with its last heartbeat and status and the events of the
last hour (`/technician`), and the simulated hardware of `make run` (`/technician/simulator`):
LED displays as they show now, rating pads to press, the kiosk printer with a paper-out switch.

Logged-in staff, managers and admins may look; the data comes from queue_server.devices and the
in-process simulation (hardware.simulated), which exists only when SIMULATED_HARDWARE is on.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, send_file, url_for

from .. import devices
from ..auth import current_principal
from ..domain.access import Principal, require
from ..domain.errors import InvalidInput, NotFound

bp = Blueprint("technician", __name__, url_prefix="/technician")

ROLES = ("user:staff", "user:manager", "user:admin")


def _person() -> Principal:
    return require(current_principal(), *ROLES)


def _page(template: str, **context):
    principal = current_principal()
    if principal is None or principal.kind != "user":
        return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    _person()
    return render_template(template, me=principal.name, **context)


@bp.get("")
def technician_page():
    return _page("technician/devices.html")


@bp.get("/data.json")
def technician_data():
    principal = _person()
    svc = current_app.extensions["motcua"]
    return jsonify({"devices": devices.device_rows(svc, principal.centre_id),
                    "events": devices.recent_events(svc, principal.centre_id, minutes=60),
                    "stale_seconds": devices.STALE_SECONDS})


def _simulation():
    sim = current_app.extensions.get("motcua_simulation")
    if sim is None:
        raise NotFound("Thiết bị mô phỏng chưa bật: chạy `make run` hoặc đặt MOTCUA_SIMULATED_HARDWARE=1.")
    return sim


@bp.get("/simulator")
def simulator_page():
    return _page("technician/simulator.html",
                 running=current_app.extensions.get("motcua_simulation") is not None)


@bp.get("/simulator/state.json")
def simulator_state():
    _person()
    return jsonify(_simulation().snapshot())


@bp.post("/simulator/press")
def simulator_press():
    _person()
    body = request.get_json(silent=True) or {}
    counter, key = body.get("counter"), body.get("key")
    sim = _simulation()
    numbers = [n for n, _ in sim.counters]
    if counter not in numbers or key not in (1, 2, 3):
        raise InvalidInput(f'Gửi {{"counter": một trong {numbers}, "key": 1|2|3}}.')
    sim.press(counter, key)
    return jsonify({"pressed": key, "counter": counter})


@bp.post("/simulator/paper")
def simulator_paper():
    _person()
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("paper_out"), bool):
        raise InvalidInput('Gửi {"paper_out": true|false}.')
    _simulation().set_paper_out(body["paper_out"])
    return jsonify({"paper_out": body["paper_out"]})


@bp.get("/simulator/ticket.png")
def simulator_ticket():
    _person()
    path = _simulation().latest_preview()
    if path is None:
        raise NotFound("Chưa in phiếu nào.")
    return send_file(path, mimetype="image/png", max_age=0)
