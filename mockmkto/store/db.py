"""The engine and sessions of one instance's store. SQLite by default; any SQLAlchemy URL works."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from mockmkto.store import (
    campaign_models,  # noqa: F401  (declares the campaign area's tables on Base)
    mobject_models,  # noqa: F401  (declares the MObject area's tables on Base)
)
from mockmkto.store.models import Base


def make_engine(url: str) -> Engine:
    if url in ("sqlite://", "sqlite:///:memory:"):
        # One shared connection, so every thread sees the same in-memory database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    else:
        engine = create_engine(url)
    return engine


class Store:
    """One instance's database: schema creation, sessions with one transaction each, reset."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back as a whole on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def snapshot(self) -> sqlite3.Connection | None:
        """A copy of the whole database to restore later (SQLite only; None elsewhere)."""
        if self.engine.dialect.name != "sqlite":
            return None
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw = self.engine.raw_connection()
        try:
            raw.driver_connection.backup(copy)
        finally:
            raw.close()
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Make the database what it was at `snapshot` (SQLite's online backup: a millisecond
        for a small seed, where deleting and re-seeding takes tens)."""
        raw = self.engine.raw_connection()
        try:
            snapshot.backup(raw.driver_connection)
        finally:
            raw.close()

    def clear(self) -> None:
        """Delete every row of every table (faster than dropping and creating the schema)."""
        with self.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
