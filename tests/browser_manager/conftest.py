"""Fixtures for the manager and rating-tablet browser tests: Debian's Chromium driven by
Playwright (no browser download) against a real `motcua serve` process with the demo centre."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module (tests use different counters); stopped at the end."""
    data_dir = tmp_path_factory.mktemp("manager") / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    live = LiveServer(database_url, data_dir, free_port(), threads=32, secret_key="manager-test")
    live.start()
    yield live
    live.stop()
