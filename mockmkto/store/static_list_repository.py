"""The `static_lists` table: the one way static lists are read and written (their members are
`list_member_repository`'s).

Lists come from the seed and from scheduleCampaign's program clones; calls find them by id or by name.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.store.db import written
from mockmkto.store.models import ListMember, StaticList
from mockmkto.store.prepared import PreparedGet

# Prepared: each chunk of an import reads its list.
_LISTS = PreparedGet(StaticList)


def by_id(session: Session, list_id: int) -> StaticList | None:
    return _LISTS.get(session, list_id)


def existing(session: Session, list_id: int) -> StaticList:
    """The static list an id kept elsewhere names (a smart list's, an import's): NoResultFound if there is none."""
    return _LISTS.get_one(session, list_id)


def named(session: Session, name: str) -> list[StaticList]:
    """The static lists of this name, compared case-insensitively (names are not unique), by id."""
    query = select(StaticList).where(func.lower(StaticList.name) == name.lower()).order_by(StaticList.id)
    return list(session.scalars(query))


def lists(session: Session) -> list[StaticList]:
    """Every static list, by id."""
    return list(session.scalars(select(StaticList).order_by(StaticList.id)))


def of_lead(session: Session, lead_id: int) -> list[StaticList]:
    """The static lists the lead is a member of."""
    memberships = ListMember.list_id == StaticList.id
    query = select(StaticList).join(ListMember, memberships).where(ListMember.lead_id == lead_id)
    return list(session.scalars(query))


def of_program(session: Session, program_id: int | None) -> list[StaticList]:
    """The static lists of a program (None: those of no program), by id."""
    return list(session.scalars(select(StaticList).where(StaticList.program_id == program_id).order_by(StaticList.id)))


def add(session: Session, name: str, program_id: int, list_id: int | None = None) -> StaticList:
    """A new (empty) static list of the program; written at once, its id the database's or `list_id` (seeds)."""
    return written(session, StaticList(id=list_id, name=name, program_id=program_id))
