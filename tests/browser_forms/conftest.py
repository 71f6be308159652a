"""Fixtures for the form-wizard browser tests: Debian's Chromium through Playwright (no browser
download) and a real `motcua serve` process with the demo centre."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A started server on a fresh SQLite database with the demo centre, shared by a module's
    tests (starting one costs seconds); stopped at teardown."""
    data_dir = tmp_path_factory.mktemp("forms") / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    live = LiveServer(database_url, data_dir, free_port(), threads=16, secret_key="forms-browser-test")
    live.start()
    yield live
    live.stop()
