"""The `leads` table: the one way leads are found (by key, by lead selector, as listed) and written.

Every write to `leads` goes through here, so what the session holds of a lead is always what the
table holds: a lead read here is the session's instance (the ORM's identity map), and a write
updates that instance as it writes the row. Statements are prepared (store/prepared.py): a
syncLead's lookup and write are most of its database time. Domain code states Marketo's rules
with what this module gives and never adds, flushes or deletes leads itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from mockmkto.store.advisory_locks import SHARED_UNIT, hold
from mockmkto.store.models import Activity, Lead, ListMember, Partition
from mockmkto.store.prepared import NewRow, Prepared, PreparedGet, PreparedInsert, PreparedUpdate

# A key type (Marketo's LeadKeyRef, and ForeignSysPersonId) -> the indexed column it looks up.
KEY_COLUMNS = {
    "IDNUM": Lead.id,
    "COOKIE": Lead.cookie,
    "EMAIL": Lead.email,
    "LEADOWNEREMAIL": Lead.lead_owner_email,
    "SFDCACCOUNTID": Lead.sfdc_account_id,
    "SFDCCONTACTID": Lead.sfdc_contact_id,
    "SFDCLEADID": Lead.sfdc_lead_id,
    "SFDCLEADOWNERID": Lead.sfdc_lead_owner_id,
    "SFDCOPPTYID": Lead.sfdc_oppty_id,
    "FOREIGNSYSPERSONID": Lead.foreign_sys_person_id,
}
# Several leads may share a key (Email): the most recently updated comes first.
NEWEST_FIRST = (Lead.updated_at.desc(), Lead.id.desc())
# What a lead's view reads: rows of these columns (`view_row` gives a Lead's).
VIEW_COLUMNS = (Lead.id, Lead.attributes, Lead.foreign_sys_person_id, Lead.foreign_sys_type, Lead.partition_id)
_NEW_LEAD = NewRow(Lead.__table__)


def _by_key(*columns, limit: int | None = None, for_update: bool = False) -> dict[str, Prepared]:
    prepared = {}
    for key_type, column in KEY_COLUMNS.items():
        query = select(*columns).where(column == bindparam("value")).order_by(*NEWEST_FIRST).limit(limit)
        prepared[key_type] = Prepared(query.with_for_update() if for_update else query)
    return prepared


_LEADS_BY_KEY = _by_key(Lead)
_NEWEST_BY_KEY = _by_key(Lead, limit=1)
_NEWEST_BY_KEY_LOCKED = _by_key(Lead, limit=1, for_update=True)
_VIEW_ROWS_BY_KEY = _by_key(*VIEW_COLUMNS)
_LEADS_BY_ID = PreparedGet(Lead)
_INSERT = PreparedInsert(Lead)
_INSERT_ROWS = Prepared(sa.insert(Lead.__table__), _NEW_LEAD.keys)
_INSERT_ROWS_WITH_IDS = Prepared(sa.insert(Lead.__table__), ("id", *_NEW_LEAD.keys))
# PostgreSQL: `count` new lead Ids from the leads' sequence, ascending, in one array (500 rows of
# one Id each took twice as long).
_NEW_IDS = Prepared(
    select(
        func.array_agg(func.nextval(select(func.pg_get_serial_sequence(Lead.__tablename__, "id")).scalar_subquery()))
    ).select_from(func.generate_series(1, bindparam("count", type_=sa.Integer)))
)
_UPDATE = PreparedUpdate(Lead)
_DELETE = Prepared(delete(Lead.__table__).where(Lead.id == bindparam("lead_id")))
_LAST_ID = Prepared(select(func.coalesce(func.max(Lead.id), 0).label("last")))
_RENUMBER = Prepared(sa.update(Lead.__table__).where(Lead.id == bindparam("lead_id")), ("id",))
# `ids_by_keys`'s query for each set of key types (sorted): building it costs more than running it.
_IDS_BY_KEY_TYPES: dict[tuple[str, ...], Prepared] = {}
# The leads a lead selector picks (getMultipleLeads, getLeadChanges): a condition on each lead row, so
# a page in Id order stops reading as soon as it is full, even over a million leads. Made by the
# `*_selector` functions; the domain hands it back to `selected_view_rows`, `count_selected` or
# activity_repository.
LeadSelection = ColumnElement[bool]


def find(session: Session, key_type: str, value: Any) -> list[Lead]:
    """Every lead whose `key_type` column holds `value` (as the column holds it: an email
    lower-cased), most recently updated first; none for None."""
    if value is None:
        return []
    if key_type == "IDNUM":
        lead = by_id(session, value)
        return [lead] if lead is not None else []
    return _LEADS_BY_KEY[key_type].instances(session, {"value": value})


def by_id(session: Session, lead_id: int) -> Lead | None:
    return _LEADS_BY_ID.get(session, lead_id)


def by_ids(session: Session, lead_ids: Iterable[int]) -> list[Lead]:
    """The leads of these Ids that exist, in no particular order."""
    return list(session.scalars(select(Lead).where(Lead.id.in_(set(lead_ids)))))


def find_newest(session: Session, key_type: str, value: Any) -> Lead | None:
    """The first lead `find` gives, or None."""
    if value is None or key_type == "IDNUM":
        return next(iter(find(session, key_type, value)), None)
    return _NEWEST_BY_KEY[key_type].first(session, {"value": value})


def find_newest_to_write(session: Session, key_type: str, value: Any) -> Lead | None:
    """`find_newest`, for a unit of work that may change the lead. Where units of other processes
    may write leads meanwhile (SHARED_UNIT), the lead's row stays locked until this unit ends, and
    the lead is as the lock found it: a change committed meanwhile is read, and a lead that no
    longer holds `value` is passed over. No change to it is then lost to another unit's (the
    attributes are written back whole). A lead the session holds already is given as held: a unit
    reads a lead it writes here first, so that copy was read under the lock."""
    if value is None or SHARED_UNIT not in session.info:
        return find_newest(session, key_type, value)
    return _NEWEST_BY_KEY_LOCKED[key_type].first(session, {"value": value})


def holds(lead: Lead, key_type: str, value: Any) -> bool:
    """Whether the lead's `key_type` column holds `value` (None: any lead holds no key)."""
    return value is None or getattr(lead, KEY_COLUMNS[key_type].key) == value


