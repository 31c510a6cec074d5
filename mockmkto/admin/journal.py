"""The request journal: every SOAP call as the mock saw it, for tests to assert on."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime


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

    @property
    def request(self) -> str:
        return self.request_bytes.decode("utf-8", "replace")

    @property
    def response(self) -> str:
        return self.response_bytes.decode("utf-8", "replace")

    @property
    def size(self) -> int:
        return len(self.request_bytes) + len(self.response_bytes)

    def to_json(self, bodies: bool = True) -> dict:
        entry = {
            "id": self.id,
            "time": self.time.isoformat(),
            "operation": self.operation,
            "userId": self.user_id,
            "workspace": self.workspace,
            "status": self.status,
            "faultCode": self.fault_code,
            "durationMs": round(self.duration_ms, 3),
        }
        if bodies:
            entry["request"] = self.request
            entry["response"] = self.response
        return entry


class Journal:
    """The last `cap` calls whose bodies fit in `max_bytes` together, oldest dropped first; the
    newest call is always kept. (Paging a million leads is a thousand 1 MB answers.)"""

    def __init__(self, cap: int = 1000, max_bytes: int = 64 * 1024 * 1024):
        self.cap = cap
        self.max_bytes = max_bytes
        self._entries: deque[JournalEntry] = deque()
        self._bytes = 0
        self._next_id = 1
        self._lock = threading.Lock()

    def record(self, time: datetime, body: bytes, result, duration_ms: float) -> None:
        entry = JournalEntry(
            0,  # numbered below, in the order the calls are kept
            time,
            result.operation,
            result.user_id,
            result.workspace,
            result.status,
            result.fault_code,
            duration_ms,
            body,
            result.body,
        )
        with self._lock:
            entry.id = self._next_id
            self._next_id += 1
            self._entries.append(entry)
            self._bytes += entry.size
            while len(self._entries) > 1 and (len(self._entries) > self.cap or self._bytes > self.max_bytes):
                self._bytes -= self._entries.popleft().size

    def entries(
        self,
        operation: str | None = None,
        fault: str | None = None,
        user_id: str | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        """Matching entries, oldest first. `fault` is a code, "any" or "none"."""
        with self._lock:
            found = list(self._entries)
        if operation:
            found = [e for e in found if e.operation == operation]
        if user_id:
            found = [e for e in found if e.user_id == user_id]
        if fault == "any":
            found = [e for e in found if e.fault_code is not None]
        elif fault == "none":
            found = [e for e in found if e.fault_code is None]
        elif fault:
            found = [e for e in found if str(e.fault_code) == fault]
        return found[-limit:] if limit else found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
