"""Devices: agent health reports, the technician's device list, ticket print results and reprints.

The routes are described in the served OpenAPI document from here (``_document_routes``), so a
route and its description change in one commit, as openapi.py asks.
"""

from __future__ import annotations

from flask import jsonify, request

from .. import devices
from ..domain.errors import InvalidInput
from . import bp, openapi
from .common import caller, json_body, service


def _respond(outcome):
    return jsonify(outcome.body), outcome.status


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 128:
        raise InvalidInput("Idempotency-Key phải dài 1–128 ký tự.")
    return key


@bp.post("/devices/health")
def device_health():
    principal = caller("device:agent", "device:kiosk")
    return _respond(devices.report_health(service(), principal, json_body()))


@bp.get("/devices")
def device_list():
    principal = caller("manager", "user:admin")
    return jsonify(devices.list_devices(service(), principal))


@bp.post("/tickets/<int:ticket_id>/print-result")
def ticket_print_result(ticket_id: int):
    principal = caller("device:kiosk", "device:agent")
    return _respond(devices.print_result(service(), principal, ticket_id, json_body(),
                                         _idempotency_key()))


@bp.post("/tickets/<int:ticket_id>/reprint")
def ticket_reprint(ticket_id: int):
    principal = caller("device:kiosk", "user:staff", "user:manager", "user:admin")
    return _respond(devices.request_reprint(service(), principal, ticket_id, json_body()))


# --- OpenAPI -----------------------------------------------------------------------------------
def _document_routes() -> None:
    o = openapi
    STR, INT, BOOL = o.STR, o.INT, o.BOOL
    status = {"enum": list(devices.HEALTH_STATUSES)}
    device = o.obj({"id": {"type": "string", "maxLength": 80}, "kind": {"enum": list(devices.DEVICE_KINDS)},
                    "status": status, "message": {"type": "string", "maxLength": 300}},
                   required=["id", "status"], closed=False)
    schemas = {
        "HealthDevice": device,
        "HealthReport": o.obj({"devices": {"type": "array", "items": o.ref("HealthDevice"),
                                           "minItems": 1, "maxItems": devices.MAX_DEVICES},
                               "agent": {"type": "string", "description": "Agent version."}},
                              required=["devices"], closed=False),
        "HealthAnswer": o.obj({"status": status, "changed": {"type": "array", "items": STR},
                               "at": o.ref("DateTime"),
                               "rating_window_seconds": {
                                   "type": "integer", "description":
                                   "The centre's rating window; the agent judges keypad presses "
                                   "by it (also in `state.client` on connect)."}}),
        "Device": o.obj({
            "id": INT, "name": STR, "role": {"enum": ["kiosk", "display", "agent", "manager"]},
            "counter": o.nullable(INT),
            "status": {"enum": [*devices.HEALTH_STATUSES, "unknown"],
                       "description": "From the last report; offline when silent for "
                                      f"{devices.STALE_SECONDS} s; unknown if it never reported."},
            "last_contact_at": o.nullable(o.ref("DateTime")),
            "last_seen_at": o.nullable(o.ref("DateTime")),
            "agent": o.nullable(STR),
            "devices": {"type": "array", "items": o.ref("HealthDevice")},
        }),
        "PrintResult": o.obj({"ok": BOOL, "status": {"enum": list(devices.PRINT_STATUSES)},
                              "message": {"type": "string", "maxLength": 300}},
                             required=["ok"], closed=False),
        "PrintAnswer": o.obj({"ticket_id": INT, "number": STR,
                              "event": {"enum": ["ticket.printed", "ticket.print_failed"]},
                              "event_id": INT, "ok": BOOL, "status": STR, "message": STR,
                              "ticket_status": STR, "at": o.ref("DateTime")}),
        "Reprint": o.obj({"kiosk": {"type": "string", "description": "Kiosk token name; default: "
                                    "the kiosk asking, else the one that issued the ticket."}},
                         required=[], closed=False),
        "ReprintAnswer": o.obj({"ticket_id": INT, "number": STR,
                                "event": {"enum": ["ticket.print_requested"]}, "event_id": INT,
                                "printer": {"type": "string", "description": "device:KIOSK"},
                                "at": o.ref("DateTime")}),
    }
    key = {"name": "Idempotency-Key", "in": "header", "required": False,
           "schema": {"type": "string", "minLength": 1, "maxLength": 128},
           "description": "A repeated key answers as the first time and records nothing."}
    paths = {
        "/devices/health": {"post": o._op(
            "An agent's device health report; a status change becomes a device.health event.",
            "agent or kiosk token", {"200": o._json(o.ref("HealthAnswer"), "Stored."),
                                     **o._errors(401, 403, 422)},
            tag="devices", write=True, body=o.ref("HealthReport"), body_required=True)},
        "/devices": {"get": o._op(
            "Every device token with role, counter, last contact and health.",
            "manager token or manager/admin user",
            {"200": o._json({"type": "array", "items": o.ref("Device")}, "Devices."),
             **o._errors(401, 403)}, tag="devices")},
        "/tickets/{ticket_id}/print-result": {"post": o._op(
            "Whether the kiosk printer printed the ticket: event ticket.printed or "
            "ticket.print_failed (the ticket stays valid either way).", "kiosk or agent token",
            {"201": o._json(o.ref("PrintAnswer"), "Recorded (or the first answer for a repeated "
                            "Idempotency-Key)."), **o._errors(401, 403, 404, 409, 422)},
            tag="devices", write=True, body=o.ref("PrintResult"), body_required=True,
            params=[o.TICKET_ID, key])},
        "/tickets/{ticket_id}/reprint": {"post": o._op(
            "Ask a kiosk's agent to print the ticket again (event ticket.print_requested).",
            "kiosk token, staff, manager or admin user",
            {"202": o._json(o.ref("ReprintAnswer"), "Requested."),
             **o._errors(400, 401, 403, 404, 409, 422)},
            tag="devices", write=True, body=o.ref("Reprint"), params=[o.TICKET_ID])},
    }
    doc = o._DOCUMENT
    doc["paths"].update(paths)
    doc["components"]["schemas"].update(schemas)
    if {"name": "devices"} not in doc["tags"]:
        doc["tags"].append({"name": "devices"})
    note = ("\nDevice events (Socket.IO and the event log): ticket.printed and ticket.print_failed "
            "(ok, print_status, message — show the message on the kiosk), ticket.print_requested "
            "(printer: the kiosk whose agent prints it), device.health (device, role, status, "
            "changes). A kiosk's agent finds in `state.client` who it is and the tickets it has not "
            "printed (`unprinted`); every device agent the centre's `rating_window_seconds`, "
            "also in each health answer.\n")
    if note not in doc["info"]["description"]:
        doc["info"]["description"] += note
    for name in ("ticket.printed", "ticket.print_failed", "ticket.print_requested", "device.health"):
        if name not in o.EVENT_TYPES:
            o.EVENT_TYPES.append(name)  # the Event schema's enum is this list


_document_routes()
