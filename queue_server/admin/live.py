"""Making a set-up change visible at once, without a restart.

- `refresh_clients`: every open Socket.IO client of the centre gets a fresh `state` (the same
  message it gets on connect, with its own `client` block), so hall displays redraw services,
  counter names and the notice line the moment an admin saves them.
- `drop_connections`: a revoked device token or a disabled account loses its open Socket.IO
  connections now, not when it next reconnects; the 5-second auth cache is cleared too.

Both act on this process's connections (the `_clients` map of queue_server.realtime). With
several processes behind Redis, the others refuse the token at its next reconnect or request
once their own 5-second cache entry expires.
"""

from __future__ import annotations

import logging

from flask import current_app

from .. import auth
from ..extensions import socketio

log = logging.getLogger(__name__)


def _clients() -> dict:
    from .. import realtime

    return realtime._clients


def refresh_clients(centre_id: int) -> int:
    """Queue a fresh `state` for each connected client of the centre (sent by the broadcaster,
    in turn with the events); returns how many there are."""
    clients = [(sid, p) for sid, p in list(_clients().items()) if p.centre_id == centre_id]
    current_app.extensions["motcua_broadcaster"].send_state(centre_id, clients)
    return len(clients)


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
