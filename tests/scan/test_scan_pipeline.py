"""End-to-end pipeline functions the kiosk, console and CLI call, including bad input."""

import cv2
import numpy as np
import pikepdf
import pytest

from hardware.scan.geometry import jaccard
from hardware.scan.imageio import ImageLoadError, decode_image, load_image
from hardware.scan.pipeline import PageNotFoundError, detect_file, process_files, process_image
from hardware.scan.synth import NO_PAGE, make_scene


def test_process_image_gives_clean_a4_page():
    scene = make_scene("cluttered", 71)
    page = process_image(scene.image, mode="grey", dpi=200)
    assert page.image.ndim == 2 and sorted(page.image.shape) == [1654, 2339]
    assert page.size.paper == "a4" and page.quality is not None and page.quality.ok
    assert jaccard(page.corners, scene.corners, scene.image.shape[:2]) > 0.9
    # Clean background: most of the page is pure white after enhancement.
    assert (page.image >= 250).mean() > 0.8


def test_manual_corners_override_detection():
    scene = make_scene(NO_PAGE, 72)
    h, w = scene.image.shape[:2]
    corners = [[w * 0.6, h * 0.1], [w * 0.2, h * 0.1], [w * 0.2, h * 0.9], [w * 0.6, h * 0.9]]
    page = process_image(scene.image, mode="colour", dpi=100, corners=corners)
    assert page.image.ndim == 3
    np.testing.assert_allclose(page.corners[0], [w * 0.2, h * 0.1])


def test_no_page_raises_with_vietnamese_message():
    with pytest.raises(PageNotFoundError) as exc:
        process_image(make_scene(NO_PAGE, 73).image)
    assert "trang giấy" in exc.value.message_vi


def test_detect_file_contract(tmp_path):
    scene = make_scene("occluded", 74)
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), scene.image)
    out = detect_file(path)
    assert jaccard(np.array(out["corners"]), scene.corners, scene.image.shape[:2]) > 0.9
    empty = tmp_path / "desk.jpg"
    cv2.imwrite(str(empty), make_scene(NO_PAGE, 74).image)
    assert detect_file(empty) == {"corners": None}


def test_process_files_three_pages_to_one_pdf(tmp_path):
    paths = []
    for i, cat in enumerate(("plain", "textured", "uneven_light")):
        p = tmp_path / f"p{i}.jpg"
        cv2.imwrite(str(p), make_scene(cat, 75 + i).image)
        paths.append(p)
    before = [p.read_bytes() for p in paths]
    result, pages = process_files(paths, tmp_path / "out" / "hoso.pdf", mode="grey")
    assert result.pages == 3 and len(pages) == 3
    assert len(pikepdf.open(tmp_path / "out" / "hoso.pdf").pages) == 3
    assert [p.read_bytes() for p in paths] == before  # originals untouched


@pytest.mark.parametrize("payload,needle", [
    (b"", "empty"),
    (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not a readable image"),
    (b"hello, this is text", "not a readable image"),
])
def test_bad_files_give_clear_errors_and_stay_untouched(tmp_path, payload, needle):
    p = tmp_path / "upload.bin"
    p.write_bytes(payload)
    with pytest.raises(ImageLoadError) as exc:
        load_image(p)
    assert needle in str(exc.value) and exc.value.message_vi
    assert p.read_bytes() == payload
    with pytest.raises(ImageLoadError):
        detect_file(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageLoadError, match="no such file"):
        load_image(tmp_path / "nothing.jpg")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def test_huge_image_is_decoded_reduced_not_rejected():
    # 100 megapixels of mostly-uniform JPEG is small on disk but must not be decoded at full size.
    big = np.full((10000, 10000, 3), 200, np.uint8)
    ok, data = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 50])
    del big
    img = decode_image(data.tobytes(), max_pixels=40_000_000)
    assert img.shape[0] * img.shape[1] <= 40_000_000
    assert img.shape[:2] == (5000, 5000)


def test_bad_arguments():
    scene = make_scene("plain", 79)
    with pytest.raises(ValueError, match="mode"):
        process_image(scene.image, mode="sepia")
    with pytest.raises(ValueError):
        process_image(np.zeros((0, 0, 3), np.uint8))
    with pytest.raises(ValueError):
        process_files([], "x.pdf")


def test_decompression_bomb_header_is_refused_without_decoding():
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)  # 900 MP RGB claimed
    chunk = b"IHDR" + ihdr
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    iend = b"IEND"
    for c in (idat, iend):
        png += struct.pack(">I", len(c) - 4) + c + struct.pack(">I", zlib.crc32(c))
    with pytest.raises(ImageLoadError, match="too large") as exc:
        decode_image(png)
    assert "quá lớn" in exc.value.message_vi
