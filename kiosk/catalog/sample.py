"""The bundled sample catalogue (``data/catalog-v1.json``), used by ``make run`` and tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .importer import read_catalog
from .model import Catalog

DATA_DIR = Path(__file__).parent / "data"
SAMPLE_PATH = DATA_DIR / "catalog-v1.json"


@lru_cache(maxsize=1)
def _load() -> Catalog:
    return read_catalog(SAMPLE_PATH, "json")


def load_sample() -> Catalog:
    """A fresh copy of the validated sample catalogue (callers may modify it)."""
    return Catalog.from_dict(_load().to_dict())
