"""`motcua scan detect / process / evaluate` as a user runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from queue_server.cli import main


@pytest.fixture(scope="module")
def scene_files(tmp_path_factory):
    import cv2

    from hardware.scan.synth import NO_PAGE, make_scene

    folder = tmp_path_factory.mktemp("photos")
    out = {}
    for i in range(2):
        scene = make_scene("textured", 70 + i, (1280, 720), doc_seed=i)
        path = folder / f"page{i}.jpg"
        cv2.imwrite(str(path), scene.image)
        out[f"page{i}"] = (path, scene.corners)
    desk = folder / "desk.jpg"
    cv2.imwrite(str(desk), make_scene(NO_PAGE, 3, (1280, 720)).image)
    out["desk"] = (desk, None)
    bad = folder / "bad.jpg"
    bad.write_bytes(b"not an image at all")
    out["bad"] = (bad, None)
    return out


def test_detect_prints_corners_or_null(scene_files):
    runner = CliRunner()
    path, truth = scene_files["page0"]
    r = runner.invoke(main, ["scan", "detect", str(path)])
    assert r.exit_code == 0, r.output
    corners = json.loads(r.output)["corners"]
    assert len(corners) == 4
    for (x, y), (tx, ty) in zip(corners, truth, strict=True):  # TL, TR, BR, BL as seen
        assert abs(x - tx) < 15 and abs(y - ty) < 15
    r = runner.invoke(main, ["scan", "detect", str(scene_files["desk"][0])])
    assert r.exit_code == 0 and json.loads(r.output) == {"corners": None}
    r = runner.invoke(main, ["scan", "detect", str(scene_files["bad"][0])])
    assert r.exit_code != 0 and "Không đọc được ảnh" in r.output
    r = runner.invoke(main, ["scan", "detect", str(scene_files["bad"][0].parent / "missing.jpg")])
    assert r.exit_code != 0


def test_process_writes_one_pdf(scene_files, tmp_path):
    out = tmp_path / "out.pdf"
    before = scene_files["page0"][0].read_bytes()
    r = CliRunner().invoke(main, ["scan", "process", str(scene_files["page0"][0]),
                                  str(scene_files["page1"][0]), "-o", str(out), "--mode", "grey"])
    assert r.exit_code == 0, r.output
    assert len(PdfReader(str(out)).pages) == 2
    assert "2 page(s)" in r.output
    assert scene_files["page0"][0].read_bytes() == before  # the original is never modified
    r = CliRunner().invoke(main, ["scan", "process", str(scene_files["desk"][0]), "-o", str(tmp_path / "x.pdf")])
    assert r.exit_code != 0 and "Không tìm thấy trang giấy" in r.output
    assert not (tmp_path / "x.pdf").exists()


def test_evaluate_prints_figures_per_condition():
    r = CliRunner().invoke(main, ["scan", "evaluate", "--n", "1", "--seed", "3", "--size", "640x480", "--json"])
    assert r.exit_code == 0, r.output
    figures = json.loads(r.output)
    assert set(figures["conditions"]) >= {"plain", "cluttered", "occluded", "no_page"}
    assert 0.0 <= figures["mean_jaccard"] <= 1.0 and figures["ms_per_image"] > 0
    assert figures["mean_jaccard"] > 0.8  # a broken detector would score near 0
    text = CliRunner().invoke(main, ["scan", "evaluate", "--n", "1", "--size", "640x480"])
    assert "cluttered" in text.output and "mean J" in text.output
