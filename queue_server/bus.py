"""Socket.IO messages shared by the server processes of one machine, without Redis.

`motcua serve --workers N` runs N gunicorn workers on one port; a display is connected to one of
them, while the call it must hear may be handled by another. Each worker binds a Unix datagram
socket in one folder and sends every message to the sockets of the others there: the same
contract as python-socketio's Redis manager (JSON messages, each process ignoring its own),
with nothing to install. Several machines still need Redis (`MOTCUA_REDIS_URL`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
from pathlib import Path

import socketio

log = logging.getLogger(__name__)

MAX_SOCKET_PATH = 107  # bytes of a Unix socket's path (sun_path) on Linux
MAX_MESSAGE = 1 << 20  # a `state` of a large centre is tens of kB; an event a few hundred bytes


class LocalBus(socketio.PubSubManager):
    name = "localbus"

    def __init__(self, folder: str | Path, *, channel: str = "motcua", write_only: bool = False):
        super().__init__(channel=channel, write_only=write_only)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)  # only this installation's processes talk here
        self.path = self.folder / f"{os.getpid()}.sock"
        if len(os.fsencode(self.path)) > MAX_SOCKET_PATH:
            raise RuntimeError(
                f"The local bus needs a socket path under {MAX_SOCKET_PATH} bytes, and {self.path} "
                "is longer: choose a shorter MOTCUA_DATA_DIR, or set MOTCUA_REDIS_URL.")
        self.sock: socket.socket | None = None  # bound when this process starts listening
        self.out = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.out.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, MAX_MESSAGE)
        self.out.settimeout(1.0)  # a peer that stopped reading must not stall the broadcaster

    def initialize(self) -> None:
        """Join the bus when the first client connects here (python-socketio starts the
        listener then): a process nobody reads for must not be sent to, or its unread messages
        would fill up and stall the senders."""
        if not self.write_only and self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * MAX_MESSAGE)
            with contextlib.suppress(FileNotFoundError):  # left by a dead process with our pid
                os.unlink(self.path)
            self.sock.bind(str(self.path))
        super().initialize()

    def peers(self) -> list[str]:
        """The other listening processes, read afresh for every message: one that joined a
        moment ago must get the very next one (its new display has already read its state)."""
        mine = self.path.name
        return [os.path.join(self.folder, name) for name in os.listdir(self.folder)
                if name.endswith(".sock") and name != mine]

    def _publish(self, data) -> None:
        raw = self.json.dumps(data).encode()
        for peer in self.peers():
            try:
                self.out.sendto(raw, peer)
            except (ConnectionRefusedError, FileNotFoundError):
                # A worker that is gone (killed, restarted): forget its socket.
                with contextlib.suppress(OSError):
                    os.unlink(peer)
            except OSError as exc:
                if exc.errno == errno.EMSGSIZE:
                    log.error("bus: message of %d bytes too large for %s", len(raw), peer)
                else:
                    log.warning("bus: could not reach %s (%s)", peer, exc)

    def _listen(self):
        while True:
            yield self.sock.recv(MAX_MESSAGE)