def lock_keys(session: Session, keys: Iterable[tuple[str, Any]]) -> bool:
    """Hold, until the unit of work ends, the lock of each (key type, value) by which it may find a
    lead or give one that value (None: no key), where units of other processes may write leads
    meanwhile (SHARED_UNIT); whether it took them (elsewhere the unit holds the store alone
    already). Look the lead up again once they are held: two syncLeads of one new Email then create
    one lead, the second finding the first's. A unit may wait here holding the row of the lead it
    found (it gives that lead a new key); the waits make a cycle only if a unit holding one of these
    keys then locks that row, as it does when it finds the lead by a key another unit just gave it:
    PostgreSQL then ends one of them (fault 20011, docs/behaviour.md)."""
    return hold(session, (f"{key_type}:{value}".encode() for key_type, value in keys if value is not None))


def newest_with_attribute(session: Session, name: str, value: str) -> Lead | None:
    """The most recently updated lead whose field `name` (one without a column of its own) holds `value`."""
    query = select(Lead).where(Lead.attributes[name].as_string() == value).order_by(*NEWEST_FIRST).limit(1)
    return session.scalar(query)


def view_rows(session: Session, key_type: str, value: Any) -> list:
    """`find`'s leads as rows of VIEW_COLUMNS, for a read that changes nothing."""
    return [] if value is None else _VIEW_ROWS_BY_KEY[key_type].rows(session, {"value": value})


def view_row(lead: Lead) -> tuple:
    """A Lead's values of VIEW_COLUMNS, as `view_rows` gives them."""
    return tuple(getattr(lead, column.key) for column in VIEW_COLUMNS)


