"""Domain errors: each carries a stable code and a message a person can act on.

The API maps them to HTTP statuses (`conflict` → 409 and so on) in one place.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class; `code` is stable for programs, `message` is for people (Vietnamese)."""

    code = "error"
    status = 400

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(DomainError):
    code = "invalid"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    """An illegal state transition or a rule that forbids the action right now."""

    code = "conflict"
    status = 409


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
