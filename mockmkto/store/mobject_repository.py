"""The `companies` and `mobject_fields` tables, read and written here; and the lookups the MObject
calls and seeds share over the rows they name: whether an id is a row's, and which row an external
key names.

Both tables come from the seed alone: companies that opportunities belong to, and the custom fields
of Opportunity and OpportunityPersonRole.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from mockmkto.store.db import written
from mockmkto.store.mobject_models import Company, MObjectField, Opportunity, OpportunityPersonRole
from mockmkto.store.models import Base, Lead

# The rows an association or external key names: each has an id and `attributes`.
Named = Company | Lead | Opportunity | OpportunityPersonRole


def has_id(session: Session, model: type[Base], row_id: int) -> bool:
    """Whether a row of `model` has this id (a seed's, or the one an association names)."""
    return session.get(model, row_id) is not None


def newest_with_attribute(session: Session, model: type[Named], name: str, value: str) -> Named | None:
    """The row of `model` added last (highest id) whose attribute `name` is `value`: external keys are
    not unique in Marketo."""
    query = select(model).where(model.attributes[name].as_string() == value).order_by(model.id.desc()).limit(1)
    # The query is typed by the one model it is given; `model` is one of four.
    return cast(Named | None, session.scalar(query))


def companies(session: Session) -> list[Company]:
    """Every company, by id."""
    return list(session.scalars(select(Company).order_by(Company.id)))


def add_company(session: Session, name: str, attributes: dict[str, str], company_id: int | None = None) -> None:
    """A new company; written at once, its id the database's or `company_id` (seeds)."""
    written(session, Company(id=company_id, name=name, attributes=attributes))


def fields(session: Session, mobject_type: str) -> list[MObjectField]:
    """The custom fields of an MObject type, in the order they were declared."""
    query = select(MObjectField).where(MObjectField.mobject_type == mobject_type)
    return list(session.scalars(query.order_by(MObjectField.position, MObjectField.name)))


def add_field(
    session: Session, mobject_type: str, name: str, position: int, display_name: str, data_type: str, size: int | None
) -> None:
    """A new custom field of an MObject type, declared `position`-th; written at once, so it is declared
    for what follows."""
    written(
        session,
        MObjectField(
            mobject_type=mobject_type,
            name=name,
            position=position,
            display_name=display_name,
            data_type=data_type,
            size=size,
        ),
    )
