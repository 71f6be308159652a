"""The image work of scanning, in a separate worker process.

OpenCV and numpy are big (≈100 MB resident) and a bad photo can make them use much memory or
time; the server process must stay small and responsive for the queue. So every decode, detect,
warp, enhance and PDF build runs in one lazily started child process (spawn, not fork: a forked
copy of a threaded server can deadlock) and the server only passes bytes and file paths to it.
Nothing in this module imports cv2 or numpy at import time; the `_job_*` functions run in the
child and import the pipeline there.

If the child dies (out of memory, killed), the pool is replaced on the next call and the caller
gets `WorkerUnavailable` (503) for the request that was in flight.
"""

from __future__ import annotations

import atexit
import multiprocessing
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

JOB_TIMEOUT = 120.0  # seconds: a 40 MP photo takes about 2 s; far beyond that something is wrong
DEFAULT_MAX_MEGAPIXELS = 50.0

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class WorkerUnavailable(RuntimeError):
    """The image worker could not run the job (crashed, timed out, could not start)."""


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_init_child)
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the worker (at exit, and in tests)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def run(job: str, *args: Any, timeout: float = JOB_TIMEOUT) -> dict:
    """Run `_job_<job>(*args)` in the worker and return its result dict."""
    func = _JOBS[job]
    pool = _executor()
    try:
        future = pool.submit(func, *args)
        return future.result(timeout=timeout)
    except BrokenProcessPool:
        _discard(pool)
        raise WorkerUnavailable("the scan worker stopped (out of memory or killed)") from None
    except TimeoutError:
        _discard(pool)  # a stuck job would block every later one: start a fresh worker
        raise WorkerUnavailable(f"the scan worker did not answer within {timeout:.0f} s") from None


# --- in the worker process ---------------------------------------------------------------------
_captures: OrderedDict[str, Any] = OrderedDict()  # auto-capture state per live preview session
MAX_SESSIONS = 64


def _init_child() -> None:
    import cv2

    cv2.setNumThreads(2)  # leave cores to the server and the other scans


def _error(code: str, message: str, status: int = 422) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


def _decode(data: bytes, max_megapixels: float):
    """BGR image or an error dict (bad file, too big)."""
    from hardware.scan.imageio import ImageLoadError, _probe_size, decode_image

    size = _probe_size(data) if data else None
    if size is not None and size[0] * size[1] > max_megapixels * 1_000_000:
        mp = size[0] * size[1] / 1e6
        return None, _error("too_large", f"Ảnh quá lớn ({size[0]}×{size[1]}, {mp:.0f} megapixel; tối đa "
                                         f"{max_megapixels:.0f}). Hãy chụp lại với độ phân giải thấp hơn.", 413)
    try:
        return decode_image(data), None
    except ImageLoadError as exc:
        return None, _error("bad_image", exc.message_vi)


def _job_detect(data: bytes, session: str | None, max_megapixels: float, stable_frames: int,
                shutter: bool = False) -> dict:
    """Corners of the page in a preview still, and whether auto-capture fires now."""
    from hardware.scan.autocapture import AutoCapture
    from hardware.scan.detect import detect_page

    img, err = _decode(data, max_megapixels)
    if err:
        return err
    det = detect_page(img)
    out: dict[str, Any] = {"corners": det.corners_list(), "width": int(img.shape[1]),
                           "height": int(img.shape[0]), "capture": False, "progress": 0.0}
    if session:
        auto = _captures.pop(session, None) or AutoCapture(stable_frames=stable_frames)
        _captures[session] = auto
        while len(_captures) > MAX_SESSIONS:
            _captures.popitem(last=False)
        if shutter:
            auto.shutter()  # the manual button: this frame, and the page counts as shot
        event = auto.update(det, img)
        out["capture"] = event is not None
        out["reason"] = event.reason if event else None
        out["progress"] = round(auto.progress, 2)
    return out


def _job_reset(session: str) -> dict:
    _captures.pop(session, None)
    return {}


