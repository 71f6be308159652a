"""Run the server: gunicorn with many threads per worker (each WebSocket holds a thread).

One worker by default. `--workers N` runs N processes on the same port, to use more cores: they
queue their SQLite writes through one lock file and share Socket.IO messages over a local bus
(queue_server.bus), or Redis when `MOTCUA_REDIS_URL` is set (several machines). Clients then
connect over WebSocket (a long-polling session would need to stick to one process).
"""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication


class MotCuaServer(BaseApplication):
    def __init__(self, host: str, port: int, threads: int, *, workers: int = 1,
                 config: dict | None = None):
        self.bind = f"{host}:{port}"
        self.threads = threads
        self.workers = workers
        self.app_config = config
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", [self.bind])
        self.cfg.set("workers", self.workers)
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
        from .realtime import start_rechecks

        app = create_app(self.app_config)
        if app.config["BACKGROUND_JOBS"]:
            start_background_jobs(app)
        start_rechecks(app, app.config["SOCKET_RECHECK_SECONDS"])  # every process, its own sockets
        # What start-up built lives as long as the process: leave it out of every collection
        # (a full collection over it stalls every request thread for tens of milliseconds).
        gc.collect()
        gc.freeze()
        return app
