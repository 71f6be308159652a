"""The ticket image itself: widths, wrapping without clipping, local time, logo, bad input."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from PIL import Image, ImageDraw

from hardware.printer import WIDTH_58MM, WIDTH_80MM, render_png, render_ticket, sample_ticket
from hardware.printer.fonts import font_family, font_path, get_font
from hardware.printer.layout import _Metrics, _text_block

LONG_SERVICE = (
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan tổ chức có thẩm quyền của Việt Nam cấp "
    "hoặc chứng nhận, kèm theo giấy tờ xác nhận của Ủy ban nhân dân cấp xã về tình trạng hôn nhân"
)


def ink_bbox(img: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of black pixels (mode "1": 0 = black)."""
    box = img.convert("L").point(lambda v: 255 - v).getbbox()
    assert box is not None, "image has no ink at all"
    return box


def black_pixels(img: Image.Image) -> int:
    return img.convert("L").histogram()[0]


@pytest.mark.parametrize("width", [WIDTH_80MM, WIDTH_58MM, 512])
def test_image_is_one_bit_at_exact_width_with_white_margins(ticket, width):
    img = render_ticket(ticket, width)
    assert img.mode == "1"
    assert img.width == width
    margin = _Metrics.for_width(width).margin
    left, top, right, bottom = ink_bbox(img)
    assert left >= margin and right <= width - margin, (left, right)
    assert top > 0 and bottom < img.height


def test_long_service_name_wraps_and_grows_the_ticket_never_clipped(ticket):
    short = render_ticket(ticket, WIDTH_58MM)
    long = render_ticket(sample_ticket(service_name=LONG_SERVICE, issued_at=ticket.issued_at), WIDTH_58MM)
    assert long.height > short.height + 3 * 20  # several more lines of at least 20-dot text
    margin = _Metrics.for_width(WIDTH_58MM).margin
    left, _, right, _ = ink_bbox(long)
    assert left >= margin and right <= WIDTH_58MM - margin
    # Right margin column strip is white top to bottom.
    strip = long.crop((WIDTH_58MM - margin, 0, WIDTH_58MM, long.height))
    assert black_pixels(strip) == 0


def test_word_longer_than_the_line_is_split_not_cut():
    word = "Giấychứngnhậnquyềnsửdụngđấtquyềnsởhữunhàởvàtàisảnkhácgắnliềnvớiđất"
    block = _text_block(word, "semibold", 28, WIDTH_58MM, 12)
    font = get_font("semibold", 28)
    assert font.getlength(word) > WIDTH_58MM  # would be clipped on one line
    # Same ink as the text drawn on a canvas big enough to never clip anything.
    big = Image.new("L", (int(font.getlength(word)) + 100, 100), 255)
    ImageDraw.Draw(big).text((50, 70), word, font=font, fill=0, anchor="ls")
    expected = black_pixels(big.convert("1", dither=Image.Dither.NONE))
    assert abs(black_pixels(block) - expected) <= expected * 0.02
    assert block.height > 2 * 28


def test_stacked_vietnamese_marks_are_not_clipped():
    text = "ẨỖẶ ỀỂỄ Ữ Ỡ"
    block = _text_block(text, "bold", 30, WIDTH_80MM, 12)
    font = get_font("bold", 30)
    big = Image.new("L", (800, 200), 255)
    ImageDraw.Draw(big).text((100, 120), text, font=font, fill=0, anchor="ls")
    assert black_pixels(block) == pytest.approx(
        black_pixels(big.convert("1", dither=Image.Dither.NONE)), rel=0.02
    )


def test_local_time_is_printed_not_utc(ticket):
    assert ticket.issued_text == "21/11/2026 09:41"
    assert sample_ticket(issued_at=ticket.issued_at, timezone="UTC").issued_text == "21/11/2026 02:41"


def test_naive_datetime_and_bad_fields_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        sample_ticket(issued_at=datetime(2026, 11, 21, 9, 41))
    with pytest.raises(ValueError, match="people_ahead"):
        sample_ticket(people_ahead=-1)
    with pytest.raises(ValueError, match="number"):
        sample_ticket(number="  ")
    with pytest.raises(ValueError, match="time zone"):
        sample_ticket(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="width"):
        render_ticket(sample_ticket(), 100)


def test_optional_parts_change_the_image(ticket, tmp_path):
    base = render_ticket(ticket, WIDTH_80MM)
    no_qr = render_ticket(sample_ticket(issued_at=ticket.issued_at, tracking_url=None), WIDTH_80MM)
    assert no_qr.height < base.height - 100
    prio = render_ticket(
        sample_ticket(issued_at=ticket.issued_at, priority_label="ƯU TIÊN: Người cao tuổi"), WIDTH_80MM
    )
    assert prio.height > base.height
    no_wait = render_ticket(
        sample_ticket(issued_at=ticket.issued_at, estimated_wait_minutes=None), WIDTH_80MM
    )
    assert no_wait.height < base.height

    logo_file = tmp_path / "logo.png"
    logo = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((10, 10, 190, 90), fill=(200, 0, 0, 255))
    logo.save(logo_file)
    with_logo = render_ticket(sample_ticket(issued_at=ticket.issued_at, logo_path=str(logo_file)), WIDTH_80MM)
    assert with_logo.height > base.height + 50
    assert black_pixels(with_logo.crop((0, 0, WIDTH_80MM, 60))) > 1000


def test_missing_logo_still_prints_the_ticket(ticket, tmp_path, caplog):
    img = render_ticket(
        sample_ticket(issued_at=ticket.issued_at, logo_path=str(tmp_path / "nope.png")), WIDTH_80MM
    )
    assert img.height == render_ticket(ticket, WIDTH_80MM).height
    assert "logo" in caplog.text


def test_png_preview_matches_the_printed_image(ticket):
    png = render_png(ticket, WIDTH_58MM)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(png))
    assert img.size == render_ticket(ticket, WIDTH_58MM).size
    assert img.convert("1").tobytes() == render_ticket(ticket, WIDTH_58MM).tobytes()


def test_font_is_be_vietnam_pro_from_its_package():
    assert font_family() == "Be Vietnam Pro"
    assert font_path("bold").name == "BeVietnamPro-Bold.ttf"
    assert get_font("bold", 30) is get_font("bold", 30)  # cached


def test_wait_is_written_in_vietnamese_and_kept_on_one_line():
    from hardware.printer.layout import ticket_lines, wrap_text
    from hardware.printer.ticket import format_wait

    assert [format_wait(m) for m in (0, 25, 60, 95)] == ["0 phút", "25 phút", "1 giờ", "1 giờ 35 phút"]
    row = ticket_lines(sample_ticket(estimated_wait_minutes=95))[1]
    lines = wrap_text(row, get_font("regular", 20), 360)
    assert lines[-1] == "1\u00a0giờ\u00a035\u00a0phút"
    assert wrap_text("a  b\tc\nd", get_font("regular", 20), 360) == ["a b c", "d"]
