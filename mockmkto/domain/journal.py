"""The request journal: every SOAP call as the mock saw it, for tests to assert on.

Kept in the instance's store, so a call journalled by one process is seen through every other.
Entries are numbered in the order they are kept, from 1 after a reset; the oldest are dropped first
past `cap` entries or `max_bytes` of bodies (the newest call is always kept: paging a million leads
is a thousand 1 MB answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, false, func, insert, select
from sqlalchemy.sql import Select

from mockmkto.store.db import Store
from mockmkto.store.prepared import Prepared
from mockmkto.store.state_models import JournalRow

# Written on every call: prepared (store/prepared.py), as the other per-call statements are.
_TABLE = JournalRow.__table__
_INSERT = Prepared(insert(_TABLE), tuple(column.key for column in _TABLE.columns))
# The entries are ids [journal_first_id, next_journal_id), and a range of them starts at the first:
# PostgreSQL's index keeps the entries dropped until a vacuum, and a range open below walks them all
# (thousands a call under load, inside the instance's lock).
_KEPT = _TABLE.c.id >= bindparam("first")
_SIZES = Prepared(
    select(_TABLE.c.id, _TABLE.c.size).where(_KEPT, _TABLE.c.id < bindparam("before")).order_by(_TABLE.c.id)
)
# The dropped entries' sizes come back from the DELETE itself: one statement a call, not two.
_DROP_BEFORE = Prepared(delete(_TABLE).where(_KEPT, _TABLE.c.id < bindparam("keep_from")).returning(_TABLE.c.size))


@dataclass
class JournalEntry:
    id: int
    time: datetime
    operation: str | None
    user_id: str | None
    workspace: str | None
    status: int
    fault_code: int | None
    duration_ms: float
    # Bytes as they were on the wire, decoded only when read: a response can be a megabyte.
    request_bytes: bytes
    response_bytes: bytes
    transport: str | None = None  # a fault of the connection the call got instead of its answer

    @property
    def request(self) -> str:
        return self.request_bytes.decode("utf-8", "replace")

    @property
    def response(self) -> str:
        return self.response_bytes.decode("utf-8", "replace")

    def to_json(self, bodies: bool = True) -> dict:
        entry = {
            "id": self.id,
            "time": self.time.isoformat(),
            "operation": self.operation,
            "userId": self.user_id,
            "workspace": self.workspace,
            "status": self.status,
            "faultCode": self.fault_code,
            "transport": self.transport,
            "durationMs": round(self.duration_ms, 3),
        }
        if bodies:
            entry["request"] = self.request
            entry["response"] = self.response
        return entry


class Journal:
    def __init__(self, store: Store, cap: int = 1000, max_bytes: int = 64 * 1024 * 1024):
        self.store = store
        self.cap = cap
        self.max_bytes = max_bytes

    def record(self, time: datetime, body: bytes, result, duration_ms: float) -> None:
        """Journal one call (`result`: the SoapResponse it got) in a unit of work of its own: a call
        whose own work was rolled back is journalled all the same."""
        with self.store.session() as session:
            self.append(session, time, body, result, duration_ms)

    def append(self, session, time: datetime, body: bytes, result, duration_ms: float) -> None:
        """Journal one call in `session`: a call that succeeded is journalled in its own unit of work."""
        size = len(body) + len(result.body)
        state = self.store.state
        entry_id, first, total = state.next_journal_id, state.journal_first_id, state.journal_bytes + size
        _INSERT.run(
            session,
            {
                "id": entry_id,
                "time": time,
                "operation": result.operation,
                "user_id": result.user_id,
                "workspace": result.workspace,
                "status": result.status,
                "fault_code": result.fault_code,
                "transport": result.transport,
                "duration_ms": duration_ms,
                "request": body,
                "response": result.body,
                "size": size,
            },
        )
        # Dropped: past the cap, then the oldest while the bodies are over the budget.
        keep_from = max(first, entry_id + 1 - self.cap)
        if total > self.max_bytes:
            remaining = total
            for row_id, row_size in _SIZES.rows(session, {"first": first, "before": entry_id}):
                if row_id >= keep_from and remaining <= self.max_bytes:
                    break
                keep_from, remaining = row_id + 1, remaining - row_size
        if keep_from > first:
            total -= sum(size for (size,) in _DROP_BEFORE.rows(session, {"first": first, "keep_from": keep_from}))
        self.store.write_state(session, next_journal_id=entry_id + 1, journal_first_id=keep_from, journal_bytes=total)

    def entries(
        self,
        operation: str | None = None,
        fault: str | None = None,
        user_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[JournalEntry]:
        """Matching entries, oldest first: the `limit` (all, when None) that end `offset` entries
        before the newest. `fault` is a code, "any" or "none"."""
        query = _matching(select(JournalRow), operation, fault, user_id).order_by(JournalRow.id.desc())
        query = query.offset(offset).limit(limit)
        with self.store.session() as session:
            rows = list(session.scalars(query))
        return [_entry(row) for row in reversed(rows)]

    def count(self, operation: str | None = None, fault: str | None = None, user_id: str | None = None) -> int:
        query = _matching(select(func.count()).select_from(JournalRow), operation, fault, user_id)
        with self.store.session() as session:
            return session.scalar(query) or 0

    def entry(self, entry_id: int) -> JournalEntry | None:
        with self.store.session() as session:
            row = session.get(JournalRow, entry_id)
            return _entry(row) if row is not None else None

    def clear(self) -> None:
        with self.store.session() as session:
            session.execute(delete(JournalRow))
            self.store.write_state(session, journal_first_id=self.store.state.next_journal_id, journal_bytes=0)


def _matching(query: Select, operation: str | None, fault: str | None, user_id: str | None) -> Select:
    if operation:
        query = query.where(JournalRow.operation == operation)
    if user_id:
        query = query.where(JournalRow.user_id == user_id)
    if fault == "any":
        query = query.where(JournalRow.fault_code.is_not(None))
    elif fault == "none":
        query = query.where(JournalRow.fault_code.is_(None))
    elif fault:
        query = query.where(JournalRow.fault_code == int(fault)) if fault.isdigit() else query.where(false())
    return query


def _entry(row: JournalRow) -> JournalEntry:
    return JournalEntry(
        row.id,
        row.time,
        row.operation,
        row.user_id,
        row.workspace,
        row.status,
        row.fault_code,
        row.duration_ms,
        row.request,
        row.response,
        row.transport,
    )
