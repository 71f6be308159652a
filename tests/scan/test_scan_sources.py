"""Capture sources: video file, image sequence, folder, watched folder and SANE's test scanner."""

import os
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from hardware.scan.sources import CameraSource, FolderWatcher, SaneScanner, SourceError


def _frames(n, size=(320, 240)):
    w, h = size
    out = []
    for i in range(n):
        f = np.full((h, w, 3), 40, np.uint8)
        cv2.rectangle(f, (10 + i * 5, 20), (120 + i * 5, 180), (240, 240, 240), -1)
        out.append(f)
    return out


def test_reads_every_frame_of_a_video_file(tmp_path):
    path = tmp_path / "clip.avi"
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    for f in _frames(12):
        vw.write(f)
    vw.release()
    with CameraSource(path) as cam:
        got = list(cam.frames())
    assert len(got) == 12 and got[0].shape == (240, 320, 3)
    # The bright card moves right by 5 px per frame: frames arrive in order.
    cols = [int(np.argmax(g[100, :, 0] > 128)) for g in got]
    assert cols == sorted(cols) and cols[-1] - cols[0] >= 50


def test_image_sequence_pattern_folder_and_loop(tmp_path):
    for i, f in enumerate(_frames(5)):
        cv2.imwrite(str(tmp_path / f"frame_{i:03d}.png"), f)
    with CameraSource(str(tmp_path / "frame_%03d.png")) as cam:
        assert len(list(cam.frames())) == 5
    with CameraSource(tmp_path) as cam:  # a folder of images = simulated camera
        assert len(list(cam.frames())) == 5
    with CameraSource(tmp_path, loop=True) as cam:
        assert len(list(cam.frames(limit=12))) == 12


def test_missing_sources_raise_clear_errors(tmp_path):
    with pytest.raises(SourceError) as exc:
        CameraSource(tmp_path / "nope.mp4").open()
    assert exc.value.message_vi
    with pytest.raises(SourceError):
        CameraSource(tmp_path).open()  # empty folder
    with pytest.raises(SourceError):
        CameraSource(97).open()  # no such camera
    with pytest.raises(SourceError):
        FolderWatcher(tmp_path / "absent")


def test_watched_folder_reports_each_complete_file_once(tmp_path):
    clock = [100.0]
    (tmp_path / "old.jpg").write_bytes(b"x" * 10)
    watcher = FolderWatcher(tmp_path, settle_seconds=1.0, clock=lambda: clock[0])
    assert watcher.poll() == []  # files present at start are not new
    f = tmp_path / "scan_0001.jpg"
    f.write_bytes(b"partial")
    assert watcher.poll() == []  # just appeared: may still be being written
    clock[0] += 0.5
    with f.open("ab") as fh:
        fh.write(b" more bytes")  # scanner still writing
    os.utime(f, ns=(1, 2_000_000_000))
    assert watcher.poll() == []
    clock[0] += 0.6
    assert watcher.poll() == []  # only 0.6 s since the last change
    clock[0] += 0.6
    assert watcher.poll() == [f]
    clock[0] += 5
    assert watcher.poll() == []
    (tmp_path / "notes.txt").write_text("not an image")
    clock[0] += 5
    assert watcher.poll() == []


def test_watched_folder_wait_returns_real_image(tmp_path):
    watcher = FolderWatcher(tmp_path, settle_seconds=0.0)
    cv2.imwrite(str(tmp_path / "page.png"), _frames(1)[0])
    ready = watcher.wait(timeout=2.0, interval=0.05)
    assert [p.name for p in ready] == ["page.png"]
    assert cv2.imread(str(ready[0])).shape == (240, 320, 3)


needs_sane = pytest.mark.skipif(shutil.which("scanimage") is None,
                                reason="scanimage (sane-utils) is not installed")


@pytest.fixture
def sane_env(tmp_path):
    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    src = Path("/etc/sane.d/test.conf")
    if src.exists():
        shutil.copy(src, conf / "test.conf")
    return {"SANE_CONFIG_DIR": str(conf)}


@needs_sane
def test_sane_test_backend_lists_and_scans(sane_env):
    scanner = SaneScanner("test:0", env=sane_env, timeout=60)
    names = [d.name for d in scanner.list_devices()]
    assert "test:0" in names
    [page] = scanner.scan(resolution=75, mode="Color", extra=["--test-picture", "Color pattern"])
    assert page.ndim == 3 and page.shape[0] > 200 and page.shape[1] > 150
    assert page.std() > 20  # a colour pattern, not an empty buffer


@needs_sane
def test_sane_feeder_batch_to_pdf(sane_env, tmp_path):
    from hardware.scan.pdf import write_pdf
    from hardware.scan.pipeline import process_image

    scanner = SaneScanner("test:0", env=sane_env, timeout=60)
    pages = scanner.scan(resolution=50, mode="Gray", source="Automatic Document Feeder", pages=3)
    assert len(pages) == 3
    flat = [process_image(p, mode="grey", dpi=100, already_flat=True, source_dpi=50) for p in pages]
    assert flat[0].image.shape[0] == 2 * pages[0].shape[0]  # 50 dpi scan resampled to 100 dpi
    result = write_pdf([p.image for p in flat], tmp_path / "adf.pdf", dpi=100)
    assert result.pages == 3


@needs_sane
def test_sane_bad_device_is_a_source_error(sane_env):
    with pytest.raises(SourceError) as exc:
        SaneScanner("nosuch:9", env=sane_env, timeout=30).scan(resolution=75)
    assert "scanimage failed" in str(exc.value)


def test_sane_missing_binary_is_reported(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not SaneScanner.available()
    with pytest.raises(SourceError, match="not installed"):
        SaneScanner().list_devices()
