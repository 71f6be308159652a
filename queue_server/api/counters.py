"""Services and counters: what a kiosk offers and what a counter does."""

from __future__ import annotations

from flask import jsonify

from ..domain.errors import InvalidInput
from ..service_layer import COUNTER_ACTIONS
from . import bp
from .common import caller, service


@bp.get("/services")
def list_services():
    return jsonify(service().list_services(caller()))


@bp.get("/counters")
def list_counters():
    return jsonify(service().list_counters(caller()))


@bp.post("/counters/<int:counter_id>/call-next")
def call_next(counter_id: int):
    outcome = service().call_next(caller(), counter_id)
    if outcome.body is None:
        return "", 204
    return jsonify(outcome.body), outcome.status


@bp.post("/counters/<int:counter_id>/<action>")
def counter_action(counter_id: int, action: str):
    if action not in COUNTER_ACTIONS:
        raise InvalidInput(f"Không có thao tác '{action}'. Các thao tác: call-next, "
                           f"{', '.join(COUNTER_ACTIONS)}.")
    outcome = service().counter_action(caller(), counter_id, action)
    return jsonify(outcome.body), outcome.status


@bp.get("/state")
def state():
    """The same snapshot a display receives on connect, for clients that poll."""
    return jsonify(service().state(caller().centre_id))
