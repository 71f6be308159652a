"""Quality checks fire on the defect they name, and stay quiet on a good photo."""

import cv2
import numpy as np
import pytest

from hardware.scan.quality import MESSAGES, check_quality
from hardware.scan.synth import NO_PAGE, make_scene


@pytest.fixture(scope="module")
def good():
    return make_scene("plain", 31)


def codes(report):
    return [i.code for i in report.issues]


def test_good_photo_passes(good):
    report = check_quality(good.image)
    assert report.ok, report.metrics
    assert report.issues == []


def test_blur_is_flagged(good):
    blurred = cv2.GaussianBlur(good.image, (0, 0), 3.0)
    report = check_quality(blurred)
    assert "blur" in codes(report), report.metrics
    assert not report.ok


def test_dark_is_flagged(good):
    dark = (good.image.astype(np.float32) * 0.25).astype(np.uint8)
    assert "too_dark" in codes(check_quality(dark))


def test_glare_is_flagged(good):
    img = good.image.copy()
    c = good.corners.mean(axis=0).astype(int)
    spot = np.zeros(img.shape[:2], np.float32)
    cv2.ellipse(spot, tuple(int(v) for v in c), (60, 35), 20, 0, 360, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), 4)[..., None]
    img = np.clip(img * (1 - spot) + 255 * spot, 0, 255).astype(np.uint8)
    report = check_quality(img)
    assert "glare" in codes(report), report.metrics


def test_cut_off_page_is_flagged(good):
    xs = good.corners[:, 0]
    x0 = int(xs.min() + 0.3 * (xs.max() - xs.min()))
    report = check_quality(good.image[:, x0:])
    assert "cut_off" in codes(report) or "no_page" in codes(report)
    assert not report.ok


def test_small_page_is_flagged():
    scene = make_scene("plain", 32, area=(0.06, 0.09))
    report = check_quality(scene.image)
    assert "too_small" in codes(report), report.metrics


def test_no_page_is_flagged():
    report = check_quality(make_scene(NO_PAGE, 33).image)
    assert codes(report) == ["no_page"]


def test_messages_are_vietnamese_sentences():
    for code, msg in MESSAGES.items():
        assert msg.endswith("."), code
        assert any(ch in msg for ch in "ảạấầớờộệ"), code
