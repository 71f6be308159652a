"""Print a ticket on a configured printer and report the outcome without ever raising for device faults.

The ticket is already committed on the server before this runs; a failure here only means the
citizen must photograph the screen (or staff reprint), so every problem becomes a PrintResult with a
Vietnamese message the kiosk can show and a technical ``detail`` for the technician's device list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from .errors import PrinterUnavailableError, PrinterUrlError
from .links import Link, fd_link, link_for, usb_link
from .profile import PROFILE_80MM, PrinterProfile
from .status import (
    MSG_NO_ANSWER,
    MSG_UNREACHABLE,
    PrinterStatus,
    query_status,
)
from .ticket import TicketPrint
from .urls import PrinterTarget, create_printer, parse_printer_url

log = logging.getLogger(__name__)

MSG_PRINTED = "Đã in phiếu. Vui lòng nhận phiếu."
MSG_CONFIG = "Máy in chưa được cấu hình đúng — vui lòng chụp màn hình"
MSG_RENDER = "Không tạo được phiếu để in — vui lòng chụp màn hình"
MSG_INCOMPLETE = "Phiếu có thể chưa in đủ. "


@dataclass(frozen=True)
class PrintResult:
    """Outcome of one print job.

    ``code`` is one of: printed, paper_out, cover_open, offline, error, unreachable, config, render.
    ``job`` keeps the ESC/POS bytes so a failed job can be inspected or sent again; ``bytes_sent`` is
    0 when the job was held back because the printer reported a fault first.
    """

    ok: bool
    code: str
    message: str
    status: PrinterStatus | None = None
    job: bytes = field(default=b"", repr=False)
    bytes_sent: int = 0
    detail: str = ""
    warning: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (without the job bytes) for the server and the kiosk."""
        return {
            "ok": self.ok,
            "code": self.code,
            "message": self.message,
            "warning": self.warning,
            "detail": self.detail,
            "bytes_sent": self.bytes_sent,
            "job_bytes": len(self.job),
            "status": self.status.as_dict() if self.status else None,
        }


def _failure(code: str, message: str, **kw: Any) -> PrintResult:
    return PrintResult(ok=False, code=code, message=message, **kw)


def _transit_seconds(target: PrinterTarget, nbytes: int) -> float:
    """Time for the job to cross the link; the answer to a query sent after it arrives no sooner."""
    if target.kind == "serial":
        o = target.options
        bits = 1 + o["bytesize"] + (0 if o["parity"] == "N" else 1) + float(o["stopbits"])
        return nbytes * bits / o["baudrate"]
    return 2.0  # network and USB printers throttle the link while their buffer drains


def _reads_status(target: PrinterTarget, printer: Any) -> bool:
    """Whether this opened-or-built printer object can carry DLE EOT answers back.

    For ``file://`` the object ``create_printer`` chose decides (it looked at the path once), so
    a node appearing or vanishing between two checks cannot mix the two behaviours.
    """
    if target.kind == "file":
        from ._escpos import CharDevice

        return isinstance(printer, CharDevice)
    return target.can_read_status


def _status_link(target: PrinterTarget, printer: Any, profile: PrinterProfile) -> Link:
    """The Link for an opened printer: the same query code then runs over every transport."""
    if target.kind == "file":
        return fd_link(printer.fd, profile.send_timeout)
    if target.kind == "usb":
        return usb_link(printer, profile.send_timeout)
    device = printer.device
    if device is None:
        raise PrinterUnavailableError(f"could not open {target.url}")
    if target.kind == "serial":
        device.write_timeout = profile.send_timeout
    return link_for(device)


