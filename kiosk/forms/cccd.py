"""Read the QR code of a chip-based citizen ID card (CCCD) as typed by a keyboard-wedge scanner.

The string is `|`-separated (SPEC §3 "Identity", domain-vn.md §4.1):
    12-digit ID | old 9-digit CMND or empty | name | birth ddmmyyyy | gender | address | issue ddmmyyyy
Real cards and readers vary, so the parser is tolerant: 6 or more fields, a variant without the
old-ID field, extra trailing fields (2024 cards) ignored, stray whitespace and line ends dropped.

Privacy: error messages never quote the scanned string, and nothing here keeps or logs it; the
caller keeps only the fields its form needs. static/js/forms-cccd.js mirrors this parser (the
browser parses so the raw string never leaves the kiosk page); both are tested against
data/cccd_cases.json.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass

_ID12 = re.compile(r"^\d{12}$")
_OLD_ID = re.compile(r"^(\d{9}|\d{12})?$")
_DATE8 = re.compile(r"^\d{8}$")


class CccdError(ValueError):
    """The scanned text is not a readable CCCD QR code; the message says what to do."""


@dataclass(frozen=True)
class CccdData:
    id_number: str
    old_id: str  # "" when the card carries none
    full_name: str
    birth_date: str  # dd/mm/yyyy, the form's date format
    gender: str  # "Nam" | "Nữ" | "" when unreadable
    address: str
    issue_date: str  # dd/mm/yyyy or "" when absent

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _date(value: str, what: str, *, required: bool) -> str:
    value = value.strip()
    if not value and not required:
        return ""
    if not _DATE8.match(value):
        raise CccdError(f"Mã QR có {what} không đúng dạng ngàythángnăm (8 chữ số). "
                        "Hãy quét lại hoặc nhập tay.")
    day, month, year = int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        dt.date(year, month, day)
    except ValueError:
        raise CccdError(f"Mã QR có {what} không phải ngày có thật. Hãy quét lại hoặc nhập tay.") from None
    if not 1900 <= year <= 2100:
        raise CccdError(f"Mã QR có {what} ngoài khoảng hợp lệ. Hãy quét lại hoặc nhập tay.")
    return f"{value[:2]}/{value[2:4]}/{value[4:]}"


def _gender(value: str) -> str:
    key = unicodedata.normalize("NFC", value.strip()).lower()
    if key in ("nam", "male", "m"):
        return "Nam"
    if key in ("nữ", "nu", "nư", "female", "f"):
        return "Nữ"
    return ""


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def parse_cccd(raw: str) -> CccdData:
    """Parse a scanned CCCD QR string; raise CccdError (never quoting it) when it is not one."""
    if not isinstance(raw, str):
        raise CccdError("Không đọc được mã QR. Hãy quét lại mặt trước thẻ căn cước.")
    text = raw.strip().strip("\r\n")
    fields = [f.strip() for f in text.split("|")]
    if len(fields) < 6:
        raise CccdError("Đây không phải mã QR trên thẻ căn cước công dân (cần ít nhất 6 phần "
                        "ngăn cách bởi dấu |). Hãy quét mã QR ở mặt thẻ có ảnh.")
    if not _ID12.match(fields[0]):
        raise CccdError("Số căn cước trong mã QR phải gồm đúng 12 chữ số. Hãy quét lại.")
    if _OLD_ID.match(fields[1]):
        old_id, rest = fields[1], fields[2:]
    else:  # the 6-field variant without the old-ID field
        old_id, rest = "", fields[1:]
    if len(rest) < 4:
        raise CccdError("Mã QR thiếu thông tin (họ tên, ngày sinh, giới tính, nơi thường trú). "
                        "Hãy quét lại.")
    name = _text(rest[0])
    if not name or any(ch.isdigit() for ch in name):
        raise CccdError("Mã QR không có họ tên hợp lệ. Hãy quét lại hoặc nhập tay.")
    return CccdData(
        id_number=fields[0],
        old_id=old_id,
        full_name=name,
        birth_date=_date(rest[1], "ngày sinh", required=True),
        gender=_gender(rest[2]),
        address=_text(rest[3]),
        issue_date=_date(rest[4], "ngày cấp", required=False) if len(rest) > 4 else "",
    )


# What the kiosk tells the citizen before filling anything (shown by the wizard).
NOTICE = ("Kiosk đọc từ mã QR trên thẻ căn cước: số căn cước, họ tên, ngày sinh, giới tính và nơi "
          "thường trú, chỉ để điền sẵn vào tờ khai này. Mã QR không được lưu; tờ khai chỉ giữ "
          "những ô bạn thấy trên màn hình.")
