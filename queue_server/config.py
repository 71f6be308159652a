"""Configuration objects. Values come from the class defaults, then an optional TOML file
(`MOTCUA_CONFIG`), then `MOTCUA_*` environment variables, so a centre can set up one file and
a deployment can override single values."""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any


class Config:
    DATA_DIR = "instance"
    DATABASE_URL: str | None = None  # default: sqlite in DATA_DIR
    REDIS_URL: str | None = None  # Socket.IO message queue for several server processes
    REDIS_CHANNEL = "motcua"  # one channel per installation sharing a Redis server
    SECRET_KEY: str | None = None  # default: generated once and kept in DATA_DIR
    SQLITE_SYNCHRONOUS = "NORMAL"  # WAL + NORMAL keeps every commit through kill -9
    CALL_POLICY: str | None = None  # "package.module:function" replacing the default policy
    CENTRE_CODE = "demo"
    CENTRE_NAME = "Trung tâm Phục vụ hành chính công"
    TIMEZONE = "Asia/Ho_Chi_Minh"
    PUBLIC_URL = "http://127.0.0.1:5000"  # what phones reach, for QR codes
    HOST = "127.0.0.1"
    PORT = 5000
    THREADS = 300  # each WebSocket holds one thread in threading mode
    WORKERS = 1  # server processes on the port (more use more cores; see README "Several processes")
    BACKGROUND_JOBS = True  # closing-time job; tests switch it off and drive it directly
    CLOSE_CHECK_SECONDS = 60
    SOCKET_RECHECK_SECONDS = 5  # open connections whose token or account was revoked close within
    DB_POOL_SIZE = 20
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a console stays open all day
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    JSON_SORT_KEYS = False
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    TESTING = False


class TestConfig(Config):
    TESTING = True
    BACKGROUND_JOBS = False
    WTF_CSRF_ENABLED = True


_INT_KEYS = {"PORT", "THREADS", "WORKERS", "CLOSE_CHECK_SECONDS", "SOCKET_RECHECK_SECONDS",
             "DB_POOL_SIZE"}
_BOOL_KEYS = {"BACKGROUND_JOBS", "TESTING", "WTF_CSRF_ENABLED"}


def load_overrides(environ: os._Environ | dict[str, str] = os.environ) -> dict[str, Any]:
    """The TOML file named by MOTCUA_CONFIG (keys in any case), then MOTCUA_* variables."""
    values: dict[str, Any] = {}
    path = environ.get("MOTCUA_CONFIG")
    if path:
        with open(path, "rb") as fh:
            values.update({k.upper(): v for k, v in tomllib.load(fh).items()})
    for key, raw in environ.items():
        if key.startswith("MOTCUA_") and key != "MOTCUA_CONFIG":
            name = key[len("MOTCUA_"):]
            if name in _INT_KEYS:
                values[name] = int(raw)
            elif name in _BOOL_KEYS:
                values[name] = raw.lower() in ("1", "true", "yes", "on")
            else:
                values[name] = raw
    return values


def finalise(config: dict[str, Any]) -> None:
    """Fill in the values derived from DATA_DIR: database URL and a persistent secret key."""
    data_dir = Path(config["DATA_DIR"]).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    config["DATA_DIR"] = str(data_dir)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{data_dir / 'motcua.db'}"
    if not config.get("SECRET_KEY"):
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
