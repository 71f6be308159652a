"""Virtual serial lines for simulation and tests: socat pty pairs and plain Python ptys.

``SocatPair`` gives two linked pseudo-terminals with stable symlink names, so one end can be
"unplugged" (socat stopped: both ptys vanish) and "plugged back" (socat restarted on the same
names) exactly like a USB-serial adapter. ``PtyPair`` needs no socat (one real pty whose master
side is bridged to a second one) for ``make run`` on machines without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self


class SocatMissing(RuntimeError):
    """socat is not installed (Debian: ``apt-get install socat``)."""


class SocatPair:
    """``socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`` under our control.

    ``host`` and ``device`` are the two symlink paths; open them with pyserial like a
    ``/dev/ttyUSB0``.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None, name: str = "tty") -> None:
        if shutil.which("socat") is None:
            raise SocatMissing("socat không có trên máy — cài bằng 'apt-get install socat'")
        self._own_dir = directory is None
        self.dir = Path(directory or tempfile.mkdtemp(prefix="motcua-pty-"))
        self.host = str(self.dir / f"{name}-host")
        self.device = str(self.dir / f"{name}-dev")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 5.0) -> SocatPair:
        """Start socat and wait until both pty links exist."""
        if self.running:
            return self
        for link in (self.host, self.device):
            if os.path.islink(link):
                os.unlink(link)
        self._proc = subprocess.Popen(
            ["socat", "-d", "-d", f"pty,raw,echo=0,link={self.host}",
             f"pty,raw,echo=0,link={self.device}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while not (os.path.exists(self.host) and os.path.exists(self.device)):
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"socat exited at start: {err.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("socat did not create its ptys in time")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """"Unplug": stop socat; both ptys disappear and I/O on them fails."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None
        for link in (self.host, self.device):
            if os.path.islink(link):
                os.unlink(link)

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


class PtyPair:
    """Two ptys bridged by a Python thread: like :class:`SocatPair`, without socat (POSIX only).

    ``host`` and ``device`` are ``/dev/pts/N`` paths. Used by ``make run`` for simulated
    hardware; tests use socat, the tool a technician also has.
    """

    def __init__(self) -> None:
        import threading
        import tty

        self._fds: list[int] = []
        paths = []
        for _ in range(2):
            master, slave = os.openpty()
            tty.setraw(slave)
            paths.append(os.ttyname(slave))
            self._fds += [master, slave]   # keep the slave open so the master never sees EOF
        self.host, self.device = paths
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._bridge, name="pty-bridge", daemon=True)
        self._thread.start()

    def _bridge(self) -> None:
        import select

        a, b = self._fds[0], self._fds[2]
        peer = {a: b, b: a}
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([a, b], [], [], 0.1)
                for fd in ready:
                    data = os.read(fd, 4096)
                    if data:
                        os.write(peer[fd], data)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self._fds = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