def ids_by_keys(session: Session, wanted: dict[str, set]) -> dict[tuple[str, Any], list[int]]:
    """`find` for many values of several key types in one query: (key type, value) -> the ids of
    its leads, most recently updated first (values that find none are absent)."""
    matches: dict[tuple[str, Any], list[int]] = {}
    if not wanted:
        return matches
    key_types = tuple(sorted(wanted))
    prepared = _IDS_BY_KEY_TYPES.get(key_types)
    if prepared is None:
        columns = [KEY_COLUMNS[key_type] for key_type in key_types]
        matching = (
            column.in_(bindparam(key_type, expanding=True)) for key_type, column in zip(key_types, columns, strict=True)
        )
        prepared = _IDS_BY_KEY_TYPES.setdefault(
            key_types, Prepared(select(Lead.id, *columns).where(or_(*matching)).order_by(*NEWEST_FIRST))
        )
    for lead_id, *values in prepared.rows(session, {key_type: list(values) for key_type, values in wanted.items()}):
        for key_type, value in zip(key_types, values, strict=True):
            if value in wanted[key_type]:
                matches.setdefault((key_type, value), []).append(lead_id)
    return matches


# `newest_by_email`'s query for each set of columns, and whether it locks the rows. importToList asks
# it of each chunk as it adds thousands of leads a chunk (see plan_each_run).
_BY_EMAILS: dict[tuple[tuple[str, ...], bool], Prepared] = {}


def newest_by_email(session: Session, emails: Iterable[str | None], *columns: str) -> dict[str, dict[str, Any]]:
    """Email key -> the most recently updated lead with it, as `find_newest(session, "EMAIL", ...)`
    picks it: its `columns` (named by key) and its email, by column key."""
    return _newest_by_email(session, set(emails), columns, lock=False)


def newest_by_email_to_write(session: Session, emails: Iterable[str], *columns: str) -> dict[str, dict[str, Any]]:
    """`newest_by_email`, for a unit of work that may change the leads found and create one for each
    Email that finds none. Where units of other processes may write leads meanwhile (SHARED_UNIT),
    both stay as this unit found them until it ends: the rows found locked (as `find_newest_to_write`
    locks one), then the Emails that found none (as `lock_keys`), looked up again once held, so a
    lead a syncLead created meanwhile is found, not made twice. Rows first, as a syncLead takes them:
    the waits make a cycle only as `lock_keys` says."""
    wanted = set(emails)
    if SHARED_UNIT not in session.info:
        return _newest_by_email(session, wanted, columns, lock=False)
    found = _newest_by_email(session, wanted, columns, lock=True)
    missing = wanted - found.keys()
    if missing and lock_keys(session, (("EMAIL", email) for email in missing)):
        found |= _newest_by_email(session, missing, columns, lock=True)
    return found


def _newest_by_email(session: Session, emails: set, columns: tuple[str, ...], lock: bool) -> dict[str, dict[str, Any]]:
    prepared = _BY_EMAILS.get((columns, lock))
    if prepared is None:
        selected = (Lead.__table__.c[key] for key in columns)
        query = select(Lead.email, *selected).where(Lead.email.in_(bindparam("emails", expanding=True)))
        query = query.order_by(*NEWEST_FIRST)
        prepared = Prepared(query.with_for_update() if lock else query, plan_each_run=True)
        prepared = _BY_EMAILS.setdefault((columns, lock), prepared)
    keys = ("email", *columns)
    found: dict[str, dict[str, Any]] = {}
    for row in prepared.rows(session, {"emails": list(emails)}):
        if row[0] not in found:
            found[row[0]] = dict(zip(keys, row, strict=True))
    return found


def key_selector(key_type: str, values: Iterable[Any]) -> LeadSelection:
    """LeadKeySelector: the leads whose `key_type` column holds one of `values` (None: no lead)."""
    return KEY_COLUMNS[key_type].in_([value for value in values if value is not None])


def static_list_selector(list_id: int) -> LeadSelection:
    """StaticListSelector: the list's members."""
    return Lead.id.in_(select(ListMember.lead_id).where(ListMember.list_id == list_id))


def last_update_at_selector(oldest: datetime, latest: datetime) -> LeadSelection:
    """LastUpdateAtSelector: the leads updated in [oldest, latest), or with an activity logged then."""
    active = select(Activity.id).where(
        Activity.lead_id == Lead.id, Activity.created_at >= oldest, Activity.created_at < latest
    )
    return or_(and_(Lead.updated_at >= oldest, Lead.updated_at < latest), active.exists())


