"""Hot statements compiled once by SQLAlchemy and run on the database driver's own connection.

SQLAlchemy's Core execution costs about 20 times the SQLite work of a key lookup, and its ORM
loading more again (bench/results.md): for the statements every call runs, `Prepared` keeps
SQLAlchemy's SQL text and its bind and result processors, and does only the execution itself, on
sqlite3's connection or psycopg's, in the session's transaction. tests/test_prepared.py compares
both ways, row by row, on both stores.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from operator import itemgetter
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Insert, Select, Table, bindparam, event, exc, insert, select, update
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.schema import ColumnDefault

from mockmkto.store.models import Base

# session.info key: SQLite's own connection, in the session's transaction (set by store/db.py).
SQLITE_DRIVER = "sqlite_driver"
# session.info key, and on PostgreSQL the SQLAlchemy connection's info key: the `_Channel` to the driver.
_CHANNEL = "driver_channel"
# PostgreSQL: an INSERT of this many rows or more is a COPY, where it was a row's INSERT each, pipelined:
# importToList's chunks (bench/results.md). Fewer go as INSERTs: COPY takes two round trips.
COPY_ROWS = 50
# PostgreSQL: once a connection has copied CHECK_ROWS rows into a table since it last looked, it
# looks whether the table is past GROWTH times its size at its last ANALYZE (and past
# SMALL_TABLE_BYTES: a smaller one is scanned whole in a moment), and analyzes it if so
# (`_analyze_if_grown`). Looking is a round trip: an import's chunk makes four COPYs.
STATISTICS_CHECK_ROWS = 2000
ANALYZE_GROWTH = 2
SMALL_TABLE_BYTES = 1 << 20
# The most SQL texts a statement keeps for its IN lists' lengths: requestCampaign's lookup has a list
# per key type, each of 1-100 values, so a long-lived server could otherwise keep thousands.
EXPANDED_TEXTS = 256

Model = TypeVar("Model", bound=Base)
T = TypeVar("T")
# `_Form._bind_each`: a value not processed yet.
_UNPROCESSED = object()


class Prepared:
    """A SELECT (`rows`: its columns' keys are attributes of each row), or an INSERT/UPDATE/DELETE
    of the given `column_keys` (`run`; `rows` gives the tuples of its RETURNING columns), whose
    defaults the database itself supplies. An expanding IN
    list (`bindparam(name, expanding=True)`) is bound item by item; not in an executemany, as in
    SQLAlchemy. Compiled once per dialect: SQLite and PostgreSQL stores may share a process.

    `plan_each_run`: PostgreSQL plans it afresh at every run, never keeping a server-side plan (psycopg
    prepares a statement on the server at its fifth run, and the server may keep one plan for it): for
    lookups over a table that a bulk write grows by thousands of rows between runs, where a plan made
    while the table was small scans it whole."""

    def __init__(
        self, statement: Select | UpdateBase, column_keys: tuple[str, ...] | None = None, plan_each_run: bool = False
    ):
        self.statement = statement
        self.column_keys = column_keys
        self.plan_each_run = plan_each_run
        self._forms: dict[str, _Form] = {}

    @property
    def texts_kept(self) -> int:
        """How many SQL texts it keeps for the lengths of its expanding lists (EXPANDED_TEXTS at most
        per dialect)."""
        return sum(len(form.expanded) for form in self._forms.values())

    def rows(self, session: Session, params: dict | None = None) -> list:
        form, channel = self._form(session)
        return form.fetch(channel, params or {})

    def instances(self, session: Session, params: dict | None = None) -> list:
        """For a select(Entity): the session's instances of the rows, as the ORM loads them (an
        instance the session holds already wins; no attribute history), without its loading
        machinery, which cost most of a syncLead's lookup."""
        form, channel = self._form(session)
        mapper = form.mapper
        found = []
        for row in form.fetch(channel, params or {}):
            held = session.identity_map.get(mapper.identity_key_from_primary_key([row[i] for i in form.key_at]))
            if held is None:
                held = mapper.class_manager.new_instance()
                # As the ORM's loading fills an instance; make_transient_to_detached commits it all.
                instance_dict(held).update(zip(form.attribute_keys, row, strict=True))
                make_transient_to_detached(held)
                session.add(held)
            found.append(held)
        return found

    def first(self, session: Session, params: dict | None = None) -> Any:
        """The first of `instances`, or None."""
        found = self.instances(session, params)
        return found[0] if found else None

    def rows_after(self, session: Session, script: str) -> list:
        """PostgreSQL: `run_script(session, script)`, then `rows`, in one round trip: the statement is
        sent after the script's as SQL text, its values written in (it takes no parameters)."""
        form, channel = self._form(session)
        sql = f"{script}; {form.literal_sql()}"

        def last_result(channel: _Channel) -> list:
            cursor = channel.script(sql)
            while cursor.nextset():
                pass
            return cursor.fetchall()

        return form.loaded(_on(channel, form.dialect, sql, last_result))

    def run(self, session: Session, params: dict | list[dict]) -> int:
        """Execute for one parameter set, or for each of a list in one executemany; how many rows it
        changed (of one parameter set)."""
        form, channel = self._form(session)
        return form.run(channel, params)

    def send(self, session: Session, params: dict | list[dict]) -> None:
        """`run`, for a write whose caller takes no answer. On PostgreSQL it waits to go with the unit
        of work's next statement, or its COMMIT, in one round trip (psycopg's pipeline mode): a
        round trip costs more than the write (bench/results.md). An error it meets is raised there;
        the unit of work fails whole all the same."""
        form, channel = self._form(session)
        if form.dialect.name != "postgresql" or (isinstance(params, list) and form.copies(params)):
            form.run(channel, params)  # SQLite has no round trips; a COPY cannot be pipelined
        else:
            channel.waiting.append((form, params))

    def inserted_key(self, session: Session, params: dict) -> Any:
        """Execute an INSERT ... RETURNING its primary key for one parameter set; the key the
        database gave the new row."""
        form, channel = self._form(session)
        return form.execute(channel, params).fetchone()[0]

    def _form(self, session: Session) -> tuple[_Form, Any]:
        """This statement compiled for the session's dialect, and the session's channel to the driver,
        in its transaction. The session flushes first, as the ORM's own statements autoflush: what
        the call holds counts, and goes first."""
        session.flush()
        channel = _channel(session)
        dialect = session.get_bind().dialect
        form = self._forms.get(dialect.name)
        if form is None:
            form = _Form(self.statement, self.column_keys, dialect, self.plan_each_run)
            form = self._forms.setdefault(dialect.name, form)
        return form, channel


