"""Serial lines opened by URL, shared by every device on the same RS-485 bus.

Several LED displays usually hang on one RS-485 pair behind one USB adapter, each with its own
address. They must share a single open port (one writer, one lock per transaction), so drivers
get their line from :func:`acquire_port` instead of opening it themselves. A port whose device
vanished (cable unplugged, pty closed) is closed and reopened on the next use; every failure is
reported as :class:`DeviceOffline` so callers never see a raw ``OSError``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import serial
import serial.rs485

from .errors import DeviceConfigError, DeviceOffline

try:  # pyserial's POSIX backend lets termios.error (not an OSError) escape from flush/reset
    import termios
    IO_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # Windows
    IO_ERRORS = (serial.SerialException, OSError)

PARITIES = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}


@dataclass(frozen=True)
class LineSettings:
    """How to open a serial line. ``url`` is anything pyserial's ``serial_for_url`` accepts."""

    url: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1
    timeout: float = 0.3
    write_timeout: float = 1.0
    #: Kernel RS-485 mode (RTS drives the transceiver direction) for adapters that need it;
    #: most USB-RS485 dongles switch direction themselves and leave this off.
    rs485: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not self.url.strip():
            raise DeviceConfigError("Thiếu cổng nối tiếp (port) — ví dụ '/dev/ttyUSB0' hoặc 'socket://HOST:PORT'")
        if self.parity not in PARITIES:
            raise DeviceConfigError(f"Parity không hợp lệ: {self.parity!r} — dùng 'N', 'E' hoặc 'O'")
        if self.bytesize not in (7, 8):
            raise DeviceConfigError(f"bytesize không hợp lệ: {self.bytesize!r} — dùng 7 hoặc 8")
        if self.stopbits not in (1, 1.5, 2):
            raise DeviceConfigError(f"stopbits không hợp lệ: {self.stopbits!r} — dùng 1 hoặc 2")
        if not isinstance(self.baudrate, int) or self.baudrate <= 0:
            raise DeviceConfigError(f"baudrate không hợp lệ: {self.baudrate!r}")
        if self.timeout <= 0 or self.write_timeout <= 0:
            raise DeviceConfigError("timeout và write_timeout phải lớn hơn 0 giây")

    def same_line(self, other: LineSettings) -> bool:
        """Whether two devices may share the line (same URL needs the same framing)."""
        return (self.baudrate, self.bytesize, self.parity, self.stopbits, self.rs485) == (
            other.baudrate, other.bytesize, other.parity, other.stopbits, other.rs485)


class SerialPort:
    """One serial line that reopens itself after the device vanished.

    ``lock`` must be held for a whole request/reply transaction on a shared bus.
    """

    def __init__(self, settings: LineSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self._serial: serial.SerialBase | None = None
        self.last_error: str | None = None

    @property
    def label(self) -> str:
        return f"cổng {self.settings.url}"

    @property
    def is_open(self) -> bool:
        return self._serial is not None and self._serial.is_open

    def open(self) -> serial.SerialBase:
        """Open the line if needed; raise :class:`DeviceOffline` if it cannot be opened now."""
        with self.lock:
            if self._serial is not None and self._serial.is_open:
                return self._serial
            s = self.settings
            try:
                port = serial.serial_for_url(
                    s.url, do_not_open=True, baudrate=s.baudrate, bytesize=s.bytesize,
                    parity=PARITIES[s.parity], stopbits=s.stopbits, timeout=s.timeout,
                    write_timeout=s.write_timeout)
                if s.rs485:
                    port.rs485_mode = serial.rs485.RS485Settings(rts_level_for_tx=True,
                                                                 rts_level_for_rx=False)
                port.open()
            except IO_ERRORS as exc:
                self.last_error = str(exc)
                raise DeviceOffline(self.label, f"không mở được cổng: {exc}") from exc
            except (ValueError, KeyError, TypeError) as exc:   # bad URL / settings (odd types)
                self.last_error = f"cấu hình cổng không hợp lệ: {exc!r}"
                raise DeviceOffline(
                    self.label, f"cấu hình cổng không hợp lệ ({exc!r}) — kiểm tra 'port' và 'rs485'") from exc
            self._serial = port
            self.last_error = None
            return port

    def broken(self, exc: BaseException) -> DeviceOffline:
        """Close after an I/O failure and return the error to raise (reopened on next use)."""
        with self.lock:
            self.last_error = str(exc)
            self._close_quietly()
        return DeviceOffline(self.label, f"lỗi vào/ra: {exc}")

    def write(self, data: bytes) -> None:
        with self.lock:
            port = self.open()
            try:
                port.write(data)
                port.flush()
            except IO_ERRORS as exc:
                raise self.broken(exc) from exc

    def discard_input(self) -> None:
        """Drop stale bytes (late replies, noise) before a new request."""
        with self.lock:
            port = self.open()
            try:
                port.reset_input_buffer()
            except IO_ERRORS as exc:
                raise self.broken(exc) from exc

    def read_some(self, max_bytes: int = 256) -> bytes:
        """Read what is waiting, or wait up to the line timeout for at least one byte."""
        with self.lock:
            port = self.open()
            try:
                waiting = port.in_waiting
                return port.read(min(max(waiting, 1), max_bytes))
            except IO_ERRORS as exc:
                raise self.broken(exc) from exc

    def read_exact(self, count: int, timeout: float) -> bytes:
        """Read up to ``count`` bytes, returning early (short) when ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        out = bytearray()
        with self.lock:
            port = self.open()
            try:
                while len(out) < count:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    port.timeout = min(remaining, self.settings.timeout)
                    out += port.read(count - len(out))
            except IO_ERRORS as exc:
                raise self.broken(exc) from exc
            finally:
                if self._serial is not None:
                    self._serial.timeout = self.settings.timeout
        return bytes(out)

    def close(self) -> None:
        with self.lock:
            self._close_quietly()

    def _close_quietly(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except IO_ERRORS:
                pass
            self._serial = None


_pool_lock = threading.Lock()
_pool: dict[str, tuple[SerialPort, int]] = {}


def acquire_port(settings: LineSettings) -> SerialPort:
    """Return the shared port for ``settings.url`` (created on first use, opened lazily)."""
    with _pool_lock:
        entry = _pool.get(settings.url)
        if entry is None:
            port = SerialPort(settings)
            _pool[settings.url] = (port, 1)
            return port
        port, refs = entry
        if not port.settings.same_line(settings):
            raise DeviceConfigError(
                f"Hai thiết bị dùng chung {settings.url} nhưng khác tốc độ/khung truyền — "
                "các thiết bị trên cùng một bus RS-485 phải cùng baudrate, bytesize, parity, stopbits")
        _pool[settings.url] = (port, refs + 1)
        return port


def release_port(port: SerialPort) -> None:
    """Drop one user of a shared port; the last one closes it."""
    with _pool_lock:
        entry = _pool.get(port.settings.url)
        if entry is None or entry[0] is not port:
            port.close()
            return
        refs = entry[1] - 1
        if refs <= 0:
            del _pool[port.settings.url]
            port.close()
        else:
            _pool[port.settings.url] = (port, refs)
