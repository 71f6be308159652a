"""Flat CSV shape for catalogues, so a centre can keep its procedures in a spreadsheet.

One file, one header row, then one row per *item*; the ``section`` column says what the row is and
``code`` says which procedure it belongs to.  Rows of a procedure may be in any order after the header;
items of the same kind keep their file order.  Cells a section does not use must stay empty.

=============  ==========================================================================================
section        columns used
=============  ==========================================================================================
catalog        version, updated, note                       (optional, at most one; ``code`` empty)
procedure      code, name, field, level, service, local_code, procedure_type, decision_no, agency,
               subjects, requirements, result, online_level, keywords, popularity, source_name,
               source_url, checked, confidence, unverified, note            (exactly one per code)
channel        code, channel, time_text, time_value, time_unit, fee_text, fee_amounts, note
document       code, case, name, originals, copies, form_ref, required, present_only, note
form           code, ref, name, url, note
step           code, text
legal_basis    code, text
=============  ==========================================================================================

Lists inside one cell (``keywords``, ``unverified``, ``fee_amounts``) are separated by ``;``.
Yes/no cells take ``có``/``không`` (also ``1/0``, ``true/false``, ``x``/empty).  Cases of a dossier
are the distinct ``case`` values of its document rows, in order of first appearance.  Files are
written as UTF-8 with a BOM so spreadsheet programs show Vietnamese correctly; ``;``-separated files
(saved by a Vietnamese-locale spreadsheet) are read too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from .model import Catalog
from .validate import Issue, Path

COLUMNS: list[str] = [
    "code", "section", "name", "field", "level", "service", "local_code", "procedure_type",
    "decision_no", "agency", "subjects", "requirements", "result", "online_level", "keywords",
    "popularity", "source_name", "source_url", "checked", "confidence", "unverified",
    "channel", "time_text", "time_value", "time_unit", "fee_text", "fee_amounts",
    "case", "originals", "copies", "form_ref", "required", "present_only",
    "ref", "url", "text", "note", "version", "updated",
]

SECTIONS: dict[str, tuple[str, ...]] = {
    "catalog": ("version", "updated", "note"),
    "procedure": (
        "code", "name", "field", "level", "service", "local_code", "procedure_type", "decision_no",
        "agency", "subjects", "requirements", "result", "online_level", "keywords", "popularity",
        "source_name", "source_url", "checked", "confidence", "unverified", "note",
    ),
    "channel": ("code", "channel", "time_text", "time_value", "time_unit", "fee_text", "fee_amounts", "note"),
    "document": ("code", "case", "name", "originals", "copies", "form_ref", "required", "present_only", "note"),
    "form": ("code", "ref", "name", "url", "note"),
    "step": ("code", "text"),
    "legal_basis": ("code", "text"),
}

_YES = {"có", "co", "1", "true", "x", "yes", "đúng", "dung"}
_NO = {"không", "khong", "0", "false", "", "no", "sai"}
_LIST_FIELDS = ("keywords", "unverified")
_PROC_TEXT = tuple(k for k in SECTIONS["procedure"] if k not in (*_LIST_FIELDS, "popularity"))


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def _int(cell: str) -> Any:
    """An int, or the raw text so the validator reports it with its value."""
    cell = cell.strip()
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        return cell


def _float(cell: str) -> Any:
    cell = cell.strip().replace(",", ".")
    if cell == "":
        return None
    try:
        v = float(cell)
    except ValueError:
        return cell
    return int(v) if v.is_integer() else v


def _bool(cell: str, default: bool) -> Any:
    v = cell.strip().lower()
    if v == "":
        return default
    if v in _YES:
        return True
    if v in _NO:
        return False
    return cell


def _yn(v: bool) -> str:
    return "có" if v else "không"


def parse_csv(text: str) -> tuple[Any, dict[Path, int], list[Issue]]:
    """Parse the flat CSV; return (catalogue dict, line of each path, row-level issues)."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    issues: list[Issue] = []
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return None, {}, [Issue((), "Tệp CSV trống: cần một dòng tiêu đề và các dòng dữ liệu.", line=1)]
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in ("code", "section") if h not in header]
    if unknown:
        issues.append(Issue((), f"Tiêu đề có cột không biết: {', '.join(unknown)}. Các cột hợp lệ: {', '.join(COLUMNS)}.", line=1))
    if missing:
        issues.append(Issue((), f"Tiêu đề thiếu cột bắt buộc: {', '.join(missing)}.", line=1))
    if len(set(header)) != len(header):
        issues.append(Issue((), "Tiêu đề có cột bị lặp lại.", line=1))
    if issues:
        return None, {}, issues

    lines: dict[Path, int] = {}
    catalog: dict[str, Any] = {}
    procs: dict[str, dict[str, Any]] = {}
    proc_line: dict[str, int] = {}
    orphans: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
    prev_end = reader.line_num
    for raw in reader:
        line, prev_end = prev_end + 1, reader.line_num
        if not any(c.strip() for c in raw):
            continue
        if len(raw) > len(header):
            issues.append(Issue((), f"Dòng có {len(raw)} ô nhưng tiêu đề chỉ có {len(header)} cột.", line=line))
            continue
        row = dict(zip(header, raw, strict=False))  # a short row leaves its last cells empty
        row = {k: row.get(k, "") for k in header}
        section = row.get("section", "").strip()
        code = row.get("code", "").strip()
        if section not in SECTIONS:
            issues.append(Issue((), f"Loại dòng (section) '{section}' không hợp lệ; dùng một trong: {', '.join(SECTIONS)}.", line=line, code=code))
            continue
        stray = [k for k, v in row.items() if v.strip() and k not in SECTIONS[section] and k != "section"]
        if stray:
            issues.append(Issue((), f"Dòng loại '{section}' không dùng cột: {', '.join(stray)}; hãy để trống.", line=line, code=code))
            continue
        if section == "catalog":
            if catalog:
                issues.append(Issue((), "Chỉ được có một dòng loại 'catalog'.", line=line))
                continue
            catalog = {"version": row.get("version", "").strip(), "updated": row.get("updated", "").strip(),
                       "note": row.get("note", "")}
            lines[("version",)] = lines[("updated",)] = line
            continue
        if not code:
            issues.append(Issue((), f"Dòng loại '{section}' thiếu mã thủ tục (code).", line=line))
            continue
        if section == "procedure":
            if code in procs:
                issues.append(Issue((), f"Mã thủ tục '{code}' có nhiều hơn một dòng 'procedure' (dòng đầu: {proc_line[code]}).", line=line, code=code))
                continue
            p: dict[str, Any] = {k: row.get(k, "") for k in _PROC_TEXT}
            for k in _LIST_FIELDS:
                p[k] = _split(row.get(k, ""))
            p["popularity"] = _int(row.get("popularity", "")) or 0
            p.update(channels=[], dossier_cases=[], forms=[], steps=[], legal_basis=[])
            procs[code], proc_line[code] = p, line
            continue
        orphans.setdefault(code, []).append((line, section, row))

    if not catalog:
        catalog = {"version": "local", "updated": dt.date.today().isoformat(), "note": ""}
    catalog["procedures"] = []
    for i, (code, p) in enumerate(procs.items()):
        base: Path = ("procedures", i)
        lines[base] = proc_line[code]
        cases: dict[str, int] = {}
        for line, section, row in orphans.pop(code, []):
            if section == "channel":
                amounts = [_int(a) for a in _split(row.get("fee_amounts", ""))]
                p["channels"].append({
                    "channel": row.get("channel", "").strip(), "time_text": row.get("time_text", ""),
                    "time_value": _float(row.get("time_value", "")), "time_unit": row.get("time_unit", "").strip() or None,
                    "fee_text": row.get("fee_text", ""), "fee_amounts": amounts, "note": row.get("note", ""),
                })
                lines[base + ("channels", len(p["channels"]) - 1)] = line
            elif section == "document":
                case_name = row.get("case", "")
                if case_name not in cases:
                    cases[case_name] = len(p["dossier_cases"])
                    p["dossier_cases"].append({"name": case_name, "documents": []})
                    lines[base + ("dossier_cases", cases[case_name])] = line
                docs = p["dossier_cases"][cases[case_name]]["documents"]
                docs.append({
                    "name": row.get("name", ""), "originals": _int(row.get("originals", "")) or 0,
                    "copies": _int(row.get("copies", "")) or 0, "form_ref": row.get("form_ref", "").strip(),
                    "required": _bool(row.get("required", ""), True),
                    "present_only": _bool(row.get("present_only", ""), False), "note": row.get("note", ""),
                })
                lines[base + ("dossier_cases", cases[case_name], "documents", len(docs) - 1)] = line
            elif section == "form":
                p["forms"].append({"ref": row.get("ref", "").strip(), "name": row.get("name", ""),
                                   "url": row.get("url", "").strip(), "note": row.get("note", "")})
                lines[base + ("forms", len(p["forms"]) - 1)] = line
            else:  # step, legal_basis
                key = "steps" if section == "step" else "legal_basis"
                p[key].append(row.get("text", ""))
                lines[base + (key, len(p[key]) - 1)] = line
        catalog["procedures"].append(p)
    for code, rows in orphans.items():
        for line, section, _ in rows:
            issues.append(Issue((), f"Dòng loại '{section}' cho mã '{code}' nhưng không có dòng 'procedure' nào mã '{code}'.", line=line, code=code))
    issues.sort(key=lambda x: x.line or 0)
    return catalog, lines, issues