def run_script(session: Session, script: str) -> None:
    """A fixed SQL text of several statements without parameters, sent as one (PostgreSQL's simple
    query protocol): one round trip for all of them, each run with a snapshot of its own."""
    _on(_channel(session), session.get_bind().dialect, script, lambda channel: channel.script(script))


def begin_immediate(driver: Any, dialect: Dialect) -> None:
    """SQLite: begin, on the driver, a transaction holding the database's write lock (SQLAlchemy's
    begin, and a unit of work's in a session whose SQLAlchemy transaction outlived the last: `commit`)."""
    _on(driver, dialect, "BEGIN IMMEDIATE", lambda driver: driver.execute("BEGIN IMMEDIATE"))


def begin_reading(driver: Any, dialect: Dialect) -> None:
    """SQLite: begin, on the driver, a transaction that takes no lock until it writes: in WAL mode it
    reads the database as its first statement finds it while another connection writes."""
    _on(driver, dialect, "BEGIN", lambda driver: driver.execute("BEGIN"))


def commit(session: Session) -> None:
    """Commit, on the driver, the transaction begun there (`run_script`, `begin_immediate`, `begin_reading`).
    SQLAlchemy's transaction stays open: its Session and connection serve the next unit of work as
    they are."""
    _on(_channel(session), session.get_bind().dialect, "COMMIT", lambda channel: channel.commit())


def _on(driver: Any, dialect: Dialect, sql: str, work: Callable[[Any], T]) -> T:
    """`work` done on the driver's connection (or a session's `_Channel` to it); the driver's error
    as SQLAlchemy's."""
    try:
        return work(driver)
    except dialect.loaded_dbapi.Error as error:
        raise _as_sqlalchemy_error(sql, (), error, dialect) from error


