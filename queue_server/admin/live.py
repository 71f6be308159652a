"""Making a set-up change visible at once, without a restart.

- `refresh_clients`: every open Socket.IO client of the centre is asked to fetch a fresh `state`
  (the same message it gets on connect, with its own `client` block), so hall displays redraw
  services, counter names and the notice line the moment an admin saves them.
- `drop_connections`: a revoked device token or a disabled account loses its open Socket.IO
  connections now, not when it next reconnects; the 5-second auth cache is cleared too.

`drop_connections` acts on this process's connections (the `_clients` map of
queue_server.realtime); every server process also rechecks its own connections' logins every
`SOCKET_RECHECK_SECONDS` (realtime.recheck_connections), so with several processes the others
close theirs within that time, and refuse the token at its next request once their own
5-second cache entry expires.
"""

from __future__ import annotations

from flask import current_app

from .. import auth
from ..service_layer import Message, centre_room


def refresh_clients(centre_id: int) -> None:
    """Ask every connected client of the centre, in whichever server process, to fetch a fresh
    `state` (a `refresh` message; each answers with `sync`, which its own process serves in
    turn with the events)."""
    current_app.extensions["motcua_broadcaster"].publish(
        [Message("refresh", {}, centre_room(centre_id))])


def drop_connections(*, token_id: int | None = None, user_id: int | None = None) -> int:
    """Forget cached logins and disconnect the sockets of a revoked token or disabled user."""
    from .. import realtime

    auth.clear_cache()
    return realtime.close_connections(lambda connection: (
        (token_id is not None and connection.principal.token_id == token_id)
        or (user_id is not None and connection.principal.user_id == user_id)))
