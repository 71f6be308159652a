"""The API described as OpenAPI 3.1, served at `GET /api/v1/openapi.json` to anyone.

The document is plain Python data kept next to the routes so a change to a route and to its
description land in one commit; tests/api/test_openapi.py fails when a route under /api/v1 is
missing here or a real answer no longer matches its schema.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..service_layer import COUNTER_ACTIONS, TICKET_ACTIONS
from . import bp

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """`schema` or JSON null (OpenAPI 3.1 / JSON Schema 2020-12 style, no `nullable`)."""
    if set(schema) == {"type"} and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict[str, Schema], *, required: list[str] | None = None, closed: bool = True,
        description: str | None = None) -> Schema:
    """An object; by default every property is required and no other may appear (answers)."""
    out: Schema = {"type": "object", "properties": properties,
                   "required": list(properties) if required is None else required}
    if closed:
        out["additionalProperties"] = False
    if description:
        out["description"] = description
    return out


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}

TICKET_STATUSES = ["waiting", "called", "serving", "done", "no_show", "cancelled"]
COUNTER_STATUSES = ["open", "paused", "closed"]
EVENT_TYPES = ["ticket.issued", "ticket.called", "ticket.recalled", "ticket.started",
               "ticket.finished", "ticket.no_show", "ticket.transferred", "ticket.cancelled",
               "ticket.requeued", "ticket.rated", "counter.changed"]
ERROR_CODES = ["invalid", "unauthenticated", "forbidden", "not_found", "conflict", "csrf",
               "illegal_transition", "recall_limit", "requeue_expired", "counter_not_open",
               "counter_closed", "counter_busy", "counter_taken", "already_open_elsewhere",
               "service_inactive", "closed_day", "outside_hours", "cap_reached", "not_finished",
               "rating_window_closed", "idempotency_key_reused", "http_404", "http_405",
               "http_413", "http_415"]

SCHEMAS: dict[str, Schema] = {
    "DateTime": {"type": "string", "format": "date-time",
                 "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$",
                 "description": "ISO 8601 in the centre's local time with its UTC offset, "
                                "e.g. 2026-11-18T09:00:00+07:00."},
    "Error": obj({"error": obj({
        "code": {"type": "string", "description": "Stable, for programs. Known codes: "
                 + ", ".join(ERROR_CODES) + "."},
        "message": {"type": "string", "description": "For people, in Vietnamese: what to do."},
    })}, description="Every 4xx/5xx answer of the API."),
    "Health": obj({"status": {"const": "ok"}}),
    "Service": obj({
        "code": STR, "name": STR,
        "prefix": {"type": "string", "description": "Letter(s) before the number: A → A001."},
        "waiting": {"type": "integer", "minimum": 0, "description": "Tickets waiting today."},
        "daily_cap": nullable(INT),
        "windows": {"type": "array", "description": "Ticketing windows, local time; empty = opening hours.",
                    "items": {"type": "array", "items": STR, "minItems": 2, "maxItems": 2}},
        "priority_enabled": {"type": "boolean",
                             "description": "False: the service issues no priority tickets."},
        "priority_groups": {"type": "array", "items": STR,
                            "description": "Priority group codes accepted; empty = all groups."},
    }),
    "Counter": obj({
        "id": {"type": "integer", "description": "Used in API paths."},
        "number": {"type": "integer", "description": "As citizens see it; used by pages, CLI, events."},
        "name": STR,
        "services": {"type": "array", "items": STR, "description": "Service codes."},
        "status": {"enum": COUNTER_STATUSES},
        "priority": {"type": "boolean", "description": "A priority counter."},
        "staff": nullable(STR),
        "status_since": nullable(ref("DateTime")),
    }),
    "CounterRef": obj({"number": INT, "name": STR}),
    "Ticket": obj({
        "id": INT,
        "number": {"type": "string", "description": "Prefix + 3 digits, e.g. A001; resets daily."},
        "service": nullable(STR), "service_name": nullable(STR),
        "status": {"enum": TICKET_STATUSES},
        "priority": nullable({"type": "string", "description": "Priority group code."}),
        "people_ahead": {"type": ["integer", "null"], "minimum": 0,
                         "description": "Waiting tickets of its service that will be called "
                         "before it, in the call policy's order (bookings in their window, "
                         "priority groups where accepted with the interleave rule, then issue "
                         "time); from the same replay as estimated_wait_minutes. 0 unless "
                         "waiting."},
        "estimated_wait_minutes": {"type": ["integer", "null"], "minimum": 0,
                                   "description": "Until it is called: the call policy replayed "
                                   "over the open counters' recent pace (with none open, people "
                                   "ahead × mean service time)."},
        "counter": nullable({"type": "integer", "description": "Counter number once called."}),
        "counter_name": nullable(STR),
        "target_counter": nullable({**ref("CounterRef"), "description": (
            "Where a waiting ticket was transferred with {\"counter\": N}: only that counter "
            "calls it and acts on it (others get 403). Null otherwise, and once it is called "
            "(then `counter` says where).")}),
        "issued_at": ref("DateTime"),
        "called_at": nullable(ref("DateTime")),
        "started_at": nullable(ref("DateTime")),
        "finished_at": nullable(ref("DateTime")),
        "appointment_at": nullable(ref("DateTime")),
        "recall_count": INT, "transfer_count": INT,
        "dossier_code": nullable(STR),
        "cancel_reason": nullable(STR),
        "tracking_url": nullable({"type": "string", "description": "Link for the citizen's phone "
                                  "to follow this ticket, PUBLIC_URL/t/<random tracking code> (QR "
                                  "code on the printed ticket and the kiosk screen)."}),
    }),
    "ProcedureSummary": obj({
        "code": {"type": "string", "description": "National procedure code."},
        "name": STR, "field": {"type": "string", "description": "Lĩnh vực."},
        "level": STR, "level_label": STR,
        "service": {"type": "string", "description": "Queue service code that receives it."},
        "time_text": STR, "fee_text": STR,
        "channels": {"type": "array", "items": STR, "description": "direct, online, post…"},
    }),
    "Procedure": obj({
        "code": STR, "local_code": STR, "name": STR, "field": STR, "level": STR, "service": STR,
        "channels": {"type": "array", "items": {"type": "object", "required": [
            "channel", "time_text", "fee_text"]}},
        "dossier_cases": {"type": "array", "items": {"type": "object", "required": [
            "name", "documents"]}},
        "forms": {"type": "array", "items": {"type": "object", "required": ["ref", "name"]}},
        "steps": {"type": "array", "items": STR},
        "result": STR,
        "legal_basis": {"type": "array", "items": STR},
        "keywords": {"type": "array", "items": STR},
        "source_name": STR, "source_url": STR,
        "checked": {"type": "string", "description": "ISO date last compared with the source."},
    }, closed=False, description="The full record of an administrative procedure (thủ tục hành "
                                 "chính): channels with time and fee, dossier cases with documents, "
                                 "forms, steps, legal basis, source."),
    "ProcedureField": obj({"field": STR, "count": INT}),
    "Rating": obj({
        "ticket_id": INT, "number": STR,
        "level": {"type": "integer", "description": "3-level scale: 3 rất hài lòng, 2 hài lòng, "
                  "1 không hài lòng; 1–5 on the five-level scale."},
        "scale": {"enum": [3, 5]},
        "reason": nullable(STR),
        "replaced": {"type": "boolean", "description": "True when it replaced an earlier rating."},
        "pressed_at": ref("DateTime"),
        "label": STR,
        "counter": nullable(INT),
        "at": ref("DateTime"),
    }),
    "Event": obj({
        "id": INT,
        "type": {"enum": EVENT_TYPES},
        "ticket_id": nullable(INT),
        "at": ref("DateTime"),
        "counter": nullable({"type": "integer", "description": "Counter number."}),
        "actor": {"type": "string", "description": "user:NAME, device:NAME or system."},
        "centre": {"type": "string", "description": "Centre code."},
        "number": STR, "service": nullable(STR), "status": STR,
    }, required=["id", "type", "ticket_id", "at", "counter", "actor", "centre"], closed=False,
        description="One state change. Ticket events also carry number, service and status, plus "
                    "per type: issued priority, source; called wait_seconds; recalled recall_count; "
                    "finished dossier_code, auto, service_seconds; transferred from_service, "
                    "from_counter, to_service, to_counter; cancelled reason; rated level, scale, "
                    "reason, replaced, pressed_at. counter.changed carries status, change "
                    "(opened, resumed, paused, closed) and staff_id."),
    "EventPage": obj({
        "items": {"type": "array", "items": ref("Event")},
        "next": nullable({"type": "integer",
                          "description": "Pass as `after` for the next page; null at the end."}),
    }),
    "State": obj({
        "centre": obj({"code": STR, "name": STR, "address": STR}),
        "event_id": {"type": "integer", "description": "The newest event this state includes "
                     "(0 before the first): an event with an `event_id` up to it is already "
                     "shown here and can be skipped."},
        "server_time": ref("DateTime"),
        "notice": STR,
        "announcement": {"type": "string", "description": "Template with {number} and {counter}."},
        "services": {"type": "array", "items": ref("Service")},
        "waiting": {"type": "object", "additionalProperties": INT,
                    "description": "Waiting tickets per service code."},
        "counters": {"type": "array", "items": ref("StateCounter")},
        "recent_calls": {"type": "array", "items": obj({"ticket": ref("Ticket"),
                                                        "counter": nullable(ref("CounterRef"))})},
        "client": obj({"name": STR, "role": STR, "kind": {"enum": ["user", "device"]},
                       "counter": nullable(INT), "counter_id": nullable(INT), "public_url": STR,
                       "rating_window_seconds": {
                           "type": "integer", "description": "Device agents (agent and kiosk "
                           "tokens) only: seconds after finish a keypad press rates the ticket."}},
                      required=["name", "role", "kind", "counter", "counter_id", "public_url"],
                      description="Only in the Socket.IO `state` sent on connect: who you are."),
    }, required=["centre", "server_time", "notice", "announcement", "services", "waiting",
                 "counters", "recent_calls"],
        description="What a display needs to draw itself; also the Socket.IO `state` event."),
    "IssueTicket": obj({
        "service": {"type": "string", "minLength": 1, "description": "Service code."},
        "priority": nullable({"type": "string", "description": "Priority group: elderly, pregnant, "
                              "disability, merit, child (configurable)."}),
        "appointment_at": nullable({"type": "string", "description": "ISO 8601; checked-in "
                                    "appointment (no offset = centre local time)."}),
    }, required=["service"], closed=False),
    "FinishTicket": obj({"dossier_code": nullable({
        "type": "string", "description": "Mã hồ sơ: letters, digits, . - / _"})}, required=[],
        closed=False),
    "TransferTicket": {"oneOf": [
        obj({"service": {"type": "string", "description": "Target service code."}}, closed=False),
        obj({"counter": {"type": "integer", "description": "Target counter number."}}, closed=False),
    ], "description": "Exactly one of service or counter."},
    "CancelTicket": obj({"reason": {"type": "string", "maxLength": 40}}, required=[], closed=False),
    "RateTicket": obj({
        "level": INT,
        "pressed_at": {"type": "string", "description": "When the button was pressed (ISO 8601); "
                       "the rating window is judged by it. Default: now."},
        "reason": nullable({"type": "string", "description": "Reason code for a low rating."}),
        "source": {"enum": ["keypad", "tablet", "phone", "kiosk"]},
    }, required=["level"], closed=False),
    # Socket.IO payloads (not HTTP answers; documented here so clients share one description).
    "TicketMessage": obj({
        "event_id": INT, "type": {"type": "string", "pattern": r"^ticket\."}, "ticket_id": INT,
        "at": ref("DateTime"),
        "actor": STR, "centre": STR, "ticket": ref("Ticket"), "counter": nullable(ref("CounterRef")),
    }, closed=False, description="Socket.IO ticket.* events: the event fields plus the ticket as "
                                 "the API returns it and the counter involved."),
    "CounterMessage": obj({
        "event_id": INT, "at": ref("DateTime"), "actor": STR, "status": {"enum": COUNTER_STATUSES},
        "change": {"enum": ["opened", "resumed", "paused", "closed"]}, "staff_id": nullable(INT),
        "counter": ref("Counter"),
    }, description="Socket.IO counter.changed."),
    "QueueMessage": obj({"waiting": {"type": "object", "additionalProperties": INT}, "total": INT},
                        description="Socket.IO queue.changed: waiting tickets per service code."),
}
SCHEMAS["StateCounter"] = obj({**SCHEMAS["Counter"]["properties"],
                               "current": nullable(ref("Ticket"))},
                              description="A counter with the ticket it is calling or serving.")

RESPONSES: dict[str, Schema] = {
    name: {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
    for name, text in [
        ("BadRequest", "CSRF token missing or wrong on a session write (code `csrf`)."),
        ("Unauthenticated", "No valid device token or staff session (code `unauthenticated`)."),
        ("Forbidden", "Valid caller, but not allowed here (code `forbidden`)."),
        ("NotFound", "No such ticket, counter or service in the caller's centre."),
        ("Conflict", "Not possible in the current state; the message says why."),
        ("Invalid", "Malformed body, parameter or header (code `invalid`)."),
    ]
}

READ_SECURITY = [{"bearerAuth": []}, {"sessionCookie": []}, {"deviceCookie": []}]
WRITE_SECURITY = [{"bearerAuth": []}, {"sessionCookie": [], "csrfHeader": []}, {"deviceCookie": []}]


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Schema]:
    names = {400: "BadRequest", 401: "Unauthenticated", 403: "Forbidden", 404: "NotFound",
             409: "Conflict", 422: "Invalid"}
    return {str(c): {"$ref": f"#/components/responses/{names[c]}"} for c in codes}


def _id(name: str, what: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer", "minimum": 0}}


def _op(summary: str, who: str, responses: dict[str, Schema], *, tag: str, write: bool = False,
        body: Schema | None = None, body_required: bool = False, params: list[Schema] | None = None,
        public: bool = False) -> Schema:
    op: Schema = {"summary": summary, "description": f"Who may call: {who}.", "tags": [tag],
                  "responses": responses,
                  "security": [] if public else (WRITE_SECURITY if write else READ_SECURITY)}
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": body_required,
                             "content": {"application/json": {"schema": body}}}
    return op


TICKET_ID = _id("ticket_id", "Ticket id.")
COUNTER_ID = _id("counter_id", "Counter id (not its number).")
TICKET = _json(ref("Ticket"), "The ticket after the change.")
STAFF_AT_IT = ("an agent token bound to the ticket's counter, staff or a manager at the counter "
               "they opened, an admin. The ticket's counter is the one that called it; for a "
               "waiting ticket, a counter serving its service — or, when it was transferred to "
               "one counter (`target_counter`), that counter alone")

_TICKET_ACTION_DOCS: dict[str, tuple[str, Schema | None, str]] = {
    "recall": ("Call a called ticket again (keeps status called).", None, "409 when not called or "
               "the recall limit is reached"),
    "skip": ("Mark a called ticket as no-show.", None, "409 unless called"),
    "start": ("Start serving a called ticket (optional: finish also accepts called).", None,
              "409 unless called"),
    "finish": ("Finish a called or serving ticket.", ref("FinishTicket"), "409 unless called or serving"),
    "transfer": ("Send back to waiting at another service or counter, keeping the issue time.",
                 ref("TransferTicket"), "409 when done, no-show or cancelled"),
    "cancel": ("Cancel a ticket.", ref("CancelTicket"), "409 when already done or cancelled"),
}


def _paths() -> dict[str, Schema]:
    paths: dict[str, Schema] = {
        "/health": {"get": _op("Liveness: the server and its database answer.", "anyone",
                               {"200": _json(ref("Health"), "Up.")}, tag="system", public=True)},
        "/openapi.json": {"get": _op("This document.", "anyone",
                                     {"200": {"description": "OpenAPI 3.1 document.",
                                              "content": {"application/json": {"schema": {
                                                  "type": "object"}}}}},
                                     tag="system", public=True)},
        "/services": {"get": _op("Services offered, with tickets waiting today.",
                                 "any valid token or staff session",
                                 {"200": _json({"type": "array", "items": ref("Service")}, "Services."),
                                  **_errors(401)}, tag="queue")},
        "/counters": {"get": _op("Counters and their status.", "any valid token or staff session",
                                 {"200": _json({"type": "array", "items": ref("Counter")}, "Counters."),
                                  **_errors(401)}, tag="queue")},
        "/state": {"get": _op("The snapshot a display gets on connect, for polling clients.",
                              "any valid token or staff session",
                              {"200": _json(ref("State"), "State."), **_errors(401)}, tag="queue")},
        "/events": {"get": _op(
            "The event log, ordered by id: the one source of every metric.",
            "manager token or manager/admin user",
            {"200": _json(ref("EventPage"), "A page of events."), **_errors(401, 403, 422)},
            tag="reports",
            params=[
                {"name": "from", "in": "query", "schema": STR,
                 "description": "Inclusive ISO 8601 time; without offset = centre local time."},
                {"name": "to", "in": "query", "schema": STR,
                 "description": "Exclusive ISO 8601 time; must be after from."},
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0},
                 "description": "Only events with a larger id (paging: the previous `next`)."},
                {"name": "limit", "in": "query",
                 "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}},
            ])},
        "/tickets": {"post": _op(
            "Issue a ticket.", "kiosk token, staff, manager or admin user",
            {"201": _json(ref("Ticket"), "Issued, waiting, with people ahead and an estimate."),
             **_errors(400, 401, 403, 404, 409, 422)},
            tag="tickets", write=True, body=ref("IssueTicket"), body_required=True)},
        "/tickets/{ticket_id}": {"get": _op(
            "A ticket with its current status and counter.", "any valid token or staff session",
            {"200": _json(ref("Ticket"), "The ticket."), **_errors(401, 404)},
            tag="tickets", params=[TICKET_ID])},
        "/tickets/{ticket_id}/requeue": {"post": _op(
            "Put a returning no-show back in the queue within the re-queue window.",
            "kiosk token, staff, manager or admin user",
            {"200": TICKET, **_errors(400, 401, 403, 404, 409)},
            tag="tickets", write=True, params=[TICKET_ID])},
        "/tickets/{ticket_id}/rating": {"post": _op(
            "Rate a finished ticket inside the window after finish (judged by pressed_at).",
            "agent token of the ticket's counter, kiosk token, staff or manager at that counter, "
            "admin",
            {"201": _json(ref("Rating"), "Recorded."),
             "200": _json(ref("Rating"), "Replaced the earlier rating, or repeated Idempotency-Key "
                          "(the first answer again, nothing changed)."),
             **_errors(400, 401, 403, 404, 409, 422)},
            tag="tickets", write=True, body=ref("RateTicket"), body_required=True,
            params=[TICKET_ID, {"name": "Idempotency-Key", "in": "header", "required": False,
                                "schema": {"type": "string", "minLength": 1, "maxLength": 128},
                                "description": "A repeated key answers as the first time and "
                                               "changes nothing (devices retry buffered ratings)."}])},
        "/procedures": {"get": _op(
            "Search administrative procedures by words (accents optional); empty q lists the most "
            "asked.", "any valid token or staff session",
            {"200": _json({"type": "array", "items": ref("ProcedureSummary")}, "Best matches first."),
             **_errors(401, 422)}, tag="procedures",
            params=[{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}])},
        "/procedures/fields": {"get": _op(
            "Fields (lĩnh vực) with how many procedures each has.", "any valid token or staff session",
            {"200": _json({"type": "array", "items": ref("ProcedureField")}, "Fields."),
             **_errors(401)}, tag="procedures")},
        "/procedures/{code}": {"get": _op(
            "One procedure's full record.", "any valid token or staff session",
            {"200": _json(ref("Procedure"), "The record."), **_errors(401, 404)}, tag="procedures",
            params=[{"name": "code", "in": "path", "required": True, "schema": STR,
                     "description": "Procedure code."}])},
        "/counters/{counter_id}/call-next": {"post": _op(
            "Finish what the counter serves and call the next ticket by the call policy.",
            "agent token bound to this counter, staff or manager who opened it, admin",
            {"200": _json(ref("Ticket"), "The called ticket."),
             "204": {"description": "Nobody waits for this counter."},
             **_errors(400, 401, 403, 404, 409)},
            tag="counters", write=True, params=[COUNTER_ID])},
    }
    for action, (summary, body, conflict) in _TICKET_ACTION_DOCS.items():
        paths[f"/tickets/{{ticket_id}}/{action}"] = {"post": _op(
            f"{summary} {conflict[0].upper()}{conflict[1:]}.", STAFF_AT_IT,
            {"200": TICKET, **_errors(400, 401, 403, 404, 409, 422)},
            tag="tickets", write=True, body=body, params=[TICKET_ID])}
    counter_docs = {
        "open": ("Open (or resume) a counter. Staff may open any counter of their centre they are "
                 "assigned to and hold one at a time.",
                 "agent token bound to it, staff, manager or admin user"),
        "pause": ("Pause a counter (no calls).", "agent token bound to it, who opened it, admin"),
        "close": ("Close a counter; 409 counter_busy while it serves a ticket.",
                  "agent token bound to it, who opened it, admin"),
    }
    for action, (summary, who) in counter_docs.items():
        paths[f"/counters/{{counter_id}}/{action}"] = {"post": _op(
            summary, who, {"200": _json(ref("Counter"), "The counter after the change."),
                           **_errors(400, 401, 403, 404, 409)},
            tag="counters", write=True, params=[COUNTER_ID])}
    assert set(_TICKET_ACTION_DOCS) | {"requeue"} == set(TICKET_ACTIONS)
    assert set(counter_docs) == set(COUNTER_ACTIONS)
    return paths


DESCRIPTION = """\
MotCua queue server. Errors are JSON `{"error": {"code", "message"}}` with a 4xx status; the
message is Vietnamese and says what to do.

