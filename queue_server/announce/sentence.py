"""The announcement sentence: the centre's template filled in twice, once for the screen
("… số thứ tự A025 đến quầy số 3") and once for the voice ("… số thứ tự a không hai mươi lăm
đến quầy số ba"). Only `{number}` and `{counter}` are substituted, never `str.format`, so a
template typed by an administrator cannot reach Python attributes."""

from __future__ import annotations

import re

from .numbers import read_number, read_ticket_number

DEFAULT_TEMPLATE = "Xin mời công dân có số thứ tự {number} đến quầy số {counter}"
MAX_TEMPLATE = 300
MAX_COUNTER = 9999

# How the letters of a ticket prefix are named aloud (espeak-ng reads "G" and "Đ" wrongly).
LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê",
    "H": "hát", "I": "i", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ",
    "O": "o", "P": "pê", "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê",
    "W": "vê kép", "X": "ích xì", "Y": "i dài", "Z": "dét",
}

_PLACEHOLDER = re.compile(r"\{(number|counter)\}")


def _check(template: str, counter: int) -> str:
    if not isinstance(template, str) or not template.strip():
        template = DEFAULT_TEMPLATE
    if len(template) > MAX_TEMPLATE:
        raise ValueError(f"Mẫu câu thông báo dài quá {MAX_TEMPLATE} ký tự.")
    if isinstance(counter, bool) or not isinstance(counter, int) or not 0 < counter <= MAX_COUNTER:
        raise ValueError(f"Số quầy phải là số nguyên 1…{MAX_COUNTER}.")
    return template


def _fill(template: str, number: str, counter: str) -> str:
    return _PLACEHOLDER.sub(lambda m: number if m.group(1) == "number" else counter, template)


def announcement_text(template: str | None, number: str, counter: int) -> str:
    """The sentence as written: "Xin mời công dân có số thứ tự A025 đến quầy số 3"."""
    template = _check(template or DEFAULT_TEMPLATE, counter)
    read_ticket_number(number)  # validates the number
    return " ".join(_fill(template, number.strip().upper(), str(counter)).split())


def spoken_text(template: str | None, number: str, counter: int) -> str:
    """The sentence as it is spoken, numbers and letters already in words, lower case."""
    template = _check(template or DEFAULT_TEMPLATE, counter)
    words = []
    for word in read_ticket_number(number).split(" "):
        words.append(LETTER_NAMES.get(word, word))
    text = _fill(template, " ".join(words), read_number(counter))
    text = re.sub(r"[^\w\s]", " ", text)  # punctuation would make the engine pause oddly
    return " ".join(text.lower().split())
