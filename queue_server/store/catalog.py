"""The procedure catalogue in the server's database (kiosk.catalog's `CatalogStore`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk.catalog import Catalog

from .db import begin_read_only
from .tables import catalogs


class DbCatalogStore:
    """One row per centre holding the whole catalogue; `replace_all` is a single statement."""

    def __init__(self, session_factory: sessionmaker[Session], centre_id: int):
        self.session_factory = session_factory
        self.centre_id = centre_id

    def revision(self) -> int:
        with begin_read_only(self.session_factory()) as session:
            value = session.execute(select(catalogs.c.revision).where(
                catalogs.c.centre_id == self.centre_id)).scalar()
            session.rollback()
            return value or 0

    def load_all(self) -> Catalog:
        with begin_read_only(self.session_factory()) as session:
            doc = session.execute(select(catalogs.c.document).where(
                catalogs.c.centre_id == self.centre_id)).scalar()
            session.rollback()
        if doc is None:
            return Catalog(version="", updated="", procedures=[])
        return Catalog.from_dict(doc)

    def replace_all(self, catalog: Catalog) -> None:
        now = dt.datetime.now(dt.UTC)
        doc = catalog.to_dict()
        with self.session_factory() as session:
            current = session.execute(select(catalogs.c.revision).where(
                catalogs.c.centre_id == self.centre_id)).scalar()
            if current is None:
                session.execute(catalogs.insert().values(
                    centre_id=self.centre_id, revision=1, version=catalog.version, document=doc,
                    changed_at=now))
            else:
                session.execute(catalogs.update().where(catalogs.c.centre_id == self.centre_id).values(
                    revision=current + 1, version=catalog.version, document=doc, changed_at=now))
            session.commit()
