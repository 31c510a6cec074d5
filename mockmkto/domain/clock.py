"""The mock's one source of "now": real time, or frozen / shifted by tests through the admin API."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        offset = self._offset
        return datetime.now(UTC) + offset if offset else datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> None:
        with self._lock:
            self._frozen_at = _aware(at) if at is not None else self.now()

    def set(self, at: datetime) -> None:
        """Jump to `at`; the clock keeps running from there unless it is frozen."""
        with self._lock:
            at = _aware(at)
            if self._frozen_at is not None:
                self._frozen_at = at
            else:
                self._offset = at - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += delta
            else:
                self._offset += delta

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - datetime.now(UTC)
            self._frozen_at = None

    def reset(self) -> None:
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
