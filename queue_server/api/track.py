"""The public side of a ticket, for the citizen's phone: `GET /api/v1/track/<code>` and a rating
from the phone, `POST /api/v1/track/<code>/rating`.

No login: the ticket's random tracking code from its QR (queue_server/tracking.py) is the
credential, so only the holder of the paper or the screen photo sees the ticket, and the answer
holds nothing about anybody else (no ids, no other numbers, no names, no dossier code).
Requests are rate-limited per client address; bad codes more strictly than good ones.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from zoneinfo import ZoneInfo

from flask import current_app, jsonify, request

from ..domain.access import Principal
from ..domain.errors import DomainError, InvalidInput, NotFound
from ..domain.model import Ticket, TicketStatus
from ..service_layer import settings_of
from ..store.uow import UnitOfWork
from . import bp, openapi
from .common import json_body, service


class TooManyRequests(DomainError):
    code = "rate_limited"
    status = 429


class RateLimiter:
    """At most `limit` hits per `per` seconds for each key (sliding window, in memory, per process).

    Simple on purpose: one server process serves a centre's phones; a deployment with several
    processes gets a limit per process, still far below what would hurt it.
    """

    def __init__(self, limit: int, per: float = 60.0, max_keys: int = 50_000):
        self.limit, self.per, self.max_keys = limit, per, max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count a hit; False when the key is over its limit (the hit is then not counted)."""
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > self.max_keys:
                self._hits.clear()
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.per:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def check(self, key: str) -> None:
        if not self.hit(key):
            raise TooManyRequests("Quá nhiều yêu cầu từ thiết bị này; vui lòng thử lại sau ít phút.")

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


def client_key() -> str:
    return request.remote_addr or "?"


# A phone polls every few seconds: 120 a minute for one ticket is generous; guessing codes is not.
TRACK_LIMIT = RateLimiter(120)
BAD_CODE_LIMIT = RateLimiter(20)
RATE_LIMIT = RateLimiter(10)

PHONE_SOURCE = "phone"


def _ticket(uow: UnitOfWork, code: str) -> Ticket:
    """The ticket a tracking code names (or an old signed code); anything else is a 404 and
    counts against this client's bad-code limit."""
    ticket = current_app.extensions["motcua_links"].find(uow.session, code)
    if ticket is None:
        if not BAD_CODE_LIMIT.hit("bad:" + client_key()):
            raise TooManyRequests("Quá nhiều mã không hợp lệ; vui lòng thử lại sau ít phút.")
        raise NotFound("Không tìm thấy phiếu này. Hãy quét lại mã QR trên phiếu số thứ tự.")
    return ticket


def transferred_to(uow: UnitOfWork, ticket: Ticket, target_counter: dict | None) -> str | None:
    """"counter" or "service" while the ticket waits where staff transferred it, else None.

    A waiting ticket with a target counter was sent there. Otherwise its service may be one it
    was transferred to, or it may be back at its own service (a requeue after being called at the
    counter it was sent to): only its own last move into the queue tells, so look that up, and
    only for a transferred ticket (the centre's events since the ticket was issued, by index)."""
    if ticket.status != TicketStatus.WAITING or not ticket.transfer_count:
        return None
    if target_counter is not None:
        return "counter"
    last = uow.repo.last_move_into_queue(ticket)
    if last is not None and last.type == "ticket.transferred" and (last.data or {}).get("to_service"):
        return "service"
    return None


def track_view(code: str) -> dict:
    """What the phone page shows; the same shape while waiting, called, served or finished."""
    svc = service()
    with svc.uow(read_only=True) as uow:  # phones poll every few seconds: never queue behind writers
        ticket = _ticket(uow, code)
        centre = svc.centre(uow, ticket.centre_id)
        body = svc.ticket_body(uow, ticket, centre)
        settings = settings_of(centre)
        tz = ZoneInfo(centre.timezone)
        now = svc.clock()
        rating = uow.repo.rating_for(ticket.id)
        window_end = (ticket.finished_at + dt.timedelta(seconds=settings.rating_window_seconds)
                      if ticket.finished_at else None)
        return {
            "number": body["number"],
            "service_name": body["service_name"],
            "status": body["status"],
            "people_ahead": body["people_ahead"],
            "estimated_wait_minutes": body["estimated_wait_minutes"],
            "counter": body["counter"],
            "counter_name": body["counter_name"],
            # Where staff sent this ticket while it waits: its own data only (never who else is there).
            "target_counter": body["target_counter"],
            "transferred_to": transferred_to(uow, ticket, body["target_counter"]),
            "issued_at": body["issued_at"],
            "called_at": body["called_at"],
            "appointment_at": body["appointment_at"],
            "centre_name": centre.name,
            "server_time": now.astimezone(tz).isoformat(timespec="seconds"),
            "rating": {
                "open": bool(ticket.status == TicketStatus.DONE and window_end and now <= window_end),
                "until": window_end.astimezone(tz).isoformat(timespec="seconds") if window_end else None,
                "given": rating.level if rating else None,
                "levels": [{"level": k, "label": v} for k, v in
                           sorted(settings.rating_levels.items(), reverse=True)],
            },
        }


