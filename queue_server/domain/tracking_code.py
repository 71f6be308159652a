"""The random code of a ticket's phone page (`/t/<code>`), given to every ticket when issued.

Random, not derived from the ticket: it says nothing about the ticket's id, number or how many
tickets were issued, and 80 bits cannot be guessed (the phone API also rate-limits bad codes).
Crockford's base32 in lower case: short in a QR code, and typed by hand it reads well (no i, l,
o or u; a typed o, i or l is read as 0, 1, 1; case, spaces and dashes do not matter).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 16  # 16 × 5 bits = 80 bits
_IGNORED = re.compile(r"[\s\-.]")
_TYPED = str.maketrans("oil", "011")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_tracking_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_tracking_code(raw: object) -> str | None:
    """What was scanned or typed ("7K3Q-9XWM-…") → the stored code, or None if it cannot be one."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    code = _IGNORED.sub("", raw).lower().translate(_TYPED)
    return code if _VALID.fullmatch(code) else None