def print_job(url: str, job: bytes, profile: PrinterProfile | None = None) -> PrintResult:
    """Send ready ESC/POS bytes to the printer at ``url``, checking status before and after."""
    profile = profile or PROFILE_80MM
    try:
        target = parse_printer_url(url)
        printer = create_printer(target, profile)
    except PrinterUrlError as exc:
        return _failure("config", MSG_CONFIG, job=job, detail=str(exc))
    except PrinterUnavailableError as exc:
        return _failure(
            "unreachable",
            MSG_UNREACHABLE,
            job=job,
            detail=str(exc),
            status=PrinterStatus.unreachable(detail=str(exc)),
        )
    readable = _reads_status(target, printer)
    check = profile.query_status and readable
    sent = 0
    try:
        printer.open()
        link = _status_link(target, printer, profile) if readable else None
        before = after = None
        if check and link is not None:
            before = query_status(link, profile.status_timeout)
            if not before.known and profile.require_status:
                return _failure(
                    "offline",
                    MSG_UNREACHABLE,
                    job=job,
                    detail=MSG_NO_ANSWER,
                    status=PrinterStatus.unreachable(detail="no answer to DLE EOT"),
                )
            if not before.ok:
                return _failure(
                    before.code,
                    before.error or MSG_UNREACHABLE,
                    status=before,
                    job=job,
                    detail=f"printer reported {before.code} before printing; job not sent",
                )
        printer._raw(job)
        if target.kind == "serial":
            printer.device.flush()
        sent = len(job)
        if check and link is not None and before is not None and before.known:
            after = query_status(
                link,
                profile.status_timeout,
                first_timeout=profile.status_timeout + _transit_seconds(target, len(job)),
            )
            if not after.known:
                return _failure(
                    "unreachable",
                    MSG_UNREACHABLE,
                    status=after,
                    job=job,
                    bytes_sent=sent,
                    detail="printer stopped answering DLE EOT after the job was sent",
                )
            if not after.ok:
                return _failure(
                    after.code,
                    MSG_INCOMPLETE + (after.error or ""),
                    status=after,
                    job=job,
                    bytes_sent=sent,
                    detail=f"printer reported {after.code} after the job was sent",
                )
        final = after or before
        return PrintResult(
            ok=True,
            code="printed",
            message=MSG_PRINTED,
            status=final,
            job=job,
            bytes_sent=sent,
            warning=final.warning if final and final.known else None,
        )
    except Exception as exc:
        expected = isinstance(exc, (OSError, PrinterUnavailableError)) or type(exc).__module__.startswith(
            "escpos"
        )
        log.warning("printing on %s failed: %s", url, exc, exc_info=not expected)
        detail = f"{type(exc).__name__}: {exc}"
        return _failure(
            "unreachable",
            MSG_UNREACHABLE,
            job=job,
            bytes_sent=sent,
            detail=detail,
            status=PrinterStatus.unreachable(detail=detail),
        )
    finally:
        try:
            printer.close()
        except Exception as exc:  # noqa: BLE001
            log.debug("closing printer %s: %s", url, exc)


def print_ticket(url: str, ticket: TicketPrint, profile: PrinterProfile | None = None) -> PrintResult:
    """Render ``ticket`` for the printer's width, encode it as ESC/POS, and print it at ``url``."""
    from .encode import ticket_to_escpos

    profile = profile or PROFILE_80MM
    try:
        job = ticket_to_escpos(ticket, profile)
    except Exception as exc:
        log.exception("rendering ticket %s failed", getattr(ticket, "number", "?"))
        return _failure("render", MSG_RENDER, detail=f"{type(exc).__name__}: {exc}")
    return print_job(url, job, profile)


def printer_status(url: str, profile: PrinterProfile | None = None) -> PrinterStatus:
    """Current status for health reports; ``known=False`` where the transport cannot tell."""
    profile = profile or PROFILE_80MM
    try:
        target = parse_printer_url(url)
    except PrinterUrlError as exc:
        return PrinterStatus(ok=False, error=MSG_CONFIG, detail=str(exc))
    if target.kind == "cups":  # opening would submit an (empty) job
        return PrinterStatus.unknown("Kết nối CUPS không cho biết trạng thái máy in")
    try:
        printer = create_printer(target, profile)
        printer.open()
        try:
            if not _reads_status(target, printer):
                return PrinterStatus.unknown("Kết nối này không cho biết trạng thái máy in")
            return query_status(_status_link(target, printer, profile), profile.status_timeout)
        finally:
            printer.close()
    except Exception as exc:  # noqa: BLE001
        return PrinterStatus.unreachable(detail=f"{type(exc).__name__}: {exc}")
