"""ESC/POS bytes: built with python-escpos, decoded back, compared pixel for pixel; file:// and dummy://."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from hardware.printer import (
    PROFILE_58MM,
    PROFILE_80MM,
    EscposDecodeError,
    PrinterProfile,
    decode_receipts,
    extract_images,
    iter_commands,
    print_ticket,
    render_ticket,
    sample_ticket,
    ticket_to_escpos,
)


def same_pixels(a: Image.Image, b: Image.Image) -> bool:
    a = a.crop((0, 0, b.width, b.height)) if a.width > b.width else a
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


@pytest.mark.parametrize(
    "profile", [PROFILE_80MM, PROFILE_58MM, PrinterProfile(impl="graphics"), PrinterProfile(width_px=300)]
)
def test_round_trip_is_pixel_identical(ticket, profile):
    job = ticket_to_escpos(ticket, profile)
    names = [c.name for c in iter_commands(job)]
    assert names[0] == "init" and names[-1] == "cut"
    assert ("raster" if profile.impl == "bitImageRaster" else "graphics") in names
    (decoded,) = decode_receipts(job)
    assert same_pixels(decoded, render_ticket(ticket, profile.width_px))


def test_gs_v_0_header_carries_the_width_and_height(ticket):
    job = ticket_to_escpos(ticket, PROFILE_58MM)
    img = render_ticket(ticket, 384)
    raster = next(c for c in iter_commands(job) if c.name == "raster").data
    assert raster[:4] == b"\x1dv0\x00"
    assert raster[4] + 256 * raster[5] == 384 // 8
    assert raster[6] + 256 * raster[7] == img.height


def test_tall_ticket_is_sent_in_fragments_and_reassembled(ticket):
    tall = sample_ticket(
        issued_at=ticket.issued_at,
        service_name="Thủ tục đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất "
        * 6,
        footer_lines=("Xin cảm ơn quý công dân!", "Giờ làm việc: 7h30 – 17h00", "Hotline: 1900 1234") * 4,
    )
    img = render_ticket(tall, 576)
    assert img.height > 960
    job = ticket_to_escpos(tall, PROFILE_80MM)
    assert len(extract_images(job)) == -(-img.height // 960)
    (decoded,) = decode_receipts(job)
    assert same_pixels(decoded, img)


def test_job_size_stays_small_for_the_usual_ticket(ticket):
    assert len(ticket_to_escpos(ticket, PROFILE_80MM)) <= 60 * 1024
    assert len(ticket_to_escpos(ticket, PROFILE_58MM)) <= 40 * 1024


def test_decoder_skips_status_bytes_inside_raster_data_and_rejects_truncation():
    data = bytes([0x10, 0x04, 0x01, 0xFF])  # a DLE EOT pattern inside one 32x1 raster row
    job = b"\x1b@" + b"\x1dv0\x00" + bytes([4, 0, 1, 0]) + data + b"\x1dV\x00"
    assert [c.name for c in iter_commands(job)] == ["init", "raster", "cut"]
    (img,) = extract_images(job)
    assert img.size == (32, 1)
    assert [img.getpixel((x, 0)) for x in (0, 3, 11, 13, 15, 23, 24)] == [255, 0, 255, 0, 255, 0, 0]
    with pytest.raises(EscposDecodeError, match="truncated"):
        list(iter_commands(job[:-6]))


def test_file_printer_appends_every_job(ticket, tmp_path):
    out = tmp_path / "kiosk1.bin"
    out.write_bytes(b"\x1b@")  # earlier content must survive
    second = sample_ticket(number="B107", issued_at=ticket.issued_at, tracking_url=None)
    r1 = print_ticket(f"file://{out}", ticket, PROFILE_58MM)
    r2 = print_ticket(f"file://{out}", second, PROFILE_58MM)
    assert r1.ok and r2.ok and r1.code == "printed"
    assert r1.status is None or not r1.status.known  # a file cannot report paper status
    data = out.read_bytes()
    assert data == b"\x1b@" + r1.job + r2.job
    assert r1.bytes_sent == len(r1.job)
    first_img, second_img = decode_receipts(data)
    assert same_pixels(first_img, render_ticket(ticket, 384))
    assert same_pixels(second_img, render_ticket(second, 384))


def test_file_printer_in_missing_folder_fails_without_raising(ticket, tmp_path):
    result = print_ticket(f"file://{tmp_path}/no/such/dir/p.bin", ticket)
    assert not result.ok and result.code == "unreachable"
    assert "chụp màn hình" in result.message
    assert result.job  # the job is kept for a retry


def test_dummy_printer_returns_the_job(ticket):
    result = print_ticket("dummy://", ticket, PROFILE_80MM)
    assert result.ok
    assert same_pixels(decode_receipts(result.job)[0], render_ticket(ticket, 576))


def test_render_failure_is_reported_not_raised(ticket):
    huge_url = "https://motcua.example.vn/t/" + "x" * 2500
    result = print_ticket(
        "dummy://", sample_ticket(issued_at=ticket.issued_at, tracking_url=huge_url), PROFILE_58MM
    )
    assert not result.ok and result.code == "render"
    assert "too long for a QR code" in result.detail
