"""The engine and units of work of one instance's store: SQLite (embedded, the default) or
PostgreSQL (a sandbox shared by several processes and hosts).

Every unit of work of an instance is serialized across processes by the database itself (SQLite's
write lock via BEGIN IMMEDIATE; a PostgreSQL transaction-level advisory lock per instance), and begins
by reading the instance's shared state (`instance_state`: clock, quotas, seed generation) into
`Store.state`. Calls therefore see each other's work whole, whichever process serves them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from types import SimpleNamespace
from typing import Any, TypeVar, cast

import orjson
from sqlalchemy import Integer, Table, create_engine, event, exc, insert, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import PoolProxiedConnection, StaticPool
from sqlalchemy.sql.elements import TextClause

from mockmkto.store import (
    campaign_models,  # noqa: F401  (declares the campaign area's tables on Base)
    campaign_run_repository,
    mobject_models,  # noqa: F401  (declares the MObject area's tables on Base)
)
from mockmkto.store.advisory_locks import SHARED_UNIT, lock_number
from mockmkto.store.models import Base
from mockmkto.store.prepared import (
    SQLITE_DRIVER,
    Prepared,
    begin_immediate,
    begin_reading,
    commit,
    send_waiting_writes_first,
)
from mockmkto.store.schema import open_schema
from mockmkto.store.state_models import InstanceState

SEED_CACHE = "seed_cache"
T = TypeVar("T")
# PostgreSQL's planner prices a page read out of order at 4 times one read in order (its default,
# for disks), so a lookup of an import chunk's 500 Emails scanned a table of 25,000-60,000 leads
# whole, 10 ms where its index took 1 ms (bench/results.md). A mock's tables are read from memory:
# priced nearly as a page read in order, as PostgreSQL's documentation suggests for cached data.
PLANNER_SETTINGS = "-c random_page_cost=1.1"
STATE_KEYS = [column.key for column in InstanceState.__table__.columns]
# The state row, and when the first scheduled campaign run is due (campaign_run_repository.NEXT_RUN_AT):
# read together, so a call learns whether any run is due without a statement of its own.
_STATE_QUERY = select(*InstanceState.__table__.columns, campaign_run_repository.next_run_at()).where(
    InstanceState.id == 1
)
_READ_STATE = Prepared(_STATE_QUERY)
# The same, the row locked until the unit of work ends (PostgreSQL): `own_state`.
_READ_STATE_LOCKED = Prepared(_STATE_QUERY.with_for_update(of=InstanceState.__table__))
# The state row's UPDATE, one prepared form per set of columns: the journal writes it on every call.
_STATE_UPDATES: dict[tuple[str, ...], Prepared] = {}
# session.info key: the unit of work does not own the state yet; what `own_state` calls to make it the owner.
_TAKE_STATE = "take_state"


class StoreUnavailable(Exception):
    """The database could not be reached or gave up (restarting, gone, locked past its timeout)."""


class StoreConflict(Exception):
    """A write broke one of the database's constraints (a key or a unique value already there)."""


def seed_cached(session: Session, key: str, build: Callable[[], T]) -> T:
    """A value derived from tables only a seed changes (users, lead fields, partitions, lead
    assignment rules), built once per store until its next seed, reset or restore (in any process:
    see `Store.state`); built afresh outside a Store session."""
    cache = session.info.get(SEED_CACHE)
    if cache is None:
        return build()
    if key not in cache:
        cache[key] = build()
    return cache[key]


def written(session: Session, row: T) -> T:
    """`row` added to the unit of work and written at once: the call learns the id the database
    gave it, and a key it clashes with fails here, not at a later statement."""
    session.add(row)
    session.flush()
    return row


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A part of the unit of work (`with savepoint(session): ...`) whose writes an error undoes
    alone: the records of syncMultipleLeads and syncCustomObjects, each applied or failed on its own."""
    with session.begin_nested():
        # SQLAlchemy sends the SAVEPOINT when its connection is first asked for in the part: now,
        # before a prepared statement (which runs beneath SQLAlchemy) writes in it.
        session.connection()
        yield


def normalize_url(url: str) -> str:
    """PostgreSQL URLs name psycopg 3, the driver mockmkto is built and tested with."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def is_memory_url(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:")


