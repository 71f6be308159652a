"""A durable outbox: requests the agent must deliver (ratings, print results), kept in SQLite.

A keypad press is written to disk before anything is sent, with an Idempotency-Key chosen at
press time. The sender delivers rows oldest first and deletes a row only once the server has
answered it, so a rating pressed while the server (or the network, or the agent itself) is down
is sent when it is back — never lost, and never doubled, because a repeated key gets the first
answer back from the server instead of a second rating.

A 2xx answer is done; a 4xx answer is final (logged and kept as ``failed`` for the technician);
a 5xx answer, a 429 or a connection error is retried with backoff (0.2 s doubling to 10 s).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    created REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
);
"""


@dataclass(frozen=True)
class Item:
    id: int
    path: str
    body: dict[str, Any]
    key: str
    attempts: int


class Outbox:
    """The SQLite file; safe to use from several threads (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a press survives a power cut once put() returns
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.added = threading.Event()

    def put(self, path: str, body: dict[str, Any], key: str | None = None) -> str:
        """Store a POST to ``path`` (under /api/v1) with ``body``; returns its Idempotency-Key."""
        key = key or str(uuid.uuid4())
        with self._lock:
            self._db.execute("INSERT INTO outbox (path, body, idem_key, created) VALUES (?, ?, ?, ?)",
                             (path, json.dumps(body, ensure_ascii=False), key, time.time()))
        self.added.set()
        return key

    def head(self) -> Item | None:
        with self._lock:
            row = self._db.execute("SELECT id, path, body, idem_key, attempts FROM outbox "
                                   "WHERE state = 'pending' ORDER BY id LIMIT 1").fetchone()
        return Item(row[0], row[1], json.loads(row[2]), row[3], row[4]) if row else None

    def done(self, item: Item) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE id = ?", (item.id,))

    def retry_later(self, item: Item, error: str) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                             (error[:500], item.id))

    def fail(self, item: Item, error: str) -> None:
        with self._lock:
            self._db.execute("UPDATE outbox SET state = 'failed', attempts = attempts + 1, "
                             "last_error = ? WHERE id = ?", (error[:500], item.id))

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]

    def failed(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT path, body, last_error FROM outbox WHERE state = 'failed' "
                                    "ORDER BY id").fetchall()
        return [{"path": p, "body": json.loads(b), "error": e} for p, b, e in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class OutboxSender:
    """Background thread delivering the outbox in order to ``{server}/api/v1{path}``."""

    def __init__(self, outbox: Outbox, server_url: str, token: str, *, timeout: float = 5.0,
                 max_backoff: float = 10.0,
                 on_answer: Callable[[Item, int, Any], None] | None = None) -> None:
        self.outbox = outbox
        self.base = server_url.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout
        self.max_backoff = max_backoff
        self.on_answer = on_answer
        self.sent = 0
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> OutboxSender:
        self._thread = threading.Thread(target=self._run, name="agent-outbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.outbox.added.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 2)
        self.session.close()

    def _run(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            item = self.outbox.head()
            if item is None:
                self.outbox.added.wait(1.0)
                self.outbox.added.clear()
                continue
            if self.send(item):
                backoff = 0.2
            else:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    def send(self, item: Item) -> bool:
        """Try one item; True when it is settled (delivered or finally refused)."""
        try:
            r = self.session.post(self.base + item.path, json=item.body, timeout=self.timeout,
                                  headers={"Idempotency-Key": item.key})
        except requests.RequestException as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.outbox.retry_later(item, self.last_error)
            log.info("outbox: server unreachable, will retry %s (%s)", item.path, type(exc).__name__)
            return False
        if r.status_code >= 500 or r.status_code == 429:
            self.last_error = f"HTTP {r.status_code}"
            self.outbox.retry_later(item, f"HTTP {r.status_code}: {r.text[:200]}")
            return False
        body = _json(r)
        if r.status_code >= 400:
            message = (body or {}).get("error", {}).get("message") if isinstance(body, dict) else None
            log.warning("outbox: server refused %s %s: %s %s", item.path, item.body, r.status_code,
                        message or r.text[:200])
            self.outbox.fail(item, f"HTTP {r.status_code}: {message or r.text[:200]}")
        else:
            self.outbox.done(item)
            self.sent += 1
        self.last_error = None
        if self.on_answer is not None:
            try:
                self.on_answer(item, r.status_code, body)
            except Exception:
                log.exception("outbox: on_answer callback failed")
        return True


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
