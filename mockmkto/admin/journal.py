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
    request: str
    response: str

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
    """The last `cap` calls, oldest dropped first."""

    def __init__(self, cap: int = 1000):
        self.cap = cap
        self._entries: deque[JournalEntry] = deque(maxlen=cap)
        self._next_id = 1
        self._lock = threading.Lock()

    def record(self, time: datetime, body: bytes, result, duration_ms: float) -> None:
        with self._lock:
            self._entries.append(
                JournalEntry(
                    self._next_id,
                    time,
                    result.operation,
                    result.user_id,
                    result.workspace,
                    result.status,
                    result.fault_code,
                    duration_ms,
                    body.decode("utf-8", "replace"),
                    result.body.decode("utf-8", "replace"),
                )
            )
            self._next_id += 1

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
