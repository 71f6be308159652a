"""Checking what an administrator typed: every field is read, every problem is collected, and
the form comes back with a Vietnamese message next to each field that needs fixing.

Use-case functions take a plain dict (the web layer turns request.form into one; multi-valued
fields arrive as lists) and raise FieldErrors once, with all the problems, never the first only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..domain.errors import Conflict, InvalidInput


class FieldErrors(InvalidInput):
    """Invalid form: `fields` maps a field name to the message shown beside it."""

    code = "invalid"

    def __init__(self, fields: dict[str, str]):
        self.fields = dict(fields)
        super().__init__("Vui lòng sửa các ô được đánh dấu: " + "; ".join(self.fields.values()))


class EditConflict(Conflict):
    """Someone else saved the same row since this form was opened."""

    code = "edit_conflict"


class InUse(Conflict):
    """A service or counter with tickets cannot be deleted; archiving is offered instead."""

    code = "in_use"

    def __init__(self, message: str, *, archive_url: str | None = None):
        super().__init__(message)
        self.archive_url = archive_url


class Checker:
    """Reads typed values out of `data` and notes every problem under its field name."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> Any:
        value = self.data.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return value

    def text(self, name: str, label: str, *, required: bool = True, max_len: int = 200,
             pattern: str | None = None, hint: str = "") -> str:
        value = self.raw(name)
        value = "" if value is None else str(value).strip()
        if not value:
            if required:
                self.fail(name, f"Hãy nhập {label}.")
            return ""
        if len(value) > max_len:
            self.fail(name, f"{label.capitalize()} dài quá {max_len} ký tự.")
        elif pattern and not re.fullmatch(pattern, value):
            self.fail(name, f"{label.capitalize()} không hợp lệ{': ' + hint if hint else ''}.")
        elif any(ord(ch) < 32 for ch in value):
            self.fail(name, f"{label.capitalize()} không được chứa ký tự điều khiển.")
        return value

    def lines(self, name: str, label: str, *, max_lines: int = 10, max_len: int = 64) -> list[str]:
        value = self.raw(name)
        if isinstance(value, (list, tuple)):
            value = "\n".join(map(str, value))
        rows = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        if len(rows) > max_lines:
            self.fail(name, f"{label.capitalize()}: tối đa {max_lines} dòng.")
        elif any(len(r) > max_len for r in rows):
            self.fail(name, f"{label.capitalize()}: mỗi dòng tối đa {max_len} ký tự.")
        return rows

    def integer(self, name: str, label: str, *, low: int, high: int,
                required: bool = True) -> int | None:
        value = self.raw(name)
        if value is None or str(value).strip() == "":
            if required:
                self.fail(name, f"Hãy nhập {label}.")
            return None
        try:
            number = int(str(value).strip())
        except ValueError:
            self.fail(name, f"{label.capitalize()} phải là số nguyên.")
            return None
        if not low <= number <= high:
            self.fail(name, f"{label.capitalize()} phải từ {low} đến {high}.")
            return None
        return number

    def flag(self, name: str) -> bool:
        return str(self.raw(name) or "").lower() in ("1", "on", "true", "yes")

    def choice(self, name: str, label: str, allowed: Mapping[str, str] | tuple[str, ...],
               default: str | None = None) -> str:
        value = self.raw(name)
        value = default if value in (None, "") else str(value)
        if value not in allowed:
            self.fail(name, f"Hãy chọn {label}.")
        return value or ""

    def ids(self, name: str, label: str, allowed: set[int]) -> list[int]:
        values = self.data.get(name) or []
        if not isinstance(values, (list, tuple)):
            values = [values]
        out = []
        for value in values:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = -1
            if number not in allowed:
                self.fail(name, f"{label.capitalize()}: lựa chọn không còn tồn tại; hãy tải lại trang.")
                return []
            if number not in out:
                out.append(number)
        return out

    def periods(self, name: str, label: str) -> list[list[str]]:
        """"07:30-11:30" per line (or comma separated) → [["07:30", "11:30"], …]."""
        value = self.raw(name)
        text = str(value or "").replace(",", "\n")
        out = []
        for line in filter(None, (part.strip() for part in text.splitlines())):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})", line)
            if not match:
                self.fail(name, f"{label.capitalize()}: '{line[:20]}' phải có dạng 07:30-11:30.")
                return []
            h1, m1, h2, m2 = map(int, match.groups())
            if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
                self.fail(name, f"{label.capitalize()}: giờ '{line}' không tồn tại.")
                return []
            start, end = f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"
            if end <= start:
                self.fail(name, f"{label.capitalize()}: {start}–{end}, giờ kết thúc phải sau giờ bắt đầu.")
                return []
            out.append([start, end])
        out.sort()
        for (_, end), (start, _) in zip(out, out[1:], strict=False):
            if start < end:
                self.fail(name, f"{label.capitalize()}: các khung giờ không được chồng lên nhau.")
                return []
        return out

    def dates(self, name: str, label: str) -> list[str]:
        """Dates one per line or comma separated, as 2026-09-02 or 02/09/2026 → ISO strings."""
        text = str(self.raw(name) or "").replace(",", "\n")
        out = []
        for line in filter(None, (part.strip() for part in text.splitlines())):
            try:
                if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", line):
                    day, month, year = map(int, line.split("/"))
                    value = dt.date(year, month, day)
                else:
                    value = dt.date.fromisoformat(line)
            except ValueError:
                self.fail(name, f"{label.capitalize()}: '{line[:20]}' không phải ngày (dd/mm/yyyy).")
                return []
            if value.isoformat() not in out:
                out.append(value.isoformat())
        return sorted(out)

    def pairs(self, name: str, label: str, *, max_items: int = 12) -> dict[str, str]:
        """Lines "mã = nhãn" → {"mã": "nhãn"} (the codes programs keep, the labels people read)."""
        text = str(self.raw(name) or "")
        out: dict[str, str] = {}
        for line in filter(None, (part.strip() for part in text.splitlines())):
            key, sep, value = line.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not re.fullmatch(r"[a-z][a-z0-9_]{1,29}", key) or not value:
                self.fail(name, f"{label.capitalize()}: dòng '{line[:30]}' phải có dạng ma_so = Nhãn "
                                "(mã viết thường, không dấu).")
                return {}
            if len(value) > 80:
                self.fail(name, f"{label.capitalize()}: nhãn '{value[:20]}…' dài quá 80 ký tự.")
                return {}
            if key in out:
                self.fail(name, f"{label.capitalize()}: mã '{key}' bị trùng.")
                return {}
            out[key] = value
        if len(out) > max_items:
            self.fail(name, f"{label.capitalize()}: tối đa {max_items} dòng.")
        return out

    def version(self) -> int | None:
        value = self.raw("version")
        try:
            return int(value) if value not in (None, "") else None
        except ValueError:
            return None

    def done(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


def check_version(kind: str, row: Any, expected: int | None) -> None:
    """Refuse to overwrite a row someone else changed since the form was loaded."""
    if expected is not None and expected != row.version:
        raise EditConflict(
            f"{kind} này vừa được người khác sửa (phiên bản {row.version}, bạn đang sửa phiên bản "
            f"{expected}). Thay đổi của bạn chưa được lưu: hãy tải lại trang để xem bản mới nhất "
            "rồi sửa lại.")
    row.version = (row.version or 1) + 1


def apply_order(rows: dict[int, Any], ids: list[Any], current: Callable[[Any], Any],
                noun: str) -> list[Any]:
    """Give `rows` (id → row) the order `ids` asks, first to last; rows not listed keep their
    relative order (by `current`) after them. Sets `sort_order` from 1 — not a content edit, so
    no version bump and no conflict — and returns the rows in their new order."""
    try:
        wanted = [int(i) for i in ids]
    except (TypeError, ValueError):
        wanted = []
    chosen = set(wanted)
    if not wanted or len(chosen) != len(wanted) or not chosen <= set(rows):
        raise FieldErrors({"order": f"Thứ tự gửi lên không khớp danh sách {noun}; hãy tải lại trang."})
    rest = [r for r in sorted(rows.values(), key=current) if r.id not in chosen]
    ordered = [rows[i] for i in wanted] + rest
    for position, row in enumerate(ordered, start=1):
        row.sort_order = position
    return ordered
