"""What stands between a caller and an operation besides authentication: Marketo's quotas
(off by default) and faults a test injects. Both follow the mock's clock."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import ERROR_TITLES, MarketoError

# Marketo's daily quota resets at midnight US Central time ("12:00AM CST").
QUOTA_ZONE = ZoneInfo("America/Chicago")


def api_day_start(now: datetime) -> datetime:
    """The midnight (US Central) that began `now`'s API day: when quotas and clone counts start over."""
    return now.astimezone(QUOTA_ZONE).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class InjectedFault:
    """Answer calls of `operation` (any, when None) with fault `code` after `delay_ms`.

    `count` calls at most (unlimited when None), each with `probability`; a rule with no code
    only delays the call.
    """

    id: int
    operation: str | None = None
    code: int | None = None
    message: str | None = None
    delay_ms: int = 0
    count: int | None = None
    probability: float = 1.0
    hits: int = 0

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Quotas:
    enabled: bool = False
    daily: int = 10_000
    rate: int = 100
    rate_window_seconds: int = 20
    concurrency: int = 10


class CallLimits:
    def __init__(self, clock: Clock, seed: int = 0):
        self.clock = clock
        self.quotas = Quotas()
        self._lock = threading.Lock()
        self._faults: list[InjectedFault] = []
        self._next_id = 1
        self._random = random.Random(seed)
        self._seed = seed
        self._day: datetime | None = None
        self._day_count = 0
        self._recent: deque[datetime] = deque()
        self._in_flight = 0

    def reset(self) -> None:
        """No injected faults, quotas off and counters at zero (randomness restarts too)."""
        with self._lock:
            self._faults.clear()
            self._next_id = 1
            self._random = random.Random(self._seed)
            self.quotas = Quotas()
            self._day, self._day_count = None, 0  # calls in flight stay in flight
            self._recent.clear()

    def inject(
        self,
        operation: str | None = None,
        code: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        count: int | None = None,
        probability: float = 1.0,
    ) -> InjectedFault:
        if code is not None and code not in ERROR_TITLES:
            raise ValueError(f"unknown Marketo error code {code}")
        if code is None and not delay_ms:
            raise ValueError("a fault needs a code, a delay or both")
        if delay_ms < 0 or (count is not None and count < 1) or not 0 <= probability <= 1:
            raise ValueError("delay_ms >= 0, count >= 1 and 0 <= probability <= 1")
        with self._lock:
            fault = InjectedFault(self._next_id, operation, code, message, delay_ms, count, probability)
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def faults(self) -> list[InjectedFault]:
        with self._lock:
            return list(self._faults)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def arrive(self) -> None:
        """A call is in flight from its arrival (waiting its turn included) until `leave()`."""
        with self._lock:
            self._in_flight += 1

    def admit(self, operation: str) -> tuple[float, MarketoError | None]:
        """Admit an arrived, authenticated call: (seconds to delay it, the fault to answer
        instead or None)."""
        with self._lock:
            delay, error = self._injected(operation)
            if error is None and self.quotas.enabled:
                error = self._quota_error()
            return delay, error

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def _injected(self, operation: str) -> tuple[float, MarketoError | None]:
        for fault in self._faults:
            if fault.operation not in (None, operation):
                continue
            if fault.count is not None and fault.hits >= fault.count:
                continue
            if fault.probability < 1 and self._random.random() >= fault.probability:
                continue
            fault.hits += 1
            error = MarketoError(fault.code, fault.message) if fault.code is not None else None
            return fault.delay_ms / 1000, error
        return 0.0, None

    def _quota_error(self) -> MarketoError | None:
        now = self.clock.now()
        if self._in_flight > self.quotas.concurrency:
            return MarketoError(20024, f"More than {self.quotas.concurrency} concurrent calls")
        window_start = now - timedelta(seconds=self.quotas.rate_window_seconds)
        while self._recent and self._recent[0] <= window_start:
            self._recent.popleft()
        if len(self._recent) >= self.quotas.rate:
            return MarketoError(20023, f"More than {self.quotas.rate} calls in {self.quotas.rate_window_seconds} s")
        day = api_day_start(now)
        if day != self._day:
            self._day, self._day_count = day, 0
        if self._day_count >= self.quotas.daily:
            return MarketoError(20015, f"Daily quota of {self.quotas.daily} calls exceeded")
        self._day_count += 1
        self._recent.append(now)
        return None
