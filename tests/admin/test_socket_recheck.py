"""Open Socket.IO connections whose login stopped holding are closed by the periodic recheck,
whoever made the change: another server process, or a change straight in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from queue_server import realtime
from queue_server.auth import hash_token
from queue_server.extensions import socketio
from queue_server.store import tables as t


def change(app, statement) -> None:
    with app.extensions["motcua"].uow() as uow:
        uow.session.execute(statement)
        uow.commit()


def recheck(app) -> int:
    with app.app_context():
        return realtime.recheck_connections()


def test_a_revoked_token_loses_its_socket_and_the_others_keep_theirs(app, seed):
    display = socketio.test_client(app, auth={"token": seed.tokens["display"]})
    kiosk = socketio.test_client(app, auth={"token": seed.tokens["kiosk"]})
    recheck(app)
    assert display.is_connected() and kiosk.is_connected()  # nothing changed: nobody closed

    change(app, update(t.device_tokens)
           .where(t.device_tokens.c.token_hash == hash_token(seed.tokens["display"]))
           .values(revoked_at=dt.datetime.now(dt.UTC)))
    assert recheck(app) >= 1
    assert not display.is_connected()
    assert kiosk.is_connected()
    kiosk.disconnect()


def test_a_disabled_or_changed_account_loses_its_socket(app, seed, login):
    boss, root = login("boss"), login("root")
    sockets = {name: socketio.test_client(app, flask_test_client=browser.client)
               for name, browser in (("boss", boss), ("root", root))}
    assert all(s.is_connected() for s in sockets.values())
    change(app, update(t.users).where(t.users.c.id == seed.users["boss"]).values(role="staff"))
    recheck(app)
    assert not sockets["boss"].is_connected()  # a new role applies to the open page too
    assert sockets["root"].is_connected()
    change(app, update(t.users).where(t.users.c.id == seed.users["root"]).values(active=False))
    recheck(app)
    assert not sockets["root"].is_connected()