def json_text(document: Any) -> str:
    """A JSON column's text. orjson writes a lead's or an activity's attributes 7-17x as fast as the
    json module, and an import writes three documents a row (bench/results.md). The json module
    reads every document back (orjson would read an integer past 64 bits as a float) and writes
    what orjson refuses (such an integer)."""
    try:
        return orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(document)


def make_engine(url: str, schema: str | None = None, units_of_work: bool = False) -> Engine:
    """`units_of_work` (PostgreSQL): the engine of `Store`'s units of work, which send BEGIN with the
    instance's lock (psycopg begins no transaction itself) and find a connection the server dropped by
    that first statement (`Store._locked_session`), where others ping each before use."""
    if is_memory_url(url):
        # One shared connection, so every thread sees the same in-memory database.
        return create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}, json_serializer=json_text
        )
    if url.startswith("sqlite"):
        # How long SQLite waits for another program's write lock: the URL's `timeout` (seconds, as
        # SQLAlchemy reads it), else 30 s; then the call is fault 20011.
        sqlite_options: dict[str, Any] = {"check_same_thread": False}
        if "timeout" not in make_url(url).query:
            sqlite_options["timeout"] = 30
        engine = create_engine(url, connect_args=sqlite_options, json_serializer=json_text)

        @event.listens_for(engine, "connect")
        def _wal(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # A commit survives the process being killed, not the machine losing power: all a mock
            # needs (the syncs at checkpoints: bench/results.md).
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()
            # SQLAlchemy, not the driver, begins transactions (so SAVEPOINTs work)...
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection):
            # ...and takes the write lock at once: several processes sharing the file serialize
            # instead of failing when a reader tries to become a writer. Sent to the driver itself
            # (through SQLAlchemy's execution it cost more than the rest of a getLead's SQL); its
            # error is SQLAlchemy's all the same (SQLAlchemy does not wrap what a begin event raises).
            begin_immediate(connection.connection.driver_connection, connection.dialect)

        return engine
    # A connection the server dropped (a restart) is found and replaced: the server reconnects by itself.
    options: dict[str, Any] = {"options": _server_options(url, schema)}
    if not units_of_work:
        return create_engine(url, pool_pre_ping=True, connect_args=options, json_serializer=json_text)
    options["autocommit"] = True
    engine = create_engine(url, pool_pre_ping=False, connect_args=options, json_serializer=json_text)
    send_waiting_writes_first(engine)
    return engine


def _server_options(url: str, schema: str | None) -> str:
    """PostgreSQL: the settings each connection starts with (libpq's `options`): the planner's price
    of a random page read (PLANNER_SETTINGS), the instance's schema if it has one, then the URL's own
    `options`, which win over ours."""
    options = [PLANNER_SETTINGS]
    if schema:
        options.append(f"-c search_path={quote_identifier(schema)}")
    given = make_url(url).query.get("options")
    if given:
        options.append(given if isinstance(given, str) else " ".join(given))
    return " ".join(options)


def _first_line(error: exc.DBAPIError) -> str:
    return str(error.orig or error).strip().splitlines()[0]


