"""Perspective correction sizes, and the colour / grey / black-and-white clean-up."""

import cv2
import numpy as np
import pytest

from hardware.scan.enhance import enhance, normalise_mode
from hardware.scan.synth import make_scene, render_document
from hardware.scan.warp import choose_page_size, warp_page


@pytest.mark.parametrize("dpi,expected", [(200, (1654, 2339)), (300, (2480, 3508))])
def test_a4_page_warps_to_exact_a4_pixels(dpi, expected):
    scene = make_scene("plain", 21)
    flat, size = warp_page(scene.image, scene.corners, dpi=dpi)
    assert size.paper == "a4"
    w, h = expected
    # Orientation follows the page as seen; either way the pixel size is A4 at this DPI.
    assert sorted(flat.shape[:2]) == sorted((h, w))
    assert flat.shape[2] == 3


def test_warped_page_has_paper_at_every_edge_and_ink_inside():
    scene = make_scene("plain", 22)
    flat, _ = warp_page(scene.image, scene.corners, dpi=100)
    grey = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    desk = np.median(cv2.cvtColor(scene.image, cv2.COLOR_BGR2GRAY)[:20])
    m = max(3, min(h, w) // 70)
    for strip in (grey[:m], grey[-m:], grey[:, :m], grey[:, -m:]):
        # A misplaced warp would pull in the desk along at least one edge.
        assert np.median(strip) > desk + 40
    assert grey[h // 4: 3 * h // 4, w // 4: 3 * w // 4].std() > 15


def test_non_a4_ratio_keeps_measured_aspect():
    quad = np.array([[0, 0], [400, 0], [400, 400], [0, 400]], float)  # square card
    size = choose_page_size(quad, None, dpi=200)
    assert size.paper == "custom"
    w, h = size.pixels
    assert abs(w / h - 1.0) < 0.01 and max(w, h) == 2339


def test_landscape_page_stays_landscape():
    quad = np.array([[0, 0], [1414, 0], [1414, 1000], [0, 1000]], float)
    w, h = choose_page_size(quad, None, 200).pixels
    assert (w, h) == (2339, 1654)


def test_bad_dpi_and_paper_raise():
    quad = np.array([[0, 0], [100, 0], [100, 141], [0, 141]], float)
    with pytest.raises(ValueError, match="dpi"):
        choose_page_size(quad, None, dpi=5)
    with pytest.raises(ValueError, match="paper"):
        choose_page_size(quad, None, paper="b5")


def _shadowed_document():
    doc = render_document(3, width=900)
    h, w = doc.shape[:2]
    ramp = np.linspace(0.35, 1.0, w, dtype=np.float32)[None, :, None]  # dark on the left
    return doc, np.clip(doc.astype(np.float32) * ramp, 0, 255).astype(np.uint8)


def test_bw_keeps_text_and_removes_shadow():
    doc, shaded = _shadowed_document()
    out = enhance(shaded, "bw")
    assert out.ndim == 2 and set(np.unique(out)) <= {0, 255}
    grey = cv2.cvtColor(doc, cv2.COLOR_BGR2GRAY)
    text = grey < 100  # black ink in the clean original
    paper = cv2.erode((grey > 235).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    w = out.shape[1]
    for half in (slice(0, w // 2), slice(w // 2, w)):  # shaded and lit halves alike
        assert (out[:, half][paper[:, half]] == 255).mean() > 0.99
    assert (out[text] == 0).mean() > 0.8
    # The plain threshold would have failed: the shaded paper is darker than lit ink.
    assert np.median(cv2.cvtColor(shaded, cv2.COLOR_BGR2GRAY)[:, :40][paper[:, :40]]) < 110


def test_grey_mode_flattens_shadow():
    _, shaded = _shadowed_document()
    out = enhance(shaded, "grey")
    assert out.ndim == 2
    left, right = np.median(out[:, :80]), np.median(out[:, -80:])
    assert left > 240 and right > 240


def _seal_pixels(doc):
    b, g, r = [doc[..., i].astype(int) for i in range(3)]
    return (r > 150) & (g < 90) & (b < 90)


def test_red_seal_stays_red_in_colour_and_visible_in_grey():
    doc, shaded = _shadowed_document()
    seal = _seal_pixels(doc)
    assert seal.sum() > 500
    col = enhance(shaded, "colour").astype(int)
    b, g, r = col[..., 0][seal], col[..., 1][seal], col[..., 2][seal]
    assert np.median(r - np.maximum(g, b)) > 80, "seal lost its red"
    grey = enhance(shaded, "grey")
    assert np.median(grey[seal]) < 200, "seal washed out in grey"


def test_mode_names_and_errors():
    assert normalise_mode("Gray") == "grey" and normalise_mode("color") == "colour"
    with pytest.raises(ValueError, match="mode"):
        enhance(np.zeros((10, 10, 3), np.uint8), "sepia")
    with pytest.raises(ValueError):
        enhance(np.zeros((0, 0), np.uint8), "grey")
