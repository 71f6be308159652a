"""Run the server: gunicorn, one worker with many threads (each WebSocket holds a thread).

Several processes behind a sticky-session proxy share events through Redis (`MOTCUA_REDIS_URL`).
"""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication


class MotCuaServer(BaseApplication):
    def __init__(self, host: str, port: int, threads: int, *, config: dict | None = None):
        self.bind = f"{host}:{port}"
        self.threads = threads
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", [self.bind])
        self.cfg.set("workers", 1)
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", self.threads)
        self.cfg.set("keepalive", 30)
        self.cfg.set("timeout", 120)
        self.cfg.set("graceful_timeout", 5)
        self.cfg.set("accesslog", None)
        self.cfg.set("errorlog", "-")
        self.cfg.set("loglevel", "warning")

    def load(self):
        from .app import create_app, start_background_jobs

        app = create_app(self.app_config)
        if app.config["BACKGROUND_JOBS"]:
            start_background_jobs(app)
        # What start-up built lives as long as the process: leave it out of every collection
        # (a full collection over it stalls every request thread for tens of milliseconds).
        gc.collect()
        gc.freeze()
        return app
