"""Rating keypads: serial key frames, USB-keyboard keys, debouncing, level mapping.

Serial key frame (one line per press, ASCII)::

    "R" ADDR ":" KEY [ "*" CHK ] CR LF        e.g.  R05:3\\r\\n   or   R05:3*38\\r\\n

- ``ADDR``: two decimal digits, the pad's address (several pads may share a bus).
- ``KEY``: the button, ``1``–``5`` (left to right as printed on the pad's manual).
- ``CHK`` (optional): XOR of the bytes from ``R`` through ``KEY``, two upper-case hex digits;
  when present it must match. A bare LF ends a line too. Any other line is noise: counted
  and ignored.

Levels follow SPEC §3: with 3 levels 3 = rất hài lòng, 2 = hài lòng, 1 = không hài lòng; with
5 levels 5 is best. By default key N gives level N; ``key_map`` (e.g. ``{1: 3, 2: 2, 3: 1}``
for pads whose left button is "rất hài lòng") overrides it.

USB keypads type digits: :func:`parse_keyboard_key` turns a browser ``KeyboardEvent.key`` or
``.code`` ("1", "Digit1", "Numpad1") into a level; the counter page mirrors this function.

Debouncing: a press of the same key within ``debounce_ms`` of that key's previous press
(accepted or not) is the same press — this swallows contact chatter and auto-repeat of a
held key; a different key is always a new press.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any, Self

import serial

from .display import config_int, line_settings
from .errors import DeviceConfigError, DeviceOffline
from .port import IO_ERRORS, SerialPort

log = logging.getLogger(__name__)

LEVEL_NAMES = {
    3: {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"},
    5: {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng",
        1: "Rất không hài lòng"},
}
MAX_LINE = 32
_FRAME = re.compile(rb"^R(\d{2}):([1-9])(?:\*([0-9A-Fa-f]{2}))?$")


@dataclass(frozen=True)
class KeyPress:
    """One accepted rating press. ``pressed_at`` is timezone-aware (UTC)."""

    level: int
    pressed_at: datetime
    key: int = 0
    keypad: str = ""

    def __post_init__(self) -> None:
        if self.pressed_at.tzinfo is None or self.pressed_at.utcoffset() is None:
            raise ValueError("KeyPress.pressed_at must be timezone-aware")


@dataclass(frozen=True)
class KeyFrame:
    address: int
    key: int


def frame_checksum(body: bytes) -> bytes:
    return b"%02X" % reduce(lambda acc, b: acc ^ b, body, 0)


def build_key_frame(address: int, key: int, *, with_checksum: bool = False) -> bytes:
    """Encode what a pad sends for one press."""
    if not 0 <= address <= 99 or not 1 <= key <= 9:
        raise ValueError(f"address 0..99 and key 1..9 expected, got {address}, {key}")
    body = b"R%02d:%d" % (address, key)
    return body + (b"*" + frame_checksum(body) if with_checksum else b"") + b"\r\n"


class KeyFrameParser:
    """Splits a byte stream into key frames; noise and corrupt lines are counted, not raised."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.rejected = 0

    def feed(self, data: bytes) -> list[KeyFrame]:
        self._buf += data
        frames: list[KeyFrame] = []
        while (end := self._buf.find(b"\n")) >= 0:
            line = bytes(self._buf[:end]).rstrip(b"\r")
            del self._buf[:end + 1]
            frame = self._parse(line)
            if frame is not None:
                frames.append(frame)
            elif line.strip(b"\r\n\x00 "):
                self.rejected += 1
        if len(self._buf) > MAX_LINE:               # no line end in sight: noise
            self.rejected += 1
            self._buf.clear()
        return frames

    @staticmethod
    def _parse(line: bytes) -> KeyFrame | None:
        start = line.rfind(b"R")                     # garbage before the frame start is dropped
        if start < 0:
            return None
        candidate = line[start:]
        match = _FRAME.match(candidate)
        if not match:
            return None
        if match.group(3) is not None:
            body = candidate[:match.start(3) - 1]            # "R" … KEY, without "*"
            if frame_checksum(body) != match.group(3).upper():
                return None
        return KeyFrame(int(match.group(1)), int(match.group(2)))


