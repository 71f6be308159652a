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

__all__ = ["AppendFile", "Escpos", "EscposError", "apply_width", "printer"]


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
