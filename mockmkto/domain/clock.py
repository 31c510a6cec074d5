"""The mock's one source of "now": real time, or frozen / shifted by tests through the admin API.

The clock is part of the instance's shared state (`instance_state`), so every process serving the
instance tells the same time: `now()` uses the state read at the start of the current unit of work;
each change is its own unit of work, computed from the state as it is then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mockmkto.store.db import Store

MICROSECOND = timedelta(microseconds=1)
# The times the clock may be set to. Python's datetime ends with the year 9999: a clock set near it
# ran past it, and every call then failed. Calls also reckon from now (windows, schedules, a running
# clock): the range leaves centuries either side.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class OutOfRange(ValueError):
    """A time the clock may not be set to (EARLIEST to LATEST)."""

    def __init__(self) -> None:
        super().__init__(f"the clock can be set from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}")


class Clock:
    def __init__(self, store: Store) -> None:
        self.store = store

    def now(self) -> datetime:
        state = self.store.state
        frozen = state.clock_frozen_at
        if frozen is not None:
            return frozen
        offset = state.clock_offset_us
        return datetime.now(UTC) + timedelta(microseconds=offset) if offset else datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> None:
        with self.store.session() as session:
            self.store.write_state(session, clock_frozen_at=_in_range(_aware(at)) if at is not None else self.now())

    def set(self, at: datetime) -> None:
        """Jump to `at`; the clock keeps running from there unless it is frozen."""
        at = _in_range(_aware(at))
        with self.store.session() as session:
            if self.frozen:
                self.store.write_state(session, clock_frozen_at=at)
            else:
                self.store.write_state(session, clock_offset_us=_microseconds(at - datetime.now(UTC)))

    def advance(self, delta: timedelta) -> None:
        with self.store.session() as session:
            try:
                _in_range(self.now() + delta)
            except OverflowError:
                raise OutOfRange() from None
            state = self.store.state
            if state.clock_frozen_at is not None:
                self.store.write_state(session, clock_frozen_at=state.clock_frozen_at + delta)
            else:
                self.store.write_state(session, clock_offset_us=state.clock_offset_us + _microseconds(delta))

    def unfreeze(self) -> None:
        with self.store.session() as session:
            frozen = self.store.state.clock_frozen_at
            if frozen is not None:
                offset = _microseconds(frozen - datetime.now(UTC))
                self.store.write_state(session, clock_frozen_at=None, clock_offset_us=offset)

    def reset(self) -> None:
        with self.store.session() as session:
            self.store.write_state(session, clock_frozen_at=None, clock_offset_us=0)

    @property
    def frozen(self) -> bool:
        return self.store.state.clock_frozen_at is not None


def _in_range(at: datetime) -> datetime:
    if not EARLIEST <= at <= LATEST:
        raise OutOfRange()
    return at


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _microseconds(delta: timedelta) -> int:
    return delta // MICROSECOND
