"""LED counter display drivers: common interface, configuration and protocol registry.

A display is created from one configuration entry (a dict, usually a ``[[display]]`` table of
the agent's TOML file)::

    [[display]]
    id = "quay-3"              # name shown to technicians
    protocol = "ascii-stx"     # a registered protocol, see display_protocols()
    port = "/dev/ttyUSB0"      # or "socket://10.0.0.7:4001", "loop://", any pyserial URL
    baudrate = 9600            # optional: bytesize, parity, stopbits, timeout, write_timeout, rs485
    address = 3                # bus address / Modbus slave id
    # ... protocol options, e.g. format = "{ticket}>{counter}", width = 8, ack = true

Adding a vendor protocol means adding one module to ``hardware/serial/protocols/`` that
defines a :class:`LedDisplay` subclass (and its :class:`DisplaySimulator`) decorated with
:func:`register_display`; modules there are discovered automatically.
"""

from __future__ import annotations

import abc
import importlib
import pkgutil
import threading
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Self

from .errors import DeviceConfigError, DeviceOffline, DeviceReplyError
from .port import LineSettings, SerialPort, acquire_port, release_port

COMMON_KEYS = frozenset({"id", "protocol", "port", "baudrate", "bytesize", "parity", "stopbits",
                         "timeout", "write_timeout", "rs485", "address", "kind", "counter"})


