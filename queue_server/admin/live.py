"""Making a set-up change visible at once, without a restart.

- `refresh_clients`: every open Socket.IO client of the centre is asked to fetch a fresh `state`
  (the same message it gets on connect, with its own `client` block), so hall displays redraw
  services, counter names and the notice line the moment an admin saves them.
- `drop_connections`: a revoked device token or a disabled account loses its open Socket.IO
  connections now, not when it next reconnects; the 5-second auth cache is cleared too.

`drop_connections` acts on this process's connections (the `_clients` map of
queue_server.realtime); other server processes refuse the token at its next reconnect or
request once their own 5-second cache entry expires.
"""

from __future__ import annotations

import logging

from flask import current_app

from .. import auth
from ..extensions import socketio
from ..service_layer import Message, centre_room

log = logging.getLogger(__name__)


def _clients() -> dict:
    from .. import realtime

    return realtime._clients


def refresh_clients(centre_id: int) -> None:
    """Ask every connected client of the centre, in whichever server process, to fetch a fresh
    `state` (a `refresh` message; each answers with `sync`, which its own process serves in
    turn with the events)."""
    current_app.extensions["motcua_broadcaster"].publish(
        [Message("refresh", {}, centre_room(centre_id))])


def drop_connections(*, token_id: int | None = None, user_id: int | None = None) -> int:
    """Forget cached logins and disconnect the sockets of a revoked token or disabled user."""
    auth.clear_cache()
    dropped = 0
    for sid, principal in list(_clients().items()):
        if (token_id is not None and principal.token_id == token_id) or \
                (user_id is not None and principal.user_id == user_id):
            try:
                socketio.server.disconnect(sid, namespace="/")
            except Exception:
                log.exception("disconnecting %s failed", sid)
            _clients().pop(sid, None)
            dropped += 1
    return dropped
