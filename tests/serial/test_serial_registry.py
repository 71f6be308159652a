"""Protocol registry, example configuration, shared-bus rules, in-process simulated hardware."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import hardware.serial
from hardware.serial import (
    DeviceConfigError,
    DisplaySimulator,
    KeyPress,
    LedDisplay,
    SerialKeypad,
    create_display,
    create_display_simulator,
    display_protocols,
    register_display,
)
from hardware.serial.simhub import SimulatedHardware

EXAMPLE = Path(hardware.serial.__file__).with_name("devices.example.toml")


def test_builtin_protocols_are_discovered_from_their_modules():
    protocols = display_protocols()
    assert {"ascii-stx", "modbus-digits"} <= set(protocols)
    for name, cls in protocols.items():
        assert cls.protocol == name
        assert issubclass(cls.simulator_class, DisplaySimulator)


def test_a_new_protocol_is_one_class():
    class EchoSimulator(DisplaySimulator):
        def feed(self, data: bytes) -> bytes:
            self._shown(data.decode())
            return b""

    @register_display("test-echo")
    class EchoDisplay(LedDisplay):
        simulator_class = EchoSimulator

        def _configure(self, config):
            pass

        def _show(self, counter_number, ticket_number):
            self.port.write(f"{ticket_number}@{counter_number}".encode())

        def _clear(self):
            self.port.write(b"-")

    cfg = {"protocol": "test-echo", "port": "loop://", "address": 1}
    display = create_display(cfg)
    try:
        assert isinstance(display, EchoDisplay)
        assert isinstance(create_display_simulator(cfg), EchoSimulator)
        display.show(2, "A007")
        assert display.port.read_some() == b"A007@2"   # loop:// echoes what was written
    finally:
        display.close()
    with pytest.raises(DeviceConfigError, match="đã được đăng ký"):
        register_display("test-echo")(type("Other", (EchoDisplay,), {}))


def test_unknown_protocol_names_the_choices():
    with pytest.raises(DeviceConfigError, match="ascii-stx.*modbus-digits"):
        create_display({"protocol": "vendor-x", "port": "loop://"})
    with pytest.raises(DeviceConfigError):
        create_display(["not", "a", "table"])  # type: ignore[arg-type]


def test_devices_on_one_bus_must_agree_on_line_settings():
    first = create_display({"protocol": "ascii-stx", "port": "loop://", "address": 1})
    try:
        with pytest.raises(DeviceConfigError, match="baudrate"):
            create_display({"protocol": "ascii-stx", "port": "loop://", "address": 2,
                            "baudrate": 19200})
    finally:
        first.close()


def test_example_configuration_is_valid():
    config = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    displays = [create_display(entry) for entry in config["display"]]
    try:
        assert [d.name for d in displays] == ["quay-3-led", "quay-4-led", "quay-5-so"]
        assert displays[0].port is displays[1].port   # one RS-485 adapter
        assert displays[0].frame_for("3", "A025") == b"\x0203DA025>3\x03" + b"%02X" % (
            0x30 ^ 0x33 ^ 0x44 ^ 0x41 ^ 0x30 ^ 0x32 ^ 0x35 ^ 0x3E ^ 0x33 ^ 0x03)
    finally:
        for d in displays:
            d.close()
    keypad = SerialKeypad(config["keypad"][0], print)
    assert keypad.key_map == {1: 3, 2: 2, 3: 1}


def test_simulated_hardware_in_process(wait_until):
    config = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    got: list[KeyPress] = []
    with SimulatedHardware(config["display"], config["keypad"]) as hub:
        assert len({c["port"] for c in hub.display_configs}) == 2   # two buses, as configured
        displays = [create_display(c) for c in hub.display_configs]
        try:
            displays[0].show(3, "A025")
            displays[1].show(4, "B002")
            displays[2].show(5, "C103")
        finally:
            for d in displays:
                d.close()
        shown = {name: d["text"] for name, d in hub.snapshot()["displays"].items()}
        assert shown == {"quay-3-led": "A025>3", "quay-4-led": "B002>4", "quay-5-so": "C103"}
        with SerialKeypad(hub.keypad_configs[0], got.append) as keypad:
            assert wait_until(lambda: keypad.online)
            hub.press("quay-3-danh-gia", 1, repeats=3)
            assert wait_until(lambda: len(got) == 1)
            assert got[0].level == 3   # left key = rất hài lòng in the example map
