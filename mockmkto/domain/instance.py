"""One Marketo instance: its store and the state every process serving it shares through the store
(clock, limits, journal). Several can live in one server."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy.orm import Session

from mockmkto.domain import imports
from mockmkto.domain.clock import Clock
from mockmkto.domain.journal import Journal
from mockmkto.domain.limits import CallLimits
from mockmkto.domain.seed import load_seed
from mockmkto.domain.seed_format import SeedError
from mockmkto.domain.worker import Background, Worker, WorkerProcess
from mockmkto.store import account_repository
from mockmkto.store.db import Store, StoreConflict

# Calls that read the instance and change nothing of it but their journal entry (`unit_of_work(reads_only=True)`).
READS_ONLY = frozenset({"getLead", "getMultipleLeads", "getLeadActivity", "getImportToListStatus"})
# Calls whose units of work share the instance (`unit_of_work(shared=True)`): the reads, and syncLead,
# which changes one lead (and a cookie's holder) under the locks of its keys and of its row.
SHARE_THE_INSTANCE = READS_ONLY | {"syncLead"}


def open_background_work(url: str, schema: str | None) -> tuple[Callable[[], bool], Callable[[], None]]:
    """In a background worker's own process (PostgreSQL): the instance's store opened there, the
    worker's step (an import's waiting rows, a chunk a unit of work), and what closes the store."""
    store = Store(url, schema)
    clock = Clock(store)
    return (lambda: imports.process_chunk(store, clock)), store.close


class Instance:
    def __init__(
        self,
        name: str,
        db_url: str,
        signature_window_seconds: int = 900,
        seed: dict | None = None,
        schema: str | None = None,
        journal_cap: int = 1000,
        journal_bytes: int = 64 * 1024 * 1024,
    ):
        self.name = name
        self.store = Store(db_url, schema)
        self.clock = Clock(self.store)
        self.limits = CallLimits(self.store, self.clock)
        self.journal = Journal(self.store, journal_cap, journal_bytes)
        self.signature_window_seconds = signature_window_seconds
        self._arrivals_at_last_step = 0  # calls of this process that had arrived when the worker's last step began
        self.worker: Background
        if self.store.dialect == "postgresql":
            self.worker = WorkerProcess(name, open_background_work, self.store.url, schema)
        else:  # SQLite: a store in memory is this process's alone
            self.worker = Worker(name, self.apply_waiting_rows, calls_waiting=lambda: self.limits.in_flight > 0)
        # SQLite copies of the state each seed gave, by seed (this process's; see reset).
        self._snapshots: dict[str | None, sqlite3.Connection] = {}
        if seed is not None:
            # Checked and loaded in one unit of work: of several processes starting on one empty
            # database, one seeds it. An instance that could not be seeded lets its store go.
            try:
                with self.store.session() as session:
                    if not account_repository.has_users(session):
                        self._load(session, seed)
            except BaseException:
                self.store.close()
                raise

    def close(self) -> None:
        """Stop the background worker, then close the store's connections (it may be opened again)."""
        self.worker.stop()
        self.store.close()

    @contextmanager
    def unit_of_work(self, shared: bool = False, reads_only: bool = False) -> Iterator[Session]:
        """One unit of work of this instance: a transaction, serialized with every other unit of work of
        the instance in any process, committed when the block ends and rolled back on an error; a
        block inside a block is part of the outer one. soap/ and admin/ work through this, not the store.
        `shared`: a call of SHARE_THE_INSTANCE; on PostgreSQL such calls of several processes run at
        once (`Store.session`). `reads_only`: a call of READS_ONLY, which changes the instance only
        after `Store.own_state` (its journal entry); on SQLite it reads while another process writes."""
        with self.store.session(shared, reads_only) as session:
            yield session

    def apply_waiting_rows(self) -> bool:
        """The background worker's step on SQLite (a thread of this process): a unit of work of an
        import's waiting rows, fewer of them while calls come (one arrived since the previous step
        began: `imports.rows_per_unit`); False when no row waits."""
        arrivals = self.limits.arrivals
        calls_came, self._arrivals_at_last_step = arrivals != self._arrivals_at_last_step, arrivals
        return imports.process_chunk(self.store, self.clock, imports.rows_per_unit(calls_came))

    def start_background(self) -> None:
        """Start the background worker now, not at the first call that leaves work: from now on it
        finds work other processes left (one that went away mid-import), and a worker's process
        (PostgreSQL), which takes about a second to start, is ready before an import's rows wait."""
        self.worker.wake()

    @property
    def turn(self) -> AbstractContextManager:
        """Held by a SOAP call from parse to answer: this process's calls take turns whole (store/db.py
        says why); the processes' units of work are serialized by the database."""
        return self.store.lock

    @property
    def engine_name(self) -> str:
        """The database engine holding the instance's state: "sqlite" or "postgresql"."""
        return self.store.dialect

    def credentials(self) -> list[tuple[str, str]]:
        with self.store.session() as session:
            return [(user.user_id, user.secret) for user in account_repository.users(session)]

    def load(self, seed: dict) -> dict[str, int]:
        """Apply a seed document in one transaction (nothing is applied if it is bad, or if it holds
        objects the instance has already: a SeedError naming the conflict)."""
        with self._seeding() as session:
            return self._load(session, seed)

    @contextmanager
    def _seeding(self) -> Iterator[Session]:
        """A unit of work that loads a seed document: a database constraint it breaks is a SeedError
        naming it, and nothing is applied."""
        try:
            with self.store.session() as session:
                yield session
        except StoreConflict as conflict:
            self.store.seed_cache.clear()
            problem = (
                f"conflicts with the instance's state or within itself ({conflict}); "
                "to replace the instance's state, seed with replace=true"
            )
            raise SeedError("$", problem) from None

    def _load(self, session, seed: dict) -> dict[str, int]:
        self.store.seed_cache.clear()
        try:
            loaded = load_seed(session, self.clock, seed)
        except BaseException:
            self.store.seed_cache.clear()  # what the failed load cached is rolled back
            raise
        self.store.seeded(session)
        return loaded

    def reset(self, seed: dict | None = None, remember: bool = True) -> dict[str, int]:
        """Empty the store, then load `seed` if given, in one unit of work (a bad seed changes
        nothing). Clock, quotas, injected faults and the journal start afresh.

        On SQLite, with `remember`, the state a seed gives is kept as a snapshot and restored on the
        next reset to that seed (a millisecond, where seeding takes tens), so seeded records keep the
        time of the seed's first load in this process. Named seeds are remembered; a document sent
        once to replace the state is not, so snapshots stay few.
        """
        key = None if seed is None else hashlib.sha1(json.dumps(seed, sort_keys=True).encode()).hexdigest()
        snapshot = self._snapshots.get(key) if remember else None
        if snapshot is not None:
            self.store.restore(snapshot)
            return {}
        with self._seeding() as session:
            self.store.clear(session)
            loaded = self._load(session, seed) if seed is not None else {}
        snapshot = self.store.snapshot() if remember else None
        if snapshot is not None:
            self._snapshots[key] = snapshot
        return loaded
