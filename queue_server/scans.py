"""Scanned dossiers (số hóa hồ sơ): the use cases and their storage under DATA_DIR/scans.

A scan is a small folder, not a table: the photos (kept as uploaded), the clean pages, the final
PDF and a `meta.json` (pages, sizes, who, when, the ticket or form draft it belongs to). Folders
live under the centre-local day they were made (`scans/2026-11-21/<token>/`), so the scans of a
ticket (tickets are per day) are found by reading one day's folder, and retention is a matter of
deleting old files: `queue_server.ops.retention` removes files older than RETENTION_SCAN_DAYS by
their modification time, and this module treats a folder with files missing as deleted.

Who may do what: a kiosk (device cookie) or a staff member creates a scan and works on it while it
is open (only the creator); staff, managers and admins of the centre read scans and download the
PDF; nobody else. Finishing records a `scan.finished` event through the QueueService's unit of
work, which is the digitisation count per day for the metrics.

All image work goes to `queue_server.scanworker` (a separate process); this module never imports
OpenCV or numpy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import scanworker
from .domain.access import Principal, require
from .domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from .domain.model import Event, Ticket
from .drafts import display_code, normalise_code
from .store.tables import drafts, tickets

CREATE_ROLES = ("device:kiosk", "user:staff", "user:manager", "user:admin")
READ_ROLES = ("user:staff", "user:manager", "user:admin")
MODES = ("grey", "colour", "bw")
DPIS = (150, 200, 300)
DEFAULTS = {"RETENTION_SCAN_DAYS": 30, "SCAN_MAX_PAGES": 30, "SCAN_MAX_UPLOAD_MB": 25,
            "SCAN_MAX_MEGAPIXELS": 50, "SCAN_OPEN_HOURS": 12, "SCAN_STABLE_FRAMES": 3}
_ID = re.compile(r"^(\d{8})-([0-9a-f]{16})$")
_PAGE_ID = re.compile(r"^[0-9a-f]{12}$")
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_NUMBER = re.compile(r"^[A-Za-z]{0,3}\d{1,5}$")


class ScanGone(DomainError):
    code = "gone"
    status = 410


class ImageRejected(DomainError):
    """The worker refused the photo (bad file, too large, no page): the message says what to do."""

    def __init__(self, message: str, code: str, status: int = 422):
        super().__init__(message, code)
        self.status = status


class ScanBusy(DomainError):
    code = "worker_unavailable"
    status = 503


def _int(config, key: str) -> int:
    try:
        return max(0, int(config.get(key, DEFAULTS[key])))
    except (TypeError, ValueError):
        return DEFAULTS[key]


class ScanService:
    def __init__(self, queue_service, data_dir: str | os.PathLike, config: dict | None = None,
                 ticket_for_code: Callable[[Session, str], Ticket | None] | None = None):
        self.svc = queue_service  # its unit of work and clock
        self.root = Path(data_dir) / "scans"
        self.config = config or {}
        self.ticket_for_code = ticket_for_code or (lambda session, code: None)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # --- settings ----------------------------------------------------------------------------
    @property
    def max_upload_bytes(self) -> int:
        return _int(self.config, "SCAN_MAX_UPLOAD_MB") * 1024 * 1024

    @property
    def max_megapixels(self) -> float:
        return float(_int(self.config, "SCAN_MAX_MEGAPIXELS"))

    # --- storage helpers ---------------------------------------------------------------------
    def _lock(self, scan_id: str) -> threading.Lock:
        with self._locks_guard:
            if len(self._locks) > 500:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            return self._locks.setdefault(scan_id, threading.Lock())

    def _folder(self, scan_id: Any) -> Path:
        match = _ID.match(scan_id) if isinstance(scan_id, str) else None
        if match is None:
            raise NotFound("Không có bản quét với mã này.")
        day = match.group(1)
        return self.root / f"{day[:4]}-{day[4:6]}-{day[6:]}" / match.group(2)

    def _read(self, scan_id: Any) -> tuple[Path, dict]:
        folder = self._folder(scan_id)
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound("Không có bản quét với mã này (có thể đã bị xóa theo thời hạn lưu).") from None
        except (OSError, ValueError):
            raise ScanGone("Bản quét này bị hỏng hoặc đang bị xóa; hãy quét lại.") from None
        return folder, meta

    @staticmethod
    def _write(folder: Path, meta: dict) -> None:
        tmp = folder / "meta.json.part"
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, folder / "meta.json")

    def _tz(self, centre_id: int) -> ZoneInfo:
        with self.svc.uow(read_only=True) as uow:
            centre = uow.repo.centre(centre_id)
            return ZoneInfo(centre.timezone if centre else "Asia/Ho_Chi_Minh")

    def _own(self, principal: Principal, meta: dict) -> None:
        if meta["centre_id"] != principal.centre_id:
            raise NotFound("Không có bản quét với mã này.")
        if meta["created_by"] != principal.actor:
            raise Forbidden("Chỉ thiết bị hoặc cán bộ đã bắt đầu bản quét này mới sửa được.")
        if meta["status"] != "open":
            raise Conflict("Bản quét đã hoàn tất; không sửa được nữa. Hãy bắt đầu bản quét mới.")

    def _readable(self, principal: Principal, meta: dict) -> None:
        if meta["centre_id"] != principal.centre_id:
            raise NotFound("Không có bản quét với mã này.")
        if principal.has(*READ_ROLES):
            return
        require(principal, *CREATE_ROLES)
        if meta["created_by"] != principal.actor or meta["status"] != "open":
            raise Forbidden("Chỉ cán bộ mới xem được bản quét đã hoàn tất.")

    def _view(self, folder: Path, meta: dict) -> dict:
        base = f"/api/v1/scans/{meta['id']}"
        pages = []
        for index, page in enumerate(meta["pages"], 1):
            pages.append({**{k: v for k, v in page.items() if k not in ("file", "thumb", "original")},
                          "index": index, "image_url": f"{base}/pages/{page['id']}/image",
                          "thumb_url": f"{base}/pages/{page['id']}/thumb"})
        pdf = meta.get("pdf")
        return {
            "id": meta["id"], "status": meta["status"], "mode": meta["mode"], "dpi": meta["dpi"],
            "created_at": meta["created_at"], "created_by": meta["created_by"],
            "finished_at": meta.get("finished_at"),
            "ticket_id": meta.get("ticket_id"), "ticket_number": meta.get("ticket_number"),
            "draft_code": meta.get("draft_code"),
            "draft_display_code": display_code(meta["draft_code"]) if meta.get("draft_code") else None,
            "pages": pages,
            "pdf": None if pdf is None else {
                "bytes": pdf["bytes"], "pages": pdf["pages"], "url": f"{base}/pdf",
                "download_url": f"{base}/pdf?download=1",
                "available": (folder / "document.pdf").is_file()},
        }

    # --- targets -----------------------------------------------------------------------------
    def _ticket(self, uow, principal: Principal, tz: ZoneInfo, ticket_id: Any = None,
                ticket: Any = None) -> dict | None:
        """Today's ticket of this centre by id, tracking code/URL or printed number."""
        today = self.svc.clock().astimezone(tz).date()
        if ticket_id is not None:
            if isinstance(ticket_id, bool) or not isinstance(ticket_id, int) or not 0 < ticket_id < 2**31:
                raise InvalidInput("ticket_id phải là mã số thứ tự (số nguyên).")
            row = uow.repo.ticket(ticket_id)
        elif ticket is not None:
            if not isinstance(ticket, str) or not 0 < len(ticket.strip()) <= 200:
                raise InvalidInput("Nhập số thứ tự trên phiếu (VD: A012) hoặc mã theo dõi.")
            text = ticket.strip().rstrip("/").rsplit("/", 1)[-1]
            if _NUMBER.match(text):
                c = tickets.c
                number_id = uow.session.execute(select(c.id).where(
                    c.centre_id == principal.centre_id, c.day == today,
                    c.number == text.upper())).scalar()
                row = uow.repo.ticket(number_id) if number_id else None
            else:  # the tracking code, or the whole link of the ticket's QR
                row = self.ticket_for_code(uow.session, text)
        else:
            return None
        if row is None or row.centre_id != principal.centre_id or row.day != today:
            raise InvalidInput("Không tìm thấy số thứ tự này trong hôm nay; kiểm tra lại số trên phiếu.")
        return {"id": row.id, "number": row.number}

    def _draft(self, uow, principal: Principal, code: Any) -> dict:
        norm = normalise_code(code)
        if norm is None:
            raise InvalidInput("Mã tờ khai gồm 6 ký tự, ví dụ K7M-4PX.")
        row = uow.session.execute(select(drafts).where(drafts.c.code == norm)).mappings().first()
        if row is None or row["centre_id"] != principal.centre_id or row["expires_at"] <= self.svc.clock():
            raise InvalidInput(f"Không có tờ khai mã {display_code(norm)} (hoặc đã hết hạn).")
        return {"code": norm, "ticket_id": row["ticket_id"]}

    # --- use cases ---------------------------------------------------------------------------
    def create(self, principal: Principal, mode: Any = "grey", dpi: Any = 200) -> dict:
        require(principal, *CREATE_ROLES)
        mode = {"gray": "grey", "color": "colour"}.get(mode, mode) if mode is not None else "grey"
        if mode not in MODES:
            raise InvalidInput("mode phải là grey (xám), colour (màu) hoặc bw (đen trắng).")
        if dpi is None:
            dpi = 200
        if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi not in DPIS:
            raise InvalidInput("dpi phải là 150, 200 hoặc 300.")
        self.purge_expired()
        now = self.svc.clock()
        tz = self._tz(principal.centre_id)
        day = now.astimezone(tz).date()
        scan_id = f"{day:%Y%m%d}-{secrets.token_hex(8)}"
        folder = self._folder(scan_id)
        (folder / "pages").mkdir(parents=True)
        (folder / "originals").mkdir()
        meta = {"id": scan_id, "centre_id": principal.centre_id, "status": "open", "mode": mode,
                "dpi": dpi, "created_at": now.astimezone(tz).isoformat(timespec="seconds"),
                "created_by": principal.actor, "pages": []}
        self._write(folder, meta)
        return self._view(folder, meta)

    def get(self, principal: Principal, scan_id: Any) -> dict:
        folder, meta = self._read(scan_id)
        self._readable(principal, meta)
        return self._view(folder, meta)

    def detect(self, principal: Principal, data: bytes, session: Any = None, shutter: bool = False) -> dict:
        """Corners of the page in a small preview still; `capture` when auto-capture fires."""
        require(principal, *CREATE_ROLES)
        if session is not None and (not isinstance(session, str) or not _SESSION.match(session)):
            raise InvalidInput("session phải gồm 8–64 chữ, số, - hoặc _.")
        key = f"{principal.actor}|{session}" if session else None
        return self._work("detect", data, key, self.max_megapixels,
                          _int(self.config, "SCAN_STABLE_FRAMES") or 1, bool(shutter and key))

    def reset_capture(self, principal: Principal, session: Any) -> None:
        require(principal, *CREATE_ROLES)
        if isinstance(session, str) and _SESSION.match(session):
            self._work("reset", f"{principal.actor}|{session}")

    def demo_frames(self) -> tuple[Path, list[str]]:
        """The simulated camera's frames under DATA_DIR/scan-demo (made by the worker at first use)."""
        folder = self.root.parent / "scan-demo"
        if (folder / "complete").exists():
            return folder, sorted(p.name for p in folder.glob("frame_*.jpg"))
        with self._lock("demo-frames"):
            return folder, self._work("demo_frames", str(folder))["frames"]

    def _work(self, job: str, *args: Any) -> dict:
        try:
            result = scanworker.run(job, *args)
        except scanworker.WorkerUnavailable:
            raise ScanBusy("Máy xử lý ảnh đang bận hoặc vừa khởi động lại; hãy chụp lại sau ít giây.") from None
        error = result.get("error") if isinstance(result, dict) else None
        if error:
            raise ImageRejected(error["message"], error["code"], error["status"])
        return result

    def add_page(self, principal: Principal, scan_id: Any, data: bytes, replace: Any = None,
                 corners: Any = None) -> dict:
        """Store a photo, turn it into a clean page in the worker; returns the page with its
        quality issues (retake messages). `replace` swaps an existing page in place (retake)."""
        if not data:
            raise InvalidInput("Tệp rỗng, không có ảnh. Hãy chụp hoặc chọn lại ảnh.")
        folder, meta = self._read(scan_id)
        self._own(principal, meta)
        if replace is None and len(meta["pages"]) >= _int(self.config, "SCAN_MAX_PAGES"):
            raise Conflict(f"Mỗi hồ sơ quét tối đa {_int(self.config, 'SCAN_MAX_PAGES')} trang.")
        if replace is not None:
            self._page(meta, replace)
        corners = _corners(corners)
        page_id = secrets.token_hex(6)
        original = folder / "originals" / f"{page_id}.img"
        original.write_bytes(data)
        try:
            result = self._work("page", str(original), str(folder / "pages" / f"{page_id}.jpg"),
                                meta["mode"], meta["dpi"], corners, self.max_megapixels,
                                str(self.config.get("SCAN_AUTO_ORIENT", "")).lower() in ("1", "true", "yes", "on"))
        except DomainError:
            original.unlink(missing_ok=True)
            raise
        page = {"id": page_id, "original": original.name, "original_bytes": len(data), **result}
        with self._lock(meta["id"]):
            folder, meta = self._read(scan_id)
            self._own(principal, meta)
            if replace is not None:
                index = meta["pages"].index(self._page(meta, replace))
                self._remove_files(folder, meta["pages"][index])
                meta["pages"][index] = page
            else:
                meta["pages"].append(page)
            self._write(folder, meta)
        return self._view(folder, meta)["pages"][meta["pages"].index(page)]

    def set_corners(self, principal: Principal, scan_id: Any, page_id: Any, corners: Any) -> dict:
        """Re-make a page from its kept photo with corners dragged by hand."""
        folder, meta = self._read(scan_id)
        self._own(principal, meta)
        page = self._page(meta, page_id)
        points = _corners(corners)
        if points is None:
            raise InvalidInput('Gửi {"corners": [[x, y], [x, y], [x, y], [x, y]]} theo tọa độ ảnh gốc.')
        data = (folder / "originals" / page["original"]).read_bytes()
        return self.add_page(principal, scan_id, data, replace=page["id"], corners=points)

    def _page(self, meta: dict, page_id: Any) -> dict:
        if isinstance(page_id, str) and _PAGE_ID.match(page_id):
            for page in meta["pages"]:
                if page["id"] == page_id:
                    return page
        raise NotFound("Không có trang này trong bản quét.")

    @staticmethod
    def _remove_files(folder: Path, page: dict) -> None:
        for name in (f"pages/{page.get('file', '')}", f"pages/{page.get('thumb', '')}",
                     f"originals/{page.get('original', '')}"):
            path = folder / name
            if path.is_file():
                path.unlink()

    def page_file(self, principal: Principal, scan_id: Any, page_id: Any, kind: str) -> tuple[Path, str]:
        folder, meta = self._read(scan_id)
        self._readable(principal, meta)
        page = self._page(meta, page_id)
        name = page["thumb"] if kind == "thumb" else page["file"]
        path = folder / "pages" / name
        if not path.is_file():
            raise ScanGone("Ảnh trang này đã bị xóa theo thời hạn lưu.")
        return path, "image/png" if name.endswith(".png") else "image/jpeg"

    def delete_page(self, principal: Principal, scan_id: Any, page_id: Any) -> dict:
        with self._lock(scan_id if isinstance(scan_id, str) else ""):
            folder, meta = self._read(scan_id)
            self._own(principal, meta)
            page = self._page(meta, page_id)
            meta["pages"].remove(page)
            self._remove_files(folder, page)
            self._write(folder, meta)
            return self._view(folder, meta)

    def reorder(self, principal: Principal, scan_id: Any, order: Any) -> dict:
        with self._lock(scan_id if isinstance(scan_id, str) else ""):
            folder, meta = self._read(scan_id)
            self._own(principal, meta)
            ids = [p["id"] for p in meta["pages"]]
            if not isinstance(order, list) or sorted(map(str, order)) != sorted(ids) or len(order) != len(ids):
                raise InvalidInput('Gửi {"order": [mã trang…]} gồm đúng mọi trang, mỗi trang một lần.')
            by_id = {p["id"]: p for p in meta["pages"]}
            meta["pages"] = [by_id[i] for i in order]
            self._write(folder, meta)
            return self._view(folder, meta)

    def discard(self, principal: Principal, scan_id: Any) -> None:
        """The citizen gives up (or the kiosk resets): an open scan and its photos are deleted.
        Staff may also delete a finished scan of their centre."""
        folder, meta = self._read(scan_id)
        if meta["centre_id"] != principal.centre_id:
            raise NotFound("Không có bản quét với mã này.")
        if not (meta["status"] == "finished" and principal.has(*READ_ROLES)):
            self._own(principal, meta)
        shutil.rmtree(folder, ignore_errors=True)

    def finish(self, principal: Principal, scan_id: Any, body: dict) -> dict:
        """Assemble the PDF and attach it to a ticket (`ticket_id`, or `ticket`: printed number or
        tracking code) and/or a form draft (`draft`). Staff with none given: the ticket they serve."""
        folder, meta = self._read(scan_id)
        self._own(principal, meta)
        if not meta["pages"]:
            raise InvalidInput("Chưa có trang nào; hãy chụp ít nhất một trang trước khi hoàn tất.")
        tz = self._tz(principal.centre_id)
        with self.svc.uow(read_only=True) as uow:
            ticket = self._ticket(uow, principal, tz, body.get("ticket_id"), body.get("ticket") or None)
            draft = self._draft(uow, principal, body["draft"]) if body.get("draft") else None
            if ticket is None and draft and draft["ticket_id"]:
                ticket = self._ticket(uow, principal, tz, draft["ticket_id"])
            if ticket is None and draft is None and principal.is_person and principal.user_id:
                counter = uow.repo.counter_of_staff(principal.user_id)
                current = uow.repo.current_at(counter.id) if counter else []
                if current:
                    ticket = {"id": current[-1].id, "number": current[-1].number}
        if ticket is None and draft is None:
            raise InvalidInput("Nhập số thứ tự trên phiếu (VD: A012) hoặc mã tờ khai để gửi hồ sơ tới cán bộ.")
        pages = [str(folder / "pages" / p["file"]) for p in meta["pages"]]
        result = self._work("pdf", pages, str(folder / "document.pdf"), meta["dpi"])
        now = self.svc.clock()
        with self._lock(meta["id"]):
            folder, meta = self._read(scan_id)
            self._own(principal, meta)
            meta.update(status="finished", finished_at=now.astimezone(tz).isoformat(timespec="seconds"),
                        finished_by=principal.actor,
                        ticket_id=ticket["id"] if ticket else None,
                        ticket_number=ticket["number"] if ticket else None,
                        draft_code=draft["code"] if draft else None,
                        pdf={"bytes": result["bytes"], "pages": result["pages"]})
            self._write(folder, meta)
        with self.svc.uow() as uow:
            uow.repo.lock_centre(principal.centre_id)  # event ids follow commit order (see state)
            uow.record(Event(centre_id=principal.centre_id, type="scan.finished", at=now,
                             actor=principal.actor, ticket_id=ticket["id"] if ticket else None,
                             data={"scan": meta["id"], "pages": result["pages"], "bytes": result["bytes"],
                                   "draft": meta["draft_code"],
                                   "source": "kiosk" if principal.kind == "device" else "counter"}))
            uow.commit()
        return self._view(folder, meta)

    def pdf(self, principal: Principal, scan_id: Any) -> tuple[Path, str]:
        require(principal, *READ_ROLES)
        folder, meta = self._read(scan_id)
        self._readable(principal, meta)
        path = folder / "document.pdf"
        if meta["status"] != "finished":
            raise Conflict("Bản quét chưa hoàn tất nên chưa có tệp PDF.")
        if not path.is_file():
            raise ScanGone("Tệp PDF đã bị xóa theo thời hạn lưu.")
        label = meta.get("ticket_number") or meta.get("draft_code") or "hoso"
        return path, f"ho-so-{label}-{meta['id'][:8]}.pdf"

    def _finished(self, day: dt.date, centre_id: int):
        folder = self.root / day.isoformat()
        if not folder.is_dir():
            return
        for sub in sorted(folder.iterdir()):
            try:
                meta = json.loads((sub / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("centre_id") == centre_id and meta.get("status") == "finished":
                yield sub, meta

    def for_ticket(self, principal: Principal, ticket_id: int) -> list[dict]:
        """Finished scans of a ticket, also those attached to a form draft of that ticket."""
        require(principal, *READ_ROLES)
        with self.svc.uow(read_only=True) as uow:
            ticket = uow.repo.ticket(ticket_id) if 0 < ticket_id < 2**31 else None
            if ticket is None or ticket.centre_id != principal.centre_id:
                raise NotFound(f"Không tìm thấy số thứ tự có mã {ticket_id}.")
            day = ticket.day
            codes = set(uow.session.scalars(select(drafts.c.code).where(
                drafts.c.centre_id == principal.centre_id, drafts.c.ticket_id == ticket_id)))
        found = [self._view(f, m) for f, m in self._finished(day, principal.centre_id)
                 if m.get("ticket_id") == ticket_id or m.get("draft_code") in codes]
        return sorted(found, key=lambda v: v["finished_at"] or "", reverse=True)

    def for_draft(self, principal: Principal, code: Any) -> list[dict]:
        require(principal, *READ_ROLES)
        norm = normalise_code(code)
        if norm is None:
            raise InvalidInput("Mã tờ khai gồm 6 ký tự, ví dụ K7M-4PX.")
        tz = self._tz(principal.centre_id)
        today = self.svc.clock().astimezone(tz).date()
        found = []
        for day in (today, today - dt.timedelta(days=1)):
            found += [self._view(f, m) for f, m in self._finished(day, principal.centre_id)
                      if m.get("draft_code") == norm]
        return sorted(found, key=lambda v: v["finished_at"] or "", reverse=True)

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete finished scans past RETENTION_SCAN_DAYS and abandoned open ones past
        SCAN_OPEN_HOURS (by their recorded times; the ops purge also goes by file age)."""
        now = now or self.svc.clock()
        keep = dt.timedelta(days=_int(self.config, "RETENTION_SCAN_DAYS"))
        open_keep = dt.timedelta(hours=_int(self.config, "SCAN_OPEN_HOURS"))
        if not self.root.is_dir():
            return 0
        count = 0
        for day_dir in sorted(self.root.iterdir()):
            try:
                day = dt.date.fromisoformat(day_dir.name)
            except ValueError:
                continue
            if day > (now - open_keep).date() + dt.timedelta(days=1):
                continue  # nothing in a folder this recent can be due
            for sub in list(day_dir.iterdir()) if day_dir.is_dir() else []:
                try:
                    meta = json.loads((sub / "meta.json").read_text(encoding="utf-8"))
                    created = dt.datetime.fromisoformat(meta["created_at"])
                    due = created + (keep if meta.get("status") == "finished" else open_keep)
                except (OSError, ValueError, KeyError, TypeError):
                    due = None  # a half-deleted folder: remove it once its day is past retention
                    if day >= (now - keep).date():
                        continue
                if due is None or due <= now:
                    shutil.rmtree(sub, ignore_errors=True)
                    count += 1
            if day_dir.is_dir() and not any(day_dir.iterdir()):
                day_dir.rmdir()
        return count


def _corners(value: Any) -> list[list[float]] | None:
    if value is None:
        return None
    ok = (isinstance(value, list) and len(value) == 4
          and all(isinstance(p, list) and len(p) == 2 and all(
              isinstance(v, int | float) and not isinstance(v, bool) and -1e5 < v < 1e5 for v in p)
              for p in value))
    if not ok:
        raise InvalidInput("corners phải là 4 điểm [[x, y], …] (trên-trái, trên-phải, dưới-phải, dưới-trái).")
    return [[float(x), float(y)] for x, y in value]


def scan_service(app) -> ScanService:
    """The app's ScanService, made on first use."""
    service = app.extensions.get("motcua_scans")
    if service is None:
        links = app.extensions.get("motcua_links")
        service = ScanService(app.extensions["motcua"], app.config["DATA_DIR"], app.config,
                              ticket_for_code=links.find if links else None)
        service = app.extensions.setdefault("motcua_scans", service)  # two first requests: one wins
    return service


def digitised_per_day(svc, centre_id: int, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Finished scans per centre-local day in [start, end) (for the manager metrics)."""
    from .store.tables import events

    with svc.uow(read_only=True) as uow:
        centre = uow.repo.centre(centre_id)
        tz = ZoneInfo(centre.timezone if centre else "Asia/Ho_Chi_Minh")
        times = uow.session.scalars(select(events.c.at).where(
            events.c.centre_id == centre_id, events.c.type == "scan.finished",
            events.c.at >= start, events.c.at < end))
        counts: dict[str, int] = {}
        for at in times:
            day = at.astimezone(tz).date().isoformat()
            counts[day] = counts.get(day, 0) + 1
    return counts
