"""Check and normalise what a citizen typed, field by field and across fields, in Vietnamese.

static/js/forms-validate.js mirrors this module so the wizard says the same thing inline that the
server says on submit; both are tested against data/validation_cases.json. `clean()` keeps only
the fields the form defines: anything else a client sends is dropped, never stored.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from .model import Field, FormDef

_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE8 = re.compile(r"^(\d{2})(\d{2})(\d{4})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME_OK = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")

MAX_VALUE_LENGTH = 2000


class FormInvalid(ValueError):
    """Some fields are wrong; `errors` maps field name → a message for the citizen."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Tờ khai còn " + str(len(errors)) + " ô chưa đúng: "
                         + "; ".join(errors.values()))
        self.errors = errors


def normalise_text(value: str) -> str:
    """NFC, single spaces, no control characters: what every text field stores."""
    return " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", value)).split())


def parse_date(value: str) -> dt.date | None:
    """dd/mm/yyyy (also d/m/yyyy, with - or ., or ddmmyyyy) → a date, or None."""
    match = _DATE.match(value) or _DATE8.match(value)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def format_date(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def check_field(field: Field, raw: Any) -> tuple[str, str | None]:
    """(normalised value, error message or None). An empty optional field is ("", None)."""
    if raw is None:
        raw = ""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return "", f"{field.label}: giá trị không hợp lệ."
    value = normalise_text(str(raw))
    if not value:
        if field.required:
            verb = "chọn" if field.kind == "choice" else "nhập"
            return "", f"Vui lòng {verb} {field.label[0].lower() + field.label[1:]}."
        return "", None
    limit = field.max_length if field.kind != "textarea" else max(field.max_length, 1000)
    if len(value) > min(limit, MAX_VALUE_LENGTH):
        return value, f"{field.label}: tối đa {limit} ký tự."
    kind = field.kind
    if kind == "name":
        if not _NAME_OK.match(value):
            return value, f"{field.label}: chỉ gồm chữ cái và dấu cách, không có chữ số hay ký hiệu."
        return (value.upper() if field.upper else value), None
    if kind == "date":
        parsed = parse_date(value)
        if parsed is None:
            if _DATE.match(value) or _DATE8.match(value):
                return value, f"{field.label}: ngày {value} không có thật."
            return value, f"{field.label}: ghi theo dạng ngày/tháng/năm, ví dụ 05/09/2024."
        if not 1900 <= parsed.year <= 2100:
            return value, f"{field.label}: năm phải từ 1900 đến 2100."
        return format_date(parsed), None
    if kind == "year":
        if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2100:
            return value, f"{field.label}: ghi năm bằng 4 chữ số, ví dụ 1990."
        return value, None
    if kind == "id12":
        digits = re.sub(r"[\s.\-]", "", value)
        if not re.fullmatch(r"\d{12}", digits):
            return value, f"{field.label}: phải gồm đúng 12 chữ số (số trên thẻ căn cước)."
        return digits, None
    if kind == "phone":
        digits = re.sub(r"[\s.\-()]", "", value)
        if digits.startswith("+84"):
            digits = "0" + digits[3:]
        elif digits.startswith("84") and len(digits) == 11:
            digits = "0" + digits[2:]
        if not (re.fullmatch(r"0[1-9]\d{8}", digits) or re.fullmatch(r"02\d{9}", digits)):
            return value, f"{field.label}: gồm 10 chữ số, bắt đầu bằng 0, ví dụ 0912 345 678."
        return digits, None
    if kind == "email":
        if not _EMAIL.match(value) or len(value) > 254:
            return value, f"{field.label}: địa chỉ thư điện tử chưa đúng, ví dụ ten@gmail.com."
        return value, None
    if kind == "choice":
        if value not in field.options:
            return value, f"{field.label}: hãy chọn một trong: {', '.join(field.options)}."
        return value, None
    if kind in ("number", "money"):
        digits = re.sub(r"[\s.,]", "", value) if kind == "money" else value
        if not re.fullmatch(r"\d{1,15}", digits):
            what = "số tiền (đồng), chỉ gồm chữ số" if kind == "money" else "số nguyên"
            return value, f"{field.label}: ghi {what}."
        number = int(digits)
        if (field.min is not None and number < field.min) or (field.max is not None and number > field.max):
            low = field.min if field.min is not None else 0
            high = f" đến {field.max}" if field.max is not None else " trở lên"
            return value, f"{field.label}: phải từ {low}{high}."
        return str(number), None
    return value, None  # text, address, textarea


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def check_rules(form: FormDef, values: dict[str, str], today: dt.date) -> dict[str, str]:
    """Cross-field rules over already-normalised values; field name → message."""
    errors: dict[str, str] = {}
    for rule in form.rules:
        first = rule.fields[0]
        a = values.get(first, "")
        b = values.get(rule.fields[1], "") if len(rule.fields) > 1 else ""
        broken = False
        if rule.kind == "not_future":
            day = parse_date(a) if a else None
            broken = day is not None and day > today
        elif rule.kind == "min_age":
            day = parse_date(a) if a else None
            broken = day is not None and _age(day, today) < int(rule.value)
        elif rule.kind == "differ":
            broken = bool(a) and a == b
        elif rule.kind == "year_gap":
            day = parse_date(b) if b else None
            broken = bool(a) and a.isdigit() and day is not None and day.year - int(a) < int(rule.value)
        elif rule.kind == "required_with":
            broken = not a and bool(b)
        elif rule.kind == "required_if":
            broken = not a and b == rule.value
        elif rule.kind == "not_before":
            da, db = (parse_date(a) if a else None), (parse_date(b) if b else None)
            broken = da is not None and db is not None and da < db
        if broken and first not in errors:
            errors[first] = rule.message
    return errors


def clean(form: FormDef, data: Any, today: dt.date) -> dict[str, str]:
    """The form's values, normalised; raise FormInvalid with every wrong field at once.

    Fields the form does not define are dropped: a draft stores only what the form needs.
    """
    if not isinstance(data, dict):
        raise FormInvalid({"_": "Dữ liệu tờ khai phải là một đối tượng JSON {\"tên ô\": \"giá trị\"}."})
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in form.fields():
        value, error = check_field(field, data.get(field.name))
        values[field.name] = value
        if error:
            errors[field.name] = error
    for name, message in check_rules(form, values, today).items():
        errors.setdefault(name, message)
    if errors:
        raise FormInvalid(errors)
    return values