@bp.get("/track/<code>")
def track(code: str):
    TRACK_LIMIT.check(f"{client_key()}:{code[:40]}")
    response = jsonify(track_view(code))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/track/<code>/rating")
def track_rating(code: str):
    """The citizen rates from the phone, under the same rules as a keypad (the rating window
    after finish, one rating per ticket that a later press replaces), source "phone"."""
    RATE_LIMIT.check(client_key())
    svc = service()
    with svc.uow(read_only=True) as uow:
        ticket = _ticket(uow, code)
        ticket_id, centre_id = ticket.id, ticket.centre_id
    body = json_body()
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("reason phải là mã lý do (chuỗi) hoặc null.")
    # The holder of the ticket's code acts for that ticket only, like a kiosk of its centre.
    citizen = Principal(kind="device", role="kiosk", centre_id=centre_id, name=PHONE_SOURCE)
    outcome = svc.rate(citizen, ticket_id, level=body.get("level"), pressed_at=svc.clock(),
                       reason=reason, idempotency_key=None, source=PHONE_SOURCE)
    out = {k: outcome.body[k] for k in ("number", "level", "label", "replaced", "at")}
    return jsonify(out), outcome.status


def _document_routes() -> None:
    o = openapi
    STR, INT, BOOL = o.STR, o.INT, o.BOOL
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The ticket's tracking code, from its QR (…/t/<code>); an old "
            "signed code (…/q/<id>-<signature>) is still accepted."}
    schemas = {
        "Track": o.obj({
            "number": STR, "service_name": o.nullable(STR),
            "status": {"enum": o.TICKET_STATUSES}, "people_ahead": INT,
            "estimated_wait_minutes": o.nullable(INT), "counter": o.nullable(INT),
            "counter_name": o.nullable(STR),
            "target_counter": o.nullable({**o.ref("CounterRef"), "description": (
                "While waiting after a transfer to one counter: that counter, which alone will "
                "call the ticket.")}),
            "transferred_to": {"type": ["string", "null"], "enum": ["counter", "service", None],
                               "description": "While waiting after a transfer: to a counter "
                               "(see target_counter) or to another service (service_name is "
                               "the new one); null otherwise."},
            "issued_at": o.ref("DateTime"),
            "called_at": o.nullable(o.ref("DateTime")),
            "appointment_at": o.nullable(o.ref("DateTime")), "centre_name": STR,
            "server_time": o.ref("DateTime"),
            "rating": o.obj({"open": BOOL, "until": o.nullable(o.ref("DateTime")),
                             "given": o.nullable(INT),
                             "levels": {"type": "array", "items": o.obj({"level": INT,
                                                                         "label": STR})}}),
        }, description="One ticket as its holder sees it; nothing about other citizens."),
        "TrackRating": o.obj({"level": INT, "reason": o.nullable(STR)}, required=["level"],
                             closed=False),
        "TrackRatingAnswer": o.obj({"number": STR, "level": INT, "label": STR, "replaced": BOOL,
                                    "at": o.ref("DateTime")}),
    }
    paths = {
        "/track/{code}": {"get": o._op(
            "A ticket for the citizen's phone page: status, people ahead, estimated wait, the "
            "counter once called, whether it may be rated. Rate-limited (429).",
            "anyone holding the tracking code",
            {"200": o._json(o.ref("Track"), "The ticket."), **o._errors(404)},
            tag="tracking", public=True, params=[code])},
        "/track/{code}/rating": {"post": o._op(
            "Rate the finished ticket from the phone (source phone), inside the rating window.",
            "anyone holding the tracking code",
            {"201": o._json(o.ref("TrackRatingAnswer"), "Recorded."),
             "200": o._json(o.ref("TrackRatingAnswer"), "Replaced the earlier rating."),
             **o._errors(404, 409, 422)},
            tag="tracking", write=True, public=True, body=o.ref("TrackRating"),
            body_required=True, params=[code])},
    }
    doc = o._DOCUMENT
    doc["paths"].update(paths)
    doc["components"]["schemas"].update(schemas)
    if {"name": "tracking"} not in doc["tags"]:
        doc["tags"].append({"name": "tracking"})
    if "rate_limited" not in o.ERROR_CODES:
        o.ERROR_CODES.append("rate_limited")


_document_routes()
