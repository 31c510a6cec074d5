"""Hot statements compiled once by SQLAlchemy and run on SQLite's own cursor.

SQLAlchemy's Core execution costs about 20 times the SQLite work of a key lookup (bench/results.md):
for the few statements every call runs, `Prepared` keeps SQLAlchemy's SQL text and its bind and
result processors, and does only the execution itself. Other dialects execute the statement as
SQLAlchemy does. tests/test_prepared.py compares both ways, row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


class Prepared:
    """A SELECT without expanding IN (`rows`: its columns' keys are attributes of each row), or an
    INSERT/UPDATE of the given `column_keys` (`run`), whose defaults SQLite itself supplies."""

    def __init__(self, statement: Executable, column_keys: tuple[str, ...] | None = None):
        self.statement = statement
        self.column_keys = column_keys
        self._sql = ""
        self._binds: list[tuple[str, Any, Callable | None]] = []
        self._row: Callable | None = None
        self._results: list[tuple[int, Callable]] = []

    def rows(self, session: Session, params: dict | None = None) -> list:
        connection = session.connection()
        if connection.dialect.name != "sqlite":
            return list(connection.execute(self.statement, params or {}))
        rows = self._cursor(connection).execute(self._sql, self._bind(params or {})).fetchall()
        make, results = self._row, self._results
        if results:
            rows = [list(row) for row in rows]
            for row in rows:
                for index, process in results:
                    row[index] = process(row[index])
        return [make(*row) for row in rows]

    def run(self, session: Session, params: dict | list[dict]) -> None:
        """Execute for one parameter set, or for each of a list in one executemany."""
        connection = session.connection()
        if connection.dialect.name != "sqlite":
            connection.execute(self.statement, params)
        elif isinstance(params, list):
            self._cursor(connection).executemany(self._sql, [self._bind(one) for one in params])
        else:
            self._cursor(connection).execute(self._sql, self._bind(params))

    def _cursor(self, connection: Connection):
        if not self._sql:
            self._compile(connection.dialect)
        return connection.connection.driver_connection

    def _compile(self, dialect: Dialect) -> None:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError(f"SQLAlchemy computes defaults of {self.statement} in Python: not preparable")
        binds = compiled.binds
        self._binds = [
            (name, binds[name].effective_value, binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]
        if self.statement.is_select:
            columns = list(self.statement.selected_columns)
            self._row = _row_class([column.key for column in columns])
            self._results = [
                (index, process)
                for index, column in enumerate(columns)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
            ]
        self._sql = compiled.string  # last: instances share statements, and this says "compiled"

    def _bind(self, params: dict) -> list:
        values = []
        for name, default, process in self._binds:
            value = params.get(name, default)
            values.append(process(value) if process is not None else value)
        return values


def _row_class(keys: list[str]) -> type:
    """A light row: its columns by key, as SQLAlchemy's Row gives them by attribute."""

    class Row(tuple):
        __slots__ = ()

        def __new__(cls, *values):
            return tuple.__new__(cls, values)

    for index, key in enumerate(keys):
        setattr(Row, key, property(lambda row, index=index: row[index]))
    return Row