class ProcessTurns:
    """Turns of the processes sharing one SQLite file: a kernel lock on a file beside it
    (`<database>.turns`), held over each unit of work. SQLite's own wait for its write lock sleeps
    in steps of up to 100 ms instead of being woken when the lock frees; a process waiting here is
    woken at once (bench/results.md, the workers section)."""

    def __init__(self, database: str):
        try:
            self._fd = os.open(f"{database}.turns", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:  # the folder is missing or not writable: the database could not be opened either
            raise StoreUnavailable(f"{error.strerror}: {error.filename}") from error

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *exc_info: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def take_if_free(self) -> bool:
        """Take the turn if no other process holds it (release it as `__exit__` does); whether it did."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        os.close(self._fd)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sequence_follows_ids(table: Table) -> TextClause | None:
    """PostgreSQL: the statement that sets the sequence of `table`'s one-column integer key past its
    highest id (setval(NULL) is a no-op for a key without a sequence: ids the code assigns); None for a
    table with no such key."""
    (key, *others) = table.primary_key.columns
    if others or not isinstance(key.type, Integer) or not key.autoincrement:
        return None
    name = quote_identifier(table.name)
    return text(
        f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({quote_identifier(key.name)}), 0) + 1, "
        f"false) FROM {name}"
    ).bindparams(table=name, column=key.name)


# Tables whose key a sequence gives: after explicit ids are written, the sequence must follow them.
_SEQUENCES_FOLLOW_IDS = [
    follow for table in Base.metadata.sorted_tables if (follow := _sequence_follows_ids(table)) is not None
]


class Store:
    """One instance's database: schema creation, units of work, the shared state, reset.

    `schema`: on PostgreSQL, the schema holding this instance's tables (None: the database's default);
    several instances share one database that way. SQLite instances have a file (or memory) each.
    """

    def __init__(self, url: str, schema: str | None = None):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, schema)
        self.dialect = self.engine.dialect.name
        self.seed_cache: dict = {}
        self._cache_generation: int | None = None
        self.state = SimpleNamespace()
        # The key of this instance's PostgreSQL advisory lock: one per (database, schema).
        name = f"mockmkto:{schema or ''}".encode()
        self._lock_key = lock_number(name)
        # Processes on one SQLite file take turns by the kernel: for each unit of work, and while one
        # opens the file (turning a new file to WAL fails at once, unwaited, while another holds it).
        database = make_url(self.url).database if self.dialect == "sqlite" else None
        self._turns = ProcessTurns(database) if database and database != ":memory:" else None
        try:
            with self._turns or nullcontext():
                with self._create_lock() as conn:
                    if schema and self.dialect == "postgresql":
                        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}"))
                    # Made at the head if empty; refused (SchemaOutOfDate) if older: `mockmkto db upgrade`.
                    open_schema(conn)
                    if conn.scalar(select(InstanceState.id)) is None:
                        conn.execute(insert(InstanceState).values(id=1))
                # Sessions of a SQLite store take turns, so one connection and one Session serve them
                # all, with no pool checkout, reset or new Session per call (their cost: bench/results.md).
                self._connection: Connection | None = self.engine.connect() if self.dialect == "sqlite" else None
        except BaseException:
            # A store that could not open holds nothing: a server asked for it again and again while
            # its database is away (or its disk full) would otherwise run out of file descriptors.
            if self._turns is not None:
                self._turns.close()
            self.engine.dispose()
            raise
        # SOAP calls of this process take turns whole, parse to answer (the SOAP server holds it:
        # `Instance.turn`; reentrant). Python runs one thread at a time, and the drivers and lxml let
        # go of it while they wait: a call let others in at every statement, then waited to get the
        # interpreter back, holding the store (on PostgreSQL, the instance's lock, so every process
        # waited; bench/results.md). On SQLite every unit of work takes it too: SQLite has one writer,
        # so concurrent calls see each other's work whole (parallel syncLead of one new Email creates
        # one lead).
        self.lock: Any = threading.RLock()
        if self.dialect == "sqlite":
            self._session = Session(self._connection, info={SEED_CACHE: self.seed_cache}, expire_on_commit=False)
            self._session_depth = 0
            self.session = self._turn_session
        else:
            # The database serializes the instance's units of work (the advisory lock); threads of
            # this process each have their own connection and session meanwhile. A unit of work
            # sends its BEGIN with the lock and the state's read, in one round trip where psycopg
            # would take three (`_began`).
            self._current = threading.local()
            self._begin_locked = f"BEGIN; SELECT pg_advisory_xact_lock({self._lock_key})"
            self._begin_shared = f"BEGIN; SELECT pg_advisory_xact_lock_shared({self._lock_key})"
            # What names this instance's own locks (advisory_locks.hold: its leads' keys, its imports').
            self._own_locks = hashlib.sha1(name).digest()
            self._units_engine = make_engine(self.url, schema, units_of_work=True)
            self._sessions = sessionmaker(
                self._units_engine, info={SEED_CACHE: self.seed_cache}, expire_on_commit=False
            )
            # Sessions whose unit of work ended, each still on its connection, in SQLAlchemy's
            # transaction: the next units take them as they are, as SQLite's one Session serves every
            # unit (a Session's begin, pool checkout, commit and close cost as much CPU as the round
            # trips of an empty unit of work: bench/results.md).
            self._idle: list[Session] = []
            self.session = self._pooled_session

    @contextmanager
    def _create_lock(self) -> Iterator[Connection]:
        """A transaction in which creating the schema cannot race another process doing the same."""
        with self._database_errors(), self.engine.begin() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": self._lock_key})
            yield conn

    def close(self) -> None:
        """Close every connection (the store can be opened again from its URL)."""
        with self.lock:
            if self._connection is not None:
                self._session.close()
                self._connection.close()
                if self._turns is not None:
                    self._turns.close()
            else:
                self._let_idle_sessions_go(invalidate=False)
                self._units_engine.dispose()
            self.engine.dispose()

    @contextmanager
    def _database_errors(self) -> Iterator[None]:
        """The database's own errors as the store's: unavailable, or a conflict with what is stored."""
        try:
            yield
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise StoreUnavailable(_first_line(error)) from error
        except exc.IntegrityError as error:
            raise StoreConflict(_first_line(error)) from error

    def _began(self, session: Session, read: Prepared = _READ_STATE, begin: str | None = None) -> None:
        """Every unit of work starts here, holding the instance's lock: the shared state as it is now.
        `begin`: the script that begins the transaction on PostgreSQL, sent with the state's read."""
        (*row, next_run_at) = (read.rows(session) if begin is None else read.rows_after(session, begin))[0]
        self.state = SimpleNamespace(**dict(zip(STATE_KEYS, row, strict=True)))
        session.info[campaign_run_repository.NEXT_RUN_AT] = next_run_at
        if self.state.generation != self._cache_generation:
            self.seed_cache.clear()
            self._cache_generation = self.state.generation

    def calls_need_admission(self) -> bool:
        """Whether each call is admitted, and counted, in its unit of work: quotas on, or a fault
        injected. A call that counts changes the shared state, so it cannot share the instance's lock."""
        return bool(self.state.quotas_enabled or self.state.active_faults > 0)

    def own_state(self, session: Session) -> None:
        """Make this unit of work the only one that may change the shared state until it ends, and
        read the state as it is then. On PostgreSQL a unit that holds the instance's lock shared
        (`session(shared=True)`) reads the state again, its row locked (FOR UPDATE: one statement
        takes the lock and reads what the last unit to hold it committed); on SQLite a unit that read
        without the turn (`session(reads_only=True)`) takes it (`_take_turn`); any other unit owns it
        already. Call it before reading the state to change it."""
        take = session.info.pop(_TAKE_STATE, None)
        if take is not None:
            take(session)

    def _take_locked_state(self, session: Session) -> None:
        self._began(session, _READ_STATE_LOCKED)

    def write_state(self, session: Session, **values: Any) -> None:
        """Change the shared state in this unit of work (`state` shows it at once in this process)."""
        if _TAKE_STATE in session.info:
            raise RuntimeError("a unit of work that shares the instance's lock changes the state after own_state")
        keys = tuple(sorted(values))
        form = _STATE_UPDATES.get(keys)
        if form is None:
            statement = update(InstanceState.__table__).where(InstanceState.__table__.c.id == 1)
            form = _STATE_UPDATES.setdefault(keys, Prepared(statement, keys))
        form.send(session, values)
        self.state = SimpleNamespace(**(vars(self.state) | values))

    @contextmanager
    def _pooled_session(self, shared: bool = False, reads_only: bool = False) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back as a whole on any error. A block
        inside a block on the same thread is part of the outer one's transaction (a second one would
        wait for the lock the first holds).

        `shared`: the unit of work changes nothing but the shared state, after `own_state` (a call's
        journal entry); leads, under their own locks (lead_repository's `lock_keys`,
        `find_newest_to_write`, `newest_by_email_to_write`); and an import's waiting rows with what
        applying them writes, under the lock of the instance's imports (import_repository's
        `take_chunk`). It holds the instance's lock shared, so such units of several
        processes run at once, unless the state shows that a call may change more of it (a fault to
        fire, quotas on, a scheduled campaign run): then it holds the lock alone, as any other unit.
        `reads_only`: the unit reads, and changes nothing but the shared state after `own_state`; here
        it is shared as any other."""
        outer = getattr(self._current, "session", None)
        if outer is not None:
            yield outer
            return
        with self._database_errors():
            session = self._locked_session(shared or reads_only)
            self._current.session = session
            try:
                yield session
                session.flush()
                commit(session)
            except BaseException:
                session.close()  # rolls back; its connection goes back to the pool
                raise
            finally:
                self._current.session = None
            session.expunge_all()
            self._idle.append(session)

    def _locked_session(self, shared: bool) -> Session:
        """A session in a transaction holding the instance's lock (`shared`: if the state allows), the
        state read: an idle one, or a new one. Its connection was not pinged (a round trip a call):
        one the server dropped (it restarted) fails this first statement, before the unit of work
        did anything on it; the idle sessions' and the pool's connections are then let go, as old as
        it, and the unit of work begins once more, on a new connection."""
        retried = False
        while True:
            try:
                session = self._idle.pop()
            except IndexError:
                session = self._sessions()
            session.info.pop(_TAKE_STATE, None)
            session.info.pop(SHARED_UNIT, None)
            try:
                self._began(session, begin=self._begin_shared if shared else self._begin_locked)
                if shared:
                    if self.calls_need_admission() or session.info[campaign_run_repository.NEXT_RUN_AT] is not None:
                        session.close()
                        shared = False
                        continue
                    session.info[_TAKE_STATE] = self._take_locked_state
                    session.info[SHARED_UNIT] = self._own_locks
                return session
            except exc.DBAPIError as error:
                connection = session.connection()
                driver = connection.connection.dbapi_connection
                dropped = self._units_engine.dialect.is_disconnect(cast(Any, error.orig), driver, None)
                if dropped:
                    connection.invalidate()
                session.close()
                if not dropped or retried:
                    raise
                self._let_idle_sessions_go(invalidate=True)
                self._units_engine.dispose()
                retried = True
            except BaseException:
                session.close()
                raise

    def _let_idle_sessions_go(self, invalidate: bool) -> None:
        """Close the idle sessions; `invalidate`: their connections are lost (the server dropped them)."""
        while self._idle:
            try:
                session = self._idle.pop()
            except IndexError:  # another thread took the last
                return
            if invalidate:
                session.connection().invalidate()
            session.close()

    @contextmanager
    def _turn_session(self, shared: bool = False, reads_only: bool = False) -> Iterator[Session]:
        """The same, for a store whose sessions take turns on one connection.

        SQLAlchemy's transaction outlives the block: each block is a transaction of SQLite's
        own, begun and committed on the driver (SQLAlchemy's begin, commit and close of a Session
        cost as much as the rest of a getLead). An error ends SQLAlchemy's transaction too, and
        with it SQLite's; the next block begins both again. A block inside a block on the same
        thread is part of the outer one's transaction. SQLite has one writer: every block that
        writes holds the store alone, `shared` or not.

        `reads_only` (a call that reads, then writes its journal entry): where another process holds
        the turn, the unit does not wait for it to read: it reads the database as it was when it
        began (WAL lets one connection read while another writes), unless the state shows that the
        call may change more (a fault to fire, quotas on, a scheduled campaign run; as on
        PostgreSQL). `own_state` then waits for the turn, and the unit writes on the state as it is
        by then (`_take_turn`). Where the turn is free, it takes it at once, as any unit: reading
        apart costs a transaction more (bench/results.md).
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
                with ExitStack() as turn:
                    try:
                        with self._database_errors():
                            if not (reads_only and self._began_without_waiting(session, turn)):
                                turn.enter_context(self._turns or nullcontext())
                                self._began_writing(session)
                            yield session
                            session.flush()
                            commit(session)
                    except BaseException:
                        session.close()  # rolls back SQLite's transaction and ends SQLAlchemy's
                        raise
            finally:
                self._session_depth = 0
                session.info.pop(_TAKE_STATE, None)
                session.expunge_all()

    def _began_writing(self, session: Session) -> None:
        """Begin a unit of work that holds the turn: SQLite's write lock, then the shared state."""
        if session.in_transaction():
            begin_immediate(session.info[SQLITE_DRIVER], self.engine.dialect)
        else:
            # Begins SQLAlchemy's transaction; the engine's begin event sends BEGIN IMMEDIATE.
            session.info[SQLITE_DRIVER] = _sqlite(session.connection().connection)
        self._began(session)

    def _began_without_waiting(self, session: Session, turn: ExitStack) -> bool:
        """Begin a read-only unit of work without waiting for the turn, if it may (`_turn_session`):
        holding the turn if it is free, else reading beside the process that holds it; whether it
        began. A unit whose SQLAlchemy transaction is to begin (the first on the connection, or the
        first after an error) waits for the turn."""
        turns = self._turns
        if turns is None or not session.in_transaction():
            return False
        if turns.take_if_free():
            turn.push(turns)
            self._began_writing(session)
            return True
        begin_reading(session.info[SQLITE_DRIVER], self.engine.dialect)
        self._began(session)
        if self.calls_need_admission() or session.info[campaign_run_repository.NEXT_RUN_AT] is not None:
            commit(session)  # it read nothing yet but the state: it begins again, as one that writes
            return False
        session.info[_TAKE_STATE] = lambda session: self._take_turn(session, turn, turns)
        return True

    def _take_turn(self, session: Session, turn: ExitStack, turns: ProcessTurns) -> None:
        """A unit that read without the turn (`_began_without_waiting`) ends its reading transaction,
        waits for the turn, and begins writing on the state as it is now."""
        commit(session)  # it wrote nothing
        turn.enter_context(turns)
        begin_immediate(session.info[SQLITE_DRIVER], self.engine.dialect)
        self._began(session)

    def seeded(self, session: Session) -> None:
        """After rows with explicit ids were written (a seed, a bulk load): the next generated ids
        follow them, and every process's caches of seeded tables are stale."""
        if self.dialect == "postgresql":
            for follow in _SEQUENCES_FOLLOW_IDS:
                session.execute(follow)
        self.write_state(session, generation=self.state.generation + 1)

    def clear(self, session: Session) -> None:
        """Delete every row of every table in this unit of work; the shared state starts afresh
        (clock, quotas, faults, journal), its generation moved on."""
        generation = self.state.generation
        if self.dialect == "postgresql":
            # Generated ids start again from 1, as SQLite's do for an emptied table.
            names = ", ".join(quote_identifier(table.name) for table in Base.metadata.sorted_tables)
            session.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
        session.execute(insert(InstanceState).values(id=1, generation=generation + 1))
        self._began(session)

    def snapshot(self) -> sqlite3.Connection | None:
        """A copy of the whole database to restore later (SQLite only; None elsewhere)."""
        if self.dialect != "sqlite":
            return None
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw = self.engine.raw_connection()
        try:
            _sqlite(raw).backup(copy)
        finally:
            raw.close()
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Make the database what it was at `snapshot` (SQLite's online backup: a millisecond
        for a small seed, where deleting and re-seeding takes tens), its generation moved on."""
        with self.lock:
            with self.session():
                generation = self.state.generation
            raw = self.engine.raw_connection()
            try:
                with self._turns or nullcontext():
                    snapshot.backup(_sqlite(raw))
            except sqlite3.Error as error:  # a full disk, say: the backup left the database as it was
                raise StoreUnavailable(str(error)) from error
            finally:
                raw.close()
            with self.session() as session:
                self.write_state(session, generation=max(generation, self.state.generation) + 1)


def _sqlite(connection: PoolProxiedConnection) -> sqlite3.Connection:
    """The driver's connection under a pooled one (SQLAlchemy's type allows None: an invalidated one)."""
    driver = connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
