"""The engine and sessions of one instance's store. SQLite by default; any SQLAlchemy URL works."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from mockmkto.store import (
    campaign_models,  # noqa: F401  (declares the campaign area's tables on Base)
    mobject_models,  # noqa: F401  (declares the MObject area's tables on Base)
)
from mockmkto.store.models import Base

SEED_CACHE = "seed_cache"
# session.info key: SQLite's own connection, in the session's transaction (store/prepared.py).
SQLITE_DRIVER = "sqlite_driver"
T = TypeVar("T")


def seed_cached(session: Session, key: str, build: Callable[[], T]) -> T:
    """A value derived from tables only a seed changes (users, lead fields, partitions), built
    once per store until its next seed, reset or restore; built afresh outside a Store session."""
    cache = session.info.get(SEED_CACHE)
    if cache is None:
        return build()
    if key not in cache:
        cache[key] = build()
    return cache[key]


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
            # A commit survives the process being killed, not the machine losing power: all a
            # mock needs, and the syncs at checkpoints were a twentieth of a syncLead.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()
            # SQLAlchemy, not the driver, begins transactions (so SAVEPOINTs work)...
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            # ...and takes the write lock at once: several processes sharing the file serialize
            # instead of failing when a reader tries to become a writer. Sent to the driver
            # itself: through SQLAlchemy's execution it cost more than the rest of a getLead's SQL.
            connection.connection.driver_connection.execute("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url)
    return engine


class Store:
    """One instance's database: schema creation, sessions with one transaction each, reset."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self.seed_cache: dict = {}
        if self.engine.dialect.name == "sqlite":
            # SQLite has one writer: requests of this process take turns, so concurrent calls see
            # each other's work whole (parallel syncLead of one new Email creates one lead).
            # Reentrant: the SOAP server holds it over a whole call, sessions included.
            self.lock = threading.RLock()
            # Sessions take turns, so one connection and one Session serve them all: a checkout
            # from the pool and its reset on return were a tenth of a getLead, a new Session a
            # twentieth.
            self._connection = self.engine.connect()
            self._session = Session(self._connection, info={SEED_CACHE: self.seed_cache}, expire_on_commit=False)
            self._session_depth = 0
            self.session = self._turn_session
        else:
            self.lock = nullcontext()
            self._connection = None
            self._sessions = sessionmaker(self.engine, info={SEED_CACHE: self.seed_cache}, expire_on_commit=False)
            self.session = self._pooled_session

    def close(self) -> None:
        """Close every connection (the store can be opened again from its URL)."""
        with self.lock:
            if self._connection is not None:
                self._session.close()
                self._connection.close()
            self.engine.dispose()

    @contextmanager
    def _pooled_session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back as a whole on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def _turn_session(self) -> Iterator[Session]:
        """The same, for a store whose sessions take turns on one connection.

        SQLAlchemy's transaction outlives the block: each block is a transaction of SQLite's
        own, begun and committed on the driver (SQLAlchemy's begin, commit and close of a Session
        cost as much as the rest of a getLead). An error ends SQLAlchemy's transaction too, and
        with it SQLite's; the next block begins both again. A block inside a block on the same
        thread is part of the outer one's transaction.
        """
        with self.lock:
            session = self._session
            if self._session_depth:
                self._session_depth += 1
                try:
                    yield session
                finally:
                    self._session_depth -= 1
                return
            self._session_depth = 1
            try:
                if session.in_transaction():
                    self._driver.execute("BEGIN IMMEDIATE")
                else:
                    # Begins SQLAlchemy's transaction; the engine's begin event sends BEGIN IMMEDIATE.
                    self._driver = session.connection().connection.driver_connection
                    session.info[SQLITE_DRIVER] = self._driver
                yield session
                session.flush()
                self._driver.commit()
            except BaseException:
                session.close()  # rolls back SQLite's transaction and ends SQLAlchemy's
                raise
            finally:
                self._session_depth = 0
                session.expunge_all()

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
        with self.lock:
            self.seed_cache.clear()
            raw = self.engine.raw_connection()
            try:
                snapshot.backup(raw.driver_connection)
            finally:
                raw.close()

    def clear(self) -> None:
        """Delete every row of every table (faster than dropping and creating the schema)."""
        with self.lock, self.engine.begin() as conn:
            self.seed_cache.clear()
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
