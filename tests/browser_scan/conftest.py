"""A real `motcua serve` process with the demo centre for the scanning walk (Chromium comes from
the shared fixtures in tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("scan") / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    live = LiveServer(database_url, data_dir, free_port(), threads=16, secret_key="scan-browser-test")
    live.start()
    yield live
    live.stop()
