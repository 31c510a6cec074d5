"""The request journal: every SOAP call as the mock saw it, for tests to assert on.

Kept in the instance's store, so a call journalled by one process is seen through every other.
Entries are numbered in the order they are kept, from 1 after a reset; the oldest are dropped first
past `cap` entries or `max_bytes` of bodies (the newest call is always kept: paging a million leads
is a thousand 1 MB answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mockmkto.store import journal_repository
from mockmkto.store.db import Store
from mockmkto.store.state_models import JournalRow


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
        self.store.own_state(session)
        size = len(body) + len(result.body)
        state = self.store.state
        entry_id, first = state.next_journal_id, state.journal_first_id
        # The state's journal_bytes bounds the kept bodies' length from above: entries the cap drops
        # leave it as it was, so writing an entry needs no answer from the store. A bound over the
        # budget is made exact from the kept entries' sizes, read then, before anything is dropped
        # for bytes: the oldest, while the bodies are over the budget.
        total = state.journal_bytes + size
        keep_from = max(first, entry_id + 1 - self.cap)
        over_budget = total > self.max_bytes
        if over_budget:
            kept = journal_repository.sizes(session, first, entry_id)
            total = size + sum(row_size for _, row_size in kept)
            for row_id, row_size in kept:
                if row_id >= keep_from and total <= self.max_bytes:
                    break
                keep_from, total = row_id + 1, total - row_size
        entry = {
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
        }
        journal_repository.append(session, entry, first, keep_from, at_once=over_budget)
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
        with self.store.session() as session:
            first = self.store.state.journal_first_id
            rows = journal_repository.rows(session, first, operation, fault, user_id, limit, offset)
        return [_entry(row) for row in reversed(rows)]

    def count(self, operation: str | None = None, fault: str | None = None, user_id: str | None = None) -> int:
        with self.store.session() as session:
            return journal_repository.count(session, self.store.state.journal_first_id, operation, fault, user_id)

    def entry(self, entry_id: int) -> JournalEntry | None:
        with self.store.session() as session:
            row = journal_repository.by_id(session, self.store.state.journal_first_id, entry_id)
            return _entry(row) if row is not None else None

    def clear(self) -> None:
        with self.store.session() as session:
            journal_repository.clear(session)
            self.store.write_state(session, journal_first_id=self.store.state.next_journal_id, journal_bytes=0)


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