class _Channel:
    """A session's way to its driver's connection: one cursor for every prepared statement (each
    statement's rows are read before the next runs: a cursor made per statement cost a fifth of
    psycopg's work for one), and on PostgreSQL the writes waiting to go with the next statement
    (`Prepared.send`), on a cursor of their own."""

    def __init__(self, driver: Any):
        self.driver = driver
        self.cursor = driver.cursor()
        self.waiting: list[tuple[_Form, dict | list[dict]]] = []
        self._writes = driver.cursor()
        # PostgreSQL: rows COPY wrote into each table since its statistics were last looked at.
        self._copied: dict[str, int] = {}

    def execute(self, sql: str, values: list, options: dict) -> Any:
        """The cursor, having run `sql`."""
        self._after_waiting(lambda cursor: cursor.execute(sql, values, **options))
        return self.cursor

    def execute_many(self, sql: str, rows: list[list]) -> None:
        self._after_waiting(lambda cursor: cursor.executemany(sql, rows))

    def script(self, sql: str) -> Any:
        """The cursor, having run a text of several statements (PostgreSQL's simple query protocol,
        which a pipeline cannot carry: the waiting writes go first, in a round trip of their own)."""
        self.send_waiting()
        # Never prepared: a prepared statement is one statement.
        return self.cursor.execute(sql.encode(), prepare=False)

    def commit(self) -> None:
        if self.waiting:
            self._after_waiting(lambda cursor: cursor.execute(b"COMMIT"))
        else:
            self.driver.commit()

    def copied(self, table: str, rows: int) -> None:
        """PostgreSQL: a COPY wrote `rows` rows into `table`; every STATISTICS_CHECK_ROWS of them, look
        at its statistics (`_analyze_if_grown`)."""
        copied = self._copied[table] = self._copied.get(table, 0) + rows
        if copied >= STATISTICS_CHECK_ROWS:
            self._copied[table] = 0
            _analyze_if_grown(self.cursor, table)

    def send_waiting(self) -> None:
        if self.waiting:
            with self.driver.pipeline():
                self._write_waiting()

    def _after_waiting(self, work: Callable[[Any], object]) -> None:
        """`work` on the cursor, the waiting writes sent before it in one round trip (psycopg's
        pipeline mode: an error of theirs is raised here)."""
        if not self.waiting:
            work(self.cursor)
            return
        with self.driver.pipeline():
            self._write_waiting()
            work(self.cursor)

    def _write_waiting(self) -> None:
        waiting, self.waiting = self.waiting, []
        for form, params in waiting:
            form.write_on(self._writes, params)


