"""Auto-capture for a live camera: shoot once when the page is found and held still.

Feed every frame's :class:`PageDetection` (and the frame) to :meth:`AutoCapture.update`. It fires
once after ``stable_frames`` consecutive still detections, then stays quiet until the page
*changes*: it leaves the view for ``lost_frames`` frames, moves to a new place, or its content
differs (the next sheet laid in the same spot). :meth:`shutter` is the manual button: it fires on
the next update whatever the state, with or without a detected page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .detect import PageDetection
from .geometry import order_corners

SEARCHING, STEADYING, CAPTURED = "searching", "steadying", "captured"


@dataclass(frozen=True)
class CaptureEvent:
    """A shot to take: ``reason`` is "auto" or "manual"; corners may be None for manual shots."""

    reason: str
    corners: np.ndarray | None
    frame_index: int


def page_signature(frame: np.ndarray, corners: np.ndarray, size: tuple[int, int] = (48, 64)) -> np.ndarray:
    """Tiny normalised thumbnail of the page, to tell one sheet from the next in the same spot."""
    w, h = size
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    hom = cv2.getPerspectiveTransform(order_corners(corners).astype(np.float32), dst)
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    thumb = cv2.warpPerspective(grey, hom, (w, h), flags=cv2.INTER_AREA).astype(np.float32)
    thumb = cv2.GaussianBlur(thumb, (3, 3), 0)
    thumb -= thumb.mean()
    return thumb / (thumb.std() + 1e-6)


class AutoCapture:
    """State machine: searching -> steadying -> captured -> (page changes or leaves) -> ..."""

    def __init__(self, stable_frames: int = 8, still_tolerance: float = 0.006,
                 move_threshold: float = 0.05, lost_frames: int = 3, min_similarity: float = 0.8):
        """Tolerances are fractions of the frame diagonal; ``min_similarity`` is a correlation."""
        if stable_frames < 1 or lost_frames < 1:
            raise ValueError("stable_frames and lost_frames must be at least 1")
        self.stable_frames = stable_frames
        self.still_tolerance = still_tolerance
        self.move_threshold = move_threshold
        self.lost_frames = lost_frames
        self.min_similarity = min_similarity
        self.reset()

    def reset(self) -> None:
        """Forget everything (e.g. when a new document starts)."""
        self.state = SEARCHING
        self._stable = 0
        self._lost = 0
        self._prev: np.ndarray | None = None
        self._shot_corners: np.ndarray | None = None
        self._shot_sig: np.ndarray | None = None
        self._manual = False
        self._index = -1

    @property
    def progress(self) -> float:
        """0..1 towards the automatic shot (for a countdown ring in the UI)."""
        if self.state == CAPTURED:
            return 0.0
        return min(1.0, self._stable / self.stable_frames)

    def shutter(self) -> None:
        """Manual shutter: the next :meth:`update` returns a capture event."""
        self._manual = True

    def _fire(self, reason: str, corners: np.ndarray | None, frame: np.ndarray | None) -> CaptureEvent:
        self.state = CAPTURED
        self._stable = 0
        self._shot_corners = corners
        self._shot_sig = page_signature(frame, corners) if frame is not None and corners is not None else None
        return CaptureEvent(reason, None if corners is None else corners.copy(), self._index)

    def _changed(self, corners: np.ndarray, frame: np.ndarray | None, diag: float) -> bool:
        if self._shot_corners is None:
            return True
        if np.max(np.linalg.norm(corners - self._shot_corners, axis=1)) > self.move_threshold * diag:
            return True
        if frame is not None and self._shot_sig is not None:
            sig = page_signature(frame, corners)
            return float((sig * self._shot_sig).mean()) < self.min_similarity
        return False

    def update(self, detection: PageDetection, frame: np.ndarray | None = None,
               frame_size: tuple[int, int] | None = None) -> CaptureEvent | None:
        """Advance one frame; return a :class:`CaptureEvent` when a picture should be taken.

        ``frame`` enables the same-spot page-change check; ``frame_size`` (w, h) is needed only
        when no frame is given (to scale the motion tolerances).
        """
        self._index += 1
        corners = order_corners(detection.corners) if detection.found and detection.corners is not None else None
        if frame is not None:
            h, w = frame.shape[:2]
        elif frame_size is not None:
            w, h = frame_size
        elif corners is not None:
            w, h = corners.max(axis=0) * 1.2
        else:
            w, h = 1.0, 1.0
        diag = float(np.hypot(w, h))
        if self._manual:
            self._manual = False
            self._prev = corners
            return self._fire("manual", corners, frame)
        if corners is None:
            self._lost += 1
            self._stable = 0
            self._prev = None
            if self._lost >= self.lost_frames:
                self.state = SEARCHING
                self._shot_corners = self._shot_sig = None  # the page left: next one may fire
            return None
        self._lost = 0
        still = self._prev is not None and np.max(np.linalg.norm(corners - self._prev, axis=1)) <= self.still_tolerance * diag
        self._prev = corners
        if self.state == CAPTURED:
            if not self._changed(corners, frame, diag):
                return None
            self.state = STEADYING
            self._stable = 0
        if self.state == SEARCHING:
            self.state = STEADYING
        self._stable = self._stable + 1 if still else 0
        if self._stable >= self.stable_frames:
            if self._shot_corners is not None and not self._changed(corners, frame, diag):
                # A hand passed over the same sheet: it settled back, so it is not a new page.
                self.state = CAPTURED
                self._stable = 0
                return None
            return self._fire("auto", corners, frame)
        return None
