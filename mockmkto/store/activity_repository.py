"""The `activities` table: the one way the activity log is read and written.

The log is append-only but for mergeLeads and seeded Ids, which move a lead's activities to
another Id. Entries are written by one prepared INSERT for a whole list (store/prepared.py): the
ORM would insert them one statement each, to read back ids nothing needs.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from mockmkto.store.lead_repository import LeadSelection
from mockmkto.store.models import Activity, Lead
from mockmkto.store.prepared import Prepared

# An entry's columns, as `add` takes them (domain/activities.py's `entry` makes them).
ENTRY_KEYS = ("lead_id", "activity_type", "created_at", "asset_name", "campaign", "attributes")
# inline: no RETURNING of the new ids, which nothing reads.
_INSERT = Prepared(insert(Activity.__table__).inline(), ENTRY_KEYS)
_MOVE = Prepared(update(Activity.__table__).where(Activity.lead_id == bindparam("from_lead")), ("lead_id",))


def add(session: Session, entries: list[dict]) -> None:
    """Append entries (dicts of ENTRY_KEYS) in one statement, their ids ascending in list order."""
    if entries:
        _INSERT.send(session, entries)


def move_to_lead(session: Session, from_lead: int, to_lead: int) -> None:
    """Every activity of lead `from_lead` becomes lead `to_lead`'s."""
    _MOVE.run(session, {"from_lead": from_lead, "lead_id": to_lead})


def of_lead(session: Session, lead_id: int) -> list[Activity]:
    """Every activity of a lead, newest first."""
    return list(session.scalars(select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id.desc())))


def lead_activity(
    session: Session, lead_id: int, included: Collection[str] | None, excluded: Collection[str], before: int, size: int
) -> tuple[list[Activity], int]:
    """getLeadActivity's page: up to `size` of a lead's activities with an Id below `before` (0: any),
    newest first, of the `included` types (None: any) but the `excluded`; and how many more match."""
    query = select(Activity).where(Activity.lead_id == lead_id)
    if included is not None:
        query = query.where(Activity.activity_type.in_(included))
    if excluded:
        query = query.where(Activity.activity_type.not_in(excluded))
    if before:
        query = query.where(Activity.id < before)
    return _page(session, query, size, newest_first=True)


def lead_changes(
    session: Session,
    oldest: datetime | None,
    latest: datetime | None,
    after: int,
    included: Collection[str] | None,
    excluded: Collection[str],
    leads: LeadSelection | None,
    size: int,
) -> tuple[list[Activity], int]:
    """getLeadChanges' page: up to `size` activities logged in [oldest, latest) (None: unbounded),
    with an Id past `after` (0: any), oldest first, of the `included` types (None: any) but the
    `excluded`, of the selected leads (None: any); and how many more match."""
    query = select(Activity)
    if oldest is not None:
        query = query.where(Activity.created_at >= oldest)
    if latest is not None:
        query = query.where(Activity.created_at < latest)
    if after:
        query = query.where(Activity.id > after)
    if included is not None:
        query = query.where(Activity.activity_type.in_(included))
    if excluded:
        query = query.where(Activity.activity_type.not_in(excluded))
    if leads is not None:
        query = query.where(Activity.lead_id.in_(select(Lead.id).where(leads)))
    return _page(session, query, size, newest_first=False)


def _page(session: Session, query: Select, size: int, newest_first: bool) -> tuple[list[Activity], int]:
    """Up to `size` of the query's activities in Id order, and how many more match: counted only when
    there are more, as counting reads every match."""
    order = Activity.id.desc() if newest_first else Activity.id
    rows = list(session.scalars(query.order_by(order).limit(size + 1)))
    page = rows[:size]
    if len(rows) <= size:
        return page, 0
    return page, session.execute(select(func.count()).select_from(query.subquery())).scalar_one() - len(page)
