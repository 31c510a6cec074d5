"""The `custom_object_types` and `custom_object_records` tables: their only reader and writer.

Types come from the seed alone; records are written by syncCustomObjects, deleteCustomObjects and
mergeLeads through the ORM (custom objects are rare enough that nothing here is prepared). A record
is found by its `key`: its key values as one canonical text, unique within its type.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.store.db import written
from mockmkto.store.mobject_models import CustomObjectRecord, CustomObjectType


def types(session: Session) -> list[CustomObjectType]:
    """Every custom object type, by name."""
    return list(session.scalars(select(CustomObjectType).order_by(CustomObjectType.name)))


def add_type(
    session: Session,
    name: str,
    description: str | None,
    key_fields: list[str],
    link_field: str,
    lead_link_field: str,
    fields: list[dict],
) -> CustomObjectType:
    """A new type; written at once, so the type is declared for what follows."""
    return written(
        session,
        CustomObjectType(
            name=name,
            description=description,
            key_fields=key_fields,
            link_field=link_field,
            lead_link_field=lead_link_field,
            fields=fields,
        ),
    )


def by_key(session: Session, type_name: str, key: str) -> CustomObjectRecord | None:
    """The record of the type with this key text, or None."""
    query = select(CustomObjectRecord).where(CustomObjectRecord.type_name == type_name, CustomObjectRecord.key == key)
    return session.scalar(query)


def matching(
    session: Session, type_name: str, keys: dict[str, str], offset: int, limit: int
) -> tuple[int, list[CustomObjectRecord]]:
    """How many records of the type hold these key values (some or all of its key fields), and
    `limit` of them from `offset`, in key order."""
    query = select(CustomObjectRecord).where(CustomObjectRecord.type_name == type_name)
    for name, value in keys.items():
        query = query.where(CustomObjectRecord.keys[name].as_string() == value)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(CustomObjectRecord.key, CustomObjectRecord.id).offset(offset).limit(limit)
    return total, list(session.scalars(page))


def of_type(session: Session, type_name: str) -> list[CustomObjectRecord]:
    """Every record of the type."""
    return list(session.scalars(select(CustomObjectRecord).where(CustomObjectRecord.type_name == type_name)))


def records(session: Session) -> list[CustomObjectRecord]:
    """Every record, by type and id."""
    query = select(CustomObjectRecord).order_by(CustomObjectRecord.type_name, CustomObjectRecord.id)
    return list(session.scalars(query))


def add_record(
    session: Session,
    type_name: str,
    key: str,
    keys: dict[str, str],
    attributes: dict[str, str],
    at: datetime,
    record_id: int | None = None,
) -> CustomObjectRecord:
    """A new record created (and updated) `at`; its id the database's, or `record_id` (seeds).
    Written at once, so a key it clashes with fails here."""
    return written(
        session,
        CustomObjectRecord(
            id=record_id,
            type_name=type_name,
            key=key,
            keys=keys,
            attributes=attributes,
            created_at=at,
            updated_at=at,
        ),
    )


def delete_record(session: Session, record: CustomObjectRecord) -> None:
    """Delete the record, at once: its key is free for what follows."""
    session.delete(record)
    session.flush()
