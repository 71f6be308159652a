"""Geometry helpers: corner order, the Jaccard metric and aspect-ratio recovery."""

import cv2
import numpy as np
import pytest

from hardware.scan.geometry import estimate_aspect, jaccard, order_corners


def test_order_corners_any_input_order_and_rotation():
    rect = np.array([[10, 10], [110, 10], [110, 210], [10, 210]], float)
    rng = np.random.default_rng(0)
    for _ in range(10):
        np.testing.assert_allclose(order_corners(rect[rng.permutation(4)]), rect)
    diamond = np.array([[50, 0], [100, 50], [50, 100], [0, 50]], float)  # 45 degrees
    out = order_corners(diamond[::-1])
    assert len({tuple(p) for p in out}) == 4


def test_order_corners_rejects_bad_shape():
    with pytest.raises(ValueError):
        order_corners([[0, 0], [1, 1], [2, 2]])


def test_jaccard_identity_shift_and_miss():
    q = np.array([[100, 100], [300, 110], [310, 400], [90, 390]], float)
    assert jaccard(q, q, (480, 640)) == pytest.approx(1.0, abs=1e-3)
    shifted = q + [20, 0]
    j = jaccard(shifted, q, (480, 640))
    assert 0.8 < j < 0.95
    assert jaccard(None, q, (480, 640)) == 0.0


def test_zhang_aspect_recovers_a4_under_strong_tilt():
    w, h = 1280, 960
    f = 1000.0
    obj = np.array([[-0.5, -0.707, 0], [0.5, -0.707, 0], [0.5, 0.707, 0], [-0.5, 0.707, 0]])
    rot, _ = cv2.Rodrigues(np.radians([35.0, 0.0, 10.0]))
    cam = obj @ rot.T + [0.1, 0.0, 2.6]
    quad = np.stack([f * cam[:, 0] / cam[:, 2] + w / 2, f * cam[:, 1] / cam[:, 2] + h / 2], 1)
    naive = estimate_aspect(quad)
    est = estimate_aspect(quad, (w, h))
    assert abs(est - 1.414) < 0.03
    assert abs(naive - 1.414) > abs(est - 1.414)
