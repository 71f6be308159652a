"""The procedure catalogue from the browser: import with a dry-run report (what would be added,
removed or changed, or every problem with its line), export, and editing one procedure.
The kiosk's search index follows the stored revision, so an import is live at the next search."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalog import Catalog, Procedure, export_text, import_text
from kiosk.catalog.validate import validate_procedure

from ..domain.access import Principal, require
from ..domain.errors import NotFound
from ..service_layer import QueueService
from . import audit
from .forms import FieldErrors

MAX_UPLOAD = 5 * 1024 * 1024


@dataclass
class ImportReport:
    ok: bool
    applied: bool
    count: int = 0
    version: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    unknown_services: list[str] = field(default_factory=list)


def _admin(principal: Principal | None) -> Principal:
    return require(principal, "user:admin")


def decode(content: bytes) -> str:
    if len(content) > MAX_UPLOAD:
        raise FieldErrors({"file": "Tệp lớn quá 5 MB."})
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FieldErrors({"file": "Tệp không phải mã UTF-8; hãy lưu lại dưới dạng 'CSV UTF-8' "
                                   "hoặc JSON UTF-8."}) from None


def import_catalog(svc: QueueService, principal: Principal, catalog_service, text: str, fmt: str,
                   *, dry_run: bool) -> ImportReport:
    """Validate the whole file; compare it with the current catalogue; store it unless dry_run."""
    principal = _admin(principal)
    if fmt not in ("json", "csv"):
        raise FieldErrors({"format": "Chọn định dạng JSON hoặc CSV."})
    result = import_text(text, fmt)
    if not result.ok:
        return ImportReport(ok=False, applied=False, issues=[str(i) for i in result.issues])
    new = result.catalog
    store = catalog_service.store(principal.centre_id)
    old = {p.code: p.to_dict() for p in store.load_all().procedures}
    fresh = {p.code: p.to_dict() for p in new.procedures}
    with svc.uow() as uow:
        codes = {s.code for s in uow.repo.services(principal.centre_id, active_only=False)}
    report = ImportReport(
        ok=True, applied=False, count=len(new.procedures), version=str(new.version),
        added=sorted(set(fresh) - set(old)), removed=sorted(set(old) - set(fresh)),
        changed=sorted(c for c in set(fresh) & set(old) if fresh[c] != old[c]),
        unknown_services=sorted({p.service for p in new.procedures} - codes))
    if dry_run:
        return report
    store.replace_all(new)
    with svc.uow() as uow:
        audit.record(uow, principal, "catalog.import", f"catalog:{new.version}",
                     centre_id=principal.centre_id, at=svc.clock(),
                     before={"procedures": len(old)},
                     after={"procedures": len(fresh), "added": report.added,
                            "removed": report.removed, "changed": report.changed})
        uow.commit()
    report.applied = True
    return report


def export_catalog(principal: Principal, catalog_service, fmt: str) -> str:
    principal = _admin(principal)
    if fmt not in ("json", "csv"):
        raise FieldErrors({"format": "Chọn định dạng JSON hoặc CSV."})
    return export_text(catalog_service.store(principal.centre_id).load_all(), fmt)


def procedures(principal: Principal, catalog_service) -> list[dict]:
    principal = _admin(principal)
    return [p.summary() for p in catalog_service.store(principal.centre_id).load_all().procedures]


def get_procedure(principal: Principal, catalog_service, code: str) -> dict:
    principal = _admin(principal)
    procedure = catalog_service.store(principal.centre_id).load_all().get(code)
    if procedure is None:
        raise NotFound(f"Không có thủ tục mã '{code}'.")
    return procedure.to_dict()


def save_procedure(svc: QueueService, principal: Principal, catalog_service, code: str,
                   text: str) -> dict:
    """Replace one procedure with the edited JSON record (checked like an import)."""
    principal = _admin(principal)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FieldErrors({"record": f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: "
                                     f"{exc.msg}."}) from None
    issues = validate_procedure(data)
    if issues:
        raise FieldErrors({"record": "; ".join(str(i).removeprefix("Tệp: ") for i in issues[:8])})
    if data.get("code") != code:
        raise FieldErrors({"record": f"Không đổi được mã thủ tục ({code}); hãy nhập thủ tục mới "
                                     "bằng chức năng nhập danh mục."})
    store = catalog_service.store(principal.centre_id)
    current = store.load_all()
    old = current.get(code)
    if old is None:
        raise NotFound(f"Không có thủ tục mã '{code}'.")
    before = old.to_dict()
    updated = Procedure.from_dict(data)
    current = Catalog(version=current.version, updated=current.updated, note=current.note,
                      procedures=[updated if p.code == code else p for p in current.procedures])
    store.replace_all(current)
    with svc.uow() as uow:
        audit.record(uow, principal, "catalog.procedure", f"procedure:{code}",
                     centre_id=principal.centre_id, at=svc.clock(), before=before,
                     after=updated.to_dict())
        uow.commit()
    return updated.to_dict()
