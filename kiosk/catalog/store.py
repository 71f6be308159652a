"""Where a centre's catalogue lives, behind a two-method protocol.

The server implements ``CatalogStore`` against its database; the CLI and tests only need these two
calls.  ``replace_all`` must be atomic: after it either the whole new catalogue is stored or the old
one is untouched (a half-imported catalogue would send citizens to the wrong counter).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from .importer import export_file, read_catalog
from .model import Catalog


@runtime_checkable
class CatalogStore(Protocol):
    def load_all(self) -> Catalog:
        """The stored catalogue (an empty one, version "", when nothing is stored yet)."""
        ...

    def replace_all(self, catalog: Catalog) -> None:
        """Replace everything stored with ``catalog``, atomically."""
        ...


class JsonFileStore:
    """A catalogue kept in one JSON file; writes go through a temporary file and ``os.replace``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load_all(self) -> Catalog:
        if not self.path.exists():
            return Catalog(version="", updated="", procedures=[])
        return read_catalog(self.path, "json")

    def replace_all(self, catalog: Catalog) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        export_file(catalog, self.path, "json")
