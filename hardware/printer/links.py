"""Byte links to a printer for DLE EOT status queries, one small adapter per transport.

The query logic (``status.query_status``) only needs "write these bytes" and "give me whatever
arrived within t seconds"; each transport supplies those two operations here, so serial, TCP,
character devices (``/dev/usb/lp0``) and USB endpoints all run the same tested query code.

Contract of ``Link.read(timeout)``: return the bytes that arrived (possibly several at once),
``b""`` only after ``timeout`` seconds with nothing, ``ConnectionError``/``OSError`` when the
device went away, ``StatusNotReadable`` when the transport turns out to have no read direction
(a unidirectional printer): the printer may still print, we just cannot ask it.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# How many bytes one read may return; DLE EOT answers are single bytes, a USB packet up to 64.
_CHUNK = 64
# A device answering "readable, 0 bytes" (usblp after a zero-length packet, /dev/null) is polled
# again after this pause instead of spinning until the deadline.
_EMPTY_READ_PAUSE = 0.01


class StatusNotReadable(Exception):
    """The transport cannot carry answers back (e.g. a unidirectional USB printer)."""


@dataclass(frozen=True)
class Link:
    """``write(data)`` sends all bytes; ``read(timeout)`` returns what arrived (see module doc)."""

    write: Callable[[bytes], None]
    read: Callable[[float], bytes]
    drain: Callable[[], None] | None = None


# --- pyserial ports ------------------------------------------------------------------------------


def serial_link(port: Any) -> Link:
    """A pyserial port: reads use the port's timeout, temporarily set to the query's."""

    def write(data: bytes) -> None:
        port.write(data)
        port.flush()

    def read(timeout: float) -> bytes:
        previous = port.timeout
        port.timeout = max(timeout, 0.001)
        try:
            return bytes(port.read(max(1, min(port.in_waiting, _CHUNK))))
        finally:
            port.timeout = previous

    return Link(write=write, read=read, drain=port.reset_input_buffer)


# --- TCP sockets ---------------------------------------------------------------------------------


def socket_link(sock: socket.socket) -> Link:
    """A connected socket; the peer closing the connection is a ConnectionError."""

    def read(timeout: float) -> bytes:
        previous = sock.gettimeout()
        sock.settimeout(max(timeout, 0.001))
        try:
            data = sock.recv(_CHUNK)
        except TimeoutError:
            return b""
        finally:
            sock.settimeout(previous)
        if not data:
            raise ConnectionError("the printer closed the connection")
        return data

    def drain() -> None:
        previous = sock.gettimeout()
        sock.setblocking(False)
        try:
            while sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(previous)

    return Link(write=sock.sendall, read=read, drain=drain)


# --- character devices (Linux usblp /dev/usb/lp0, or any bidirectional device node) --------------


def _wait(fd: int, event: int, timeout: float) -> bool:
    """poll() one fd (select() would fail for fd numbers above 1023 in a long-running agent)."""
    poller = select.poll()
    poller.register(fd, event)
    # POLLERR/POLLHUP count as ready: the following read or write then raises the real error.
    return bool(poller.poll(max(0, int(timeout * 1000 + 0.999))))


def fd_write_all(fd: int, data: bytes, timeout: float) -> None:
    """Write all of ``data`` to a non-blocking fd, waiting for room at most ``timeout`` seconds in all.

    A printer that stopped taking data (paper out on some models, a stuck USB transfer) fills the
    kernel buffer; without the deadline the kiosk's print thread would hang for good.
    """
    view = memoryview(data)
    deadline = time.monotonic() + timeout
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(
                f"the printer took {len(data) - len(view)} of {len(data)} bytes in {timeout:g} s"
            )
        if not _wait(fd, select.POLLOUT, left):
            continue
        try:
            n = os.write(fd, view)
        except (BlockingIOError, InterruptedError):
            continue
        view = view[n:]


def fd_link(fd: int, write_timeout: float) -> Link:
    """An fd opened O_RDWR | O_NONBLOCK: poll() for the deadline, os.read() for the answer."""

    def read(timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if _wait(fd, select.POLLIN, max(left, 0)):
                try:
                    data = os.read(fd, _CHUNK)
                except (BlockingIOError, InterruptedError):
                    data = b""
                except OSError as exc:
                    if exc.errno == errno.EINVAL:  # usblp: the printer has no IN endpoint
                        raise StatusNotReadable(f"the device cannot be read: {exc}") from exc
                    raise
                if data:
                    return data
                left = deadline - time.monotonic()
                if left > 0:
                    time.sleep(min(_EMPTY_READ_PAUSE, left))
            if deadline - time.monotonic() <= 0:
                return b""

    return Link(write=lambda data: fd_write_all(fd, data, write_timeout), read=read)


# --- USB endpoints through pyusb (python-escpos ``Usb``) -----------------------------------------


def usb_link(printer: Any, write_timeout: float) -> Link:
    """The bulk OUT/IN endpoints of an opened python-escpos ``Usb`` printer.

    Reads the same IN endpoint as ``Usb._read`` but with an explicit timeout (``_read`` uses
    pyusb's default of 1 s and raises on it). Untested without USB hardware: the query logic it
    feeds is the one tested over serial, TCP and character devices.
    """
    import usb.core

    timeout_error = getattr(usb.core, "USBTimeoutError", None)  # pyusb >= 1.2
    device = printer.device

    def write(data: bytes) -> None:
        device.write(printer.out_ep, data, max(1, int(write_timeout * 1000)))

    def read(timeout: float) -> bytes:
        try:
            data = device.read(printer.in_ep, _CHUNK, max(1, int(timeout * 1000)))
        except ValueError as exc:  # pyusb: "Invalid endpoint address" - no IN endpoint
            raise StatusNotReadable(f"USB printer has no IN endpoint 0x{printer.in_ep:02x}: {exc}") from exc
        except usb.core.USBError as exc:
            if (timeout_error is not None and isinstance(exc, timeout_error)) or exc.errno == errno.ETIMEDOUT:
                return b""
            raise
        return bytes(data)

    return Link(write=write, read=read)


def link_for(device: Any) -> Link:
    """A Link for an open pyserial port or socket (what python-escpos keeps in ``.device``)."""
    if isinstance(device, socket.socket):
        return socket_link(device)
    return serial_link(device)
