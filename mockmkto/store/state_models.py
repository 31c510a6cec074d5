"""The state every process serving an instance must share, as tables: the clock, quotas and their
counters, injected faults, the request journal. Kept in the instance's own database, so several
`mockmkto serve` processes (or hosts) over one database behave as one Marketo instance.

`instance_state` has exactly one row (id 1), read at the start of every unit of work (`Store.state`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mockmkto.store.models import Base, UtcDateTime


class InstanceState(Base):
    __tablename__ = "instance_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Bumped by every seed, reset and restore: a process's caches of seeded tables are stale when it moved.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    clock_frozen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    clock_offset_us: Mapped[int] = mapped_column(BigInteger, default=0)
    quotas_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    quota_daily: Mapped[int] = mapped_column(Integer, default=10_000)
    quota_rate: Mapped[int] = mapped_column(Integer, default=100)
    quota_rate_window_seconds: Mapped[int] = mapped_column(Integer, default=20)
    quota_concurrency: Mapped[int] = mapped_column(Integer, default=10)
    # Injected faults that may still fire: calls skip the fault table while it is 0.
    active_faults: Mapped[int] = mapped_column(Integer, default=0)
    # How many probability draws injected faults have made: the next draw is the same in every process.
    fault_draws: Mapped[int] = mapped_column(Integer, default=0)
    next_fault_id: Mapped[int] = mapped_column(Integer, default=1)
    # The journal's entries are ids [journal_first_id, next_journal_id), their bodies at most journal_bytes long
    # (domain/journal.py: entries the cap drops leave it as it was).
    journal_first_id: Mapped[int] = mapped_column(Integer, default=1)
    next_journal_id: Mapped[int] = mapped_column(Integer, default=1)
    journal_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class InjectedFaultRow(Base):
    __tablename__ = "injected_faults"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    operation: Mapped[str | None] = mapped_column(String(), nullable=True)
    code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    delay_ms: Mapped[int] = mapped_column(Integer, default=0)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    probability: Mapped[float] = mapped_column(Float, default=1.0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    # A fault of the connection instead of an answer (reset, empty, truncated, http503, dribble).
    transport: Mapped[str | None] = mapped_column(String(16), nullable=True)


class QuotaCall(Base):
    """A call admitted while quotas were on, at the mock's time: the daily and rate counts are counts
    of these over their period, so moving the clock back and forth counts each period for itself."""

    __tablename__ = "quota_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class JournalRow(Base):
    __tablename__ = "journal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    operation: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[str | None] = mapped_column(String(), nullable=True)
    workspace: Mapped[str | None] = mapped_column(String(), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    fault_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    transport: Mapped[str | None] = mapped_column(String(16), nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float)
    request: Mapped[bytes] = mapped_column(LargeBinary)
    response: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_journal_operation", "operation"),)
