"""Socket.IO: who joins which room, the state sent on every connect, and the broadcaster.

Handlers are registered at import, before the first `init_app`: Flask-SocketIO then keeps them
and attaches them to the server of every app it initialises (`motcua serve` builds two).

Messages are queued by the service layer after commit and emitted by one background thread,
so a slow broadcast to hundreds of displays never holds an HTTP answer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room

from .auth import DEVICE_COOKIE, principal_for_digest, principal_for_user, token_digest
from .domain.access import Principal
from .extensions import socketio
from .service_layer import Message, centre_room

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateRequest:
    """Send a fresh `state` (with each client's own `client` block) to these clients."""

    centre_id: int
    clients: tuple[tuple[str, Principal], ...]


class Broadcaster:
    """Emits committed changes from one thread, in order.

    Ticket and counter events go out at once. `queue.changed` is computed here, at most every
    `QUEUE_INTERVAL` seconds and once per centre for everything that changed meanwhile, so a busy
    hall costs a few counts a second, not one per ticket, and HTTP answers never wait for sockets.

    A client's `state` is read and sent here too, in turn with the events: read anywhere else, a
    state from before a call could reach a display after that call's event and undo it. The
    state carries the newest event id it includes (`event_id`), so a client can drop an event
    that was committed before the state was read but is still queued here behind it.
    """

    MAX_BURST = 200
    QUEUE_INTERVAL = 0.1

    def __init__(self, sio, snapshot: Callable[[int], dict] | None = None,
                 state: Callable[[int], dict] | None = None,
                 client_info: Callable[[Principal, dict], dict] | None = None):
        self.sio = sio
        self.snapshot = snapshot
        self.state = state
        self.client_info = client_info
        self.queue: queue.SimpleQueue[list[Message | StateRequest] | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def publish(self, messages: list[Message | StateRequest]) -> None:
        if not messages:
            return
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(target=self._run, name="motcua-broadcast",
                                                   daemon=True)
                    self.thread.start()
        self.queue.put(messages)

    def send_state(self, centre_id: int, clients: list[tuple[str, Principal]]) -> None:
        """Queue a `state` for these Socket.IO clients (sid, principal) of one centre."""
        if clients:
            self.publish([StateRequest(centre_id, tuple(clients))])

    def stop(self, timeout: float = 5.0) -> None:
        """Emit what is queued, then end the thread (an app that is dropped, e.g. in tests,
        must not leave it reading a database that is gone)."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join(timeout)

    def _burst(self, timeout: float | None) -> list[list[Message | StateRequest]] | None:
        """What is queued now (waiting up to `timeout` for the first), or None to stop."""
        try:
            first = self.queue.get(timeout=timeout)
        except queue.Empty:
            return []
        if first is None:
            return None
        batches = [first]
        while len(batches) < self.MAX_BURST:
            try:
                more = self.queue.get_nowait()
            except queue.Empty:
                break
            if more is None:
                self.queue.put(None)
                break
            batches.append(more)
        return batches

    def _run(self) -> None:
        pending: dict[int, str] = {}  # centre → room owed a queue.changed
        next_counts = 0.0
        while True:
            wait = max(0.0, next_counts - time.monotonic()) if pending else None
            batches = self._burst(wait)
            if batches is None:
                return
            items = [m for batch in batches for m in batch]
            # Clients asking for a state in one burst (a hall of displays reconnecting after a
            # restart) share one read, sent where the last of them asked: still after
            # everything each of them could have missed.
            last_ask = {m.centre_id: i for i, m in enumerate(items) if isinstance(m, StateRequest)}
            asking: dict[int, list[tuple[str, Principal]]] = {}
            for i, message in enumerate(items):
                if isinstance(message, StateRequest):
                    asking.setdefault(message.centre_id, []).extend(message.clients)
                    if last_ask[message.centre_id] == i:
                        self._send_state(StateRequest(message.centre_id,
                                                      tuple(asking.pop(message.centre_id))))
                elif message.event == "queue.changed" and message.centre_id is not None:
                    pending[message.centre_id] = message.room
                else:
                    self._emit(message.event, message.payload, message.room)
            if pending and time.monotonic() >= next_counts:
                for centre_id, room in pending.items():
                    try:
                        payload = self.snapshot(centre_id) if self.snapshot else {}
                    except Exception:
                        log.exception("waiting counts for centre %s failed", centre_id)
                        continue
                    self._emit("queue.changed", payload, room)
                pending.clear()
                next_counts = time.monotonic() + self.QUEUE_INTERVAL

    def _send_state(self, request: StateRequest) -> None:
        try:
            state = self.state(request.centre_id) if self.state else {}
        except Exception:
            log.exception("state for centre %s failed", request.centre_id)
            return
        for sid, principal in request.clients:
            try:
                client = self.client_info(principal, state) if self.client_info else {}
            except Exception:
                log.exception("client block for %s failed", sid)
                continue
            self._emit("state", {**state, "client": client}, sid)

    def _emit(self, event: str, payload: dict, room: str) -> None:
        try:
            self.sio.emit(event, payload, to=room)
        except Exception:  # a broken socket must not stop the next call reaching the hall
            log.exception("broadcast of %s failed", event)


Credential = tuple[str, str | int]  # ("token", its hash) or ("user", id)


def _credential_from_handshake(auth) -> Credential | None:
    """What the connecting client proves itself with: ("token", its hash) for a device (the
    `auth` token, else the page's enrolment cookie), ("user", id) for a staff session."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not token and not session.get("user_id"):
        token = request.cookies.get(DEVICE_COOKIE)
    if token:
        digest = token_digest(str(token))
        return ("token", digest) if digest else None
    if session.get("user_id"):
        return "user", session["user_id"]
    return None


def _principal_for(credential: Credential, *, fresh: bool = False) -> Principal | None:
    kind, value = credential
    if kind == "token":
        return principal_for_digest(str(value), fresh=fresh)
    return principal_for_user(int(value), fresh=fresh)


@dataclass(frozen=True)
class Connection:
    """Who an open Socket.IO connection is, and the login it proved that with (rechecked)."""

    principal: Principal
    credential: Credential


_clients: dict[str, Connection] = {}  # sid -> this process's open connections


@socketio.on("connect")
def on_connect(auth=None):
    credential = _credential_from_handshake(auth)
    principal = _principal_for(credential) if credential else None
    if principal is None:
        raise ConnectionRefusedError("unauthorized: send auth={'token': DEVICE_TOKEN} or log in")
    _clients[request.sid] = Connection(principal, credential)
    join_room(centre_room(principal.centre_id))
    if principal.counter_id:
        join_room(f"counter:{principal.counter_id}")
    # Joined first, state second (from the broadcaster, in turn with the events): whatever
    # happens meanwhile is either in the state or arrives after it.
    current_app.extensions["motcua_broadcaster"].send_state(principal.centre_id,
                                                             [(request.sid, principal)])


def close_connections(should_close: Callable[[Connection], bool]) -> int:
    """Close, from the server side, this process's connections `should_close` picks, and forget
    them. Returns how many were closed."""
    closed = 0
    for sid, connection in list(_clients.items()):
        if not should_close(connection):
            continue
        log.info("closing the connection of %s", connection.principal.actor)
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:
            log.exception("disconnecting %s failed", sid)
        _clients.pop(sid, None)
        closed += 1
    return closed


def recheck_connections() -> int:
    """Close the connections whose login no longer holds as it was: a revoked token, a disabled
    account, a changed role or counter. The admin's own process closes them at once
    (admin.live.drop_connections); this catches every other process of the server, and changes
    made straight in the database. Returns how many were closed."""
    answers: dict[Credential, Principal | None] = {}

    def login_changed(connection: Connection) -> bool:
        if connection.credential not in answers:
            answers[connection.credential] = _principal_for(connection.credential, fresh=True)
        return answers[connection.credential] != connection.principal

    return close_connections(login_changed)


def start_rechecks(app, interval: float) -> threading.Thread:
    """Run `recheck_connections` every `interval` seconds (at least 1) for the life of this
    process."""

    def run() -> None:
        while True:
            time.sleep(max(1.0, interval))
            try:
                with app.app_context():
                    recheck_connections()
            except Exception:
                log.exception("connection recheck failed; will retry")

    thread = threading.Thread(target=run, name="motcua-socket-recheck", daemon=True)
    thread.start()
    return thread


@socketio.on("disconnect")
def on_disconnect(*_args):
    _clients.pop(request.sid, None)


@socketio.on("sync")
def on_sync(_data=None):
    """A client that suspects it missed something asks for the whole state again."""
    connection = _clients.get(request.sid)
    if connection is None:
        return
    principal = connection.principal
    current_app.extensions["motcua_broadcaster"].send_state(principal.centre_id,
                                                             [(request.sid, principal)])
