"""Import and export of whole catalogues (JSON or CSV), all-or-nothing.

``import_text``/``import_file`` parse, validate *everything*, and return either a complete ``Catalog``
or the full list of issues, each with the line of the source file it concerns — never a partial
catalogue.  Saving is the store's job (``store.CatalogStore.replace_all``), done only on success.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from . import csvio, jsonio
from .model import Catalog
from .validate import CatalogValidationError, Issue, Path, validate_catalog

FORMATS = ("json", "csv")


@dataclass
class ImportResult:
    """Either ``catalog`` (when ``issues`` is empty) or ``issues`` (and ``catalog`` is None)."""

    catalog: Catalog | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.catalog is not None and not self.issues


class CatalogImportError(CatalogValidationError):
    """Raised by ``read_catalog`` when a file cannot be imported; ``issues`` holds every problem."""


def detect_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``fmt`` if given, else from the file extension; raises ValueError with advice otherwise."""
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"Định dạng '{fmt}' không hỗ trợ; dùng json hoặc csv.")
        return fmt
    ext = FsPath(path).suffix.lower().lstrip(".")
    if ext in FORMATS:
        return ext
    raise ValueError(f"Không đoán được định dạng của '{path}' từ phần mở rộng; thêm --format json hoặc --format csv.")


def _locate(issue: Issue, lines: dict[Path, int], data: Any) -> Issue:
    """Give an issue the line of the nearest located ancestor of its path and its procedure code."""
    path = issue.path
    line = issue.line
    while line is None:
        if path in lines:
            line = lines[path]
        elif not path:
            line = 1
        else:
            path = path[:-1]
    code = issue.code
    if not code and len(issue.path) >= 2 and issue.path[0] == "procedures" and isinstance(data, dict):
        try:
            c = data["procedures"][issue.path[1]].get("code")
            code = c if isinstance(c, str) else ""
        except (AttributeError, IndexError, KeyError, TypeError):
            code = ""
    return Issue(issue.path, issue.message, line, code)


def import_text(text: str, fmt: str) -> ImportResult:
    """Parse and validate catalogue ``text`` in ``fmt`` ("json" or "csv")."""
    parse = {"json": jsonio.parse_json, "csv": csvio.parse_csv}[detect_format("", fmt)]
    data, lines, issues = parse(text)
    if data is not None:
        issues = issues + validate_catalog(data)
    if issues:
        located = [_locate(i, lines, data) for i in issues]
        located.sort(key=lambda i: i.line or 0)
        return ImportResult(None, located)
    return ImportResult(Catalog.from_dict(data))


def import_file(path: str | os.PathLike[str], fmt: str | None = None) -> ImportResult:
    """Read ``path`` and import it; unreadable or non-UTF-8 files give one issue, not an exception."""
    fmt = detect_format(path, fmt)
    try:
        raw = FsPath(path).read_bytes()
    except OSError as e:
        return ImportResult(None, [Issue((), f"Không đọc được tệp '{path}': {e.strerror or e}.", line=None)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return ImportResult(None, [Issue((), "Tệp không phải mã UTF-8; hãy lưu lại dưới dạng 'CSV UTF-8' hoặc JSON UTF-8.", line=line)])
    return import_text(text, fmt)


def read_catalog(path: str | os.PathLike[str], fmt: str | None = None) -> Catalog:
    """Like ``import_file`` but raises ``CatalogImportError`` listing every issue."""
    result = import_file(path, fmt)
    if not result.ok:
        raise CatalogImportError(result.issues)
    assert result.catalog is not None
    return result.catalog


def export_text(catalog: Catalog, fmt: str) -> str:
    return {"json": jsonio.dump_json, "csv": csvio.dump_csv}[detect_format("", fmt)](catalog)


def export_file(catalog: Catalog, path: str | os.PathLike[str], fmt: str | None = None) -> None:
    """Write ``catalog`` to ``path`` atomically (a reader never sees half a file)."""
    text = export_text(catalog, detect_format(path, fmt))
    target = FsPath(path)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, target)