class _Form:
    """A statement compiled for one dialect, with positional parameters (SQLite's qmark, psycopg's
    format), its bind and result processors, and how to run it on the driver."""

    def __init__(
        self, statement: Select | UpdateBase, column_keys: tuple[str, ...] | None, dialect: Dialect, plan_each_run: bool
    ):
        # psycopg also takes positional parameters: compile for them, so binding is the same list-building
        # on both drivers. Processors stay the engine dialect's own.
        compiling = dialect if dialect.positional else cast(Any, type(dialect))(paramstyle="format")
        compiled = statement.compile(dialect=compiling, column_keys=column_keys)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError(f"SQLAlchemy computes defaults of {statement} in Python: not preparable")
        binds = compiled.binds
        assert compiled.positiontup is not None  # compiled for positional parameters
        self.binds: list[tuple[str, Any, Callable | None, bool]] = [  # name, default, processor, expanding
            (
                name,
                binds[name].effective_value,
                binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                binds[name].expanding,
            )
            for name in compiled.positiontup
        ]
        self._every_value = _every_value(compiled.positiontup)
        self.statement = statement
        self.compiled = compiled
        self.sql = compiled.string
        if dialect.name == "postgresql":
            self._bind_lists_as_arrays(dialect)
        self.expanded: dict[tuple[int, ...], str] = {}  # the SQL text for the expanding lists' lengths
        self.error = dialect.loaded_dbapi.Error
        # psycopg's own switch (sqlite3 keeps no plans across runs of a statement's text).
        self.options = {"prepare": False} if plan_each_run and dialect.name == "postgresql" else {}
        self.dialect = dialect
        self.row: Callable[..., Any] = _values  # a DML statement's RETURNING columns
        self.results: list[tuple[int, Callable]] = []  # processors of the selected (or RETURNING) columns
        self.attribute_keys: list[str] = []  # for `instances`: the mapped attribute of each column
        self.key_at: list[int] = []  # ... and where the primary key's columns are
        self.mapper: Any = None
        if isinstance(statement, Select):
            columns = list(statement.selected_columns)
            self.row = _row_class(statement.selected_columns.keys())
            (first, *others) = statement.column_descriptions
            if not others and first.get("entity") is not None and first["expr"] is first["entity"]:  # select(Entity)
                mapper = self.mapper = first["entity"].__mapper__
                self.attribute_keys = [mapper.get_property_by_column(column).key for column in columns]
                self.key_at = [next(i for i, c in enumerate(columns) if c is key) for key in mapper.primary_key]
        else:
            columns = list(statement.exported_columns)  # RETURNING's
        self.results = [
            (index, process)
            for index, column in enumerate(columns)
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]
        # PostgreSQL: the COPY doing an executemany's work, and the table it writes.
        self.copying = _copy_sql(statement, compiled.positiontup, dialect)
        # `_bind_each`: where each processed bind is, and how to process it; for a COPY's rows, which
        # are text, a JSON document is processed into its text, as SQLAlchemy's JSON type does for a
        # driver of no JSON adapter (psycopg's adapter serialized it again for every row it wrote).
        self._processing = [(at, process) for at, (_, _, process, _) in enumerate(self.binds) if process is not None]
        self._copy_processing = [
            (at, _as_text(binds[name].type.dialect_impl(dialect), dialect) or process)
            for at, (name, _, process, _) in enumerate(self.binds)
            if process is not None
        ]
        self._literal_sql: str | None = None

    def _bind_lists_as_arrays(self, dialect: Dialect) -> None:
        """PostgreSQL: an expanding list is one array parameter (`= ANY(%s)`, `<> ALL(%s)`), its items
        each processed as the list's type says: one SQL text for every length, which psycopg parses
        once (an import chunk's lookups of 500 leads and members took a text of 500 parameters
        each, parsed anew by psycopg and by the server: bench/results.md). The array goes in binary
        (`%b`): psycopg writes a list of 500 Emails 4 times as fast as in text, which it escapes
        item by item."""
        binds = []
        for name, default, process, expanding in self.binds:
            if expanding:
                # Typed as the list's items are: psycopg types a list of small ints smallint[], which
                # the server planned badly once the statement was prepared (bench/results.md).
                array = f"%b::{dialect.type_compiler_instance.process(self.compiled.binds[name].type)}[]"
                listed = f"IN (__[POSTCOMPILE_{name}])"
                self.sql = self.sql.replace(f"NOT {listed}", f"<> ALL({array})").replace(listed, f"= ANY({array})")
                process = partial(_each, process) if process is not None else list
            binds.append((name, default, process, False))
        self.binds = binds

    def literal_sql(self) -> str:
        """The statement's SQL text with its values written in (PostgreSQL's simple query protocol
        takes no parameters), made when first asked for."""
        if self._literal_sql is None:
            compiled = self.statement.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True})
            self._literal_sql = compiled.string
        return self._literal_sql

    def run(self, channel: _Channel, params: dict | list[dict]) -> int:
        if isinstance(params, list):
            self.execute_many(channel, params)
            return -1
        return self.execute(channel, params).rowcount

    def write_on(self, cursor: Any, params: dict | list[dict]) -> None:
        """Run on `cursor` itself, for one parameter set or each of a list (no COPY): a waiting write."""
        if isinstance(params, list):
            cursor.executemany(self.sql, self._bind_each(params))
        else:
            sql, values = self._bind(params)
            cursor.execute(sql, values, **self.options)

    def copies(self, params: list[dict]) -> bool:
        """Whether an executemany of `params` is a COPY (PostgreSQL)."""
        return self.copying is not None and len(params) >= COPY_ROWS

    def execute(self, channel: _Channel, params: dict):
        sql, values = self._bind(params)
        try:
            return channel.execute(sql, values, self.options)
        except self.error as error:
            raise _as_sqlalchemy_error(sql, values, error, self.dialect) from error

    def execute_many(self, channel: _Channel, params: list[dict]) -> None:
        try:
            if self.copies(params):
                assert self.copying is not None  # as `copies` found
                copy_sql, table = self.copying
                channel.send_waiting()
                with channel.cursor.copy(copy_sql) as copy:
                    for values in self._bind_each(params, as_copy_text=True):
                        copy.write_row(values)
                channel.copied(table, len(params))
                return
            channel.execute_many(self.sql, self._bind_each(params))
        except self.error as error:
            raise _as_sqlalchemy_error(self.sql, params, error, self.dialect) from error

    def fetch(self, channel: _Channel, params: dict) -> list:
        return self.loaded(self.execute(channel, params).fetchall())

    def loaded(self, rows: list) -> list:
        """The driver's rows of this statement as `rows` answers them: processed, each a row object."""
        make, results = self.row, self.results
        if results:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, process in results:
                    row[index] = process(row[index])
        return [make(*row) for row in rows]

    def _bind_each(self, params: list[dict], as_copy_text: bool = False) -> list[list]:
        """The values of each parameter set of an executemany (which has no expanding lists). A value
        object that many sets share (a batch's one `now`) is processed once: processing a datetime or
        a JSON document costs more than the database's own work for it (bench/results.md). By
        identity, not equality: equal datetimes of two offsets are not one text to every type. Each
        set holds every bind (as NewRow's rows and activity entries do): its values are read in one
        call (KeyError for a bind it lacks).
        `as_copy_text` (a COPY's rows): a processed datetime is its text as psycopg's text dumper
        writes it, made once too (psycopg's dump of a datetime cost more than the rest of a row's),
        and a JSON document is processed into its text (`_copy_processing`)."""
        every_value = self._every_value
        processing = self._copy_processing if as_copy_text else self._processing
        processed: dict[int, Any] = {}  # id(value) -> processed; each value lives in `params` meanwhile
        rows = []
        for one in params:
            values = list(every_value(one))
            for at, process in processing:
                value = values[at]
                done = processed.get(id(value), _UNPROCESSED)
                if done is _UNPROCESSED:
                    done = process(value)
                    if as_copy_text and isinstance(done, datetime):
                        done = str(done)
                    processed[id(value)] = done
                values[at] = done
            rows.append(values)
        return rows

    def _bind(self, params: dict) -> tuple[str, list]:
        """The SQL text and its values. An expanding list's items take its place, each processed as
        the list's type says; the text for the lists' lengths is SQLAlchemy's own (an empty list
        included), made once per lengths."""
        values: list = []
        lengths: list[int] = []
        for name, default, process, expanding in self.binds:
            value = params.get(name, default)
            if expanding:
                lengths.append(len(value))
                values.extend(value if process is None else map(process, value))
            else:
                values.append(process(value) if process is not None else value)
        if not lengths:
            return self.sql, values
        key = tuple(lengths)
        sql = self.expanded.get(key)
        if sql is None:
            if len(self.expanded) >= EXPANDED_TEXTS:
                self.expanded.clear()
            sql = self.expanded[key] = self.compiled.construct_expanded_state(params).statement
        return sql, values


