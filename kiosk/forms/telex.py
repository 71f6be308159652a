"""Telex typing for the kiosk's on-screen keyboard: "Nguyeenx" → "Nguyễn", "dd" → "đ".

A kiosk has no physical keyboard and most citizens know Telex from their phones, so the
on-screen keyboard converts as they tap. static/js/vnkeyboard.js is a line-by-line mirror of
this module; both are checked against the same table (data/telex_cases.json).

Rules (those of common Vietnamese input methods, traditional tone placement as on ID cards):
- aa â, ee ê, oo ô, aw ă, ow ơ, uw ư, uow/uwo ươ, dd đ; a lone "w" is ư;
- tones s (sắc) f (huyền) r (hỏi) x (ngã) j (nặng), z removes the tone; a modifier is applied
  to the current word's vowel group, even after its final consonant ("Nguyenx" → "Nguyễn");
- pressing the same modifier again undoes it and types the letter ("ass" → "as", "ddd" → "dd");
- a key is a modifier only while the word is a plausible Vietnamese syllable, otherwise it is
  typed as is (so "Tony" or an email address stays as typed).
"""

from __future__ import annotations

import unicodedata

# Each vowel with its six tones: none, sắc, huyền, hỏi, ngã, nặng.
_TONED = {
    "a": "aáàảãạ", "ă": "ăắằẳẵặ", "â": "âấầẩẫậ", "e": "eéèẻẽẹ", "ê": "êếềểễệ",
    "i": "iíìỉĩị", "o": "oóòỏõọ", "ô": "ôốồổỗộ", "ơ": "ơớờởỡợ", "u": "uúùủũụ",
    "ư": "ưứừửữự", "y": "yýỳỷỹỵ",
}
_SPLIT: dict[str, tuple[str, int]] = {}  # toned lower-case vowel → (base vowel, tone)
for _base, _forms in _TONED.items():
    for _tone, _char in enumerate(_forms):
        _SPLIT[_char] = (_base, _tone)

TONE_KEYS = {"s": 1, "f": 2, "r": 3, "x": 4, "j": 5}
_CONSONANTS = set("bcdđfghjklmnpqrstvwxz")
# Hats and hooks: which plain vowel each modifier key turns into what.
_HAT = {"a": ("a", "â"), "e": ("e", "ê"), "o": ("o", "ô")}
_PLAIN_OF = {"â": "a", "ê": "e", "ô": "o", "ă": "a", "ơ": "o", "ư": "u"}
_MARKED = set("ăâêôơư")
_FINALS = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}


def _is_letter(ch: str) -> bool:
    low = ch.lower()
    return low in _SPLIT or low in _CONSONANTS


def _split(ch: str) -> tuple[str, int, bool]:
    """A letter → (lower-case base vowel or the letter, tone, upper case?)."""
    low = ch.lower()
    base, tone = _SPLIT.get(low, (low, 0))
    return base, tone, ch != low


def _join(base: str, tone: int, upper: bool) -> str:
    ch = _TONED[base][tone] if base in _TONED else base
    return ch.upper() if upper else ch


def _parse(word: str) -> tuple[int, int] | None:
    """(start, end) of the vowel group of `word`, or None if the word is no plausible syllable.

    "qu" and "gi" (before another vowel) belong to the initial consonant: "quý", "giữa".
    """
    low = [_split(c)[0] for c in word]
    i = 0
    while i < len(low) and low[i] not in _TONED:
        if low[i] not in _CONSONANTS:
            return None
        i += 1
    if i < len(low) and i > 0:
        initial = "".join(low[:i])
        nxt = low[i + 1] if i + 1 < len(low) else ""
        if (initial == "q" and low[i] == "u") or (initial == "g" and low[i] == "i" and nxt in _TONED):
            i += 1
    start = i
    while i < len(low) and low[i] in _TONED:
        i += 1
    end = i
    final = "".join(low[end:])
    if final not in _FINALS:
        return None
    if end - start > 3:
        return None
    return start, end


def _tone_position(word: str, start: int, end: int) -> int:
    """Where the tone mark goes in the vowel group word[start:end] (traditional placement)."""
    bases = [_split(c)[0] for c in word[start:end]]
    for k, base in enumerate(bases):  # a vowel with a hat or hook takes it (ươ: on ơ)
        if base in _MARKED and not (base == "ư" and k + 1 < len(bases) and bases[k + 1] == "ơ"):
            return start + k
    n = len(bases)
    if n == 1:
        return start
    if n == 3:
        return start + 1
    has_final = end < len(word)
    return start + (1 if has_final else 0)


