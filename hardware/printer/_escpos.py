"""Import python-escpos with its import-time side effects contained, and build its objects.

Importing ``escpos`` creates a fresh temporary directory on every start (unless
``ESCPOS_CAPABILITIES_PICKLE_DIR`` is set) and calls ``logging.basicConfig()``. Both are undone or
avoided here, so the package is only imported when something is actually printed.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path


def _prepare_import() -> None:
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        cache = (
            Path(tempfile.gettempdir()) / f"motcua-escpos-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
        )
        cache.mkdir(mode=0o700, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(cache)


_prepare_import()
_root = logging.getLogger()
_handlers_before = list(_root.handlers)

from escpos import printer  # noqa: E402 - after the env and logging guards above
from escpos.capabilities import get_profile_class  # noqa: E402 - after the env and logging guards above
from escpos.escpos import Escpos  # noqa: E402 - after the env and logging guards above
from escpos.exceptions import Error as EscposError  # noqa: E402 - after the env and logging guards above

if not _handlers_before:
    for _handler in list(_root.handlers):
        _root.removeHandler(_handler)

__all__ = ["AppendFile", "CharDevice", "Escpos", "EscposError", "apply_width", "printer"]


@lru_cache(maxsize=32)
def _profile_class(name: str | None, width: int) -> type:
    """A capabilities profile whose media width is ours (no stdout warning, correct width check)."""
    base = get_profile_class(name or "default")
    data = copy.deepcopy(base.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width
    return type(f"{base.__name__}W{width}", (base,), {"profile_data": data})


def apply_width(p: Escpos, profile_name: str | None, width: int) -> Escpos:
    """Give printer ``p`` a capabilities profile with our raster width."""
    p.profile = _profile_class(profile_name, width)()
    return p


class AppendFile(printer.File):
    """python-escpos File printer that appends (its own ``File`` truncates on every open)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = open(self.devfile, "ab")  # noqa: SIM115 - kept open until close()
        except OSError as exc:
            self.device = None
            if raise_not_found:
                from escpos.exceptions import DeviceNotFoundError

                raise DeviceNotFoundError(f"Could not open the file {self.devfile}: {exc}") from exc


class CharDevice(Escpos):
    """A printer behind a character device node (Linux usblp ``/dev/usb/lp0``), opened read/write.

    python-escpos's ``File`` opens write-only, so the printer's DLE EOT answers (usblp passes
    them up from the USB IN endpoint) could never be read. Here one non-blocking fd carries both
    directions; writes wait for room with a deadline (``write_timeout``) instead of hanging.
    """

    def __init__(self, devfile: str, write_timeout: float = 30.0, *args: object, **kwargs: object) -> None:
        Escpos.__init__(self, *args, **kwargs)
        self.devfile = devfile
        self.write_timeout = write_timeout
        self.fd: int | None = None

    def open(self, raise_not_found: bool = True) -> None:
        """Open the node O_RDWR | O_NONBLOCK (O_NOCTTY: a tty node must not become our terminal)."""
        if self.fd is not None:
            self.close()
        try:
            self.fd = os.open(self.devfile, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as exc:
            self.fd = None
            if raise_not_found:
                from escpos.exceptions import DeviceNotFoundError

                raise DeviceNotFoundError(f"Could not open the device {self.devfile}: {exc}") from exc
            return
        self.device = self.fd

    def _raw(self, msg: bytes) -> None:
        from .links import fd_write_all

        if self.fd is None:
            raise OSError(f"the device {self.devfile} is not open")
        fd_write_all(self.fd, bytes(msg), self.write_timeout)

    def close(self) -> None:
        fd = getattr(self, "fd", None)  # also called from __del__ of a half-built object
        if fd is not None:
            self.fd = None
            self.device = None
            os.close(fd)
