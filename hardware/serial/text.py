"""Turning a ticket/counter text into what a cheap LED board can show.

Counter boards are 7-segment digits or small LED matrices with a built-in ASCII font: no
Vietnamese diacritics, often no lower case. Text is transliterated (``Quầy 3`` → ``QUAY 3``)
rather than sending bytes the board would render as garbage.
"""

from __future__ import annotations

import string
import unicodedata

from .errors import DisplayTextError

#: Characters every supported board renders (upper case, digits, a little punctuation).
LED_CHARSET = frozenset(string.ascii_uppercase + string.digits + " -.:>/")

_SPECIAL = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"}


def strip_diacritics(text: str) -> str:
    """Vietnamese (and other Latin) letters without their marks; ``đ`` → ``d``."""
    text = "".join(_SPECIAL.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def led_text(text: str, *, width: int | None = None,
             charset: frozenset[str] = LED_CHARSET) -> str:
    """Return ``text`` as the board will show it, or raise :class:`DisplayTextError`.

    Marks are stripped, letters upper-cased, other unsupported characters become spaces, runs
    of spaces collapse. Text wider than ``width`` is refused rather than cut: a truncated
    ticket number would call the wrong citizen.
    """
    if not isinstance(text, str):
        raise DisplayTextError(f"Nội dung hiển thị phải là chuỗi, nhận được {type(text).__name__}")
    plain = strip_diacritics(text)
    if "A" in charset and "a" not in charset:
        plain = plain.upper()
    mapped = "".join(ch if ch in charset else " " for ch in plain)
    shown = " ".join(mapped.split())
    if not shown and text.strip():
        raise DisplayTextError(f"Không có ký tự nào hiển thị được trên bảng LED: {text!r}")
    if width is not None and len(shown) > width:
        raise DisplayTextError(
            f"Nội dung {shown!r} dài {len(shown)} ký tự, bảng LED chỉ hiện {width} — "
            "rút gọn mẫu hiển thị (format) hoặc tăng width trong cấu hình")
    return shown