def _with_tone(word: str, tone: int) -> str:
    parsed = _parse(word)
    assert parsed is not None
    start, end = parsed
    chars = list(word)
    for k in range(start, end):  # strip every tone, then place the new one
        base, _, upper = _split(chars[k])
        chars[k] = _join(base, 0, upper)
    if tone:
        pos = _tone_position("".join(chars), start, end)
        base, _, upper = _split(chars[pos])
        chars[pos] = _join(base, tone, upper)
    return "".join(chars)


def _word_tone(word: str, start: int, end: int) -> int:
    for ch in word[start:end]:
        tone = _split(ch)[1]
        if tone:
            return tone
    return 0


def apply_key(word: str, key: str) -> str:
    """The current word after typing `key` (one character) at its end."""
    low = key.lower()
    upper = key != low
    parsed = _parse(word) if word else None
    if low == "d" and parsed is not None and word:
        first = word[0].lower()
        if first == "d":
            return _join("đ", 0, word[0] != "d") + word[1:]
        if first == "đ":
            return ("D" if word[0] != "đ" else "d") + word[1:] + key
    if parsed is None or parsed[0] == parsed[1]:
        if low == "w" and (parsed is not None or not word):
            return word + _join("ư", 0, upper)  # "w" alone is ư: "tw" → "tư"
        return word + key
    start, end = parsed
    tone = _word_tone(word, start, end)
    if low in TONE_KEYS:
        if tone == TONE_KEYS[low]:
            return _with_tone(word, 0) + key
        return _with_tone(word, TONE_KEYS[low])
    if low == "z":
        return _with_tone(word, 0) if tone else word + key
    bases = [_split(c)[0] for c in word[start:end]]
    if low in _HAT:
        plain, hat = _HAT[low]
        for k in range(len(bases) - 1, -1, -1):
            if bases[k] == hat:  # undo: "aaa" → "aa"
                return _retone(_replace(word, start + k, plain), tone) + key
            if _PLAIN_OF.get(bases[k], bases[k]) == plain:  # a, ă → â; o, ơ → ô
                return _retone(_replace(word, start + k, hat), tone)
        return word + key
    if low == "w":
        return _hook(word, start, end, bases, tone, key)
    return _retone(word + key, tone) if tone else word + key  # "Hoafng" → "Hoàng"


def _replace(word: str, pos: int, base: str) -> str:
    _, tone, upper = _split(word[pos])
    return word[:pos] + _join(base, tone, upper) + word[pos + 1:]


def _retone(word: str, tone: int) -> str:
    """Put the tone back where it belongs after a hat or hook moved the preferred vowel."""
    return _with_tone(word, tone) if _parse(word) is not None else word


def _hook(word: str, start: int, end: int, bases: list[str], tone: int, key: str) -> str:
    text = "".join(bases)
    if text == "ư" and end == len(word):  # "ww" → "w"
        return word[:start] + ("W" if _split(word[start])[2] else "w")
    if any(b in ("ă", "ơ", "ư") for b in bases):  # undo every hook: "aww" → "aw"
        out = word
        for k, b in enumerate(bases):
            if b in ("ă", "ơ", "ư"):
                out = _replace(out, start + k, _PLAIN_OF[b])
        return _retone(out, tone) + key
    for pair in ("uo", "uô"):
        at = text.find(pair)
        if at >= 0:
            out = _replace(_replace(word, start + at, "ư"), start + at + 1, "ơ")
            return _retone(out, tone)
    if text.startswith("ua") and len(text) == 2 and end == len(word):
        return _retone(_replace(word, start, "ư"), tone)  # mưa, not muă
    for target, hooked in (("a", "ă"), ("o", "ơ"), ("u", "ư")):
        at = text.rfind(target)
        if at >= 0:
            return _retone(_replace(word, start + at, hooked), tone)
    return word + key


def telex(typed: str) -> str:
    """Convert a whole typed string, as if each character were tapped in turn."""
    out: list[str] = []
    for key in typed:
        if not _is_letter(key):
            out.append(key)
            continue
        i = len(out)
        while i > 0 and _is_letter(out[i - 1]):
            i -= 1
        word = "".join(out[i:])
        del out[i:]
        out.extend(apply_key(word, key))
    return unicodedata.normalize("NFC", "".join(out))
