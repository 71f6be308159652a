"""Validation of raw catalogue data, collecting every problem with a Vietnamese message.

Validation works on plain dicts (what JSON or CSV parsing yields) and returns ``Issue`` objects whose
``path`` locates the bad value; the importers turn a path into a line of the source file.  Nothing
stops at the first error: a centre fixing its spreadsheet wants the whole list at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .model import CHANNELS, CONFIDENCE, LEVELS, ONLINE_LEVELS, TIME_UNITS
from .services import SERVICE_CODE_RE

#: National procedure code (mã TTHC), e.g. 1.001193 (domain-vn.md §4.2).
CODE_RE = re.compile(r"^\d\.\d{6}$")

Path = tuple[str | int, ...]

#: Vietnamese names of fields, used in messages.
LABELS: dict[str, str] = {
    "code": "mã thủ tục",
    "name": "tên",
    "field": "lĩnh vực",
    "level": "cấp thực hiện",
    "service": "mã dịch vụ xếp hàng",
    "result": "kết quả",
    "source_name": "tên nguồn",
    "source_url": "địa chỉ nguồn",
    "checked": "ngày đối chiếu",
    "confidence": "độ tin cậy",
    "online_level": "mức dịch vụ trực tuyến",
    "popularity": "độ phổ biến",
    "channels": "cách thức thực hiện",
    "channel": "kênh nộp",
    "time_text": "thời hạn giải quyết",
    "time_value": "số thời hạn",
    "time_unit": "đơn vị thời hạn",
    "fee_text": "phí, lệ phí",
    "fee_amounts": "mức phí (số)",
    "dossier_cases": "thành phần hồ sơ",
    "documents": "giấy tờ",
    "originals": "số bản chính",
    "copies": "số bản sao",
    "form_ref": "mẫu đơn, tờ khai",
    "forms": "mẫu đơn, tờ khai",
    "ref": "mã mẫu",
    "url": "địa chỉ",
    "steps": "trình tự thực hiện",
    "legal_basis": "căn cứ pháp lý",
    "keywords": "từ khóa",
    "unverified": "trường cần xác minh",
    "version": "phiên bản",
    "updated": "ngày cập nhật",
    "procedures": "danh sách thủ tục",
}

_OPTIONAL_TEXT = (
    "local_code", "procedure_type", "decision_no", "agency", "subjects", "requirements", "note",
)


def label(key: str) -> str:
    return f"{LABELS.get(key, key)} ({key})"


@dataclass(frozen=True)
class Issue:
    """One problem: where (``path``; ``line`` once an importer located it) and what, in Vietnamese."""

    path: Path
    message: str
    line: int | None = None
    code: str = ""

    def __str__(self) -> str:
        where = f"Dòng {self.line}" if self.line is not None else "Tệp"
        if self.code:
            where += f" (thủ tục {self.code})"
        return f"{where}: {self.message}"


class CatalogValidationError(ValueError):
    """Raised with *all* issues when data is not a valid catalogue or procedure."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        head = f"Dữ liệu danh mục thủ tục không hợp lệ ({len(self.issues)} lỗi)"
        super().__init__(head + ":\n" + "\n".join(f"- {i}" for i in self.issues))


