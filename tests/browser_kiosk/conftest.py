"""Fixtures for the kiosk browser tests: Debian's Chromium driven by Playwright (no browser
download) against a real `motcua serve` process with the demo centre and its sample catalogue."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from livesupport import LiveServer, seed_live_centre
from support import free_port


def load_catalogue(database_url: str, data_dir: Path) -> None:
    from queue_server.app import create_app
    from queue_server.demo import load_demo_catalog

    app = create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                      "BACKGROUND_JOBS": False, "REDIS_URL": None})
    try:
        with app.extensions["motcua"].uow() as uow:
            centre = uow.repo.centre_by_code(app.config["CENTRE_CODE"])
            centre_id = centre.id
        load_demo_catalog(app.extensions["motcua_catalog"].store(centre_id))
    finally:
        app.extensions["motcua_engine"].dispose()



class KioskServer(LiveServer):
    """The server with its public address (`MOTCUA_PUBLIC_URL`, what the QR codes hold) named
    differently from the address the tests use, so a QR that ignored it would show."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.public_url = f"http://localhost:{self.port}"

    def env(self) -> dict[str, str]:
        return {**super().env(), "MOTCUA_PUBLIC_URL": self.public_url}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One started server per test module (fresh SQLite, demo centre, sample catalogue)."""
    data_dir = tmp_path_factory.mktemp("kiosk") / f"server-{uuid.uuid4().hex[:6]}"
    data_dir.mkdir()
    database_url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(database_url, data_dir)
    load_catalogue(database_url, data_dir)
    live = KioskServer(database_url, data_dir, free_port(), threads=32, secret_key="kiosk-test")
    live.start()
    yield live
    live.stop()
