"""Engines and sessions: SQLite tuned for many kiosks at once, PostgreSQL as is.

SQLite runs in WAL mode and every transaction starts with BEGIN IMMEDIATE: a deferred
transaction that reads and then writes cannot be rescued by the busy timeout.
"""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .tables import start_mappers

READ_ONLY = "motcua_read_only"  # execution option marking a transaction that only reads


def make_engine(url: str, *, sqlite_synchronous: str = "NORMAL", pool_size: int = 20) -> Engine:
    start_mappers()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=pool_size, max_overflow=pool_size)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", f"synchronous={sqlite_synchronous}",
                           "busy_timeout=30000", "foreign_keys=ON"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Reads run deferred, side by side with a writer (WAL); writes take the lock up front.
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            # Straight to the driver: every transaction starts here, and the statement needs
            # none of SQLAlchemy's execution machinery (events, result handling).
            conn.connection.driver_connection.execute(
                "BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def begin_read_only(session: Session) -> Session:
    """Mark a new session's transaction as read-only (SQLite: BEGIN DEFERRED)."""
    session.connection(execution_options={READ_ONLY: True})
    return session