class PreparedGet(Generic[Model]):
    """`session.get(entity, key)` for a hot lookup by a one-column primary key: what the session
    holds is Session.get's own answer (no SQL); anything else a prepared SELECT loads."""

    def __init__(self, entity: type[Model]):
        self.entity = entity
        self._mapper = entity.__mapper__
        (column,) = self._mapper.primary_key
        self._select = Prepared(select(entity).where(column == bindparam("key")))

    def get(self, session: Session, key: Any) -> Model | None:
        if key is None:
            return None
        if self._mapper.identity_key_from_primary_key((key,)) in session.identity_map:
            return session.get(self.entity, key)
        return self._select.first(session, {"key": key})

    def get_one(self, session: Session, key: Any) -> Model:
        """`get` of a row that exists (a foreign key's), as Session.get_one: NoResultFound otherwise."""
        found = self.get(session, key)
        if found is None:
            raise NoResultFound(f"No {self.entity.__name__} {key!r}")
        return found


class PreparedUpdate(Generic[Model]):
    """An instance's changed columns written by one UPDATE on its one-column primary key, then
    known to the session as stored: the unit of work's flush of a changed row cost more than the
    rest of a call's SQL together. One prepared form per set of columns (`forms`, by sorted keys)."""

    def __init__(self, entity: type[Model]):
        mapper = entity.__mapper__
        (key,) = mapper.primary_key
        self._key = mapper.get_property_by_column(key).key
        self._statement = update(entity.__table__).where(key == bindparam("primary_key"))
        self.forms: dict[tuple[str, ...], Prepared] = {}

    def run(self, session: Session, instance: Model, columns: dict[str, Any]) -> None:
        if not columns:
            return
        session.flush()  # a pending instance gets its key; what the ORM still holds goes first
        self._form(columns).send(session, {"primary_key": getattr(instance, self._key), **columns})
        for key, value in columns.items():
            set_committed_value(instance, key, value)

    def run_rows(self, session: Session, changes: list[tuple[Any, dict[str, Any]]]) -> None:
        """The same columns of many rows, each given as (primary key, {column: value}), in one
        executemany; instances the session holds of them are the caller's to refresh."""
        if changes:
            rows = [{"primary_key": key, **columns} for key, columns in changes]
            self._form(changes[0][1]).send(session, rows)

    def _form(self, columns: dict[str, Any]) -> Prepared:
        keys = tuple(sorted(columns))
        return self.forms.get(keys) or self.forms.setdefault(keys, Prepared(self._statement, keys))