def dump_csv(catalog: Catalog) -> str:
    """The catalogue in the flat CSV shape (UTF-8 with BOM, comma-separated)."""
    out = io.StringIO(newline="")
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerow({"section": "catalog", "version": catalog.version, "updated": catalog.updated, "note": catalog.note})
    for p in catalog.procedures:
        d = p.to_dict()
        row = {k: d[k] for k in _PROC_TEXT}
        row.update(section="procedure", popularity=str(p.popularity),
                   **{k: "; ".join(d[k]) for k in _LIST_FIELDS})
        w.writerow(row)
        for c in p.channels:
            cd = c.to_dict()
            w.writerow({"code": p.code, "section": "channel", "channel": c.channel, "time_text": c.time_text,
                        "time_value": "" if cd["time_value"] is None else str(cd["time_value"]),
                        "time_unit": c.time_unit or "", "fee_text": c.fee_text,
                        "fee_amounts": "; ".join(str(a) for a in c.fee_amounts), "note": c.note})
        for case in p.dossier_cases:
            for doc in case.documents:
                w.writerow({"code": p.code, "section": "document", "case": case.name, "name": doc.name,
                            "originals": str(doc.originals), "copies": str(doc.copies), "form_ref": doc.form_ref,
                            "required": _yn(doc.required), "present_only": _yn(doc.present_only), "note": doc.note})
        for f in p.forms:
            w.writerow({"code": p.code, "section": "form", "ref": f.ref, "name": f.name, "url": f.url, "note": f.note})
        for s in p.steps:
            w.writerow({"code": p.code, "section": "step", "text": s})
        for lb in p.legal_basis:
            w.writerow({"code": p.code, "section": "legal_basis", "text": lb})
    return "\ufeff" + out.getvalue()
