"""The `list_members` table: the one way static list memberships are read and written."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from mockmkto.store.models import Lead, ListMember
from mockmkto.store.prepared import Prepared

_INSERT = Prepared(insert(ListMember.__table__), ("list_id", "lead_id"))
_IS_MEMBER = Prepared(
    select(ListMember.lead_id).where(
        ListMember.list_id == bindparam("list_id"), ListMember.lead_id == bindparam("lead_id")
    )
)
# importToList asks this of each chunk as it adds thousands of members a chunk (see plan_each_run).
_MEMBERS_AMONG = Prepared(
    select(ListMember.lead_id).where(
        ListMember.list_id == bindparam("list_id"), ListMember.lead_id.in_(bindparam("lead_ids", expanding=True))
    ),
    plan_each_run=True,
)
_REMOVE = Prepared(
    delete(ListMember.__table__).where(
        ListMember.list_id == bindparam("list_id"), ListMember.lead_id == bindparam("lead_id")
    )
)


def is_member(session: Session, list_id: int, lead_id: int) -> bool:
    return bool(_IS_MEMBER.rows(session, {"list_id": list_id, "lead_id": lead_id}))


def members_among(session: Session, list_id: int, lead_ids: list[int]) -> set[int]:
    """Which of these leads are members of the list."""
    return {row.lead_id for row in _MEMBERS_AMONG.rows(session, {"list_id": list_id, "lead_ids": lead_ids})}


def members(session: Session, list_id: int) -> list[int]:
    """The list's members, by lead Id."""
    query = select(ListMember.lead_id).where(ListMember.list_id == list_id).order_by(ListMember.lead_id)
    return list(session.scalars(query))


def members_of_any(session: Session, list_ids: list[int]) -> list[int]:
    """The leads that are members of any of these lists, by Id, each once."""
    query = (
        select(Lead.id)
        .join(ListMember, ListMember.lead_id == Lead.id)
        .where(ListMember.list_id.in_(list_ids))
        .distinct()
        .order_by(Lead.id)
    )
    return list(session.scalars(query))


def memberships(session: Session) -> list[ListMember]:
    """Every membership of every list, by list."""
    return list(session.scalars(select(ListMember).order_by(ListMember.list_id)))


def member_counts(session: Session) -> dict[int, int]:
    """List id -> how many members it has (lists without members are absent)."""
    return dict(session.execute(select(ListMember.list_id, func.count()).group_by(ListMember.list_id)).all())


def add(session: Session, list_id: int, lead_ids: list[int]) -> None:
    """Make these leads (none a member yet) members of the list."""
    if lead_ids:
        _INSERT.run(session, [{"list_id": list_id, "lead_id": lead_id} for lead_id in lead_ids])


def remove(session: Session, list_id: int, lead_id: int) -> bool:
    """Remove a lead from the list; False when it was no member."""
    return _REMOVE.run(session, {"list_id": list_id, "lead_id": lead_id}) == 1


def clear(session: Session, list_id: int) -> None:
    """Remove every member of the list."""
    session.execute(delete(ListMember.__table__).where(ListMember.list_id == list_id))


def move_to_lead(session: Session, from_lead: int, to_lead: int) -> None:
    """Lead `from_lead`'s memberships become lead `to_lead`'s (a list holding both keeps one)."""
    held = select(ListMember.list_id).where(ListMember.lead_id == to_lead).scalar_subquery()
    table = ListMember.__table__
    moved = update(table).where(ListMember.lead_id == from_lead, ListMember.list_id.not_in(held))
    session.execute(moved.values(lead_id=to_lead))
    session.execute(delete(table).where(ListMember.lead_id == from_lead))
