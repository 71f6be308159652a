"""Procedure look-up for kiosks and pages: a search index per centre, rebuilt only when the
stored catalogue changes (one cheap revision query per request, shared by every process)."""

from __future__ import annotations

import threading

from kiosk.catalog import CatalogIndex

from .domain.errors import NotFound
from .store.catalog import DbCatalogStore


class CatalogService:
    def __init__(self, session_factory):
        self.session_factory = session_factory
        self._indexes: dict[int, tuple[int, CatalogIndex]] = {}
        self._lock = threading.Lock()

    def store(self, centre_id: int) -> DbCatalogStore:
        return DbCatalogStore(self.session_factory, centre_id)

    def index(self, centre_id: int) -> CatalogIndex:
        store = self.store(centre_id)
        revision = store.revision()
        cached = self._indexes.get(centre_id)
        if cached and cached[0] == revision:
            return cached[1]
        with self._lock:
            cached = self._indexes.get(centre_id)
            if cached and cached[0] == revision:
                return cached[1]
            index = CatalogIndex(store.load_all().procedures)
            self._indexes[centre_id] = (revision, index)
            return index

    def search(self, centre_id: int, query: str, limit: int) -> list[dict]:
        return [p.summary() for p in self.index(centre_id).search(query, limit)]

    def get(self, centre_id: int, code: str) -> dict:
        procedure = self.index(centre_id).get(code)
        if procedure is None:
            raise NotFound(f"Không có thủ tục mã '{code}'. Hãy tìm theo tên tại /api/v1/procedures?q=…")
        return procedure.to_dict()

    def fields(self, centre_id: int) -> list[dict]:
        return [{"field": name, "count": n} for name, n in self.index(centre_id).fields()]
