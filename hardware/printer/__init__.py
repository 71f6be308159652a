"""Thermal ticket printing: layout, ESC/POS encoding, printer URLs, status and a simulator.

Importing this package is cheap: python-escpos is imported only when bytes are built or sent, and
OpenCV is never imported (only the tests use it).
"""

from .decode import decode_receipts, extract_images, iter_commands
from .errors import (
    EscposDecodeError,
    FontNotFoundError,
    PrinterError,
    PrinterUnavailableError,
    PrinterUrlError,
)
from .layout import WIDTH_58MM, WIDTH_80MM, render_png, render_ticket
from .profile import PROFILE_58MM, PROFILE_80MM, PrinterProfile
from .service import PrintResult, print_job, print_ticket, printer_status
from .status import PrinterStatus, parse_status
from .ticket import TicketPrint, sample_ticket
from .urls import PrinterTarget, create_printer, parse_printer_url


def ticket_to_escpos(ticket: TicketPrint, profile: PrinterProfile = PROFILE_80MM) -> bytes:
    """Render and encode ``ticket`` as one ESC/POS job (imports python-escpos on first use)."""
    from .encode import ticket_to_escpos as _encode

    return _encode(ticket, profile)


__all__ = [
    "PROFILE_58MM",
    "PROFILE_80MM",
    "WIDTH_58MM",
    "WIDTH_80MM",
    "EscposDecodeError",
    "FontNotFoundError",
    "PrintResult",
    "PrinterError",
    "PrinterProfile",
    "PrinterStatus",
    "PrinterTarget",
    "PrinterUnavailableError",
    "PrinterUrlError",
    "TicketPrint",
    "create_printer",
    "decode_receipts",
    "extract_images",
    "iter_commands",
    "parse_printer_url",
    "parse_status",
    "print_job",
    "print_ticket",
    "printer_status",
    "render_png",
    "render_ticket",
    "sample_ticket",
    "ticket_to_escpos",
]