def is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Checker:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: Path, message: str) -> None:
        self.issues.append(Issue(path, message))

    def text(self, d: dict, key: str, path: Path, required: bool) -> str | None:
        v = d.get(key)
        if v is None or v == "":
            if required:
                self.add(path + (key,), f"Thiếu {label(key)}.")
            return None
        if not isinstance(v, str):
            self.add(path + (key,), f"{label(key).capitalize()} phải là chữ, không phải {_kind(v)}.")
            return None
        if required and not v.strip():
            self.add(path + (key,), f"Thiếu {label(key)}.")
            return None
        return v

    def choice(self, d: dict, key: str, path: Path, allowed: dict[str, str], required: bool) -> None:
        v = self.text(d, key, path, required)
        if v is not None and v not in allowed:
            opts = ", ".join(f"{k} ({lbl})" for k, lbl in allowed.items() if k)
            self.add(path + (key,), f"{label(key).capitalize()} '{v}' không hợp lệ; dùng một trong: {opts}.")

    def count(self, d: dict, key: str, path: Path) -> None:
        v = d.get(key, 0)
        if v is None:
            return
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self.add(path + (key,), f"{label(key).capitalize()} phải là số nguyên không âm, nhận được '{v}'.")

    def str_list(self, d: dict, key: str, path: Path, required: bool) -> list:
        v = d.get(key)
        if v is None or v == []:
            if required:
                self.add(path + (key,), f"Thiếu {label(key)}.")
            return []
        if not isinstance(v, list):
            self.add(path + (key,), f"{label(key).capitalize()} phải là một danh sách.")
            return []
        for i, item in enumerate(v):
            if not isinstance(item, str) or not item.strip():
                self.add(path + (key, i), f"Mục {i + 1} của {label(key)} phải là chữ, không được để trống.")
        return v

    def obj_list(self, d: dict, key: str, path: Path, required: bool) -> list:
        v = d.get(key)
        if v is None or v == []:
            if required:
                self.add(path + (key,), f"Thiếu {label(key)}: cần ít nhất một mục.")
            return []
        if not isinstance(v, list):
            self.add(path + (key,), f"{label(key).capitalize()} phải là một danh sách.")
            return []
        good = []
        for i, item in enumerate(v):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.add(path + (key, i), f"Mục {i + 1} của {label(key)} phải là một đối tượng.")
        return good


def _kind(v: Any) -> str:
    return {bool: "đúng/sai", int: "số", float: "số", list: "danh sách", dict: "đối tượng"}.get(type(v), "giá trị khác")


