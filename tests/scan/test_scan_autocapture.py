"""Auto-capture fires once per still page, again after a page change, and on the shutter."""

import numpy as np

from hardware.scan.autocapture import CAPTURED, AutoCapture
from hardware.scan.detect import PageDetection, detect_page
from hardware.scan.sources import CameraSource
from hardware.scan.synth import make_scene

NONE = PageDetection(False, None, 0.0, "none")


def found(corners):
    return PageDetection(True, np.asarray(corners, float), 0.9)


def run(ac, items):
    events = []
    for det, frame in items:
        ev = ac.update(det, frame, frame_size=(960, 720))
        if ev is not None:
            events.append(ev)
    return events


def test_still_page_fires_exactly_once():
    scene = make_scene("plain", 41)
    ac = AutoCapture(stable_frames=5)
    events = run(ac, [(found(scene.corners), scene.image)] * 30)
    assert len(events) == 1 and events[0].reason == "auto"
    assert events[0].frame_index == 5  # first frame sets the reference, then 5 still frames
    assert ac.state == CAPTURED


def test_moving_page_does_not_fire():
    scene = make_scene("plain", 42)
    ac = AutoCapture(stable_frames=5)
    rng = np.random.default_rng(0)
    items = [(found(scene.corners + rng.normal(0, 15, (4, 2))), None) for _ in range(30)]
    assert run(ac, items) == []


def test_small_jitter_still_counts_as_still():
    scene = make_scene("plain", 43)
    ac = AutoCapture(stable_frames=5)
    rng = np.random.default_rng(1)
    items = [(found(scene.corners + rng.normal(0, 0.5, (4, 2))), scene.image) for _ in range(12)]
    assert len(run(ac, items)) == 1


def test_new_sheet_in_same_place_fires_again():
    a = make_scene("plain", 44, doc_seed=1)
    b = make_scene("plain", 44, doc_seed=6)  # same desk and pose, different printed page
    ac = AutoCapture(stable_frames=4)
    items = [(found(a.corners), a.image)] * 12 + [(found(b.corners), b.image)] * 12
    events = run(ac, items)
    assert [e.reason for e in events] == ["auto", "auto"]
    assert events[1].frame_index >= 12


def test_page_leaving_and_returning_fires_again_hand_passing_does_not():
    a = make_scene("plain", 45)
    ac = AutoCapture(stable_frames=4, lost_frames=3)
    still = [(found(a.corners), a.image)] * 8
    blip = [(NONE, None)] * 1  # one lost frame (a hand) is not the page leaving
    gone = [(NONE, None)] * 5
    assert len(run(ac, still + blip + still)) == 1
    assert len(run(ac, gone + still)) == 1


def test_manual_shutter_fires_immediately_even_without_page():
    ac = AutoCapture(stable_frames=50)
    ac.shutter()
    ev = ac.update(NONE, None)
    assert ev is not None and ev.reason == "manual" and ev.corners is None
    assert ac.update(NONE, None) is None


def test_simulated_camera_session_gives_one_shot_per_page(tmp_path):
    from hardware.scan.synth import write_demo_frames

    write_demo_frames(tmp_path, pages=3, frames_per_page=6, gap_frames=3, size=(640, 360))
    ac = AutoCapture(stable_frames=3, lost_frames=2)
    shots = []
    with CameraSource(tmp_path) as cam:
        for frame in cam.frames():
            ev = ac.update(detect_page(frame), frame)
            if ev:
                shots.append(ev.frame_index)
    # Pages occupy frames 0-5, 9-14, 18-23; each is shot once, while it lies still.
    assert [s // 9 for s in shots] == [0, 1, 2], shots
    assert all(s % 9 < 6 for s in shots), shots
