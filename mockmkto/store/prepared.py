"""Hot statements compiled once by SQLAlchemy and run on SQLite's own cursor.

SQLAlchemy's Core execution costs about 20 times the SQLite work of a key lookup (bench/results.md):
for the few statements every call runs, `Prepared` keeps SQLAlchemy's SQL text and its bind and
result processors, and does only the execution itself. Other dialects execute the statement as
SQLAlchemy does. tests/test_prepared.py compares both ways, row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.sql.dml import UpdateBase

from mockmkto.store.models import Base

# session.info key: SQLite's own connection, in the session's transaction (set by store/db.py).
SQLITE_DRIVER = "sqlite_driver"
# The most SQL texts a statement keeps for its IN lists' lengths: requestCampaign's lookup has a list
# per key type, each of 1-100 values, so a long-lived server could otherwise keep thousands.
EXPANDED_TEXTS = 256

Model = TypeVar("Model", bound=Base)


class Prepared:
    """A SELECT (`rows`: its columns' keys are attributes of each row), or an INSERT/UPDATE of the
    given `column_keys` (`run`), whose defaults SQLite itself supplies. An expanding IN list
    (`bindparam(name, expanding=True)`) is bound item by item; not in an executemany, as in SQLAlchemy."""

    def __init__(self, statement: Select | UpdateBase, column_keys: tuple[str, ...] | None = None):
        self.statement = statement
        self.column_keys = column_keys
        self._sql = ""
        self._binds: list[tuple[str, Any, Callable | None, bool]] = []  # name, default, processor, expanding
        self._compiled: Any = None
        self._expanded: dict[tuple[int, ...], str] = {}  # the SQL text for the expanding lists' lengths
        self._row: Callable[..., Any]  # a SELECT's row class, made by _compile
        self._results: list[tuple[int, Callable]] = []
        self._attribute_keys: list[str] = []  # for `instances`: the mapped attribute of each column
        self._key_at: list[int] = []  # ... and where the primary key's columns are
        self._mapper: Any = None

    @property
    def sql(self) -> str:
        """The SQL text run on SQLite's driver ("" until the first run compiles it)."""
        return self._sql

    @property
    def texts_kept(self) -> int:
        """How many SQL texts it keeps for the lengths of its expanding lists (EXPANDED_TEXTS at most)."""
        return len(self._expanded)

    def rows(self, session: Session, params: dict | None = None) -> list:
        driver = self._driver(session)
        if driver is None:
            return list(session.connection().execute(self.statement, params or {}))
        return self._fetch(driver, params)

    def _fetch(self, driver, params: dict | None) -> list:
        rows = driver.execute(*self._bind(params or {})).fetchall()
        make, results = self._row, self._results
        if results:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, process in results:
                    row[index] = process(row[index])
        return [make(*row) for row in rows]

    def instances(self, session: Session, params: dict | None = None) -> list:
        """For a select(Entity): the session's instances of the rows, as the ORM loads them (an
        instance the session holds already wins; no attribute history), without its loading
        machinery, which cost most of a syncLead's lookup."""
        driver = self._driver(session)
        if driver is None:
            return list(session.scalars(self.statement, params or {}))
        mapper = self._mapper
        found = []
        for row in self._fetch(driver, params):
            held = session.identity_map.get(mapper.identity_key_from_primary_key([row[i] for i in self._key_at]))
            if held is None:
                held = mapper.class_manager.new_instance()
                # As the ORM's loading fills an instance; make_transient_to_detached commits it all.
                instance_dict(held).update(zip(self._attribute_keys, row, strict=True))
                make_transient_to_detached(held)
                session.add(held)
            found.append(held)
        return found

    def first(self, session: Session, params: dict | None = None) -> Any:
        """The first of `instances`, or None."""
        found = self.instances(session, params)
        return found[0] if found else None

    def run(self, session: Session, params: dict | list[dict]) -> None:
        """Execute for one parameter set, or for each of a list in one executemany."""
        driver = self._driver(session)
        if driver is None:
            session.connection().execute(self.statement, params)
        elif isinstance(params, list):
            driver.executemany(self._sql, [self._bind(one)[1] for one in params])
        else:
            driver.execute(*self._bind(params))

    def inserted_key(self, session: Session, params: dict) -> Any:
        """Execute an INSERT for one parameter set; the primary key the database gave the new row."""
        driver = self._driver(session)
        if driver is None:
            inserted = session.connection().execute(self.statement, params).inserted_primary_key
            assert inserted is not None  # typed for any statement; an INSERT's result has its row
            return inserted[0]
        return driver.execute(*self._bind(params)).lastrowid

    def _driver(self, session: Session):
        """SQLite's own connection, in the session's transaction; None on other dialects. The session
        flushes first, as the ORM's own statements autoflush: what the call holds counts, and goes first."""
        session.flush()
        driver = session.info.get(SQLITE_DRIVER)
        if driver is None:
            connection = session.connection()
            if connection.dialect.name != "sqlite":
                return None
            driver = connection.connection.driver_connection
        if not self._sql:
            self._compile(session.get_bind().dialect)
        return driver

    def _compile(self, dialect: Dialect) -> None:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError(f"SQLAlchemy computes defaults of {self.statement} in Python: not preparable")
        binds = compiled.binds
        assert compiled.positiontup is not None  # SQLite's parameters are positional
        self._binds = [
            (
                name,
                binds[name].effective_value,
                binds[name].type.dialect_impl(dialect).bind_processor(dialect),
                binds[name].expanding,
            )
            for name in compiled.positiontup
        ]
        self._compiled = compiled
        if isinstance(statement := self.statement, Select):
            columns = list(statement.selected_columns)
            self._row = _row_class(statement.selected_columns.keys())
            (first, *others) = statement.column_descriptions
            if not others and first.get("entity") is not None and first["expr"] is first["entity"]:  # select(Entity)
                mapper = self._mapper = first["entity"].__mapper__
                self._attribute_keys = [mapper.get_property_by_column(column).key for column in columns]
                self._key_at = [next(i for i, c in enumerate(columns) if c is key) for key in mapper.primary_key]
            self._results = [
                (index, process)
                for index, column in enumerate(columns)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
            ]
        self._sql = compiled.string  # last: instances share statements, and this says "compiled"

    def _bind(self, params: dict) -> tuple[str, list]:
        """The SQL text and its values. An expanding list's items take its place, each processed as
        the list's type says; the text for the lists' lengths is SQLAlchemy's own (an empty list
        included), made once per lengths."""
        values: list = []
        lengths: list[int] = []
        for name, default, process, expanding in self._binds:
            value = params.get(name, default)
            if expanding:
                lengths.append(len(value))
                values.extend(value if process is None else map(process, value))
            else:
                values.append(process(value) if process is not None else value)
        if not lengths:
            return self._sql, values
        key = tuple(lengths)
        sql = self._expanded.get(key)
        if sql is None:
            if len(self._expanded) >= EXPANDED_TEXTS:
                self._expanded.clear()
            sql = self._expanded[key] = self._compiled.construct_expanded_state(params).statement
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
        keys = tuple(sorted(columns))
        form = self.forms.get(keys) or self.forms.setdefault(keys, Prepared(self._statement, keys))
        form.run(session, {"primary_key": getattr(instance, self._key), **columns})
        for key, value in columns.items():
            set_committed_value(instance, key, value)


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
        self._insert = Prepared(insert(entity.__table__), tuple(column.key for column in columns))

    def add(self, session: Session, instance: Model) -> Model:
        values = instance_dict(instance)
        missing = [attribute for attribute, _ in self._columns if attribute not in values]
        if missing:
            raise ValueError(f"{type(instance).__name__} needs every column set to be inserted: {missing}")
        row = {column: values[attribute] for attribute, column in self._columns}
        values[self._key] = self._insert.inserted_key(session, row)
        make_transient_to_detached(instance)
        return instance


def _row_class(keys: list[str]) -> type:
    """A light row: its columns by key, as SQLAlchemy's Row gives them by attribute."""

    class Row(tuple):
        __slots__ = ()

        def __new__(cls, *values):
            return tuple.__new__(cls, values)

    for index, key in enumerate(keys):
        setattr(Row, key, property(itemgetter(index)))
    return Row
