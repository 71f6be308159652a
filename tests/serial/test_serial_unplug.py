"""Cable unplugged and plugged back: socat stopped (ptys vanish) and restarted on the same names."""

from __future__ import annotations

import pytest

from hardware.serial import (
    BusSimulator,
    DeviceOffline,
    KeypadSimulator,
    SerialKeypad,
    create_display,
    create_display_simulator,
)
from hardware.serial.protocols.ascii_stx import build_frame


def test_missing_port_is_device_offline_not_a_crash(tmp_path):
    display = create_display({"id": "quay-1", "protocol": "ascii-stx",
                              "port": str(tmp_path / "ttyUSB9"), "address": 1})
    try:
        with pytest.raises(DeviceOffline) as info:
            display.show(1, "A001")
        assert info.value.device == "quay-1"
        assert "không mở được cổng" in str(info.value)
        assert display.online is False and display.last_error
    finally:
        display.close()
    with pytest.raises(DeviceOffline, match="đã đóng"):
        display.show(1, "A001")


@pytest.mark.parametrize("protocol", ["ascii-stx", "modbus-digits"])
def test_display_goes_offline_and_recovers(pty_pair, protocol, wait_until):
    cfg = {"id": "quay-2", "protocol": protocol, "port": pty_pair.host, "address": 2,
           "timeout": 0.2}
    sim = create_display_simulator(cfg)
    display = create_display(cfg)
    try:
        with BusSimulator(pty_pair.device, [sim], reopen_s=0.02) as bus:
            assert bus.connected.wait(2)
            display.show(2, "A001")
            assert wait_until(lambda: sim.text == "A001")

            pty_pair.stop()                                 # unplug
            for _ in range(2):                              # stays offline, never crashes
                with pytest.raises(DeviceOffline, match="quay-2"):
                    display.show(2, "A002")
            assert display.online is False

            pty_pair.start()                                # plug back in (same device names)
            assert bus.connected.wait(2)
            display.show(2, "A003")
            assert wait_until(lambda: sim.text == "A003")
            assert display.online is True
            assert "A002" not in sim.history
    finally:
        display.close()


def test_write_after_unplug_reports_offline_then_exact_frame_after_replug(pty_pair, read_frame):
    import serial

    display = create_display({"id": "quay-5", "protocol": "ascii-stx", "port": pty_pair.host,
                              "address": 5})
    try:
        display.show(5, "A001")                     # port opened, then the cable goes
        pty_pair.stop()
        with pytest.raises(DeviceOffline, match="lỗi vào/ra|không mở được"):
            display.show(5, "A002")
        pty_pair.start()
        device = serial.serial_for_url(pty_pair.device, timeout=0.5)
        try:
            display.show(5, "A003")
            frame = build_frame(5, "D", "A003")
            assert read_frame(device, len(frame)) == frame
        finally:
            device.close()
    finally:
        display.close()


def test_keypad_reports_offline_and_reads_again_after_replug(pty_pair, wait_until):
    statuses: list[bool] = []
    levels: list[int] = []
    keypad = SerialKeypad({"id": "pad", "port": pty_pair.host, "debounce_ms": 0}, lambda p: levels.append(p.level),
                          on_status=lambda online, reason: statuses.append(online), max_backoff=0.05)
    with keypad:
        assert wait_until(lambda: keypad.online)
        with KeypadSimulator(pty_pair.device) as pad:
            pad.press(3)
            assert wait_until(lambda: levels == [3])
        pty_pair.stop()
        assert wait_until(lambda: keypad.online is False)
        assert "mất kết nối" not in (keypad.last_error or "")   # reason only, device named apart
        pty_pair.start()
        assert wait_until(lambda: keypad.online is True, timeout=3)
        with KeypadSimulator(pty_pair.device) as pad:
            pad.press(1)
            assert wait_until(lambda: levels == [3, 1])
    assert statuses == [True, False, True]


@pytest.mark.parametrize("url", ["loop://?bogus", "socket://127.0.0.1:1", "nosuch://x"])
def test_unusable_port_urls_are_offline_not_crashes(url):
    display = create_display({"id": "quay-9", "protocol": "ascii-stx", "port": url, "address": 9})
    try:
        with pytest.raises(DeviceOffline, match="quay-9"):
            display.show(9, "A001")
    finally:
        display.close()


def test_rs485_mode_on_a_port_without_it_is_a_clear_offline(pty_pair):
    display = create_display({"id": "quay-8", "protocol": "ascii-stx", "port": pty_pair.host,
                              "address": 8, "rs485": True})
    try:
        with pytest.raises(DeviceOffline, match="quay-8.*(RS485|rs485)"):
            display.show(8, "A001")
    finally:
        display.close()
