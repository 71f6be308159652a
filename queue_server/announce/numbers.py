"""Reading numbers aloud in Vietnamese, before any speech engine sees them.

espeak-ng reads 15 as "mười năm" and 1000 as "một ngàn không trăm", and reads "A-0123" digit by
digit, so the words are produced here: mốt (21), tư (24), lăm (15, 25), lẻ (105), mười (10).
"""

from __future__ import annotations

import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
GROUPS = ("", "nghìn", "triệu", "tỷ")
MAX_NUMBER = 10**12 - 1
TICKET_RE = re.compile(r"^([A-ZĐ]{0,3})[-\s]?(\d{1,9})$")


def _two_digits(n: int, *, after_hundreds: bool) -> list[str]:
    """0–99; `after_hundreds` means a hundreds word came before (so 5 → "lẻ năm")."""
    tens, units = divmod(n, 10)
    if tens == 0:
        if units == 0:
            return []
        return (["lẻ"] if after_hundreds else []) + [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _three_digits(n: int, *, full: bool) -> list[str]:
    """0–999; `full` (a higher group came before) reads 5 as "không trăm lẻ năm"."""
    hundreds, rest = divmod(n, 100)
    if hundreds == 0 and not full:
        return _two_digits(rest, after_hundreds=False)
    words = [DIGITS[hundreds], "trăm"]
    if rest:
        words += _two_digits(rest, after_hundreds=True)
    return words


def read_number(n: int) -> str:
    """A whole number 0 … 999 999 999 999 in Vietnamese words: 105 → "một trăm lẻ năm"."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"read_number needs an int, not {type(n).__name__}")
    if not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"Số {n} nằm ngoài khoảng đọc được (0 … {MAX_NUMBER}).")
    if n == 0:
        return DIGITS[0]
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _three_digits(group, full=bool(words))
        if GROUPS[index]:
            words.append(GROUPS[index])
    return " ".join(words)


def read_ticket_number(number: str) -> str:
    """A ticket number as it is called out: the letter prefix, then each leading zero as
    "không", then the remaining digits as one number. "A025" → "A không hai mươi lăm",
    "A105" → "A một trăm lẻ năm", "A-007" → "A không không bảy"."""
    if not isinstance(number, str):
        raise TypeError("read_ticket_number needs the ticket number as a string")
    match = TICKET_RE.match(number.strip().upper())
    if match is None:
        raise ValueError(f"Số thứ tự '{number[:20]}' không hợp lệ: cần 0–3 chữ cái rồi 1–9 chữ số "
                         "(ví dụ A025).")
    letters, digits = match.groups()
    words = list(letters)
    stripped = digits.lstrip("0") or "0"
    words += [DIGITS[0]] * (len(digits) - len(stripped))
    words.append(read_number(int(stripped)))
    return " ".join(words)
