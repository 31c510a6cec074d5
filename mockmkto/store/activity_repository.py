"""The `activities` table: the one way the activity log is written.

The log is append-only but for mergeLeads and seeded Ids, which move a lead's activities to
another Id. Entries are written by one prepared INSERT for a whole list (store/prepared.py): the
ORM would insert them one statement each, to read back ids nothing needs.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from mockmkto.store.models import Activity
from mockmkto.store.prepared import Prepared

# An entry's columns, as `add` takes them (domain/activities.py's `entry` makes them).
ENTRY_KEYS = ("lead_id", "activity_type", "created_at", "asset_name", "campaign", "attributes")
_INSERT = Prepared(insert(Activity.__table__), ENTRY_KEYS)
_MOVE = Prepared(update(Activity.__table__).where(Activity.lead_id == bindparam("from_lead")), ("lead_id",))


def add(session: Session, entries: list[dict]) -> None:
    """Append entries (dicts of ENTRY_KEYS) in one statement, their ids ascending in list order."""
    if entries:
        _INSERT.run(session, entries)


def move_to_lead(session: Session, from_lead: int, to_lead: int) -> None:
    """Every activity of lead `from_lead` becomes lead `to_lead`'s."""
    _MOVE.run(session, {"from_lead": from_lead, "lead_id": to_lead})
