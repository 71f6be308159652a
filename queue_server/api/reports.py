"""Reports for managers: summary, the whole report, exports and the live dashboard — every
figure from the event log through `queue_server.reports` (one computation everywhere)."""

from __future__ import annotations

import datetime as dt

from flask import Response, jsonify, request

from ..domain.errors import InvalidInput
from ..reports import build, data, exports
from ..reports.period import Period, PeriodError, from_query
from . import bp
from .common import caller, parse_int, service
from .openapi import INT, STR, _errors, _json, _op, extend

MANAGERS = ("manager", "user:admin")


def _period(tz) -> Period:
    today = service().clock().astimezone(tz).date()
    try:
        return from_query(request.args, today)
    except PeriodError as exc:
        raise InvalidInput(str(exc)) from None


def _filters(ctx: build.Context) -> dict:
    out: dict = {}
    code = request.args.get("service")
    if code:
        if code not in ctx.service_names:
            raise InvalidInput(f"Không có dịch vụ mã '{code[:20]}'. Các mã: "
                               f"{', '.join(ctx.service_names)}.")
        out["service"] = code
    number = parse_int(request.args.get("counter"), "counter", default=None, low=0, high=2**31 - 1)
    if number is not None:
        if number not in ctx.counter_names:
            raise InvalidInput(f"Không có quầy số {number}.")
        out["counter"] = number
    return out


def compute_report(centre_id: int) -> tuple[dict, list]:
    """(the whole report, its ticket records) for the period and filters of this request."""
    svc = service()
    ctx, tz = data.context(svc, centre_id)
    period = _period(tz)
    filters = _filters(ctx)
    start, end = period.bounds(tz)
    events = data.events(svc, centre_id, start, end)
    records = build.records_for(events, ctx, start, end, **filters)
    report = build.report(records, ctx, period, filters)
    report["today"] = svc.clock().astimezone(tz).date().isoformat()  # the centre's, for forms
    return report, records


@bp.get("/reports/summary")
def report_summary():
    principal = caller(*MANAGERS)
    report, _ = compute_report(principal.centre_id)
    return jsonify({**report["summary"], "period": report["period"], "filters": report["filters"]})


@bp.get("/reports/report")
def report_full():
    principal = caller(*MANAGERS)
    report, _ = compute_report(principal.centre_id)
    return jsonify(report)


@bp.get("/reports/export")
def report_export():
    principal = caller(*MANAGERS)
    fmt = request.args.get("format", "xlsx")
    if fmt not in exports.FORMATS:
        raise InvalidInput(f"Định dạng '{fmt[:10]}' không có. Chọn: {', '.join(exports.FORMATS)}.")
    report, _ = compute_report(principal.centre_id)
    if fmt == "xlsx":   # the weekly staffing plan gets its own sheet
        from .staffing import staffing_data

        plan = staffing_data(principal.centre_id, request.args)
        report["staffing"] = {"weekly": plan["weekly"], "days": plan["days"],
                              "target_wait_minutes": plan["target_wait_minutes"],
                              "names": {s["code"]: s["name"] for s in plan["services"]}}
    render, mimetype = exports.FORMATS[fmt]
    try:
        body = render(report)
    except exports.FontMissing as exc:
        raise InvalidInput(str(exc)) from None
    p = report["period"]
    name = f"motcua-bao-cao-{report['centre']['code']}-{p['from']}-{p['to']}.{fmt}"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def dashboard_data(centre_id: int) -> dict:
    svc = service()
    ctx, tz = data.context(svc, centre_id)
    now = svc.clock().astimezone(tz)
    day_start = dt.datetime.combine(now.date(), dt.time(0), tz)
    events = data.events(svc, centre_id, day_start, now + dt.timedelta(seconds=1))
    counters, closing = data.live_counters(svc, centre_id)
    return build.dashboard(events, ctx, now=now, day_start=day_start, counters=counters,
                           closing=closing)


@bp.get("/reports/dashboard")
def report_dashboard():
    principal = caller(*MANAGERS)
    reply = jsonify(dashboard_data(principal.centre_id))
    reply.headers["Cache-Control"] = "no-store"
    return reply


# --- OpenAPI ---------------------------------------------------------------------------------

_PERIOD_PARAMS = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "First day (YYYY-MM-DD, centre's local calendar), with `to`."},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "Last day, inclusive."},
    {"name": "period", "in": "query",
     "schema": {"enum": ["day", "week", "month", "quarter", "year"]},
     "description": "Instead of from/to: the period containing `date` (today by default)."},
    {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "service", "in": "query", "schema": STR, "description": "Only tickets issued for it."},
    {"name": "counter", "in": "query", "schema": INT, "description": "Only tickets served there."},
]
_NUM = {"type": ["number", "null"]}
_WHO = "a manager token, a manager or admin session"

extend(
    tags=["reports"],
    schemas={"ReportSummary": {
        "type": "object",
        "required": ["tickets", "served", "no_show", "wait", "service_time", "satisfaction"],
        "properties": {
            "tickets": INT, "served": INT, "no_show": INT,
            "wait": {"type": "object", "description": "Issue → first call, minutes; shares 0–1.",
                     "required": ["mean_minutes", "median_minutes", "p90_minutes",
                                  "share_within_target"],
                     "properties": {k: _NUM for k in ("mean_minutes", "median_minutes",
                                                      "p90_minutes", "share_within_target")}},
            "service_time": {"type": "object", "description": "First call → finish, minutes.",
                             "required": ["mean_minutes", "p90_minutes", "share_within_target"],
                             "properties": {k: _NUM for k in ("mean_minutes", "p90_minutes",
                                                              "share_within_target")}},
            "satisfaction": {"type": "object",
                             "required": ["rated", "rate", "by_level"],
                             "properties": {"rated": INT, "rate": _NUM,
                                            "by_level": {"type": "object",
                                                         "additionalProperties": INT}}},
        }}},
    paths={
        "/reports/summary": {"get": _op(
            "Key figures of a period (wait, service time, satisfaction, productivity).", _WHO,
            {"200": _json({"$ref": "#/components/schemas/ReportSummary"}, "Figures."),
             **_errors(401, 403, 422)}, tag="reports", params=_PERIOD_PARAMS)},
        "/reports/report": {"get": _op(
            "The whole report: summary, gauges, breakdowns by service/counter/staff/hour/day, "
            "the satisfaction report per unit, productivity per staff.", _WHO,
            {"200": _json({"type": "object"}, "Report."), **_errors(401, 403, 422)},
            tag="reports", params=_PERIOD_PARAMS)},
        "/reports/export": {"get": _op(
            "The report as a file (Excel, PDF or CSV; Vietnamese number and date format).", _WHO,
            {"200": {"description": "The file.", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": STR},
                "application/pdf": {"schema": STR}, "text/csv": {"schema": STR}}},
             **_errors(401, 403, 422)}, tag="reports",
            params=[*_PERIOD_PARAMS, {"name": "format", "in": "query",
                                      "schema": {"enum": list(exports.FORMATS)}}])},
        "/reports/dashboard": {"get": _op(
            "The live dashboard: waiting now, counters, today's figures, target gauges, alerts.",
            _WHO, {"200": _json({"type": "object"}, "Dashboard."), **_errors(401, 403)},
            tag="reports")},
    },
)