class PreparedInsert(Generic[Model]):
    """A new instance written by one INSERT of all its columns but the one-column primary key, which
    the database gives; the instance comes back detached, its key set and every column loaded,
    without the unit of work's flush (its cost: bench/results.md). Set every column: the columns'
    Python-side defaults are not applied."""

    def __init__(self, entity: type[Model]):
        mapper = entity.__mapper__
        (key,) = mapper.primary_key
        self._key = mapper.get_property_by_column(key).key
        columns = [column for column in entity.__table__.columns if column is not key]
        self._columns = [(mapper.get_property_by_column(column).key, column.key) for column in columns]
        self._insert = Prepared(insert(entity.__table__).returning(key), tuple(column.key for column in columns))

    def add(self, session: Session, instance: Model) -> Model:
        values = instance_dict(instance)
        missing = [attribute for attribute, _ in self._columns if attribute not in values]
        if missing:
            raise ValueError(f"{type(instance).__name__} needs every column set to be inserted: {missing}")
        row = {column: values[attribute] for attribute, column in self._columns}
        values[self._key] = self._insert.inserted_key(session, row)
        make_transient_to_detached(instance)
        return instance


class NewRow:
    """The columns of a new row of `table` (all but its primary key) for a prepared INSERT, which
    applies none of SQLAlchemy's defaults: the columns given, and for each other its declared default
    (a callable one called afresh for each row), else None."""

    def __init__(self, table: Table):
        self._fixed: dict[str, Any] = {}  # key -> the default every row shares (None where none is declared)
        self._made: list[tuple[str, Callable]] = []  # key -> what makes each row's own default
        keys = []
        for column in table.columns:
            if column.primary_key:
                continue
            keys.append(column.key)
            default = column.default
            if default is not None and not isinstance(default, ColumnDefault):
                raise ValueError(f"{column} has a default a prepared INSERT cannot apply: {default}")
            if default is not None and default.is_callable:
                self._made.append((column.key, default.arg))
            else:
                self._fixed[column.key] = None if default is None else default.arg
        self.keys = tuple(keys)

    def __call__(self, columns: dict[str, Any]) -> dict[str, Any]:
        row = self._fixed | columns
        for key, make in self._made:
            if key not in columns:
                row[key] = make(None)
        return row


