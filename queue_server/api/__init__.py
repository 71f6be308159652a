"""The JSON API under /api/v1, used by kiosks, displays, device agents and the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import bookings, counters, devices, drafts, events, health, openapi, procedures, reports, scans, staffing, tickets, track  # noqa: E402,F401  (routes register on import)