def validate_procedure(d: Any, path: Path = ()) -> list[Issue]:
    """Every problem in one raw procedure record (empty list when it is valid)."""
    c = _Checker()
    if not isinstance(d, dict):
        c.add(path, "Mỗi thủ tục phải là một đối tượng {…}.")
        return c.issues
    code = c.text(d, "code", path, True)
    if code is not None and not CODE_RE.match(code):
        c.add(path + ("code",), f"Mã thủ tục '{code}' sai dạng; mã TTHC có dạng 1.001193 (1 chữ số, dấu chấm, 6 chữ số). "
              "Mã riêng của địa phương ghi vào local_code.")
    for key in ("name", "field", "result", "source_name"):
        c.text(d, key, path, True)
    c.choice(d, "level", path, LEVELS, True)
    service = c.text(d, "service", path, True)
    if service is not None and not SERVICE_CODE_RE.match(service):
        c.add(path + ("service",), f"Mã dịch vụ '{service}' sai dạng: dùng chữ in hoa, số hoặc '_', ví dụ HT.")
    for key in _OPTIONAL_TEXT:
        c.text(d, key, path, False)
    c.choice(d, "online_level", path, ONLINE_LEVELS, False)
    c.choice(d, "confidence", path, CONFIDENCE, False)
    url = c.text(d, "source_url", path, False)
    if url is not None and not re.match(r"^https?://\S+$", url):
        c.add(path + ("source_url",), f"Địa chỉ nguồn '{url}' phải bắt đầu bằng http:// hoặc https://.")
    checked = c.text(d, "checked", path, False)
    if checked is not None and not is_iso_date(checked):
        c.add(path + ("checked",), f"Ngày đối chiếu '{checked}' phải có dạng NNNN-TT-NN (ví dụ 2026-11-21).")
    pop = d.get("popularity", 0)
    if pop is not None and (isinstance(pop, bool) or not isinstance(pop, int) or not 0 <= pop <= 100):
        c.add(path + ("popularity",), f"Độ phổ biến phải là số nguyên từ 0 đến 100, nhận được '{pop}'.")
    for key in ("steps", "legal_basis", "keywords", "unverified"):
        c.str_list(d, key, path, False)

    # Several rows per channel are allowed: the portal lists one per case (e.g. mobile registration).
    for i, ch in c.obj_list(d, "channels", path, True):
        p = path + ("channels", i)
        c.choice(ch, "channel", p, CHANNELS, True)
        c.text(ch, "time_text", p, True)
        c.text(ch, "fee_text", p, True)
        c.text(ch, "note", p, False)
        tv = ch.get("time_value")
        if tv is not None and (isinstance(tv, bool) or not isinstance(tv, (int, float)) or tv < 0):
            c.add(p + ("time_value",), f"Số thời hạn phải là số không âm, nhận được '{tv}'.")
        c.choice(ch, "time_unit", p, TIME_UNITS, tv is not None)
        if tv is None and ch.get("time_unit"):
            c.add(p + ("time_value",), "Có đơn vị thời hạn nhưng thiếu số thời hạn (time_value).")
        amounts = ch.get("fee_amounts") or []
        if not isinstance(amounts, list):
            c.add(p + ("fee_amounts",), "Mức phí (fee_amounts) phải là danh sách số đồng.")
        else:
            for j, a in enumerate(amounts):
                if isinstance(a, bool) or not isinstance(a, int) or a < 0:
                    c.add(p + ("fee_amounts", j), f"Mức phí phải là số đồng nguyên không âm, nhận được '{a}'.")

    refs: set[str] = set()
    for i, f in c.obj_list(d, "forms", path, False):
        p = path + ("forms", i)
        ref = c.text(f, "ref", p, True)
        c.text(f, "name", p, True)
        c.text(f, "note", p, False)
        url = c.text(f, "url", p, False)
        if url is not None and not re.match(r"^https?://\S+$", url):
            c.add(p + ("url",), f"Địa chỉ mẫu '{url}' phải bắt đầu bằng http:// hoặc https://.")
        if ref is not None:
            if ref in refs:
                c.add(p + ("ref",), f"Mã mẫu '{ref}' bị trùng trong cùng thủ tục.")
            refs.add(ref)

    for i, case in c.obj_list(d, "dossier_cases", path, True):
        p = path + ("dossier_cases", i)
        c.text(case, "name", p, True)
        for j, doc in c.obj_list(case, "documents", p, True):
            q = p + ("documents", j)
            c.text(doc, "name", q, True)
            c.text(doc, "note", q, False)
            c.count(doc, "originals", q)
            c.count(doc, "copies", q)
            for flag in ("required", "present_only"):
                if flag in doc and not isinstance(doc[flag], bool):
                    c.add(q + (flag,), f"'{flag}' phải là đúng/sai (true/false).")
            ref = c.text(doc, "form_ref", q, False)
            if ref is not None and ref not in refs:
                c.add(q + ("form_ref",), f"Giấy tờ dẫn tới mẫu '{ref}' nhưng thủ tục không có mẫu nào mã '{ref}' trong forms.")
    return c.issues


def validate_catalog(d: Any) -> list[Issue]:
    """Every problem in a raw catalogue ``{"version", "updated", "procedures": [...]}``."""
    c = _Checker()
    if not isinstance(d, dict):
        c.add((), "Tệp danh mục phải là một đối tượng JSON có version, updated và procedures.")
        return c.issues
    v = d.get("version")
    if v is None or (isinstance(v, str) and not v.strip()) or not isinstance(v, (str, int)) or isinstance(v, bool):
        c.add(("version",), "Thiếu phiên bản (version) của danh mục.")
    updated = d.get("updated")
    if not is_iso_date(updated):
        c.add(("updated",), f"Ngày cập nhật (updated) phải có dạng NNNN-TT-NN, nhận được '{updated}'.")
    c.text(d, "note", (), False)
    procs = d.get("procedures")
    if not isinstance(procs, list) or not procs:
        c.add(("procedures",), "Danh mục phải có danh sách thủ tục (procedures) với ít nhất một thủ tục.")
        return c.issues
    first_at: dict[str, int] = {}
    for i, p in enumerate(procs):
        c.issues.extend(validate_procedure(p, ("procedures", i)))
        code = p.get("code") if isinstance(p, dict) else None
        if isinstance(code, str) and code:
            if code in first_at:
                c.add(("procedures", i, "code"), f"Mã thủ tục '{code}' bị trùng với thủ tục thứ {first_at[code] + 1}.")
            else:
                first_at[code] = i
    return c.issues
