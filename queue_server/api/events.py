"""The event log: the one source of every metric, paged by id."""

from __future__ import annotations

from flask import jsonify, request

from ..domain.errors import InvalidInput
from . import bp
from .common import caller, centre_tz, parse_int, parse_time, service


@bp.get("/events")
def list_events():
    principal = caller("manager", "user:admin")
    tz = centre_tz(principal)
    start = parse_time(request.args.get("from"), "from", tz)
    end = parse_time(request.args.get("to"), "to", tz)
    if start and end and end <= start:
        raise InvalidInput("Tham số to phải sau from.")
    after = parse_int(request.args.get("after"), "after", default=None, low=0, high=2**62)
    limit = parse_int(request.args.get("limit"), "limit", default=1000, low=1, high=10000)
    return jsonify(service().events(principal, start=start, end=end, after=after, limit=limit))
