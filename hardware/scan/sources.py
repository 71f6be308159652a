"""Where scans come from: a camera (or a video / image sequence standing in for one), a folder a
network scanner saves into, or a SANE scanner through the ``scanimage`` command.

All sources hand out BGR uint8 numpy frames (or file paths, for the folder watcher) and raise
:class:`SourceError` with a Vietnamese ``message_vi`` when the device is missing or fails, so the
kiosk can show something useful instead of a stack trace.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .imageio import ImageLoadError, load_image

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".pnm", ".ppm", ".pgm", ".webp")


class SourceError(RuntimeError):
    """A capture source could not deliver; ``message_vi`` is for the screen."""

    def __init__(self, message: str, message_vi: str = "Không kết nối được thiết bị quét. Hãy báo cán bộ hỗ trợ."):
        super().__init__(message)
        self.message_vi = message_vi


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


class CameraSource:
    """Frames from ``cv2.VideoCapture``: a device index, a video file or a ``%03d`` image pattern.

    A folder or a single image file is played as an image sequence (the simulated camera used by
    demos and tests). ``loop`` restarts files at the end, like a camera that never runs out.
    """

    def __init__(self, source: int | str | os.PathLike, loop: bool = False,
                 size: tuple[int, int] | None = None):
        self.source = source
        self.loop = loop
        self.size = size
        self._cap: cv2.VideoCapture | None = None
        self._files: list[Path] | None = None
        self._pos = 0

    def open(self) -> CameraSource:
        """Open the device or file; SourceError if it is absent or unreadable."""
        src = self.source
        if isinstance(src, (str, os.PathLike)) and not isinstance(src, int):
            p = Path(src)
            if p.is_dir():
                self._files = _image_files(p)
                if not self._files:
                    raise SourceError(f"no images in folder {p}", "Thư mục không có ảnh nào.")
                return self
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES:
                self._files = [p]
                return self
            if "%" not in str(p) and not p.exists():
                raise SourceError(f"video file not found: {p}", "Không tìm thấy tệp video.")
            cap = cv2.VideoCapture(str(p))
        else:
            cap = cv2.VideoCapture(int(src))
            if self.size is not None and cap.isOpened():
                cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
                cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open camera/video {src!r}",
                              "Không mở được máy ảnh. Hãy kiểm tra dây cáp hoặc báo cán bộ hỗ trợ.")
        self._cap = cap
        return self

    def read(self) -> np.ndarray | None:
        """Next frame (BGR), or None at the end of a file / when the camera stops delivering."""
        if self._files is not None:
            if self._pos >= len(self._files):
                if not self.loop:
                    return None
                self._pos = 0
            path = self._files[self._pos]
            self._pos += 1
            try:
                return load_image(path)
            except ImageLoadError as exc:
                raise SourceError(f"bad frame {path}: {exc}", exc.message_vi) from exc
        if self._cap is None:
            self.open()
            return self.read()
        ok, frame = self._cap.read()
        if not ok and self.loop and not isinstance(self.source, int):
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._cap.read()
        return frame if ok else None

    def frames(self, limit: int | None = None) -> Iterator[np.ndarray]:
        """Yield frames until the source ends (or ``limit`` frames)."""
        n = 0
        while limit is None or n < limit:
            f = self.read()
            if f is None:
                return
            n += 1
            yield f

    def close(self) -> None:
        """Release the device."""
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def __enter__(self) -> CameraSource:
        if self._cap is None and self._files is None:
            self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderWatcher:
    """New image files in a folder (scan-to-folder devices), each reported once, when complete.

    A file is "complete" when its size and mtime have not changed for ``settle_seconds``, so a
    scanner still writing over SMB/FTP is not read half-way. Polling keeps it portable (no inotify).
    """

    def __init__(self, folder: str | os.PathLike, settle_seconds: float = 1.0, include_existing: bool = False,
                 suffixes: Sequence[str] = IMAGE_SUFFIXES, clock: Callable[[], float] = time.monotonic):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise SourceError(f"scan folder does not exist: {self.folder}", "Không tìm thấy thư mục nhận bản quét.")
        self.settle = settle_seconds
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.clock = clock
        self._seen: set[tuple[str, int, int]] = set()
        self._pending: dict[str, tuple[int, int, float]] = {}
        if not include_existing:
            for p in self._list():
                st = p.stat()
                self._seen.add((p.name, st.st_size, st.st_mtime_ns))

    def _list(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir()
                      if p.is_file() and p.suffix.lower() in self.suffixes and not p.name.startswith("."))

    def poll(self) -> list[Path]:
        """Files that became complete since the last call, oldest name first."""
        now = self.clock()
        ready = []
        for p in self._list():
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            key = (p.name, st.st_size, st.st_mtime_ns)
            if key in self._seen or st.st_size == 0:
                continue
            prev = self._pending.get(p.name)
            if prev is None or prev[:2] != (st.st_size, st.st_mtime_ns):
                self._pending[p.name] = (st.st_size, st.st_mtime_ns, now)
                if self.settle > 0:
                    continue
            elif now - prev[2] < self.settle:
                continue
            self._pending.pop(p.name, None)
            self._seen.add(key)
            ready.append(p)
        return ready

    def wait(self, timeout: float, interval: float = 0.2) -> list[Path]:
        """Block until at least one file is ready or ``timeout`` seconds pass."""
        end = time.monotonic() + timeout
        while True:
            ready = self.poll()
            if ready or time.monotonic() >= end:
                return ready
            time.sleep(interval)


@dataclass(frozen=True)
class SaneDevice:
    """A scanner as listed by ``scanimage -L``."""

    name: str
    description: str


_DEVICE_RE = re.compile(r"device `([^']+)' is a (.+)")


class SaneScanner:
    """Flatbed / document-feeder scanning through the ``scanimage`` command (sane-utils).

    ``env`` extends the environment, e.g. ``{"SANE_CONFIG_DIR": ...}`` to restrict backends
    (without it ``scanimage -L`` probes the network and is slow).
    """

    def __init__(self, device: str | None = None, env: dict[str, str] | None = None, timeout: float = 120.0):
        self.device = device
        self.env = dict(os.environ, **(env or {}))
        self.timeout = timeout

    @staticmethod
    def available() -> bool:
        """True when ``scanimage`` is installed."""
        return shutil.which("scanimage") is not None

    def _run(self, args: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
        if not self.available():
            raise SourceError("scanimage is not installed (apt-get install sane-utils)",
                              "Máy quét chưa được cài đặt. Hãy báo cán bộ hỗ trợ.")
        try:
            return subprocess.run(["scanimage", *args], capture_output=True, env=self.env,
                                  timeout=timeout or self.timeout)
        except subprocess.TimeoutExpired as exc:
            raise SourceError(f"scanimage timed out after {exc.timeout:.0f}s",
                              "Máy quét không phản hồi. Hãy kiểm tra máy quét rồi thử lại.") from exc

    def list_devices(self, timeout: float = 30.0) -> list[SaneDevice]:
        """Scanners SANE can see (may be empty)."""
        proc = self._run(["-L"], timeout)
        out = proc.stdout.decode("utf-8", "replace")
        return [SaneDevice(m.group(1), m.group(2).strip()) for m in _DEVICE_RE.finditer(out)]

    def scan(self, resolution: int = 200, mode: str = "Color", source: str | None = None,
             pages: int | None = None, extra: Sequence[str] = ()) -> list[np.ndarray]:
        """Scan one page (flatbed) or a batch (``pages`` given, or a feeder ``source``).

        Returns BGR images in page order. ``mode`` is the SANE mode ("Color", "Gray", "Lineart").
        """
        if not 25 <= int(resolution) <= 1200:
            raise ValueError("resolution must be between 25 and 1200 dpi")
        args = []
        if self.device:
            args += ["-d", self.device]
        args += ["--mode", mode, "--resolution", str(int(resolution))]
        if source:
            args += ["--source", source]
        args += list(extra)
        batch = pages is not None or (source is not None and "feeder" in source.lower())
        with tempfile.TemporaryDirectory(prefix="motcua-sane-") as tmp:
            if batch:
                args += ["--format=png", f"--batch={tmp}/page_%04d.png"]
                if pages is not None:
                    args += [f"--batch-count={int(pages)}"]
            else:
                args += ["--format=png", "-o", f"{tmp}/page_0001.png"]
            proc = self._run(args)
            files = sorted(Path(tmp).glob("page_*.png"))
            err = proc.stderr.decode("utf-8", "replace").strip()
            # An empty feeder ends a batch with a non-zero status; pages already scanned count.
            if proc.returncode != 0 and not (files and "out of documents" in err.lower()):
                raise SourceError(f"scanimage failed ({proc.returncode}): {err[-300:]}",
                                  "Máy quét báo lỗi. Hãy kiểm tra giấy trong máy quét rồi thử lại.")
            if not files:
                raise SourceError("scanimage produced no image", "Máy quét không trả về trang nào. Hãy thử lại.")
            images = []
            for f in files:
                img = cv2.imread(str(f), cv2.IMREAD_COLOR)
                if img is None:
                    raise SourceError(f"unreadable scan output {f.name}", "Bản quét bị lỗi. Hãy quét lại.")
                images.append(img)
            return images