def _channel(session: Session) -> _Channel:
    """The session's channel to its driver's connection (a new one when the connection is new).
    A session whose unit of work failed is closed, never used again (store/db.py): its channel,
    with the writes that waited in it, is never used again either; the connection's next session
    makes its own before any statement."""
    channel = session.info.get(_CHANNEL)
    sqlite = session.info.get(SQLITE_DRIVER)  # store/db.py sets it anew with each connection
    if channel is None or (sqlite is not None and channel.driver is not sqlite):
        connection = session.connection()
        channel = session.info[_CHANNEL] = _Channel(sqlite or connection.connection.driver_connection)
        if sqlite is None:  # PostgreSQL: SQLAlchemy's statements send its waiting writes first
            connection.info[_CHANNEL] = channel
    return channel


def send_waiting_writes_first(engine: Engine) -> None:
    """PostgreSQL: SQLAlchemy's own statements on the engine's connections go after the writes that
    wait (`Prepared.send`), as they were made."""

    @event.listens_for(engine, "before_cursor_execute")
    def _send_first(connection, cursor, statement, parameters, context, executemany) -> None:
        channel = connection.info.get(_CHANNEL)
        if channel is not None and channel.waiting:
            _on(channel, connection.dialect, statement, lambda channel: channel.send_waiting())


def _copy_sql(statement: Select | UpdateBase, binds: list[str], dialect: Dialect) -> tuple[str, str] | None:
    """PostgreSQL: the COPY that writes the rows a plain INSERT of one row a parameter set would
    (each bind a column of its own, no RETURNING, no ON CONFLICT), and its table's name; None for any
    other statement or dialect."""
    if dialect.name != "postgresql":
        return None
    if not isinstance(statement, Insert) or statement._returning or statement._post_values_clause is not None:
        return None
    if statement.select is not None or statement._values or statement._multi_values:
        return None
    table = statement.table
    if not isinstance(table, Table) or not all(name in table.c for name in binds):
        return None
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.format_column(table.c[name]) for name in binds)
    name = quote.format_table(table)
    return f"COPY {name} ({columns}) FROM STDIN", name


def _analyze_if_grown(cursor: Any, table: str) -> None:
    """PostgreSQL: refresh the planner's statistics of a table a COPY has grown past ANALYZE_GROWTH times
    its size at its last ANALYZE. Without them the server guesses that a lookup of a chunk's 500
    Emails or members matches much of the table, and scans it whole: an import's chunks grew slower
    with every one (bench/results.md). Autovacuum would look only after a minute, when a
    large import is long done. In the writer's transaction, which it sees whole; skipped while
    another ANALYZE of the table runs, which would do as well."""
    cursor.execute(
        "SELECT pg_relation_size(oid) > %s * relpages::bigint * current_setting('block_size')::bigint + %s"
        " FROM pg_class WHERE oid = %s::regclass",
        [ANALYZE_GROWTH, SMALL_TABLE_BYTES, table],
    )
    if cursor.fetchone()[0]:
        cursor.execute(f"ANALYZE (SKIP_LOCKED) {table}")


def _as_sqlalchemy_error(sql: str, values: Any, error: Exception, dialect: Dialect) -> exc.StatementError:
    """The driver's error as SQLAlchemy's (OperationalError, IntegrityError, ...), as its own
    execution raises it: the store maps those to StoreUnavailable and StoreConflict."""
    return exc.DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect)


def _as_text(impl: Any, dialect: Dialect) -> Callable | None:
    """For a JSON type, the processor that serializes a document into its text (the type's own, as for
    a driver of no JSON adapter); None for another type."""
    return sqltypes.JSON.bind_processor(impl, dialect) if isinstance(impl, sqltypes.JSON) else None


def _every_value(names: list[str]) -> Callable[[dict], tuple]:
    """A parameter set's values of these binds, in their order, read in one call (KeyError if one
    is missing)."""
    if len(names) > 1:
        return itemgetter(*names)
    return lambda one: tuple(one[name] for name in names)


def _each(process: Callable, items: Any) -> list:
    return [process(item) for item in items]


def _values(*values: Any) -> tuple:
    return values


def _row_class(keys: list[str]) -> type:
    """A light row: its columns by key, as SQLAlchemy's Row gives them by attribute."""

    class Row(tuple):
        __slots__ = ()

        def __new__(cls, *values):
            return tuple.__new__(cls, values)

    for index, key in enumerate(keys):
        setattr(Row, key, property(itemgetter(index)))
    return Row
