"""Bulk loading of leads: many leads in one transaction with SQLAlchemy Core executemany.

For large data sets (the scale benchmark seeds a million leads) where one syncLead per lead
would take hours. Each lead lands in the `leads` table exactly as syncLead would store it: the
attribute document, the key columns mirrored from it (lower-cased email, SFDC ids, lead owner
email), ForeignSysPersonId/ForeignSysType, the Default workspace's primary partition and the
creation time, so getLead, getMultipleLeads and syncLead read and match these leads as any other.

What syncLead does and this does not: no type checking of values against the lead schema (give
values in their stored form, e.g. `"42"` for an integer), no lead assignment rules, no NewLead
activity, no duplicate detection by Email.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice

from sqlalchemy import func, insert, select

from mockmkto.domain.clock import Clock
from mockmkto.domain.leads import DEFAULT_WORKSPACE, FOREIGN_SYS_TYPES, MIRRORED_FIELDS, email_key
from mockmkto.store.db import Store
from mockmkto.store.models import Lead, Workspace

# Rows per executemany: large enough to amortise each call, small enough to bound memory.
CHUNK_SIZE = 20_000
KEY_FIELDS = ("ForeignSysPersonId", "ForeignSysType")
COLUMNS = tuple(column.key for column in Lead.__table__.c if column.key != "id")


def _row(fields: Mapping[str, str], stamp: object, partition_id: int | None) -> dict:
    """The `leads` row of one lead given as {field name: stored value} (Email, attributes, keys)."""
    attributes = {name: value for name, value in fields.items() if name not in KEY_FIELDS}
    row = {
        "email": email_key(attributes.get("Email")),
        "foreign_sys_person_id": fields.get("ForeignSysPersonId") or None,
        "foreign_sys_type": fields.get("ForeignSysType") or None,
        "cookie": None,
        "partition_id": partition_id,
        "anonymous": not attributes.get("Email"),
        "created_at": stamp,
        "updated_at": stamp,
        "attributes": attributes,
    }
    for name, column in MIRRORED_FIELDS.items():
        value = attributes.get(name)
        row[column] = (email_key(value) if name == "LeadOwnerEmailAddress" else value) or None
    if row["foreign_sys_person_id"] and row["foreign_sys_type"] not in FOREIGN_SYS_TYPES:
        raise ValueError(f"ForeignSysType must be one of {', '.join(FOREIGN_SYS_TYPES)} with ForeignSysPersonId")
    return row


def insert_leads(store: Store, clock: Clock, leads: Iterable[Mapping[str, str]]) -> range:
    """Insert every lead of `leads` in one transaction; return the range of the new lead Ids.

    Ids follow on from the highest existing one, in the order given. A unique key that clashes
    (ForeignSysPersonId) rolls the whole load back.
    """
    now = clock.now()
    table = Lead.__table__
    # The store's own transaction, so the load takes its turn like any request.
    with store.session() as session:
        conn = session.connection()
        dialect = conn.dialect
        statement = insert(table).compile(dialect=dialect, column_keys=list(COLUMNS))
        # The columns' own bind processors, applied here rather than per row by the statement
        # machinery: that halves the Python cost per lead, and the timestamp is converted once.
        processors = {key: table.c[key].type.bind_processor(dialect) for key in COLUMNS}
        stamp = processors["created_at"](now) if processors["created_at"] else now
        convert = {key: p for key, p in processors.items() if p is not None and key not in ("created_at", "updated_at")}
        order = statement.positiontup if dialect.positional else None
        partition_id = conn.scalar(
            select(Workspace.primary_partition_id).where(func.lower(Workspace.name) == DEFAULT_WORKSPACE.lower())
        )
        first = (conn.scalar(select(func.max(Lead.id))) or 0) + 1
        count = 0
        iterator = iter(leads)
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            rows = []
            for fields in chunk:
                row = _row(fields, stamp, partition_id)
                for key, process in convert.items():
                    row[key] = process(row[key])
                rows.append(tuple(row[key] for key in order) if order else row)
            conn.exec_driver_sql(str(statement), rows)
            count += len(rows)
        store.seeded(session)
    return range(first, first + count)
