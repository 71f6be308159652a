"""Exceptions of the printer package, each carrying a message a person can act on."""

from __future__ import annotations


class PrinterError(Exception):
    """Base class for printer problems."""


class PrinterUrlError(PrinterError, ValueError):
    """A printer URL in the configuration cannot be understood."""


class FontNotFoundError(PrinterError, RuntimeError):
    """No font covering Vietnamese is installed."""


class PrinterUnavailableError(PrinterError, RuntimeError):
    """The printer driver or device cannot be reached (missing library, unplugged, refused)."""


class EscposDecodeError(PrinterError, ValueError):
    """ESC/POS bytes are truncated or malformed where the decoder needs them."""
