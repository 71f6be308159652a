"""JSON catalogue files, parsed with the line of every value so errors can name their line.

The standard ``json`` module forgets positions, so after a normal parse (which reports syntax errors
with a line) a second, tiny recursive pass records where each object, array and value starts.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Catalog
from .validate import Issue, Path

_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


class _Located:
    """Maps value paths to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: dict[Path, int] = {}

    def line_at(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WS:
            i += 1
        return i

    def value(self, i: int, path: Path) -> int:
        """Record the value starting at ``i`` (and its children); return the index after it."""
        s = self.text
        i = self.skip(i)
        self.lines[path] = self.line_at(i)
        if s[i] == "{":
            i = self.skip(i + 1)
            if s[i] == "}":
                return i + 1
            while True:
                key, i = _DECODER.raw_decode(s, self.skip(i))
                i = self.skip(i) + 1  # past ':'
                i = self.skip(self.value(i, path + (key,)))
                if s[i] == "}":
                    return i + 1
                i += 1  # past ','
        if s[i] == "[":
            i = self.skip(i + 1)
            if s[i] == "]":
                return i + 1
            n = 0
            while True:
                i = self.skip(self.value(i, path + (n,)))
                n += 1
                if s[i] == "]":
                    return i + 1
                i += 1
        _, end = _DECODER.raw_decode(s, i)
        return end


def parse_json(text: str) -> tuple[Any, dict[Path, int], list[Issue]]:
    """Parse ``text``; return (data, line of each path, syntax issues)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return None, {}, [Issue((), f"JSON sai cú pháp ({e.msg}) tại cột {e.colno}.", line=e.lineno)]
    loc = _Located(text)
    loc.value(0, ())
    return data, loc.lines, []


def dump_json(catalog: Catalog) -> str:
    """The catalogue as pretty, UTF-8 (not \\u-escaped) JSON, ending with a newline."""
    return json.dumps(catalog.to_dict(), ensure_ascii=False, indent=2) + "\n"
