"""The application factory: configuration, database, service layer, blueprints, Socket.IO."""

from __future__ import annotations

import importlib
import logging
import threading

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
    socketio.init_app(app, async_mode="threading", message_queue=app.config.get("REDIS_URL"),
                      channel=app.config["REDIS_CHANNEL"],
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
    (cancel waiting tickets once a centre's day is over), backups and retention purges."""
    svc: QueueService = app.extensions["motcua"]
    interval = app.config["CLOSE_CHECK_SECONDS"]
    stop = threading.Event()

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
    app.extensions["motcua_jobs_stop"] = stop
    from .ops import jobs  # nightly backup with rotation, retention purge (scans, drafts, ID data)

    jobs.start(app)
    if str(app.config.get("SIMULATED_HARDWARE", "")).lower() in ("1", "true", "yes", "on"):
        from hardware.simulated import start_simulation  # `make run`: devices and agents in-process

        start_simulation(app)
    return thread