def config_int(config: Mapping[str, Any], key: str, default: int | None = None, *,
               lo: int | None = None, hi: int | None = None) -> int:
    """An integer option of a device entry, range-checked, with a technician-readable error."""
    value = config.get(key, default)
    if value is None:
        raise DeviceConfigError(f"Thiếu '{key}' trong cấu hình thiết bị {config.get('id', '?')}")
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeviceConfigError(f"'{key}' phải là số nguyên, nhận được {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise DeviceConfigError(f"'{key}' = {value} nằm ngoài khoảng {lo}…{hi}")
    return value


def line_settings(config: Mapping[str, Any]) -> LineSettings:
    """The serial line part of a device configuration entry."""
    def num(key: str, default: float) -> float:
        value = config.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DeviceConfigError(f"'{key}' phải là số, nhận được {value!r}")
        return float(value)

    port = config.get("port")
    if not isinstance(port, str):
        raise DeviceConfigError(
            f"Thiếu 'port' trong cấu hình thiết bị {config.get('id', '?')} — ví dụ '/dev/ttyUSB0'")
    return LineSettings(
        url=port, baudrate=config_int(config, "baudrate", 9600, lo=1),
        bytesize=config_int(config, "bytesize", 8), parity=str(config.get("parity", "N")).upper(),
        stopbits=num("stopbits", 1), timeout=num("timeout", 0.3),
        write_timeout=num("write_timeout", 1.0), rs485=bool(config.get("rs485", False)))


def check_template(template: Any) -> str:
    """Validate a ``format`` option such as ``"{ticket}"`` or ``"{ticket}>{counter}"``."""
    if not isinstance(template, str):
        raise DeviceConfigError(f"'format' phải là chuỗi, nhận được {template!r}")
    try:
        template.format(ticket="A001", counter="1")
    except (KeyError, IndexError, ValueError) as exc:
        raise DeviceConfigError(
            f"Mẫu hiển thị 'format' = {template!r} không hợp lệ — chỉ dùng {{ticket}} và {{counter}}"
        ) from exc
    return template


class DisplaySimulator(abc.ABC):
    """Device side of a protocol: parses the bytes a display receives, keeps what it shows."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = dict(config)
        self.text = ""                    # what the board shows now ("" = blank)
        self.history: list[str] = []      # every text shown, in order ("" for clear)
        self.frames_ok = 0
        self.frames_rejected = 0
        self.changed = threading.Condition()

    @abc.abstractmethod
    def feed(self, data: bytes) -> bytes:
        """Consume bytes seen on the bus; return the reply bytes to send (may be empty)."""

    def idle(self) -> None:  # noqa: B027 - optional hook, most protocols need nothing
        """The line was silent for a while: drop any half frame (noise, cut transmission)."""

    def _shown(self, text: str) -> None:
        with self.changed:
            self.text = text
            self.history.append(text)
            self.changed.notify_all()

    def wait_for(self, predicate: Callable[[DisplaySimulator], bool], timeout: float = 2.0) -> bool:
        """Block until ``predicate(self)`` holds (for tests and demo pages)."""
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)


class LedDisplay(abc.ABC):
    """One LED counter display. Subclasses implement a protocol; the interface is fixed.

    Methods raise :class:`DeviceOffline` when the display cannot be reached (the next call
    retries), :class:`DisplayTextError` for text the board cannot show, and
    :class:`DeviceReplyError` when the display refuses a frame.
    """

    protocol: ClassVar[str] = ""
    simulator_class: ClassVar[type[DisplaySimulator]]
    #: Protocol specific configuration keys this class accepts (others are typos → error).
    option_keys: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, config: Mapping[str, Any]) -> None:
        unknown = set(config) - COMMON_KEYS - self.option_keys
        if unknown:
            raise DeviceConfigError(
                f"Khoá cấu hình không dùng cho giao thức {self.protocol}: {', '.join(sorted(unknown))}")
        self.config = dict(config)
        self.name = str(config.get("id") or f"{self.protocol}@{config.get('port')}")
        self._line = line_settings(config)
        self._configure(config)
        self._port: SerialPort | None = acquire_port(self._line)
        self.online: bool | None = None   # None until the first call
        self.last_error: str | None = None

    @property
    def port(self) -> SerialPort:
        if self._port is None:
            raise DeviceOffline(self.name, "driver đã đóng (close)")
        return self._port

    def show(self, counter_number: int | str, ticket_number: str) -> None:
        """Show ``ticket_number`` (e.g. ``"A025"``) called to ``counter_number``."""
        self._guarded(lambda: self._show(str(counter_number), str(ticket_number)))

    def clear(self) -> None:
        """Blank the display (end of day, counter closed)."""
        self._guarded(self._clear)

    def close(self) -> None:
        """Release the serial line (closed when its last device is closed)."""
        if self._port is not None:
            release_port(self._port)
            self._port = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _guarded(self, action: Callable[[], None]) -> None:
        try:
            action()
        except DeviceOffline as exc:
            self.online = False
            self.last_error = exc.reason
            if exc.device != self.name:
                raise DeviceOffline(self.name, exc.reason) from exc
            raise
        except DeviceReplyError as exc:     # it answered, so it is connected, but unhappy
            self.online = True
            self.last_error = str(exc)
            raise
        self.online = True
        self.last_error = None

    @abc.abstractmethod
    def _configure(self, config: Mapping[str, Any]) -> None:
        """Validate and keep protocol options (runs before the port is acquired)."""

    @abc.abstractmethod
    def _show(self, counter_number: str, ticket_number: str) -> None: ...

    @abc.abstractmethod
    def _clear(self) -> None: ...


_registry: dict[str, type[LedDisplay]] = {}
_discovered = False


def register_display(name: str) -> Callable[[type[LedDisplay]], type[LedDisplay]]:
    """Class decorator registering a display protocol under ``name``."""
    def decorate(cls: type[LedDisplay]) -> type[LedDisplay]:
        if name in _registry and _registry[name] is not cls:
            raise DeviceConfigError(f"Giao thức bảng LED {name!r} đã được đăng ký")
        cls.protocol = name
        _registry[name] = cls
        return cls
    return decorate


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    from . import protocols
    for info in pkgutil.iter_modules(protocols.__path__):
        importlib.import_module(f"{protocols.__name__}.{info.name}")
    _discovered = True


def display_protocols() -> dict[str, type[LedDisplay]]:
    """Every registered protocol name → driver class."""
    _discover()
    return dict(_registry)


def _protocol_class(config: Mapping[str, Any]) -> type[LedDisplay]:
    if not isinstance(config, Mapping):
        raise DeviceConfigError("Cấu hình bảng LED phải là một bảng (dict) khoá → giá trị")
    name = config.get("protocol")
    known = display_protocols()
    if name not in known:
        raise DeviceConfigError(
            f"Giao thức bảng LED không hỗ trợ: {name!r} — chọn một trong {', '.join(sorted(known))}")
    return known[name]


def create_display(config: Mapping[str, Any]) -> LedDisplay:
    """Build the driver for one configuration entry (the port opens on first use)."""
    return _protocol_class(config)(config)


def create_display_simulator(config: Mapping[str, Any]) -> DisplaySimulator:
    """Build the simulated device matching the same configuration entry."""
    return _protocol_class(config).simulator_class(config)
