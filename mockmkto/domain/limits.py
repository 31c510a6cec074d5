"""What stands between a caller and an operation besides authentication: Marketo's quotas
(off by default) and faults a test injects. Both follow the mock's clock, and both live in the
instance's shared state: every process serving it counts the same calls and fires a fault once."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import ERROR_TITLES, MarketoError
from mockmkto.domain.values import INT_MAX, whole_number
from mockmkto.store import limits_repository
from mockmkto.store.db import Store

# Marketo's daily quota resets at midnight US Central time ("12:00AM CST").
QUOTA_ZONE = ZoneInfo("America/Chicago")


def api_day_start(now: datetime) -> datetime:
    """The midnight (US Central) that began `now`'s API day: when quotas and clone counts start over."""
    return now.astimezone(QUOTA_ZONE).replace(hour=0, minute=0, second=0, microsecond=0)


def api_day(now: datetime) -> tuple[datetime, datetime]:
    """`now`'s API day as [start, end): a count over it covers that day alone, wherever the clock
    was moved before (wall-clock arithmetic in the zone: a day of 23 or 25 hours at DST)."""
    start = api_day_start(now)
    return start, (start + timedelta(days=1)).replace(hour=0)


# The longest injected delay: an hour, longer than any client waits for an answer.
MAX_DELAY_MS = 3_600_000


# Faults of the connection, as Marketo's load balancers produced them: a reset, a connection closed
# with no answer, an HTTP 503 page (none of these reaches the operation); an answer cut mid-XML, or
# sent slowly (the operation is carried out).
TRANSPORT_FAULTS = ("reset", "empty", "truncated", "http503", "dribble")
REACHES_THE_OPERATION = frozenset({"truncated", "dribble"})
DRIBBLE_SECONDS = 2.0  # how long a dribbled answer takes when its rule gives no delayMs


@dataclass
class InjectedFault:
    """Answer calls of `operation` (any, when None) with fault `code` after `delay_ms`, or with a
    fault of the connection (`transport`; a dribble spreads the answer over `delay_ms`).

    `count` calls at most (unlimited when None), each with `probability`; a rule with neither code
    nor transport only delays the call.
    """

    id: int
    operation: str | None = None
    code: int | None = None
    message: str | None = None
    delay_ms: int = 0
    count: int | None = None
    probability: float = 1.0
    hits: int = 0
    transport: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Admission:
    """What admitting a call decided: wait `delay` seconds, then answer `error` or break the
    connection as `transport` says, or (neither) carry the call out. A dribbled answer is spread
    over `spread` seconds."""

    delay: float = 0.0
    error: MarketoError | None = None
    transport: str | None = None
    spread: float = 0.0


ADMITTED = Admission()


@dataclass
class Quotas:
    enabled: bool = False
    daily: int = 10_000
    rate: int = 100
    rate_window_seconds: int = 20
    concurrency: int = 10


QUOTA_COLUMNS = {
    "enabled": "quotas_enabled",
    "daily": "quota_daily",
    "rate": "quota_rate",
    "rate_window_seconds": "quota_rate_window_seconds",
    "concurrency": "quota_concurrency",
}