def check_key_map(levels: int, key_map: Mapping[Any, Any] | None) -> dict[int, int]:
    """Validate ``levels`` (3 or 5) and a key → level map; return the effective map."""
    if levels not in LEVEL_NAMES:
        raise DeviceConfigError(f"Số mức đánh giá phải là 3 hoặc 5, nhận được {levels!r}")
    if key_map is None:
        return {k: k for k in range(1, levels + 1)}
    result: dict[int, int] = {}
    for key, level in key_map.items():
        try:
            k, lv = int(key), int(level)
        except (TypeError, ValueError):
            raise DeviceConfigError(f"key_map phải ánh xạ phím → mức (số), nhận được {key!r}: {level!r}") from None
        if not 1 <= k <= 9 or not 1 <= lv <= levels:
            raise DeviceConfigError(f"key_map {key!r} → {level!r}: phím 1–9, mức 1–{levels}")
        result[k] = lv
    return result


def key_to_level(key: int, levels: int = 3, key_map: Mapping[Any, Any] | None = None) -> int | None:
    """The rating level for button ``key``, or None for a key that is not a rating."""
    return check_key_map(levels, key_map).get(key)


_KEY_NAMES = {**{str(n): n for n in range(1, 10)},
              **{f"Digit{n}": n for n in range(1, 10)},
              **{f"Numpad{n}": n for n in range(1, 10)}}


def parse_keyboard_key(key: str, levels: int = 3, key_map: Mapping[Any, Any] | None = None) -> int | None:
    """Level for a USB-keyboard key name ("1", "Digit1", "Numpad1"), else None.

    Mirrored by the counter page's JavaScript: only these names count, anything else (letters,
    Enter, F-keys, "0") is not a rating.
    """
    if not isinstance(key, str):
        return None
    number = _KEY_NAMES.get(key)
    return None if number is None else key_to_level(number, levels, key_map)


def keyboard_key_table(levels: int = 3, key_map: Mapping[Any, Any] | None = None) -> dict[str, int]:
    """Every USB-keyboard key name that is a rating → its level, as JSON for the counter page.

    The page looks up ``event.key`` then ``event.code`` in this table, so the browser applies
    exactly :func:`parse_keyboard_key` without re-implementing the mapping.
    """
    effective = check_key_map(levels, key_map)
    return {name: effective[n] for name, n in _KEY_NAMES.items() if n in effective}


class Debouncer:
    """Accept a key unless the same key was seen less than ``window`` ago."""

    def __init__(self, debounce_ms: int = 300) -> None:
        if debounce_ms < 0:
            raise DeviceConfigError("debounce_ms không được âm")
        self.window = timedelta(milliseconds=debounce_ms)
        self._last_seen: dict[tuple[int, int], datetime] = {}

    def accept(self, key: int, at: datetime, source: int = 0) -> bool:
        previous = self._last_seen.get((source, key))
        self._last_seen[(source, key)] = at
        return previous is None or at - previous >= self.window


def utc_now() -> datetime:
    return datetime.now(UTC)


