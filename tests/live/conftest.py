"""Fixtures for tests against real `motcua serve` processes (see livesupport.py)."""

from __future__ import annotations

import uuid

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port, need, pg_schema_url, port_open


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live_db(request, tmp_path):
    """A fresh database URL: a SQLite file, or a new PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.db'}"
        return
    yield from pg_schema_url()


@pytest.fixture
def sqlite_db(tmp_path):
    return f"sqlite:///{tmp_path / 'live.db'}"


@pytest.fixture
def pg_db():
    yield from pg_schema_url()


@pytest.fixture
def redis_url():
    """A Redis URL on 127.0.0.1:6379 (db 0: Socket.IO's pub/sub channels ignore the db number)."""
    need(port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


@pytest.fixture
def live_server(tmp_path):
    """live_server(database_url, extra_counters=0, redis_url=None, seed=True) → a started
    LiveServer with the demo centre; every server is stopped (SIGTERM, then SIGKILL) at teardown.
    Servers given the same database share it (seed once: pass seed=False to the later ones)."""
    servers: list[LiveServer] = []

    def factory(database_url: str, *, extra_counters: int = 0, redis_url: str | None = None,
                seed: bool = True, threads: int = 64) -> LiveServer:
        data_dir = tmp_path / f"server-{len(servers)}-{uuid.uuid4().hex[:6]}"
        data_dir.mkdir()
        if seed:
            seed_live_centre(database_url, data_dir, extra_counters=extra_counters)
        server = LiveServer(database_url, data_dir, free_port(), redis_url=redis_url,
                            threads=threads, secret_key="live-test-secret")
        servers.append(server)
        return server.start()

    yield factory
    for server in servers:
        server.stop()
