"""Fixtures shared by every test; the helpers they use live in `support.py`."""

from __future__ import annotations

import pytest
from support import Api, Clock, Seed, make_app, pg_schema_url, seed_centre


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
