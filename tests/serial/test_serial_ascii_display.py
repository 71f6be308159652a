"""ascii-stx LED displays over a real socat pty pair: exact frames, checksums, addressing."""

from __future__ import annotations

import threading

import pytest

from hardware.serial import (
    BusSimulator,
    DeviceConfigError,
    DeviceOffline,
    DeviceReplyError,
    DisplayTextError,
    create_display,
    create_display_simulator,
    led_text,
)
from hardware.serial.protocols.ascii_stx import build_frame


def xor_hex(body: bytes) -> bytes:
    """Independent checksum: XOR of the bytes, two upper-case hex digits."""
    acc = 0
    for byte in body:
        acc ^= byte
    return f"{acc:02X}".encode()


def config(port: str, address: int, **extra) -> dict:
    return {"id": f"quay-{address}", "protocol": "ascii-stx", "port": port, "address": address,
            **extra}


@pytest.fixture
def displays():
    made = []

    def make(cfg):
        made.append(create_display(cfg))
        return made[-1]
    yield make
    for d in made:
        d.close()


def test_frame_layout_is_documented_example():
    assert build_frame(3, "D", "A025") == b"\x0203DA025\x0332"
    assert build_frame(0, "C") == bytes.fromhex("02 30 30 43 03 34 30")


def test_led_text_transliterates_vietnamese_and_refuses_overflow():
    assert led_text("Quầy số 3 – Đăng ký") == "QUAY SO 3 DANG KY"
    assert led_text("a025") == "A025"
    with pytest.raises(DisplayTextError, match="chỉ hiện 4"):
        led_text("A0250", width=4)
    with pytest.raises(DisplayTextError):
        led_text("★★")


def test_show_writes_exact_frame_with_valid_checksum(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 7, format="{ticket}>{counter}"))
    display.show(12, "b031")
    body = b"07DB031>12\x03"
    sent = read_frame(device_end, 1 + len(body) + 2)
    assert sent == b"\x02" + body + xor_hex(body)
    assert sent[-2:] == b"0D"  # worked by hand: 30^37^44^42^30^33^31^3E^31^32^03 = 0D
    display.clear()
    assert read_frame(device_end, 7) == b"\x0207C\x03" + xor_hex(b"07C\x03")
    assert display.online is True


def test_two_displays_on_one_bus_show_only_their_own_number(pty_pair, displays):
    cfg3, cfg4 = config(pty_pair.host, 3, ack=True), config(pty_pair.host, 4, ack=True)
    sim3, sim4 = create_display_simulator(cfg3), create_display_simulator(cfg4)
    with BusSimulator(pty_pair.device, [sim3, sim4]) as bus:
        assert bus.connected.wait(2)
        d3, d4 = displays(cfg3), displays(cfg4)
        assert d3.port is d4.port  # one shared line for the RS-485 bus
        d3.show(3, "A025")   # ack=True: returns only after board 3 acknowledged
        d4.show(4, "C101")
        d3.show(3, "A026")
        assert sim3.history == ["A025", "A026"]
        assert sim4.history == ["C101"]
        d4.clear()
        assert (sim3.text, sim4.text) == ("A026", "")
        assert sim3.frames_rejected == sim4.frames_rejected == 0


def test_broadcast_clear_reaches_every_board(pty_pair, displays, wait_until):
    sims = [create_display_simulator(config(pty_pair.host, a)) for a in (1, 2)]
    with BusSimulator(pty_pair.device, sims) as bus:
        assert bus.connected.wait(2)
        for a in (1, 2):
            displays(config(pty_pair.host, a)).show(a, f"A00{a}")
        assert wait_until(lambda: all(s.text for s in sims))
        displays(config(pty_pair.host, 0)).clear()
        assert wait_until(lambda: all(s.text == "" for s in sims))


def test_noise_and_corrupt_frames_are_ignored_by_the_board(pty_pair):
    sim = create_display_simulator(config(pty_pair.host, 5))
    good = build_frame(5, "D", "A001")
    bad_checksum = good[:-2] + b"00"
    noise = (b"\xff\x00garbage\x03\x02\x02" + b"\x0205DA0"           # frame cut by a new STX
             + bad_checksum + b"\x0205D\x01\x03" + xor_hex(b"05D\x01\x03")  # control char in text
             + build_frame(6, "D", "Z999")                            # other board's frame
             + good)
    for i in range(0, len(noise), 3):                                # arrives in small pieces
        sim.feed(noise[i:i + 3])
    assert sim.history == ["A001"]
    assert sim.frames_rejected >= 3
    assert sim.feed(b"\x02" * 500) == b""                             # no crash, bounded buffer
    assert sim.feed(build_frame(5, "C")) == b"" and sim.text == ""


def test_ack_mode_retries_after_nak_then_reports_refusal(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 9, ack=True, retries=1, timeout=0.2))
    frame = display.frame_for("1", "A001")
    answers = iter([b"\x1509", b"\x0609"])  # NAK first, then ACK

    def board():
        for answer in answers:
            assert read_frame(device_end, len(frame)) == frame
            device_end.write(answer)
    t = threading.Thread(target=board)
    t.start()
    display.show(1, "A001")
    t.join(2)

    def always_nak():
        for _ in range(2):
            read_frame(device_end, len(frame))
            device_end.write(b"noise\x1509")
    t = threading.Thread(target=always_nak)
    t.start()
    with pytest.raises(DeviceReplyError, match="NAK"):
        display.show(1, "A001")
    t.join(2)
    assert display.online is True and "NAK" in display.last_error   # answering, but refusing


def test_ack_mode_silence_is_device_offline(pty_pair, displays):
    display = displays(config(pty_pair.host, 2, ack=True, retries=1, timeout=0.1))
    with pytest.raises(DeviceOffline, match="quay-2.*không phản hồi"):
        display.show(2, "A002")
    assert display.online is False


@pytest.mark.parametrize("bad, message", [
    ({"address": 100}, "0…99"),
    ({"address": "3"}, "số nguyên"),
    ({"width": 0}, "width"),
    ({"format": "{ticket}{room}"}, "format"),
    ({"colour": "red"}, "colour"),
    ({"address": 0, "ack": True}, "quảng bá"),
    ({"port": None}, "port"),
])
def test_bad_configuration_is_a_clear_error(bad, message):
    with pytest.raises(DeviceConfigError, match=message):
        create_display({**config("loop://", 3), **bad})


def test_text_too_wide_is_refused_before_sending(pty_pair, device_end, displays, read_frame):
    display = displays(config(pty_pair.host, 1, width=4))
    with pytest.raises(DisplayTextError):
        display.show(1, "A1234")
    assert read_frame(device_end, 1, timeout=0.2) == b""