def _job_page(original: str, out_path: str, mode: str, dpi: int, corners: list | None,
              max_megapixels: float, auto_orient: bool = False) -> dict:
    """Photo on disk → clean page JPEG at `out_path` (+ a thumbnail), with quality issues."""
    import cv2

    from hardware.scan.pipeline import PageNotFoundError, process_image

    data = Path(original).read_bytes()
    img, err = _decode(data, max_megapixels)
    if err:
        return err
    try:
        page = process_image(img, mode=mode, dpi=dpi, corners=corners, auto_orient=auto_orient)
    except PageNotFoundError as exc:
        return _error("no_page", exc.message_vi)
    except ValueError as exc:
        return _error("invalid", f"Không xử lý được ảnh: {exc}")
    from hardware.scan.pdf import encode_page

    encoded, kind = encode_page(page.image)  # these exact bytes go into the PDF (no re-encoding)
    out_path = str(Path(out_path).with_suffix(".png" if kind == "png" else ".jpg"))
    Path(out_path).write_bytes(encoded)
    h, w = page.image.shape[:2]
    k = 240 / max(h, w)
    thumb = cv2.resize(page.image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", thumb, [cv2.IMWRITE_JPEG_QUALITY, 75])
    Path(out_path).with_suffix(".thumb.jpg").write_bytes(buf.tobytes() if ok else b"")
    issues = [{"code": i.code, "message": i.message} for i in page.quality.issues] if page.quality else []
    return {
        "file": Path(out_path).name, "thumb": Path(out_path).with_suffix(".thumb.jpg").name,
        "width": int(w), "height": int(h), "bytes": len(encoded),
        "paper": page.size.paper, "width_mm": round(page.size.width_mm, 1),
        "height_mm": round(page.size.height_mm, 1),
        "corners": [[round(float(x), 1), round(float(y), 1)] for x, y in page.corners]
        if page.corners is not None else None,
        "source": {"width": int(img.shape[1]), "height": int(img.shape[0])},
        "issues": issues,
    }


def _job_pdf(pages: list[str], out_path: str, dpi: int) -> dict:
    """The stored clean pages (encoded as hardware.scan.pdf.encode_page made them, in order) →
    one PDF at `out_path`, written atomically; the page bytes are embedded as they are."""
    import os

    import img2pdf

    try:
        encoded = [Path(path).read_bytes() for path in pages]
    except OSError:
        return _error("missing_page", "Một trang đã bị xóa hoặc hỏng; hãy chụp lại trang đó.", 409)
    layout = img2pdf.get_fixed_dpi_layout_fun((int(dpi), int(dpi)))
    try:
        data = img2pdf.convert(encoded, layout_fun=layout)
    except Exception as exc:  # img2pdf raises several private exception types
        return _error("pdf_failed", f"Không tạo được tệp PDF: {exc}", 500)
    tmp = Path(out_path).with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, out_path)
    return {"bytes": len(data), "pages": len(encoded), "page_bytes": [len(e) for e in encoded]}


def _job_demo_frames(folder: str) -> dict:
    """The simulated camera's frames (hardware.scan.synth), written once into `folder`."""
    import os

    from hardware.scan.synth import write_demo_frames

    done = Path(folder) / "complete"
    if not done.exists():
        tmp = Path(folder + ".part")
        tmp.mkdir(parents=True, exist_ok=True)
        write_demo_frames(tmp, pages=3, frames_per_page=12, gap_frames=4, size=(1280, 720))
        (tmp / "complete").write_text("ok")
        if Path(folder).exists():
            import shutil

            shutil.rmtree(folder)
        os.replace(tmp, folder)
    return {"frames": sorted(p.name for p in Path(folder).glob("frame_*.jpg"))}


def _job_modules() -> dict:
    """For tests: the worker is a different process that did load OpenCV."""
    import os
    import sys

    return {"pid": os.getpid(), "cv2": "cv2" in sys.modules}


_JOBS = {"detect": _job_detect, "reset": _job_reset, "page": _job_page, "pdf": _job_pdf,
         "demo_frames": _job_demo_frames, "modules": _job_modules}
