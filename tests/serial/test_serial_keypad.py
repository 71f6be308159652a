"""Rating keypads: key frames, level mapping, USB-keyboard keys, debounce, over socat ptys."""

from __future__ import annotations

import queue
from datetime import UTC, datetime, timedelta

import pytest

from hardware.serial import (
    Debouncer,
    DeviceConfigError,
    KeyFrameParser,
    KeypadSimulator,
    KeyPress,
    SerialKeypad,
    build_key_frame,
    key_to_level,
    keyboard_key_table,
    parse_keyboard_key,
)

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_key_frames_with_and_without_checksum():
    assert build_key_frame(5, 3) == b"R05:3\r\n"
    assert build_key_frame(5, 3, with_checksum=True) == b"R05:3*" + b"%02X" % (
        ord("R") ^ ord("0") ^ ord("5") ^ ord(":") ^ ord("3")) + b"\r\n"
    parser = KeyFrameParser()
    frames = parser.feed(b"R05:3\r\nR12:1\nR05:2*" + b"%02X" % (0x52 ^ 0x30 ^ 0x35 ^ 0x3A ^ 0x32)
                         + b"\r\n")
    assert [(f.address, f.key) for f in frames] == [(5, 3), (12, 1), (5, 2)]


def test_noise_and_corrupt_lines_are_ignored():
    parser = KeyFrameParser()
    stream = (b"\x00\xffR05:3*00\r\n"       # wrong checksum
              b"R5:3\r\nR05:0\r\nhello\r\n"  # malformed
              b"\xfe\xfeR07:2\r\n"           # garbage before a good frame is tolerated
              + b"x" * 100                   # no line end: dropped, bounded
              + b"\nR07:1\r")
    frames = [f for i in range(0, len(stream), 5) for f in parser.feed(stream[i:i + 5])]
    assert [(f.address, f.key) for f in frames] == [(7, 2)]
    assert parser.feed(b"\n")[0].key == 1
    assert parser.rejected >= 4


def test_level_mapping_per_spec():
    assert [key_to_level(k) for k in (1, 2, 3, 4)] == [1, 2, 3, None]   # 3 = rất hài lòng
    assert [key_to_level(k, levels=5) for k in (1, 5, 6)] == [1, 5, None]
    left_is_best = {"1": 3, "2": 2, "3": 1}                             # TOML keys are strings
    assert [key_to_level(k, 3, left_is_best) for k in (1, 2, 3)] == [3, 2, 1]
    with pytest.raises(DeviceConfigError):
        key_to_level(1, levels=4)
    with pytest.raises(DeviceConfigError):
        key_to_level(1, 3, {1: 4})


@pytest.mark.parametrize("key, levels, level", [
    ("1", 3, 1), ("3", 3, 3), ("Digit2", 3, 2), ("Numpad3", 3, 3), ("4", 3, None),
    ("4", 5, 4), ("Numpad5", 5, 5), ("0", 5, None), ("Enter", 3, None), ("a", 3, None),
    (" 1", 3, None), ("F1", 3, None), ("", 3, None),
])
def test_usb_keyboard_keys(key, levels, level):
    assert parse_keyboard_key(key, levels) == level


def test_browser_key_table_agrees_with_the_parser():
    for levels, key_map in ((3, None), (5, None), (3, {"1": 3, "3": 1})):
        table = keyboard_key_table(levels, key_map)
        names = ["0", "x", "F1", "Enter", "NumpadEnter"] + [
            f"{p}{n}" for p in ("", "Digit", "Numpad") for n in range(10)]
        for name in names:
            assert table.get(name) == parse_keyboard_key(name, levels, key_map), name
    assert keyboard_key_table(3) == {
        **{str(n): n for n in (1, 2, 3)}, **{f"Digit{n}": n for n in (1, 2, 3)},
        **{f"Numpad{n}": n for n in (1, 2, 3)}}


def test_debounce_same_key_within_window_is_one_press():
    d = Debouncer(300)
    ms = timedelta(milliseconds=1)
    assert d.accept(3, T0)
    assert not d.accept(3, T0 + 5 * ms)        # contact bounce
    assert not d.accept(3, T0 + 200 * ms)      # still within 300 ms of the previous bounce
    assert d.accept(2, T0 + 210 * ms)          # a different key is a new press
    assert d.accept(3, T0 + 600 * ms)          # a later, deliberate press
    assert d.accept(3, T0 + 600 * ms, source=9)  # another pad on the bus is independent


def test_keypress_requires_aware_time():
    with pytest.raises(ValueError):
        KeyPress(3, datetime(2026, 1, 1))


class FakeClock:
    """Deterministic press times: the test moves it forward."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_serial_keypad_end_to_end(pty_pair, wait_until):
    presses: queue.Queue[KeyPress] = queue.Queue()
    clock = FakeClock()
    cfg = {"id": "danh-gia-3", "port": pty_pair.host, "address": 5, "levels": 3,
           "debounce_ms": 300}
    with SerialKeypad(cfg, presses.put, clock=clock) as keypad, \
            KeypadSimulator(pty_pair.device, address=5, with_checksum=True) as pad:
        assert wait_until(lambda: keypad.online)
        pad.press(3, repeats=4)                         # bouncing contact: one press
        first = presses.get(timeout=2)
        assert (first.level, first.key, first.keypad, first.pressed_at) == (3, 3, "danh-gia-3", T0)
        assert first.pressed_at.tzinfo is not None
        clock.now = T0 + timedelta(milliseconds=100)
        pad.press(1)                                    # other key inside the window: counts
        assert presses.get(timeout=2).level == 1
        pad.send_raw(b"\x00\xffR05:9\r\nR06:2\r\nR05:2*00\r\n")   # bad key, other pad, bad chk
        clock.now = T0 + timedelta(seconds=5)
        pad.press(2)
        assert presses.get(timeout=2).level == 2
        assert presses.empty()
        assert keypad.ignored_keys == 1 and keypad.parser.rejected == 1


def test_five_level_pad_with_custom_map(pty_pair, wait_until):
    got: list[KeyPress] = []
    cfg = {"port": pty_pair.host, "levels": 5, "key_map": {"1": 5, "2": 4, "3": 3, "4": 2, "5": 1},
           "debounce_ms": 0}
    with SerialKeypad(cfg, got.append) as keypad, KeypadSimulator(pty_pair.device, 1) as pad:
        assert wait_until(lambda: keypad.online)
        for key in (1, 5, 4):
            pad.press(key)
        assert wait_until(lambda: len(got) == 3)
        assert [p.level for p in got] == [5, 1, 2]


def test_callback_errors_do_not_kill_the_reader(pty_pair, wait_until):
    got: list[int] = []

    def on_press(press: KeyPress) -> None:
        got.append(press.level)
        if len(got) == 1:
            raise RuntimeError("server hiccup")
    with SerialKeypad({"port": pty_pair.host, "debounce_ms": 0}, on_press) as keypad, \
            KeypadSimulator(pty_pair.device) as pad:
        assert wait_until(lambda: keypad.online)
        pad.press(1)
        assert wait_until(lambda: got == [1])
        pad.press(2)
        assert wait_until(lambda: got == [1, 2])


@pytest.mark.parametrize("bad", [{"levels": 4}, {"debounce_ms": -1}, {"key_map": {"x": 1}},
                                 {"address": 100}, {"beep": True}])
def test_bad_keypad_configuration(bad):
    with pytest.raises(DeviceConfigError):
        SerialKeypad({"port": "loop://", **bad}, print)
