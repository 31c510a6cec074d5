"""The `journal` table: the one way the request journal is written and read.

The entries kept are ids [first, next) (the instance's state holds both: domain/journal.py), and
every read starts at `first`. Every call writes an entry and, once the journal is full, drops the
oldest, inside the instance's lock: on PostgreSQL one statement does both (bench/results.md). On
SQLite the entries the journal no longer keeps are deleted TRIM_ENTRIES at a time, unseen meanwhile:
deleting the oldest entry at every call wrote a fifth of a syncLead's pages (bench/results.md).
"""

from __future__ import annotations

from sqlalchemy import bindparam, delete, false, func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from mockmkto.store.prepared import Prepared
from mockmkto.store.state_models import JournalRow

_TABLE = JournalRow.__table__
# An entry's columns, as `append` takes them.
ENTRY_KEYS = tuple(column.key for column in _TABLE.columns)
_INSERT = Prepared(insert(_TABLE), ENTRY_KEYS)
# A range of entries starts at the first kept: PostgreSQL's index keeps the entries dropped until a
# vacuum, and a range open below walks them all (thousands a call under load).
_KEPT = _TABLE.c.id >= bindparam("first")
_SIZES = Prepared(
    select(_TABLE.c.id, _TABLE.c.size).where(_KEPT, _TABLE.c.id < bindparam("before")).order_by(_TABLE.c.id)
)
_DROP = delete(_TABLE).where(_KEPT, _TABLE.c.id < bindparam("keep_from"))
# SQLite: every entry below the first kept, however many calls ago the journal dropped it; sent
# when the first kept passes a multiple of TRIM_ENTRIES.
_DROP_ALL_BEFORE = Prepared(delete(_TABLE).where(_TABLE.c.id < bindparam("keep_from")))
TRIM_ENTRIES = 64
# PostgreSQL: the entry written and the oldest dropped by one statement (a data-modifying WITH
# clause runs once and whole, read or not).
_APPEND = Prepared(insert(_TABLE).values({key: bindparam(key) for key in ENTRY_KEYS}).add_cte(_DROP.cte("dropped")))


def append(session: Session, entry: dict, first: int, keep_from: int, at_once: bool) -> None:
    """Write `entry` (a dict of ENTRY_KEYS) and drop the entries [first, keep_from): deleted now on
    PostgreSQL; on SQLite once the first kept (`keep_from`) passes a multiple of TRIM_ENTRIES, or now
    if `at_once` (their bodies are over the byte budget, which bounds what the journal stores). Nothing waits on the
    answer: on PostgreSQL it goes with the unit of work's next statement (`Prepared.send`)."""
    if session.get_bind().dialect.name == "postgresql":
        _APPEND.send(session, entry | {"first": first, "keep_from": keep_from})
        return
    _INSERT.send(session, entry)
    if keep_from > first and (at_once or keep_from // TRIM_ENTRIES > first // TRIM_ENTRIES):
        _DROP_ALL_BEFORE.send(session, {"keep_from": keep_from})


def sizes(session: Session, first: int, before: int) -> list[tuple[int, int]]:
    """(id, size) of the entries [first, before), oldest first."""
    return _SIZES.rows(session, {"first": first, "before": before})


def rows(
    session: Session,
    first: int,
    operation: str | None,
    fault: str | None,
    user_id: str | None,
    limit: int | None,
    offset: int,
) -> list[JournalRow]:
    """Matching entries kept from `first`, newest first: `limit` (all, when None) after the `offset`
    newest. `fault` is a code, "any" or "none"."""
    query = _matching(select(JournalRow), first, operation, fault, user_id).order_by(JournalRow.id.desc())
    return list(session.scalars(query.offset(offset).limit(limit)))


def count(session: Session, first: int, operation: str | None, fault: str | None, user_id: str | None) -> int:
    query = _matching(select(func.count()).select_from(JournalRow), first, operation, fault, user_id)
    return session.scalar(query) or 0


def by_id(session: Session, first: int, entry_id: int) -> JournalRow | None:
    """The entry of this id, if it is kept (from `first`)."""
    return session.get(JournalRow, entry_id) if entry_id >= first else None


def clear(session: Session) -> None:
    session.execute(delete(JournalRow))


def _matching(query: Select, first: int, operation: str | None, fault: str | None, user_id: str | None) -> Select:
    query = query.where(JournalRow.id >= first)
    if operation:
        query = query.where(JournalRow.operation == operation)
    if user_id:
        query = query.where(JournalRow.user_id == user_id)
    if fault == "any":
        query = query.where(JournalRow.fault_code.is_not(None))
    elif fault == "none":
        query = query.where(JournalRow.fault_code.is_(None))
    elif fault:
        # A code is ASCII digits (Marketo's have five); anything else, or longer than any, matches nothing.
        is_code = fault.isascii() and fault.isdigit() and len(fault) < 10
        query = query.where(JournalRow.fault_code == int(fault)) if is_code else query.where(false())
    return query
