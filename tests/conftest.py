"""Fixtures shared by every test; the helpers they use live in `support.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Api,
    Clock,
    Seed,
    make_app,
    need_tool,
    pg_schema_url,
    seed_centre,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """SQLite by default; a test parametrized indirectly with "postgresql" gets a fresh schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'motcua.db'}"
        return
    yield from pg_schema_url()


@pytest.fixture
def pg_url():
    yield from pg_schema_url()


@pytest.fixture
def app(database_url, tmp_path, clock):
    app = make_app(database_url, tmp_path, clock)
    yield app
    app.extensions["motcua_broadcaster"].stop()
    app.extensions["motcua_engine"].dispose()


@pytest.fixture
def seed(app) -> Seed:
    return seed_centre(app)


@pytest.fixture
def api_as(app, seed):
    """api_as("kiosk") → an Api with that seeded device token; api_as(None) → anonymous."""

    def factory(name: str | None) -> Api:
        return Api(app.test_client(), seed.tokens[name] if name else None)

    return factory


# --- browser tests: one Playwright driver and one Chromium for the whole session ----------------
# (a second sync Playwright in the same thread is refused, so every browser folder shares these)

@pytest.fixture(scope="session")
def playwright_driver():
    need_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def launch(playwright_driver):
    """launch(*extra_args) → another Chromium with more flags; closed at teardown."""
    started = []

    def factory(*extra: str):
        chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM,
                                                     args=[*CHROMIUM_ARGS, *extra])
        started.append(chromium)
        return chromium

    yield factory
    for chromium in started:
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: MOTCUA_SCREENSHOTS (e.g. docs/screenshots) or the test's tmp dir."""
    target = os.environ.get("MOTCUA_SCREENSHOTS")
    path = (ROOT / target) if target and not os.path.isabs(target) else Path(target or tmp_path / "shots")
    path.mkdir(parents=True, exist_ok=True)
    return path
