"""The `opportunities` and `opportunity_person_roles` tables: the one way their records are read and written.

syncMObjects writes up to 100 records a call: an insert gives the database's id (or a seed's own),
an update writes the changed columns by prepared statements (store/prepared.py), and the session's
instances stay in step with their rows, so the domain never adds, flushes or deletes them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.orm import Session

from mockmkto.store.mobject_models import Opportunity, OpportunityPersonRole
from mockmkto.store.prepared import NewRow, Prepared, PreparedInsert, PreparedUpdate

Record = Opportunity | OpportunityPersonRole
MODELS: tuple[type[Record], ...] = (Opportunity, OpportunityPersonRole)
_NEW = {model: NewRow(model.__table__) for model in MODELS}
_INSERTS = {model: PreparedInsert(model) for model in MODELS}
# A seeded record keeps its id: the same INSERT with the id given.
_SEEDED_INSERTS = {model: Prepared(sa.insert(model.__table__), ("id", *_NEW[model].keys)) for model in MODELS}
# syncMObjects reads the records its objects name by id in one statement per type.
_BY_IDS = {model: Prepared(sa.select(model).where(model.id.in_(bindparam("ids", expanding=True)))) for model in MODELS}
_UPDATES = {model: PreparedUpdate(model) for model in MODELS}
_DELETES = {model: Prepared(sa.delete(model.__table__).where(model.id == bindparam("record_id"))) for model in MODELS}
_ROLES_OF = Prepared(
    sa.delete(OpportunityPersonRole.__table__).where(OpportunityPersonRole.opportunity_id == bindparam("record_id"))
)
_MOVE_ROLES = Prepared(
    sa.update(OpportunityPersonRole.__table__).where(OpportunityPersonRole.person_id == bindparam("from_person")),
    ("person_id",),
)


def by_id(session: Session, model: type[Record], record_id: int) -> Record | None:
    # Session.get is typed by the one model it is given; `model` is one of two.
    return cast(Record | None, session.get(model, record_id))


def by_ids(session: Session, model: type[Record], ids: list[int]) -> list[Record]:
    """The records of these ids (those that exist)."""
    return _BY_IDS[model].instances(session, {"ids": ids})


def records(
    session: Session,
    model: type[Record],
    record_id: int | None = None,
    attribute: tuple[str, str] | None = None,
    links: Sequence[tuple[str, int]] = (),
    persons: Sequence[int] = (),
) -> list[Record]:
    """The records of `model`, by id: only the one of `record_id`, the ones whose attribute (name,
    value) holds that value, linked by each (link column, id) of `links`, and (opportunities) with
    a role of each person of `persons`, when given."""
    query = sa.select(model).order_by(model.id)
    if record_id is not None:
        query = query.where(model.id == record_id)
    if attribute is not None:
        name, value = attribute
        query = query.where(model.attributes[name].as_string() == value)
    for column, linked in links:
        query = query.where(getattr(model, column) == linked)
    for person in persons:
        roles = sa.select(OpportunityPersonRole.opportunity_id).where(OpportunityPersonRole.person_id == person)
        query = query.where(model.id.in_(roles))
    return list(session.scalars(query))


def newest_linked(session: Session, model: type[Record], links: dict[str, int]) -> Record | None:
    """The record added last (highest id) linked by each link column to its id."""
    query = sa.select(model).order_by(model.id.desc()).limit(1)
    for column, linked in links.items():
        query = query.where(getattr(model, column) == linked)
    return cast(Record | None, session.scalar(query))


def insert(session: Session, model: type[Record], columns: dict[str, Any], record_id: int | None = None) -> int:
    """A new record of `columns` (the others as the table declares); its id the database's, or
    `record_id` (seeds)."""
    values = _NEW[model](columns)
    if record_id is not None:
        _SEEDED_INSERTS[model].run(session, {"id": record_id, **values})
        return record_id
    return _INSERTS[model].add(session, model(**values)).id


def update(session: Session, record: Record, columns: dict[str, Any]) -> None:
    """Write the given columns of a record; the instance holds them as stored."""
    _UPDATES[type(record)].run(session, record, columns)


def delete(session: Session, record: Record) -> None:
    """Delete a record (an opportunity with its person roles); the session no longer holds them."""
    if isinstance(record, Opportunity):
        _ROLES_OF.run(session, {"record_id": record.id})
        for held in [held for held in session.identity_map.values() if isinstance(held, OpportunityPersonRole)]:
            if held.opportunity_id == record.id:
                session.expunge(held)
    _DELETES[type(record)].run(session, {"record_id": record.id})
    if record in session:
        session.expunge(record)


def move_roles(session: Session, from_person: int, to_person: int) -> None:
    """Every role of person (lead) `from_person` becomes `to_person`'s; held roles load again."""
    _MOVE_ROLES.run(session, {"from_person": from_person, "person_id": to_person})
    for held in list(session.identity_map.values()):
        if isinstance(held, OpportunityPersonRole) and held.person_id == from_person:
            session.expire(held)
