"""Printer URLs from the configuration → python-escpos printer objects.

One string per printer keeps configuration files simple and lets tests swap a real printer for a
file or a dummy without code changes:

    usb://04b8:0202                      USB vendor:product id (hex), needs pyusb
    tcp://192.168.1.50:9100              raw TCP (port defaults to 9100)
    serial:///dev/ttyUSB0?baudrate=115200
    cups://QUEUE                         a raw CUPS queue (pycups if installed, else `lp`)
    file:///var/spool/motcua/kiosk1.bin  raw bytes appended to a file
    file:///dev/usb/lp0                  a character device (kernel usblp), read back for status
    dummy://                             bytes kept in memory
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import PrinterUnavailableError, PrinterUrlError

if TYPE_CHECKING:
    from escpos.escpos import Escpos

    from .profile import PrinterProfile

SCHEMES = ("usb", "tcp", "serial", "cups", "file", "dummy")
EXAMPLES = (
    "usb://04b8:0202, tcp://192.168.1.50:9100, serial:///dev/ttyUSB0?baudrate=115200, "
    "cups://QUEUE, file:///path/to/file.bin, dummy://"
)

_SERIAL_OPTIONS = {"baudrate", "bytesize", "parity", "stopbits", "timeout", "dsrdtr", "xonxoff"}
_OPTIONS = {
    "usb": {"in_ep", "out_ep", "timeout"},
    "tcp": {"timeout"},
    "serial": _SERIAL_OPTIONS,
    "cups": set(),
    "file": set(),
    "dummy": set(),
}
_BAUDRATES = {1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600}


@dataclass(frozen=True)
class PrinterTarget:
    """A parsed printer URL: ``kind`` is one of SCHEMES, ``options`` the typed parameters."""

    kind: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def can_read_status(self) -> bool:
        """Whether DLE EOT answers can be read back over this transport.

        For ``file://`` this looks at the path now: a character device (``/dev/usb/lp0``) can
        answer, a regular file cannot. A USB printer's node vanishes while it is unplugged, so a
        missing path under ``/dev/`` counts as a device (reported offline, never created as a file).
        """
        if self.kind == "file":
            return is_device_path(self.options["devfile"])
        return self.kind in ("serial", "tcp", "usb")


def is_device_path(path: str) -> bool:
    """True for a character device node, or a missing path under /dev/ (an unplugged device)."""
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except FileNotFoundError:
        return path.startswith("/dev/") and not path.startswith("/dev/shm/")
    except OSError:
        return False


def _fail(url: str, why: str) -> PrinterUrlError:
    return PrinterUrlError(f"invalid printer URL {url!r}: {why}. Examples: {EXAMPLES}")


def _int(url: str, name: str, text: str, base: int = 10) -> int:
    try:
        return int(text, base)
    except ValueError:
        raise _fail(url, f"{name} must be a number, got {text!r}") from None


def _float(url: str, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _fail(url, f"{name} must be a number of seconds, got {text!r}") from None
    if not value >= 0:
        raise _fail(url, f"{name} must not be negative")
    return value


def _bool(url: str, name: str, text: str) -> bool:
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise _fail(url, f"{name} must be 0 or 1, got {text!r}")


def parse_printer_url(url: str) -> PrinterTarget:
    """Parse and validate a printer URL, raising PrinterUrlError with an example on any mistake."""
    if not isinstance(url, str) or not url.strip():
        raise _fail(str(url), "it is empty")
    url = url.strip()
    parts = urlsplit(url)
    kind = parts.scheme.lower()
    if kind not in SCHEMES:
        raise _fail(
            url, f"unknown scheme {parts.scheme!r}; use one of {', '.join(s + '://' for s in SCHEMES)}"
        )
    if "://" not in url:
        raise _fail(url, f"write it as {kind}://…")
    if parts.fragment:
        raise _fail(url, "a '#' fragment is not allowed")
    try:
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _fail(url, f"cannot read the parameters {parts.query!r}") from None
    raw = dict(query)
    unknown = sorted(set(raw) - _OPTIONS[kind])
    if unknown:
        allowed = ", ".join(sorted(_OPTIONS[kind])) or "none"
        raise _fail(url, f"unknown parameter(s) {', '.join(unknown)} (allowed for {kind}: {allowed})")
    opts: dict[str, Any] = {}

    if kind == "usb":
        ids = parts.netloc + parts.path.rstrip("/")
        pieces = ids.split(":")
        if len(pieces) != 2 or not all(pieces):
            raise _fail(url, "expected usb://VID:PID in hex, e.g. usb://04b8:0202")
        vid, pid = (_int(url, "USB id", p.lower().removeprefix("0x"), 16) for p in pieces)
        if not (0 < vid <= 0xFFFF and 0 < pid <= 0xFFFF):
            raise _fail(url, "USB vendor and product ids are 4 hex digits")
        opts.update(idVendor=vid, idProduct=pid)
        for name in ("in_ep", "out_ep"):
            if name in raw:
                opts[name] = _int(url, name, raw[name], 0)
        if "timeout" in raw:
            opts["timeout"] = _int(url, "timeout", raw["timeout"])
    elif kind == "tcp":
        if not parts.hostname:
            raise _fail(url, "expected tcp://HOST:PORT, e.g. tcp://192.168.1.50:9100")
        if parts.path not in ("", "/"):
            raise _fail(url, "a tcp printer URL has no path")
        try:
            port = parts.port or 9100
        except ValueError:
            raise _fail(url, "the port must be a number between 1 and 65535") from None
        opts.update(host=parts.hostname, port=port, timeout=_float(url, "timeout", raw.get("timeout", "5")))
    elif kind == "serial":
        device = unquote(parts.path) if parts.path not in ("", "/") else unquote(parts.netloc)
        if parts.path not in ("", "/") and parts.netloc:
            raise _fail(url, "use three slashes for a device path: serial:///dev/ttyUSB0")
        if not device:
            raise _fail(url, "expected serial:///dev/ttyUSB0?baudrate=115200 (or serial://COM3 on Windows)")
        baud = _int(url, "baudrate", raw.get("baudrate", "9600"))
        if baud not in _BAUDRATES:
            raise _fail(
                url, f"baudrate {baud} is not a standard rate ({', '.join(map(str, sorted(_BAUDRATES)))})"
            )
        bytesize = _int(url, "bytesize", raw.get("bytesize", "8"))
        if bytesize not in (5, 6, 7, 8):
            raise _fail(url, "bytesize must be 5, 6, 7 or 8")
        parity = raw.get("parity", "N").upper()
        if parity not in ("N", "E", "O", "M", "S"):
            raise _fail(url, "parity must be N, E, O, M or S")
        stopbits = raw.get("stopbits", "1")
        if stopbits not in ("1", "1.5", "2"):
            raise _fail(url, "stopbits must be 1, 1.5 or 2")
        opts.update(
            devfile=device,
            baudrate=baud,
            bytesize=bytesize,
            parity=parity,
            stopbits=float(stopbits) if stopbits == "1.5" else int(stopbits),
            timeout=_float(url, "timeout", raw.get("timeout", "1")),
            # Off by default: 3-wire cables and USB adapters without DSR would block every write.
            dsrdtr=_bool(url, "dsrdtr", raw.get("dsrdtr", "0")),
            xonxoff=_bool(url, "xonxoff", raw.get("xonxoff", "0")),
        )
    elif kind == "cups":
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue or "/" in queue:
            raise _fail(url, "expected cups://QUEUE with the name of a raw CUPS queue")
        opts["printer_name"] = queue
    elif kind == "file":
        if parts.netloc not in ("", "localhost"):
            raise _fail(url, "use an absolute path with three slashes: file:///path/to/file.bin")
        path = unquote(parts.path)
        if not path or path.endswith("/"):
            raise _fail(url, "the path must name a file, e.g. file:///tmp/printer.bin")
        opts["devfile"] = path
    elif kind == "dummy" and (parts.netloc or parts.path not in ("", "/")):
        raise _fail(url, "dummy:// takes no host or path")
    return PrinterTarget(kind=kind, url=url, options=opts)


def create_printer(url: str | PrinterTarget, profile: PrinterProfile | None = None) -> Escpos:
    """Build the (not yet opened) python-escpos printer object for ``url``.

    Raises PrinterUrlError for a bad URL and PrinterUnavailableError when the driver library the
    URL needs (pyusb, pycups/lp) is missing.
    """
    from . import _escpos
    from .profile import PROFILE_80MM

    profile = profile or PROFILE_80MM
    target = url if isinstance(url, PrinterTarget) else parse_printer_url(url)
    o = dict(target.options)
    pr = _escpos.printer
    if target.kind == "usb":
        if not pr.Usb.is_usable():
            raise PrinterUnavailableError(
                "USB printing needs pyusb and libusb: pip install 'python-escpos[usb]' and add a udev rule, "
                "or print through the kernel driver with file:///dev/usb/lp0"
            )
        # pyusb's timeout 0 waits for ever: a stuck printer would hang the kiosk's print thread.
        o.setdefault("timeout", int(profile.send_timeout * 1000))
        p = pr.Usb(**o)
    elif target.kind == "tcp":
        p = pr.Network(host=o["host"], port=o["port"], timeout=o["timeout"] or None)
    elif target.kind == "serial":
        p = pr.Serial(**o)
    elif target.kind == "cups":
        if pr.CupsPrinter.is_usable():
            p = pr.CupsPrinter(printer_name=o["printer_name"])
        else:
            import shutil

            if shutil.which("lp") is None:
                raise PrinterUnavailableError(
                    "cups:// printing needs pycups (pip install 'python-escpos[cups]') or the `lp` command (CUPS client)"
                )
            p = pr.LP(printer_name=o["printer_name"], auto_flush=False)
    elif target.kind == "file":
        if target.can_read_status:
            p = _escpos.CharDevice(devfile=o["devfile"], write_timeout=profile.send_timeout)
        else:
            p = _escpos.AppendFile(devfile=o["devfile"], auto_flush=True)
    else:
        p = pr.Dummy()
    return _escpos.apply_width(p, profile.escpos_profile, profile.width_px)
