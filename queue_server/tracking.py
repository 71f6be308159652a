"""Links a citizen follows on a phone: /q/<id>-<signature>.

The signature (HMAC of the ticket id with the server's secret) makes ticket pages unguessable,
so nobody can walk through other people's tickets by counting ids.
"""

from __future__ import annotations

import hashlib
import hmac


class TrackingLinks:
    def __init__(self, secret: str, public_url: str):
        self.secret = secret.encode()
        self.public_url = public_url.rstrip("/")

    def code(self, ticket_id: int) -> str:
        digest = hmac.new(self.secret, f"ticket:{ticket_id}".encode(), hashlib.sha256).hexdigest()
        return f"{ticket_id}-{digest[:12]}"

    def url(self, ticket_id: int) -> str:
        return f"{self.public_url}/q/{self.code(ticket_id)}"

    def ticket_id(self, code: str) -> int | None:
        """The ticket id of a valid code, else None."""
        head, _, _sig = code.partition("-")
        if not code.isascii() or not head.isdigit() or len(head) > 10:  # "٣".isdigit() is True
            return None
        ticket_id = int(head)
        return ticket_id if hmac.compare_digest(self.code(ticket_id), code) else None