Auth: device tokens `Authorization: Bearer TOKEN` with roles kiosk, display, agent (bound to one
counter) and manager (reads events); or a staff session from `POST /login` (roles staff, manager,
admin) — session writes need the `X-CSRFToken` header (from `<meta name="csrf-token">`).

Realtime (Socket.IO, same origin): connect with `auth={"token": TOKEN}` or a staff session; the
client joins room `centre:<id>` and at once receives `state` (schema State; an event whose
`event_id` is not above the state's `event_id` is already in it); emit `sync` to get it again.
Events: ticket.issued, ticket.called, ticket.recalled, ticket.started, ticket.finished,
ticket.no_show, ticket.transferred, ticket.cancelled, ticket.requeued, ticket.rated (schema
TicketMessage), queue.changed (QueueMessage), counter.changed (CounterMessage); `refresh` (no
data) means the centre's set-up changed: emit `sync` to get the new state.
"""


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "MotCua API", "version": "1", "description": DESCRIPTION,
                 "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": n} for n in ("system", "queue", "tickets", "counters", "reports",
                                       "procedures")],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "responses": RESPONSES,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "Device token (kiosk, display, agent, manager)."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                                  "description": "Staff session from POST /login."},
                "csrfHeader": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
                               "description": "Required with a session on POST."},
                "deviceCookie": {"type": "apiKey", "in": "cookie", "name": "motcua_device",
                                 "description": "Device token of an enrolled display or kiosk page."},
            },
        },
    }


_DOCUMENT = document()


def extend(*, paths: dict[str, Schema] | None = None, schemas: dict[str, Schema] | None = None,
           tags: list[str] | tuple[str, ...] = (), event_types: list[str] | tuple[str, ...] = ()) -> None:
    """Let a feature module document its own routes here (call it at import, next to the routes)."""
    _DOCUMENT["paths"].update(paths or {})
    _DOCUMENT["components"]["schemas"].update(schemas or {})
    for tag in tags:
        if {"name": tag} not in _DOCUMENT["tags"]:
            _DOCUMENT["tags"].append({"name": tag})
    for name in event_types:
        if name not in EVENT_TYPES:
            EVENT_TYPES.append(name)  # the Event schema's enum is this very list


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(_DOCUMENT)
