"""The `injected_faults` and `quota_calls` tables: their only reader and writer.

Both are the instance's, shared by every process serving it: a fault's hits are counted in the
table, so a fault limited to `count` calls fires that often whichever process admits them; the
calls counted by the quotas are rows, counted over each quota's period.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from mockmkto.store.state_models import InjectedFaultRow, QuotaCall


def add_fault(session: Session, columns: dict[str, Any]) -> None:
    """A new injected fault of `columns` (every column, its id the state's next)."""
    session.add(InjectedFaultRow(**columns))


def faults(session: Session) -> list[InjectedFaultRow]:
    """Every injected fault, by id."""
    return list(session.scalars(select(InjectedFaultRow).order_by(InjectedFaultRow.id)))


def faults_that_may_fire(session: Session, operation: str) -> list[InjectedFaultRow]:
    """The faults for `operation` (or any) with hits left, by id: the first to fire wins."""
    query = (
        select(InjectedFaultRow)
        .where(or_(InjectedFaultRow.operation.is_(None), InjectedFaultRow.operation == operation))
        .where(or_(InjectedFaultRow.count.is_(None), InjectedFaultRow.hits < InjectedFaultRow.count))
        .order_by(InjectedFaultRow.id)
    )
    return list(session.scalars(query))


def write_hits(session: Session, fault_id: int, hits: int) -> None:
    """How often the fault has fired."""
    session.execute(update(InjectedFaultRow).where(InjectedFaultRow.id == fault_id).values(hits=hits))


def clear_faults(session: Session) -> None:
    """Delete every injected fault."""
    session.execute(delete(InjectedFaultRow))


def add_call(session: Session, at: datetime) -> None:
    """A call admitted `at` (the mock's time), counted by the quotas."""
    session.add(QuotaCall(at=at))


def calls_between(
    session: Session, start: datetime, end: datetime, include_start: bool = True, include_end: bool = True
) -> int:
    """How many calls were admitted from `start` to `end`, each bound included or not."""
    after = QuotaCall.at >= start if include_start else QuotaCall.at > start
    before = QuotaCall.at <= end if include_end else QuotaCall.at < end
    return session.scalar(select(func.count()).select_from(QuotaCall).where(after, before)) or 0


def forget_calls_before(session: Session, before: datetime) -> None:
    """Delete the calls admitted before `before`."""
    session.execute(delete(QuotaCall).where(QuotaCall.at < before))
