"""Tickets: issue, read, act on, rate."""

from __future__ import annotations

from flask import jsonify, request

from ..domain.errors import InvalidInput
from ..service_layer import TICKET_ACTIONS
from . import bp
from .common import caller, centre_tz, json_body, parse_time, service


def _respond(outcome):
    if outcome.body is None:
        return "", outcome.status
    return jsonify(outcome.body), outcome.status


@bp.post("/tickets")
def issue_ticket():
    principal = caller()
    body = json_body()
    code = body.get("service")
    if not isinstance(code, str) or not code:
        raise InvalidInput('Thiếu mã dịch vụ: gửi {"service": "MÃ", "priority": null}.')
    priority = body.get("priority")
    if priority is not None and not isinstance(priority, str):
        raise InvalidInput("priority phải là mã nhóm ưu tiên (chuỗi) hoặc null.")
    appointment_at = parse_time(body.get("appointment_at"), "appointment_at", centre_tz(principal)) \
        if body.get("appointment_at") is not None else None
    return _respond(service().issue(principal, code, priority=priority or None,
                                    appointment_at=appointment_at))


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int):
    return jsonify(service().get_ticket(caller(), ticket_id))


@bp.post("/tickets/<int:ticket_id>/<action>")
def ticket_action(ticket_id: int, action: str):
    if action not in TICKET_ACTIONS:
        raise InvalidInput(f"Không có thao tác '{action}'. Các thao tác: {', '.join(TICKET_ACTIONS)}.")
    principal = caller()
    return _respond(service().ticket_action(principal, ticket_id, action, json_body()))


@bp.post("/tickets/<int:ticket_id>/rating")
def rate_ticket(ticket_id: int):
    principal = caller()
    body = json_body()
    pressed = body.get("pressed_at")
    if pressed is None:
        pressed_at = None
    elif isinstance(pressed, str):
        pressed_at = parse_time(pressed, "pressed_at", centre_tz(principal))
    else:
        raise InvalidInput("pressed_at phải là thời gian ISO 8601.")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("reason phải là mã lý do (chuỗi) hoặc null.")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 128:
        raise InvalidInput("Idempotency-Key phải dài 1–128 ký tự.")
    source = body.get("source") or ("keypad" if principal.role == "agent" else "tablet")
    if source not in ("keypad", "tablet", "phone", "kiosk"):
        raise InvalidInput("source phải là keypad, tablet, phone hoặc kiosk.")
    svc = service()
    outcome = svc.rate(principal, ticket_id, level=body.get("level"),
                       pressed_at=pressed_at or svc.clock(), reason=reason,
                       idempotency_key=key, source=source)
    return _respond(outcome)