class SerialKeypad:
    """Reads a serial rating pad in a background thread and calls ``on_press(KeyPress)``.

    Configuration keys: ``id``, ``port`` (pyserial URL), ``baudrate`` etc., ``address``
    (only frames from this pad address; omit to accept any), ``levels`` (3 or 5),
    ``key_map``, ``debounce_ms`` (default 300). A vanished port is reported through
    ``on_status(False, reason)`` and reopened with backoff (0.1 s doubling to ``max_backoff``);
    ``on_status(True, None)`` when it is back. Exceptions from the callbacks are logged, never
    kill the reader.
    """

    CONFIG_KEYS = frozenset({"id", "kind", "protocol", "port", "baudrate", "bytesize", "parity",
                             "stopbits", "timeout", "write_timeout", "rs485", "address", "levels",
                             "key_map", "debounce_ms", "counter"})

    def __init__(self, config: Mapping[str, Any], on_press: Callable[[KeyPress], None], *,
                 on_status: Callable[[bool, str | None], None] | None = None,
                 clock: Callable[[], datetime] = utc_now, max_backoff: float = 5.0) -> None:
        unknown = set(config) - self.CONFIG_KEYS
        if unknown:
            raise DeviceConfigError(f"Khoá cấu hình bàn phím đánh giá không dùng: {', '.join(sorted(unknown))}")
        self.name = str(config.get("id") or f"keypad@{config.get('port')}")
        self.address = None if config.get("address") is None else config_int(config, "address", lo=0, hi=99)
        self.levels = config_int(config, "levels", 3)
        self.key_map = check_key_map(self.levels, config.get("key_map"))
        self.debouncer = Debouncer(config_int(config, "debounce_ms", 300, lo=0, hi=10_000))
        settings = line_settings({**config, "timeout": config.get("timeout", 0.1)})
        self.port = SerialPort(settings)
        self.parser = KeyFrameParser()
        self.on_press = on_press
        self.on_status = on_status
        self.clock = clock
        self.max_backoff = max_backoff
        self.online: bool | None = None
        self.last_error: str | None = None
        self.ignored_keys = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SerialKeypad:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"keypad {self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        self.port.close()

    close = stop

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def feed(self, data: bytes, at: datetime) -> list[KeyPress]:
        """Turn received bytes into accepted presses (the reader thread's core, pure)."""
        presses = []
        for frame in self.parser.feed(data):
            if self.address is not None and frame.address != self.address:
                continue
            level = self.key_map.get(frame.key)
            if level is None:
                self.ignored_keys += 1
                continue
            if self.debouncer.accept(frame.key, at, frame.address):
                presses.append(KeyPress(level, at, frame.key, self.name))
        return presses

    def _set_status(self, online: bool, reason: str | None) -> None:
        if self.online == online:
            return
        self.online, self.last_error = online, reason
        if not online:
            log.warning("keypad %s offline: %s", self.name, reason)
        if self.on_status is not None:
            try:
                self.on_status(online, reason)
            except Exception:
                log.exception("keypad %s: on_status callback failed", self.name)

    def _run(self) -> None:
        backoff = 0.1
        while not self._stop.is_set():
            try:
                self.port.open()
            except DeviceOffline as exc:
                self._set_status(False, exc.reason)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 0.1
            self._set_status(True, None)
            try:
                while not self._stop.is_set():
                    data = self.port.read_some()
                    if data:
                        self._deliver(self.feed(data, self.clock()))
            except DeviceOffline as exc:
                self._set_status(False, exc.reason)
            except IO_ERRORS as exc:   # defensive: never let the thread die
                self.port.broken(exc)
                self._set_status(False, str(exc))

    def _deliver(self, presses: list[KeyPress]) -> None:
        for press in presses:
            try:
                self.on_press(press)
            except Exception:
                log.exception("keypad %s: on_press callback failed for %r", self.name, press)


class KeypadSimulator:
    """The pad side: writes key frames to ``url`` as a real pad would."""

    def __init__(self, url: str, address: int = 1, *, baudrate: int = 9600,
                 with_checksum: bool = False) -> None:
        self.address = address
        self.with_checksum = with_checksum
        self._serial = serial.serial_for_url(url, baudrate=baudrate, timeout=0.1, write_timeout=1)

    def press(self, key: int, *, repeats: int = 1) -> bytes:
        """Send one press; ``repeats`` > 1 sends the same frame again at once (contact bounce)."""
        frame = build_key_frame(self.address, key, with_checksum=self.with_checksum)
        self.send_raw(frame * repeats)
        return frame

    def send_raw(self, data: bytes) -> None:
        self._serial.write(data)
        self._serial.flush()

    def close(self) -> None:
        self._serial.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
