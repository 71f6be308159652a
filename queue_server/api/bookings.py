"""Appointment bookings: public slots, booking and cancelling (rate-limited, no login, the
centre by its code or the server's default), and check-in at the kiosk (kiosk token or staff)."""

from __future__ import annotations

from flask import current_app, jsonify, request

from ..bookings import BookingService
from . import bp, openapi
from .common import caller, json_body, service
from .track import RateLimiter, client_key

BOOK_LIMIT = RateLimiter(10)
READ_LIMIT = RateLimiter(120)


def bookings() -> BookingService:
    svc = current_app.extensions.get("motcua_bookings")
    if svc is None or svc.queue is not service():
        svc = BookingService(service(), current_app.config["SECRET_KEY"])
        current_app.extensions["motcua_bookings"] = svc
    return svc


def _centre_code(body: dict | None = None) -> str:
    code = request.args.get("centre") or (body or {}).get("centre")
    return code if isinstance(code, str) and code else current_app.config["CENTRE_CODE"]


@bp.get("/bookings/slots")
def booking_slots():
    READ_LIMIT.check(client_key())
    return jsonify(bookings().slots(_centre_code(), request.args.get("service"),
                                    request.args.get("date")))


@bp.post("/bookings")
def book():
    BOOK_LIMIT.check(client_key())
    body = json_body()
    outcome = bookings().book(_centre_code(body), body)
    return jsonify(outcome.body), outcome.status


@bp.get("/bookings/<code>")
def booking(code: str):
    READ_LIMIT.check(client_key())
    return jsonify(bookings().get(code))


@bp.post("/bookings/<code>/cancel")
def cancel_booking(code: str):
    BOOK_LIMIT.check(client_key())
    outcome = bookings().cancel(code, json_body())
    return jsonify(outcome.body), outcome.status


@bp.post("/bookings/check-in")
def check_in():
    principal = caller("device:kiosk", "user:staff", "user:manager", "user:admin")
    outcome = bookings().check_in(principal, json_body())
    return jsonify(outcome.body), outcome.status


def _document_routes() -> None:
    o = openapi
    STR, INT = o.STR, o.INT
    centre = {"name": "centre", "in": "query", "required": False, "schema": STR,
              "description": "Centre code; default: the server's centre (MOTCUA_CENTRE_CODE)."}
    code = {"name": "code", "in": "path", "required": True, "schema": STR,
            "description": "Booking code, 6 characters, from the booking answer."}
    status = {"enum": ["booked", "checked_in", "cancelled", "expired"]}
    schemas = {
        "Booking": o.obj({
            "code": STR, "status": status, "service": o.nullable(STR),
            "service_name": o.nullable(STR), "slot_at": STR, "check_in_from": STR,
            "check_in_until": STR, "centre_name": STR,
        }, description="A booking; the ID number is never returned (only a keyed hash is kept)."),
        "BookingSlots": o.obj({
            "service": STR, "service_name": STR, "date": STR, "slot_minutes": INT,
            "slots": {"type": "array", "items": o.obj({"start": STR, "end": STR, "capacity": INT,
                                                        "available": INT})},
        }),
        "NewBooking": o.obj({"service": STR, "slot": STR,
                             "id_number": {"type": "string", "pattern": r"^\d{12}$"},
                             "centre": STR}, required=["service", "slot", "id_number"],
                            closed=False),
        "CancelBooking": o.obj({"id_number": STR}, closed=False),
        "CheckIn": o.obj({"code": STR, "id_number": STR}, required=[], closed=False,
                         description="Exactly one of code or id_number."),
    }
    paths = {
        "/bookings/slots": {"get": o._op(
            "Bookable slots of a service on a day, with the places left.", "anyone",
            {"200": o._json(o.ref("BookingSlots"), "Slots (empty on a closed day)."),
             **o._errors(404, 422)}, tag="bookings", public=True,
            params=[centre, {"name": "service", "in": "query", "required": True, "schema": STR},
                    {"name": "date", "in": "query", "required": True, "schema": STR,
                     "description": "YYYY-MM-DD, local day."}])},
        "/bookings": {"post": o._op(
            "Book a slot: at most one active booking per ID number; 409 slot_full, "
            "already_booked, slot_past, slot_too_far. Rate-limited (429).", "anyone",
            {"201": o._json(o.ref("Booking"), "Booked."), **o._errors(404, 409, 422)},
            tag="bookings", write=True, public=True, body=o.ref("NewBooking"), body_required=True,
            params=[centre])},
        "/bookings/{code}": {"get": o._op(
            "A booking's status and check-in window.", "anyone holding the code",
            {"200": o._json(o.ref("Booking"), "The booking."), **o._errors(404, 422)},
            tag="bookings", public=True, params=[code])},
        "/bookings/{code}/cancel": {"post": o._op(
            "Cancel a booking (the same ID number must be given).", "anyone holding code and ID",
            {"200": o._json(o.ref("Booking"), "Cancelled."), **o._errors(404, 409, 422)},
            tag="bookings", write=True, public=True, body=o.ref("CancelBooking"),
            body_required=True, params=[code])},
        "/bookings/check-in": {"post": o._op(
            "Check in at the kiosk by booking code or ID number: a ticket with appointment_at "
            "(201), or the ticket already issued for it (200). 409 too_early, booking_expired, "
            "booking_not_active.", "kiosk token, staff, manager or admin user",
            {"201": o._json(o.ref("Ticket"), "Issued."),
             "200": o._json(o.ref("Ticket"), "Already checked in: the same ticket."),
             **o._errors(400, 401, 403, 404, 409, 422)},
            tag="bookings", write=True, body=o.ref("CheckIn"), body_required=True)},
    }
    doc = o._DOCUMENT
    doc["paths"].update(paths)
    doc["components"]["schemas"].update(schemas)
    if {"name": "bookings"} not in doc["tags"]:
        doc["tags"].append({"name": "bookings"})


_document_routes()
