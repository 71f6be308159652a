"""modbus-digits LED displays over a real socat pty pair: CRC, exact requests, simulator."""

from __future__ import annotations

import threading

import minimalmodbus
import pytest

from hardware.serial import (
    BusSimulator,
    DeviceConfigError,
    DeviceOffline,
    DeviceReplyError,
    DisplayTextError,
    create_display,
    create_display_simulator,
)
from hardware.serial import modbus_rtu as rtu


def config(port: str, slave: int, **extra) -> dict:
    return {"id": f"so-{slave}", "protocol": "modbus-digits", "port": port, "address": slave,
            "timeout": 0.2, **extra}


@pytest.fixture
def displays():
    made = []

    def make(cfg):
        made.append(create_display(cfg))
        return made[-1]
    yield make
    for d in made:
        d.close()


def test_crc16_matches_known_frame_and_minimalmodbus():
    assert rtu.write_single_register(5, 0, 123) == bytes.fromhex("05 06 00 00 00 7b c8 6d")
    for payload in (b"\x01\x10\x00\x00\x00\x02\x04\x00\x41\x00\x19", b"\xff" * 40, b"\x00"):
        assert rtu.crc16(payload).to_bytes(2, "little") == minimalmodbus._calculate_crc(payload)
    assert rtu.crc_ok(rtu.with_crc(b"\x07\x03\x00\x01\x00\x02"))
    assert not rtu.crc_ok(b"\x07\x03\x00\x01\x00\x02\x00\x00")


def test_show_sends_exact_requests_and_checks_the_reply(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 1, counter_register=2))
    fc16 = bytes.fromhex("01 10 00 00 00 02 04 00 41 00 19 62 71")   # documented example
    fc06 = rtu.write_single_register(1, 2, 3)

    def board():
        assert read_frame(device_end, len(fc16)) == fc16
        device_end.write(rtu.with_crc(fc16[:6]))
        assert read_frame(device_end, len(fc06)) == fc06
        device_end.write(fc06)
    t = threading.Thread(target=board)
    t.start()
    display.show(3, "A025")
    t.join(2)
    assert not t.is_alive() and display.online is True


def test_simulator_decodes_and_shows_letter_number(pty_pair, displays):
    cfg = config(pty_pair.host, 1, counter_register=2)
    sim = create_display_simulator(cfg)
    with BusSimulator(pty_pair.device, [sim]) as bus:
        assert bus.connected.wait(2)
        display = displays(cfg)
        display.show(3, "A025")
        assert (sim.text, sim.counter, sim.registers[0], sim.registers[1]) == ("A025", 3, 0x41, 25)
        assert [r.function for r in sim.requests] == [0x10, 0x06]
        display.clear()
        assert sim.text == "" and sim.history == ["A025", ""]


@pytest.mark.parametrize("layout, extra, ticket, registers, shown", [
    ("number", {"register": 0x10, "digits": 4}, "B0042", {0x10: 42}, "0042"),
    ("ascii", {"digits": 4}, "c7", {0: 0x4337, 1: 0x2020}, "C7"),
])
def test_other_layouts(pty_pair, displays, layout, extra, ticket, registers, shown):
    cfg = config(pty_pair.host, 9, layout=layout, **extra)
    sim = create_display_simulator(cfg)
    with BusSimulator(pty_pair.device, [sim]) as bus:
        assert bus.connected.wait(2)
        displays(cfg).show(1, ticket)
        assert {k: sim.registers[k] for k in registers} == registers
        assert sim.text == shown


def test_two_slaves_on_one_bus_each_show_their_own(pty_pair, displays):
    cfgs = [config(pty_pair.host, s) for s in (1, 2)]
    sims = [create_display_simulator(c) for c in cfgs]
    with BusSimulator(pty_pair.device, sims) as bus:
        assert bus.connected.wait(2)
        d1, d2 = (displays(c) for c in cfgs)
        d1.show(1, "A001")
        d2.show(2, "B002")
        assert [s.history for s in sims] == [["A001"], ["B002"]]


def test_real_modbus_master_talks_to_the_simulator(pty_pair):
    """minimalmodbus (an independent implementation) writes and reads the simulated board."""
    sim = create_display_simulator(config(pty_pair.host, 4))
    with BusSimulator(pty_pair.device, [sim]) as bus:
        assert bus.connected.wait(2)
        inst = minimalmodbus.Instrument(pty_pair.host, 4)
        inst.close_port_after_each_call = True
        inst.serial.timeout = 0.5
        try:
            inst.write_registers(0, [ord("D"), 7])
            assert sim.text == "D007"
            inst.write_register(1, 8, functioncode=6)
            assert inst.read_registers(0, 2) == [ord("D"), 8]
        finally:
            inst.serial.close()


def test_noise_and_bad_crc_are_skipped_by_the_slave_parser():
    sim = create_display_simulator(config("loop://", 1))
    good = rtu.write_multiple_registers(1, 0, [0x41, 5])
    corrupt = bytearray(good)
    corrupt[8] ^= 0xFF
    stream = b"\x00\xff\x01\x10\x00" + bytes(corrupt) + b"\x01\x10\x00\x00\x7f\xff\xfe" + good
    replies = b"".join(sim.feed(stream[i:i + 2]) for i in range(0, len(stream), 2))
    assert sim.history == ["A005"]
    assert replies == rtu.with_crc(good[:6])
    assert sim.frames_rejected > 0
    sim.feed(b"\x01\x10\x00\x00")   # half a frame, then the line goes quiet
    sim.idle()
    assert sim.feed(good) and sim.history == ["A005", "A005"]


def test_exception_reply_is_reported_not_retried(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 3, layout="number"))
    request = rtu.write_single_register(3, 0, 12)

    def board():
        assert read_frame(device_end, len(request)) == request
        device_end.write(rtu.with_crc(b"\x03\x86\x02"))
    t = threading.Thread(target=board)
    t.start()
    with pytest.raises(DeviceReplyError, match="địa chỉ thanh ghi sai"):
        display.show(1, "A012")
    t.join(2)


def test_garbled_reply_then_silence(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 3, layout="number", retries=0))
    request = rtu.write_single_register(3, 0, 12)

    def board():
        read_frame(device_end, len(request))
        device_end.write(request[:-1] + b"\x00")   # echo with broken CRC
    t = threading.Thread(target=board)
    t.start()
    with pytest.raises(DeviceReplyError, match="hỏng"):
        display.show(1, "A012")
    t.join(2)
    with pytest.raises(DeviceOffline, match="không phản hồi"):
        display.show(1, "A012")


@pytest.mark.parametrize("ticket", ["AB12", "A10000", "12-34"])
def test_tickets_the_digits_cannot_show(ticket):
    display = create_display(config("loop://", 1))
    try:
        with pytest.raises(DisplayTextError):
            display.show(1, ticket)
    finally:
        display.close()


@pytest.mark.parametrize("bad", [{"address": 0}, {"address": 248}, {"layout": "matrix"},
                                 {"digits": 5}])
def test_bad_modbus_configuration(bad):
    with pytest.raises(DeviceConfigError):
        create_display({**config("loop://", 1), **bad})
