"""Fixtures for the admin browser tests: Debian's Chromium driven by Playwright (no browser
download) against a real `motcua serve` process with the demo centre."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A started server on a fresh SQLite database with the demo centre; stopped at the end."""
    data_dir = tmp_path_factory.mktemp(f"admin-{uuid.uuid4().hex[:6]}")
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    live = LiveServer(database_url, data_dir, free_port(), threads=32, secret_key="admin-browser")
    live.start()
    yield live
    live.stop()
