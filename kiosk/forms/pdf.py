"""A filled, printable A4 PDF of a draft, in correct Vietnamese.

fpdf2 embeds a subset of Be Vietnam Pro (PyPI ``fontpkg-be-vietnam-pro``; DejaVu Sans from Debian
``fonts-dejavu-core`` as a fallback) with a ToUnicode map, so every letter prints and the text can
be copied or searched. Empty optional fields print as dotted lines for the citizen or staff to
complete by hand; the reference code is printed so the paper leads back to the stored draft.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from functools import cache
from pathlib import Path

from .model import FormDef
from .validate import parse_date

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


class PdfFontMissing(RuntimeError):
    """No font with Vietnamese letters (or no PDF library) is installed."""


@cache
def font_files() -> tuple[Path, Path]:
    """(regular, bold) TTF files: Be Vietnam Pro first, DejaVu Sans otherwise."""
    spec = importlib.util.find_spec("fontpkg_be_vietnam_pro")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "files"
        regular, bold = folder / "BeVietnamPro-Regular.ttf", folder / "BeVietnamPro-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        return regular, bold
    raise PdfFontMissing("Không tìm thấy phông chữ tiếng Việt: cài gói PyPI 'fontpkg-be-vietnam-pro' "
                         "hoặc gói Debian 'fonts-dejavu-core'.")


def number_in_words(n: int) -> str:
    """Vietnamese reading of 0–9999 as written on civil-status papers ("hai mươi mốt")."""
    if not 0 <= n <= 9999:
        raise ValueError("0–9999 only")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        head = "mười" if tens == 1 else _DIGITS[tens] + " mươi"
        if unit == 0:
            return head
        if unit == 1 and tens > 1:
            return head + " mốt"
        if unit == 5:
            return head + " lăm"
        if unit == 4 and tens > 1:
            return head + " tư"
        return head + " " + _DIGITS[unit]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = _DIGITS[hundreds] + " trăm"
        if rest == 0:
            return head
        return head + (" lẻ " + _DIGITS[rest] if rest < 10 else " " + number_in_words(rest))
    thousands, rest = divmod(n, 1000)
    head = _DIGITS[thousands] + " nghìn"
    if rest == 0:
        return head
    if rest < 100:
        return head + " không trăm " + (("lẻ " + _DIGITS[rest]) if rest < 10 else number_in_words(rest))
    return head + " " + number_in_words(rest)


def date_in_words(value: str) -> str:
    """"05/09/2024" → "Ngày năm, tháng chín, năm hai nghìn không trăm hai mươi tư"."""
    day = parse_date(value)
    if day is None:
        return ""
    month = "tư" if day.month == 4 else number_in_words(day.month)
    return (f"Ngày {number_in_words(day.day)}, tháng {month}, năm {number_in_words(day.year)}")


def render_pdf(form: FormDef, values: dict[str, str], *, reference: str, made_on: dt.date,
               expires: str = "", place: str = "") -> bytes:
    """The form as an A4 PDF (bytes)."""
    try:
        from fpdf import FPDF
        from fpdf.enums import XPos, YPos
    except ImportError:  # pragma: no cover - an install without the PDF library
        raise PdfFontMissing("Chưa cài thư viện tạo PDF: cài gói PyPI 'fpdf2'.") from None

    regular, bold = font_files()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 12, 15)
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("vn", "", str(regular))
    pdf.add_font("vn", "B", str(bold))
    pdf.set_title(form.title)
    pdf.set_creator("MotCua")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, *, size: float = 11, style: str = "", align: str = "L", height: float = 5.3,
             markdown: bool = False):
        pdf.set_font("vn", style, size)
        pdf.multi_cell(width, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                       markdown=markdown)

    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, style="B", align="C")
    line("Độc lập - Tự do - Hạnh phúc", size=12, style="B", align="C")
    x_mid = pdf.l_margin + width / 2
    pdf.line(x_mid - 28, pdf.get_y() + 0.5, x_mid + 28, pdf.get_y() + 0.5)
    pdf.ln(4)
    line(form.title.upper(), size=15, style="B", align="C", height=8)
    pdf.ln(3)
    authority = values.get(form.addressee) or "……………………………………………………………"
    line(f"Kính gửi: {authority}", style="B")
    pdf.ln(1)
    date_words = set(form.extra.get("date_words", ()))
    for step in form.steps:
        shown = [f for f in step.fields if f.name != form.addressee]
        if not shown:
            continue
        pdf.ln(1.5)
        line(step.title.upper(), size=11, style="B")
        for field in shown:
            value = values.get(field.name, "")
            if not value:
                value = "……………………………………"
            elif field.kind == "money":
                value = f"{int(value):,}".replace(",", ".") + " đồng"
            elif field.name in date_words:
                value = f"{value} ({date_in_words(value)})"
            plain = any(marker in value for marker in ("**", "__", "--", "~~"))
            line(f"{field.label}: {value}" if plain else f"{field.label}: **{value}**", markdown=not plain)
    pdf.ln(3)
    line("Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
         "về cam đoan của mình.", size=11)
    pdf.ln(3)
    half = width / 2
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("vn", "", 11)
    where = place or "……………"
    pdf.multi_cell(half, 6, f"Làm tại {where}, ngày {made_on.day:02d} tháng {made_on.month:02d} "
                            f"năm {made_on.year}", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("vn", "B", 11)
    pdf.multi_cell(half, 6, "Người khai", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font("vn", "", 10)
    pdf.multi_cell(half, 5, "(Ký, ghi rõ họ, chữ đệm, tên)", align="C", new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    pdf.ln(14)
    signer = values.get(form.signer, "") if form.signer else ""
    if signer:
        pdf.set_x(pdf.l_margin + half)
        pdf.set_font("vn", "B", 11)
        pdf.multi_cell(half, 6, signer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    note = (f"Chuẩn bị tại kiosk — mã tham chiếu {reference}"
            + (f" — lưu đến {expires}" if expires else "")
            + f". {form.basis}. Cán bộ đối chiếu giấy tờ gốc khi tiếp nhận.")
    line(note, size=8.5, height=4.5)
    return bytes(pdf.output())
