"""PDF assembly: page count, physical size, the 300 KB budget and the optional text layer."""

import shutil

import numpy as np
import pikepdf
import pytest

from hardware.scan.enhance import enhance
from hardware.scan.pdf import PdfError, build_pdf, encode_page, tesseract_available, write_pdf
from hardware.scan.synth import make_scene
from hardware.scan.warp import warp_page


@pytest.fixture(scope="module")
def grey_pages():
    pages = []
    for i in range(3):
        scene = make_scene("uneven_light", 60 + i, size=(1280, 960))
        flat, size = warp_page(scene.image, scene.corners, dpi=200)
        assert size.paper == "a4"
        pages.append(enhance(flat, "grey"))
    return pages


def _open(data):
    import io

    return pikepdf.open(io.BytesIO(data))


def test_three_grey_a4_pages_fit_budget(grey_pages, tmp_path):
    out = tmp_path / "hoso.pdf"
    result = write_pdf(grey_pages, out, dpi=200)
    assert out.read_bytes() == result.data
    assert result.pages == 3 and not result.text_layer
    assert all(b <= 300_000 for b in result.page_bytes), result.page_bytes
    assert len(result.data) <= 3 * 300_000 + 20_000
    pdf = _open(result.data)
    assert len(pdf.pages) == 3
    for page in pdf.pages:
        x0, y0, x1, y1 = [float(v) for v in page.mediabox]
        dims = sorted((x1 - x0, y1 - y0))
        assert dims == pytest.approx([595.3, 842.0], abs=1.5)  # A4 in points


def test_budget_is_enforced_by_lowering_quality():
    noisy = np.random.default_rng(0).integers(0, 255, (2339, 1654), dtype=np.uint8)
    data, kind = encode_page(noisy, max_bytes=300_000)
    assert kind == "jpeg"
    easy, _ = encode_page(np.full((2339, 1654), 250, np.uint8))
    assert len(easy) < 60_000


def test_black_and_white_pages_use_lossless_1bit(grey_pages):
    scene = make_scene("plain", 64, size=(1280, 960))
    flat, _ = warp_page(scene.image, scene.corners, dpi=200)
    bw = enhance(flat, "bw")
    data, kind = encode_page(bw)
    assert kind == "png" and len(data) < 120_000
    assert len(_open(build_pdf([bw]).data).pages) == 1


def test_bad_pages_raise_pdf_error(tmp_path):
    with pytest.raises(PdfError):
        build_pdf([])
    with pytest.raises(PdfError):
        build_pdf([np.zeros((10, 10), np.float32)])
    with pytest.raises(PdfError):
        write_pdf([np.full((50, 50), 255, np.uint8)], tmp_path / "missing" / "x.pdf")


@pytest.mark.skipif(shutil.which("tesseract") is None or not tesseract_available("vie"),
                    reason="tesseract with Vietnamese data (tesseract-ocr-vie) is not installed")
def test_searchable_text_layer_in_vietnamese(grey_pages):
    from hardware.scan.synth import render_document

    page = enhance(render_document(1, width=1654), "grey")
    result = build_pdf([page], dpi=200, text_layer=True)
    assert result.text_layer, result.notes
    pdf = _open(result.data)
    assert len(pdf.pages) == 1
    fonts = pdf.pages[0].Resources.Font
    assert any("GlyphLess" in str(fonts[k].get("/BaseFont")) for k in fonts.keys())
    assert len(result.data) < 400_000


def test_text_layer_request_degrades_gracefully(monkeypatch, grey_pages):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = build_pdf(grey_pages[:1], text_layer=True)
    assert not result.text_layer and result.notes and len(_open(result.data).pages) == 1
