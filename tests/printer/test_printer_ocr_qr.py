"""Read the printed ticket back like a person and a phone would: tesseract (vie) and OpenCV's QR detector.

The image comes from the bytes a file:// printer received, decoded from GS v 0, so this checks the
whole path from TicketPrint to paper.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from support import decode_qr, need, need_tool

from hardware.printer import PROFILE_58MM, PROFILE_80MM, decode_receipts, print_ticket, sample_ticket
from queue_server.domain.tracking_code import new_tracking_code

from .conftest import ISSUED_UTC, TRACKING_URL

SERVICE = "Đăng ký khai sinh, kết hôn và các thủ tục hộ tịch khác"
LONG_SERVICE = (
    "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất "
    "lần đầu cho hộ gia đình, cá nhân đang sử dụng đất ổn định lâu dài"
)


def printed_image(tmp_path: Path, profile, **fields) -> Image.Image:
    out = tmp_path / "printer.bin"
    result = print_ticket(f"file://{out}", sample_ticket(**fields), profile)
    assert result.ok, result.detail
    (img,) = decode_receipts(out.read_bytes())
    return img


def ocr(img: Image.Image, tmp_path: Path) -> str:
    tesseract = need_tool("tesseract")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    need("vie" in langs, "tesseract has no Vietnamese data (Debian package tesseract-ocr-vie)")
    path = tmp_path / "ocr.png"
    # Doubling the size helps tesseract with 58 mm text (about 2.5 mm high).
    img.resize((img.width * 2, img.height * 2), Image.Resampling.NEAREST).save(path)
    text = subprocess.run(
        [tesseract, str(path), "-", "-l", "vie"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    text = unicodedata.normalize("NFC", text).replace("–", "-")
    return " ".join(text.split())


def words_found(phrase: str, text: str) -> float:
    words = [w.strip(",.") for w in phrase.split()]
    seen = set(re.findall(r"\w+", text))
    return sum(w in seen for w in words) / len(words)


@pytest.mark.parametrize("profile", [PROFILE_80MM, PROFILE_58MM], ids=["80mm", "58mm"])
def test_ocr_reads_centre_number_service_and_local_time(tmp_path, profile):
    img = printed_image(
        tmp_path, profile, service_name=SERVICE, issued_at=ISSUED_UTC, tracking_url=TRACKING_URL
    )
    text = ocr(img, tmp_path)
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" in text, text
    assert "PHIẾU SỐ THỨ TỰ" in text, text
    # The letter O and the digit 0 look alike in most sans fonts; accept either for the zero.
    assert re.search(r"\bA[0O]25\b", text), text
    assert words_found(SERVICE, text) >= 0.9, text
    assert "21/11/2026 09:41" in text, text
    assert "trước bạn: 7" in text, text


def test_ocr_reads_the_end_of_a_long_wrapped_service_name(tmp_path):
    img = printed_image(tmp_path, PROFILE_58MM, service_name=LONG_SERVICE, issued_at=ISSUED_UTC)
    text = ocr(img, tmp_path)
    assert words_found(LONG_SERVICE, text) >= 0.9, text
    assert "ổn định lâu dài" in text, text


@pytest.mark.parametrize("profile", [PROFILE_80MM, PROFILE_58MM], ids=["80mm", "58mm"])
def test_qr_decodes_to_the_tracking_url(tmp_path, profile):
    import numpy as np

    # What the server puts on a ticket: a centre's public address and a fresh random code.
    url = f"https://dichvucong.quangtri.gov.vn/mot-cua/t/{new_tracking_code()}"
    img = printed_image(tmp_path, profile, tracking_url=url, issued_at=ISSUED_UTC)
    assert decode_qr(np.array(img.convert("L"))) == url