def selected_view_rows(session: Session, selection: LeadSelection, after: int, limit: int) -> list:
    """Rows of VIEW_COLUMNS of the selected leads with an Id past `after`, in Id order, at most `limit`."""
    query = select(*VIEW_COLUMNS).where(_past(selection, after)).order_by(Lead.id).limit(limit)
    return list(session.execute(query))


def count_selected(session: Session, selection: LeadSelection, after: int) -> int:
    """How many selected leads have an Id past `after`."""
    return session.execute(select(func.count()).select_from(Lead).where(_past(selection, after))).scalar_one()


def _past(selection: LeadSelection, after: int) -> ColumnElement[bool]:
    return and_(selection, Lead.id > after)


def listing(
    session: Session,
    email: str | None,
    email_contains: str | None,
    lead_id: int | None,
    partition: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[Lead]]:
    """How many leads match, and a page of them in Id order: filtered by email key (or part of one),
    Id or partition name (case-insensitively); a filter None is not applied."""
    query = select(Lead)
    if email is not None:
        query = query.where(Lead.email == email)
    if email_contains is not None:
        query = query.where(Lead.email.contains(email_contains, autoescape=True))
    if lead_id is not None:
        query = query.where(Lead.id == lead_id)
    if partition is not None:
        query = query.join(Partition, Partition.id == Lead.partition_id).where(
            func.lower(Partition.name) == partition.lower()
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return total, list(session.scalars(query.order_by(Lead.id).limit(limit).offset(offset)))


def every_lead(session: Session) -> list[Lead]:
    """Every lead, in Id order."""
    return list(session.scalars(select(Lead).order_by(Lead.id)))


def last_id(session: Session) -> int:
    """The highest lead Id there is (0 for none)."""
    return _LAST_ID.rows(session)[0].last


def insert(session: Session, columns: dict[str, Any]) -> Lead:
    """A new lead of `columns` (the others as the table's defaults); its Id the database's."""
    lead = Lead(**_NEW_LEAD(columns))
    session.add(_INSERT.add(session, lead))  # held by the session as any lead read here
    return lead


def insert_rows(session: Session, rows: list[dict]) -> list[int]:
    """Insert many leads given as their columns (absent ones as the table's defaults) in one
    statement; the new Ids, in the order given."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        # Units of work of other processes may insert leads meanwhile (syncLead): the Ids are drawn
        # from the sequence first, and written with the rows.
        ids = _NEW_IDS.rows(session, {"count": len(rows)})[0][0]
        new_rows = [_NEW_LEAD(row) for row in rows]
        for new_row, lead_id in zip(new_rows, ids, strict=True):
            new_row["id"] = lead_id
        _INSERT_ROWS_WITH_IDS.run(session, new_rows)
        return ids
    _INSERT_ROWS.run(session, [_NEW_LEAD(row) for row in rows])
    # SQLite: one writer at a time, and Ids generated ascending: the new leads hold the highest Ids.
    last = last_id(session)
    return list(range(last - len(rows) + 1, last + 1))


def update(session: Session, lead: Lead, columns: dict[str, Any]) -> None:
    """Write the given columns of a lead; the instance holds them as stored."""
    _UPDATE.run(session, lead, columns)


def update_rows(session: Session, changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Write many leads' columns in one statement, each given as (lead Id, {column: value}), every
    lead the same columns. Copies of these leads the session holds load again when read."""
    _UPDATE.run_rows(session, changes)
    _forget(session, [lead_id for lead_id, _ in changes])


def delete_lead(session: Session, lead: Lead) -> None:
    """Delete a lead's row; the session no longer holds it."""
    _DELETE.run(session, {"lead_id": lead.id})
    _forget(session, [lead.id], expunge=True)


def renumber(session: Session, lead: Lead, new_id: int) -> None:
    """Give a lead another (free) Id; the session no longer holds it (read it again by its new Id)."""
    _RENUMBER.run(session, {"lead_id": lead.id, "id": new_id})
    _forget(session, [lead.id], expunge=True)


def _forget(session: Session, lead_ids: list[int], expunge: bool = False) -> None:
    for lead_id in lead_ids:
        held = session.identity_map.get(identity_key(Lead, lead_id))
        if held is not None:
            session.expunge(held) if expunge else session.expire(held)
