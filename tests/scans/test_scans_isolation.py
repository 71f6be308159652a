"""The server process never loads OpenCV: the image work runs in the scan worker process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from support import ROOT

SCRIPT = textwrap.dedent("""
    import json, sys, tempfile
    sys.path.insert(0, "tests")
    from support import Clock, make_app, seed_centre
    from pathlib import Path
    tmp = Path(tempfile.mkdtemp())
    app = make_app(f"sqlite:///{tmp / 'db.sqlite'}", tmp, Clock())
    seed = seed_centre(app)
    client = app.test_client()
    auth = {"Authorization": "Bearer " + seed.tokens["kiosk"]}
    from PIL import Image
    import io
    buf = io.BytesIO()
    Image.new("RGB", (640, 360), (90, 120, 60)).save(buf, format="JPEG")
    detect = client.post("/api/v1/scans/detect", data=buf.getvalue(), headers=auth)
    scan = client.post("/api/v1/scans", json={}, headers=auth).json
    page = client.post(f"/api/v1/scans/{scan['id']}/pages", data=buf.getvalue(), headers=auth)
    from queue_server import scanworker
    worker = scanworker.run("modules")
    print(json.dumps({"detect": detect.status_code, "corners": detect.json.get("corners"),
                      "page": page.status_code, "cv2": "cv2" in sys.modules,
                      "numpy": "numpy" in sys.modules, "worker": worker}))
    scanworker.shutdown()
""")


def test_serving_scan_requests_leaves_cv2_out_of_the_server_process():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["detect"] == 200 and result["corners"] is None  # a plain green frame: no page
    assert result["page"] == 422  # ... so no page to store, and a clear 4xx
    assert result["cv2"] is False, "the server process imported OpenCV"
    assert result["worker"]["cv2"] is True  # the worker did the image work
