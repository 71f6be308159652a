"""Links a citizen follows on a phone: `PUBLIC_URL/t/<code>`, the code being the ticket's random
`tracking_code` (queue_server/domain/tracking_code.py), never its id.

Tickets printed before that code existed carry `/q/<id>-<signature>` (an HMAC of the id with
the server's secret); those links are still honoured, redirected to the ticket's `/t/` page, so a
paper printed just before an upgrade keeps working. Nothing new is made in that form.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from .domain.model import Ticket
from .domain.tracking_code import normalise_tracking_code
from .store import tables

_LEGACY = re.compile(r"(\d{1,10})-[0-9a-f]{12}")
MAX_ID = 2**31 - 1


class TrackingLinks:
    def __init__(self, secret: str, public_url: str):
        self.secret = secret.encode()
        self.public_url = public_url.rstrip("/")

    def url_for_code(self, code: str) -> str:
        return f"{self.public_url}/t/{code}"

    def url(self, ticket: Ticket) -> str | None:
        """The phone page of a ticket."""
        return self.url_for_code(ticket.tracking_code) if ticket.tracking_code else None

    def find(self, session: Session, raw: str) -> Ticket | None:
        """The ticket a code from a link names (a tracking code, typed or scanned, or an old
        signed `/q/` code), else None."""
        if isinstance(raw, str) and _LEGACY.fullmatch(raw):  # "1234-abcdef012345" would
            ticket_id = self.legacy_ticket_id(raw)             # also pass as a tracking code
            return session.get(Ticket, ticket_id) if ticket_id is not None else None
        code = normalise_tracking_code(raw)
        if code is None:
            return None
        return session.scalars(select(Ticket).where(tables.tickets.c.tracking_code == code)).first()

    def legacy_ticket_id(self, code: str) -> int | None:
        """The ticket id of a valid old `/q/<id>-<signature>` code, else None."""
        match = _LEGACY.fullmatch(code) if isinstance(code, str) else None  # ASCII digits only
        if match is None or not 0 < int(match[1]) <= MAX_ID:
            return None
        ticket_id = int(match[1])
        return ticket_id if hmac.compare_digest(self.legacy_code(ticket_id), code) else None

    def legacy_code(self, ticket_id: int) -> str:
        """The old signed code of a ticket (what tickets printed before tracking codes hold)."""
        digest = hmac.new(self.secret, f"ticket:{ticket_id}".encode(), hashlib.sha256).hexdigest()
        return f"{ticket_id}-{digest[:12]}"
