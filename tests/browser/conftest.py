"""Fixtures for the browser tests: Debian's Chromium driven by Playwright (no browser download)
against a real `motcua serve` process with the demo centre."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


@pytest.fixture
def server(tmp_path):
    """A started server on a fresh SQLite database with the demo centre; stopped at teardown."""
    data_dir = tmp_path / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    live = LiveServer(database_url, data_dir, free_port(), threads=32, secret_key="browser-test")
    live.start()
    yield live
    live.stop()