class CallLimits:
    """Quotas and injected faults of one instance. Calls in flight (the concurrency quota) are
    counted per process, from arrival: a call's arrival cannot wait for the store it is waiting for."""

    def __init__(self, store: Store, clock: Clock, seed: int = 0):
        self.store = store
        self.clock = clock
        self._seed = seed
        self._lock = threading.Lock()
        self._in_flight = 0
        self.arrivals = 0  # calls of this process that have arrived so far

    @property
    def quotas(self) -> Quotas:
        with self.store.session():
            state = self.store.state
            return Quotas(**{name: getattr(state, column) for name, column in QUOTA_COLUMNS.items()})

    def set_quotas(self, **values) -> Quotas:
        with self.store.session() as session:
            self.store.write_state(session, **{QUOTA_COLUMNS[name]: value for name, value in values.items()})
            return self.quotas

    def inject(
        self,
        operation: str | None = None,
        code: int | None = None,
        message: str | None = None,
        delay_ms: int = 0,
        count: int | None = None,
        probability: float = 1.0,
        transport: str | None = None,
    ) -> InjectedFault:
        if code is not None and code not in ERROR_TITLES:
            raise ValueError(f"unknown Marketo error code {code}")
        if transport is not None and transport not in TRANSPORT_FAULTS:
            raise ValueError(f"transport is one of {', '.join(TRANSPORT_FAULTS)}")
        if code is not None and transport is not None:
            raise ValueError("a fault has a code or a transport, not both")
        if code is None and transport is None and not delay_ms:
            raise ValueError("a fault needs a code, a transport, a delay or a delay with either")
        if not whole_number(delay_ms, 0, MAX_DELAY_MS):
            raise ValueError(f"delayMs is a whole number of milliseconds from 0 to {MAX_DELAY_MS}")
        if count is not None and not whole_number(count, 1):
            raise ValueError(f"count is a whole number from 1 to {INT_MAX}")
        if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
            raise ValueError("probability is a number from 0 to 1")
        with self.store.session() as session:
            state = self.store.state
            fault = InjectedFault(
                state.next_fault_id, operation, code, message, delay_ms, count, probability, transport=transport
            )
            limits_repository.add_fault(session, asdict(fault))
            self.store.write_state(
                session, next_fault_id=state.next_fault_id + 1, active_faults=state.active_faults + 1
            )
            return fault

    def faults(self) -> list[InjectedFault]:
        with self.store.session() as session:
            rows = limits_repository.faults(session)
            return [InjectedFault(**{key: getattr(row, key) for key in InjectedFault.__annotations__}) for row in rows]

    def clear_faults(self) -> None:
        with self.store.session() as session:
            limits_repository.clear_faults(session)
            self.store.write_state(session, active_faults=0)

    def arrive(self) -> None:
        """A call is in flight from its arrival (waiting its turn included) until `leave()`."""
        with self._lock:
            self._in_flight += 1
            self.arrivals += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def in_flight(self) -> int:
        """Calls of this process in flight now (see `arrive`)."""
        return self._in_flight

    def active(self) -> bool:
        """Whether calls must be admitted (in the call's unit of work): quotas on, or a fault injected."""
        return self.store.calls_need_admission()

    def admit(self, session: Session, operation: str) -> Admission:
        """Admit an arrived, authenticated call. What it counts is written in `session`: commit it
        whatever the call then does."""
        admission = self._injected(session, operation) if self.store.state.active_faults else ADMITTED
        if admission.error is None and admission.transport is None and self.store.state.quotas_enabled:
            error = self._quota_error(session)
            if error is not None:
                return Admission(admission.delay, error)
        return admission

    def _injected(self, session: Session, operation: str) -> Admission:
        state = self.store.state
        candidates = limits_repository.faults_that_may_fire(session, operation)
        draws = state.fault_draws
        chosen = None
        for fault in candidates:
            if fault.probability < 1:
                # The n-th draw is the same in every process: a probability is reproducible run to run.
                draw = random.Random(f"{self._seed}:{draws}").random()
                draws += 1
                if draw >= fault.probability:
                    continue
            chosen = fault
            break
        changes = {"fault_draws": draws} if draws != state.fault_draws else {}
        if chosen is None:
            if changes:
                self.store.write_state(session, **changes)
            return ADMITTED
        hits = chosen.hits + 1
        limits_repository.write_hits(session, chosen.id, hits)
        if chosen.count is not None and hits >= chosen.count:
            changes["active_faults"] = state.active_faults - 1
        if changes:
            self.store.write_state(session, **changes)
        error = MarketoError(chosen.code, chosen.message) if chosen.code is not None else None
        if chosen.transport == "dribble":
            return Admission(transport="dribble", spread=chosen.delay_ms / 1000 or DRIBBLE_SECONDS)
        return Admission(chosen.delay_ms / 1000, error, chosen.transport)

    def _quota_error(self, session: Session) -> MarketoError | None:
        state = self.store.state
        now = self.clock.now()
        if self._in_flight > state.quota_concurrency:
            return MarketoError(20024, f"More than {state.quota_concurrency} concurrent calls")
        window_start = now - timedelta(seconds=state.quota_rate_window_seconds)
        if limits_repository.calls_between(session, window_start, now, include_start=False) >= state.quota_rate:
            return MarketoError(20023, f"More than {state.quota_rate} calls in {state.quota_rate_window_seconds} s")
        day_start, day_end = api_day(now)
        if limits_repository.calls_between(session, day_start, day_end, include_end=False) >= state.quota_daily:
            return MarketoError(20015, f"Daily quota of {state.quota_daily} calls exceeded")
        limits_repository.add_call(session, now)
        # Calls more than a day before this API day count toward nothing any more.
        limits_repository.forget_calls_before(session, day_start - timedelta(days=1))
        return None
