"""The application factory: configuration, database, service layer, blueprints, Socket.IO."""

from __future__ import annotations

import fcntl
import importlib
import logging
import os
import threading
from pathlib import Path

from flask import Flask, request
from flask_babel import get_locale

from . import errors
from .catalog import CatalogService
from .config import Config, finalise, load_overrides
from .extensions import babel, csrf, socketio
from .realtime import Broadcaster  # registers the Socket.IO handlers before any init_app
from .service_layer import QueueService
from .store.db import make_engine, make_session_factory
from .tracking import TrackingLinks

log = logging.getLogger(__name__)


def _load_policy(spec: str | None):
    if not spec:
        from .domain.policy import default_policy

        return default_policy
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _locale() -> str:
    return request.accept_languages.best_match(["vi", "en"]) or "vi"


def create_app(config: type[Config] | dict | None = None, *, clock=None) -> Flask:
    app = Flask(__name__, static_folder="../static", static_url_path="/static")
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.update({k: v for k, v in load_overrides().items()
                       if not (isinstance(config, dict) and k in config)})
    finalise(app.config)
    app.json.ensure_ascii = False  # Vietnamese stays readable on the wire
    app.json.sort_keys = False

    engine = make_engine(app.config["DATABASE_URL"],
                         sqlite_synchronous=app.config["SQLITE_SYNCHRONOUS"],
                         pool_size=app.config["DB_POOL_SIZE"])
    app.extensions["motcua_engine"] = engine

    csrf.init_app(app)
    babel.init_app(app, locale_selector=_locale)
    app.jinja_env.globals["page_lang"] = lambda: str(get_locale() or "vi")  # <html lang> follows the page
    shared = {}  # how several server processes share Socket.IO messages (none: one process)
    if not app.config.get("REDIS_URL") and app.config["WORKERS"] > 1:
        from .bus import LocalBus

        shared["client_manager"] = LocalBus(Path(app.config["DATA_DIR"]) / "run" / "bus",
                                            channel=app.config["REDIS_CHANNEL"])
    socketio.init_app(app, async_mode="threading", message_queue=app.config.get("REDIS_URL"),
                      channel=app.config["REDIS_CHANNEL"], **shared,
                      cors_allowed_origins=[], logger=False, engineio_logger=False)

    sessions = make_session_factory(engine)
    links = TrackingLinks(app.config["SECRET_KEY"], app.config["PUBLIC_URL"])
    app.extensions["motcua_links"] = links
    app.extensions["motcua_catalog"] = CatalogService(sessions)
    broadcaster = Broadcaster(socketio)
    svc = app.extensions["motcua"] = QueueService(
        sessions, policy=_load_policy(app.config.get("CALL_POLICY")),
        publish=broadcaster.publish, tracking_url=links.url,
        **({"clock": clock} if clock else {}))
    broadcaster.snapshot = svc.queue_snapshot
    broadcaster.state = svc.state
    from .devices import client_info

    broadcaster.client_info = lambda principal, state: client_info(
        svc, principal, state, app.config["PUBLIC_URL"])
    app.extensions["motcua_broadcaster"] = broadcaster

    from .api import bp as api_bp
    from .web import bp as web_bp

    csrf.exempt(api_bp)  # the API checks CSRF itself, only for browser sessions
    app.register_blueprint(api_bp)
    app.register_blueprint(web_bp)
    from .web.technician import bp as technician_bp

    app.register_blueprint(technician_bp)
    from .web.counter import bp as counter_bp
    from .web.display import bp as display_bp

    app.register_blueprint(counter_bp)
    app.register_blueprint(display_bp)
    from kiosk.web import bp as kiosk_bp

    from .web.track import bp as track_bp

    app.register_blueprint(kiosk_bp)
    from kiosk.forms_web import bp as kiosk_forms_bp

    app.register_blueprint(kiosk_forms_bp)
    from kiosk.scan_web import bp as kiosk_scan_bp

    app.register_blueprint(kiosk_scan_bp)
    app.register_blueprint(track_bp)
    from .web.manager import bp as manager_bp
    from .web.rating import bp as rating_bp

    app.register_blueprint(manager_bp)
    app.register_blueprint(rating_bp)
    from .web.admin import bp as admin_bp

    app.register_blueprint(admin_bp)
    errors.register(app)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    return app


def start_background_jobs(app: Flask) -> threading.Thread:
    """Jobs of the serving process only (never of CLI commands or tests): the closing-time job
    (cancel waiting tickets once a centre's day is over), backups and retention purges, and the
    simulated devices of `make run`.

    With several workers on one data folder one of them runs them: the one holding the jobs
    lock file; if it dies, the kernel drops its lock and another worker takes over.
    """
    stop = threading.Event()
    app.extensions["motcua_jobs_stop"] = stop
    lock_path = Path(app.config["DATA_DIR"]) / "run" / "jobs.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)

    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)  # held for the process's lifetime
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another worker runs them: wait to take over
        def take_over() -> None:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if not stop.is_set():
                log.info("background jobs: taken over by process %d", os.getpid())
                _run_background_jobs(app, stop)

        thread = threading.Thread(target=take_over, name="motcua-jobs-standby", daemon=True)
        thread.start()
        return thread
    return _run_background_jobs(app, stop)


def _run_background_jobs(app: Flask, stop: threading.Event) -> threading.Thread:
    svc: QueueService = app.extensions["motcua"]
    interval = app.config["CLOSE_CHECK_SECONDS"]

    def run() -> None:
        while not stop.is_set():
            try:
                cancelled = svc.close_due()
                if cancelled:
                    log.info("closing time: cancelled %d waiting tickets", cancelled)
            except Exception:
                log.exception("closing-time job failed; will retry")
            stop.wait(interval)

    thread = threading.Thread(target=run, name="motcua-close-day", daemon=True)
    thread.start()
    from .ops import jobs  # nightly backup with rotation, retention purge (scans, drafts, ID data)

    jobs.start(app)
    if str(app.config.get("SIMULATED_HARDWARE", "")).lower() in ("1", "true", "yes", "on"):
        from hardware.simulated import start_simulation  # `make run`: devices and agents in-process

        start_simulation(app)
    return thread
