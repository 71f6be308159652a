"""Centre administration as plain use cases: centre and templates, services, counters, staff,
device tokens, catalogue, and the audit trail. The /admin pages (queue_server/web/admin.py) only
turn forms into dicts and call these; each one checks the caller is an admin, validates with
Vietnamese messages per field (FieldErrors), detects conflicting edits by version (EditConflict),
refuses deleting what has tickets (InUse, offering archiving) and writes an audit row."""

from . import audit, catalog, centre, counters, devices, services, staff
from .forms import EditConflict, FieldErrors, InUse

__all__ = ["EditConflict", "FieldErrors", "InUse", "audit", "catalog", "centre", "counters",
           "devices", "services", "staff"]
