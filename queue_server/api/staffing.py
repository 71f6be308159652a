"""Staffing advice for managers: GET /api/v1/reports/staffing?from=&to= — per service and hour
the counters needed to keep the average wait within the target (Erlang C, checked by
simulation), the counters that were open, the advice in words and a weekly plan."""

from __future__ import annotations

import datetime as dt

from flask import jsonify, request

from ..domain.errors import InvalidInput
from ..reports import build, data
from ..reports.period import PeriodError, custom, from_query
from ..staffing.advice import staffing_report
from . import bp
from .common import caller, service
from .openapi import _errors, _json, _op, extend

MANAGERS = ("manager", "user:admin")
DEFAULT_DAYS = 28


def staffing_data(centre_id: int, args) -> dict:
    """The staffing report for the period in `args` (default: the 4 weeks ending yesterday)."""
    svc = service()
    ctx, tz = data.context(svc, centre_id)
    today = svc.clock().astimezone(tz).date()
    try:
        if not any(args.get(k) for k in ("from", "to", "period")):
            period = custom(today - dt.timedelta(days=DEFAULT_DAYS), today - dt.timedelta(days=1))
        else:
            period = from_query(args, today)
    except PeriodError as exc:
        raise InvalidInput(str(exc)) from None
    start, end = period.bounds(tz)
    events = data.events(svc, centre_id, start, end)
    records = build.records_for(events, ctx, start, end)
    with svc.uow(read_only=True) as uow:
        counter_services = {c.number: [s.code for s in c.services]
                            for c in uow.repo.counters(centre_id)}
    report = staffing_report(records, events, start=start, end=end,
                             counter_services=counter_services, names=ctx.service_names,
                             target=ctx.targets.wait_minutes,
                             default_minutes=ctx.default_service_minutes)
    return {"period": period.as_dict(), **report}


@bp.get("/reports/staffing")
def report_staffing():
    principal = caller(*MANAGERS)
    reply = jsonify(staffing_data(principal.centre_id, request.args))
    reply.headers["Cache-Control"] = "no-store"
    return reply


extend(
    tags=["reports"],
    paths={"/reports/staffing": {"get": _op(
        "Staffing advice: per service and hour of day the fewest counters keeping the average "
        "wait within the target (Erlang C, checked by simulation), the counters that were open, "
        "sentences such as 'Mở thêm 1 quầy cho lĩnh vực Hộ tịch 8:00–10:00', and a weekly plan. "
        "Default period: the 4 weeks ending yesterday.",
        "a manager token, a manager or admin session",
        {"200": _json({"type": "object"}, "Staffing report."), **_errors(401, 403, 422)},
        tag="reports",
        params=[{"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "period", "in": "query",
                 "schema": {"enum": ["day", "week", "month", "quarter", "year"]}},
                {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}}])}},
)
