"""Fixtures for the admin browser tests: Debian's Chromium driven by Playwright (no browser
download) against a real `motcua serve` process with the demo centre."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port, need_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def browser():
    need_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: MOTCUA_SCREENSHOTS (e.g. docs/screenshots) or the test's tmp dir."""
    target = os.environ.get("MOTCUA_SCREENSHOTS")
    path = (ROOT / target) if target and not os.path.isabs(target) else Path(target or tmp_path / "shots")
    path.mkdir(parents=True, exist_ok=True)
    return path
