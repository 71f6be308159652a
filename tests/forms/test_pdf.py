"""The printed A4 PDF: extractable text with correct Vietnamese diacritics."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from support import need_tool

from kiosk.forms import FORMS, clean
from kiosk.forms.pdf import date_in_words, number_in_words, render_pdf
from kiosk.forms.validate import parse_date

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/validation_cases.json")
                  .read_text())
TODAY = parse_date(DATA["today"])


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("code", list(FORMS))
def test_every_form_renders_a4_with_its_values(code):
    form = FORMS[code]
    values = clean(form, DATA["valid"][code], TODAY)
    pdf = render_pdf(form, values, reference="K7M4PX", made_on=dt.date(2026, 11, 21))
    assert pdf.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = " ".join(_text(pdf).split())
    assert form.title.upper() in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "K7M4PX" in text
    for name, value in values.items():
        if value and form.field(name).kind not in ("money", "textarea", "address") and name != form.addressee:
            assert value in text, (name, value)


def test_diacritics_survive_exactly():
    form = FORMS["khai-sinh"]
    values = clean(form, {**DATA["valid"]["khai-sinh"], "child_name": "Nguyễn Thị Ngọc Ánh",
                          "child_birth_place": "Bệnh viện Đa khoa tỉnh Quảng Ngãi"}, TODAY)
    text = " ".join(_text(render_pdf(form, values, reference="ABC234", made_on=TODAY)).split())
    for phrase in ("NGUYỄN THỊ NGỌC ÁNH", "Bệnh viện Đa khoa tỉnh Quảng Ngãi", "Nguyễn Thị Hoa",
                   "Độc lập - Tự do - Hạnh phúc", "Ngày năm, tháng chín, năm hai nghìn không trăm hai mươi sáu"):
        assert phrase in text, phrase


def test_pdftotext_agrees_when_installed(tmp_path):
    tool = need_tool("pdftotext")
    form = FORMS["ket-hon"]
    values = clean(form, DATA["valid"]["ket-hon"], TODAY)
    path = tmp_path / "f.pdf"
    path.write_bytes(render_pdf(form, values, reference="ABC234", made_on=TODAY))
    out = subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Phạm Văn Đức" in unicodedata.normalize("NFC", out)


def test_numbers_and_dates_in_words():
    assert number_in_words(21) == "hai mươi mốt"
    assert number_in_words(15) == "mười lăm"
    assert number_in_words(24) == "hai mươi tư"
    assert number_in_words(2001) == "hai nghìn không trăm lẻ một"
    assert number_in_words(1990) == "một nghìn chín trăm chín mươi"
    assert number_in_words(105) == "một trăm lẻ năm"
    assert date_in_words("21/04/2015") == "Ngày hai mươi mốt, tháng tư, năm hai nghìn không trăm mười lăm"
    assert date_in_words("bad") == ""


def test_a_full_birth_registration_fits_one_a4_page():
    form = FORMS["khai-sinh"]
    values = clean(form, {**DATA["valid"]["khai-sinh"], "father_name": "Trần Văn Nam",
                          "father_birth_year": "1988", "father_residence": "Số 5 Hàng Gai, Hà Nội",
                          "father_ethnicity": "Kinh", "father_nationality": "Việt Nam",
                          "child_hometown": "Xã Quảng Phú, huyện Thọ Xuân, tỉnh Thanh Hóa",
                          "copies_wanted": "Có", "copies_count": "2",
                          "authority": "Ủy ban nhân dân phường Hàng Trống"}, TODAY)
    pdf = render_pdf(form, values, reference="K7M-4PX", made_on=TODAY, expires="00:00 22/11/2026",
                     place="Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = " ".join(_text(pdf).split())
    assert "Kính gửi: Ủy ban nhân dân phường Hàng Trống" in text
    assert "Trần Văn Nam" in text and "mã tham chiếu K7M-4PX" in text


def test_markdown_markers_in_values_are_printed_as_typed():
    form = FORMS["ct01"]
    values = clean(form, {**DATA["valid"]["ct01"], "request": "Đăng ký **tạm trú** tại số 3 -- Phố Huế"}, TODAY)
    text = " ".join(_text(render_pdf(form, values, reference="ABC234", made_on=TODAY)).split())
    assert "Đăng ký **tạm trú** tại số 3 -- Phố Huế" in text
