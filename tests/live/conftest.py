"""Fixtures for tests against real `motcua serve` processes (see livesupport.py)."""

from __future__ import annotations

import signal
import sqlite3
import uuid

import pytest
from livesupport import LiveServer, ServerFailed, seed_live_centre
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


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory):
    """seeded_sqlite(path, counters) writes a seeded SQLite database at `path`, copied from
    a template seeded once per session (seeding hashes eight demo passwords: seconds each time)."""
    templates: dict[int, str] = {}

    def copy(path: str, counters: int) -> None:
        if counters not in templates:
            folder = tmp_path_factory.mktemp(f"template-{counters}")
            templates[counters] = str(folder / "template.db")
            seed_live_centre(f"sqlite:///{templates[counters]}", folder, counters=counters)
        with sqlite3.connect(templates[counters]) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        dst.close()
        src.close()

    return copy


@pytest.fixture
def live_server(tmp_path, seeded_sqlite):
    """live_server(database_url, counters=0, redis_url=None, seed=True, workers=1) → a started
    LiveServer with the demo centre (at least `counters` counters) and livesupport's tokens;
    every server is stopped (SIGTERM, then SIGKILL) at teardown.
    Servers given the same database share it (seed once: pass seed=False to the later ones).
    Request the database fixture before this one, so the servers stop before it is dropped."""
    servers: list[LiveServer] = []

    def factory(database_url: str, *, counters: int = 0, redis_url: str | None = None,
                seed: bool = True, threads: int = 64, workers: int = 1) -> LiveServer:
        data_dir = tmp_path / f"server-{len(servers)}-{uuid.uuid4().hex[:6]}"
        data_dir.mkdir()
        if seed and database_url.startswith("sqlite:///"):
            seeded_sqlite(database_url[len("sqlite:///"):], counters)
        elif seed:
            seed_live_centre(database_url, data_dir, counters=counters)
        for attempt in range(3):
            server = LiveServer(database_url, data_dir, free_port(), redis_url=redis_url,
                                threads=threads, secret_key="live-test-secret", workers=workers)
            servers.append(server)
            try:
                return server.start()
            except ServerFailed as exc:  # the free port was taken in between: take another
                if "in use" not in str(exc) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    yield factory
    for server in servers:  # all at once: each takes a moment to shut down gracefully
        server.signal(signal.SIGTERM)
    for server in servers:
        server.stop()
