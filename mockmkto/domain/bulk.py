"""Bulk writes of leads: many leads a statement, where one syncLead per lead would take too long.

Two users: the admin API's bulk load (`insert_leads`: the scale benchmark seeds a million leads)
and importToList's chunks (`sync_by_email`). The rules of what a lead's row holds live in
`leads` (`new_lead_columns`, `merge_values`, `record_values`) and `workspaces` (`partition_chooser`),
shared with syncLead; this module only writes many rows at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import lead_schema
from mockmkto.domain.lead_keys import email_key
from mockmkto.domain.leads import (
    FOREIGN_SYS_TYPES,
    MIRRORED_FIELDS,
    LeadInput,
    merge_values,
    new_lead_activities,
    new_lead_columns,
    record_values,
)
from mockmkto.domain.workspaces import default_partition, partition_chooser
from mockmkto.store import activity_repository, lead_repository
from mockmkto.store.db import Store

# Leads per statement of the admin load: large enough to amortise each call, small enough to bound memory.
CHUNK_SIZE = 20_000
KEY_FIELDS = ("ForeignSysPersonId", "ForeignSysType")
# What an import may change of a lead it matched: its attributes and the columns that follow them.
SYNCED_COLUMNS = ("attributes", "email", *MIRRORED_FIELDS.values(), "anonymous", "updated_at")
# What `sync_by_email` reads of a matched lead (besides its email): its id and what it may change.
MATCHED_COLUMNS = ("id", *(key for key in SYNCED_COLUMNS if key not in ("email", "updated_at")))


def _admin_row(fields: Mapping[str, str], stamp: datetime, partition_id: int | None) -> dict:
    """The `leads` row of one lead given as {field name: stored value} (Email, attributes, keys)."""
    attributes = {name: value for name, value in fields.items() if name not in KEY_FIELDS}
    row = new_lead_columns(attributes, partition_id, stamp)
    row["foreign_sys_person_id"] = fields.get("ForeignSysPersonId") or None
    row["foreign_sys_type"] = fields.get("ForeignSysType") or None
    if row["foreign_sys_person_id"] and row["foreign_sys_type"] not in FOREIGN_SYS_TYPES:
        raise ValueError(f"ForeignSysType must be one of {', '.join(FOREIGN_SYS_TYPES)} with ForeignSysPersonId")
    return row


def insert_leads(store: Store, clock: Clock, leads: Iterable[Mapping[str, str]]) -> range:
    """Insert every lead of `leads` in one transaction; return the range of the new lead Ids.

    Each lead lands as syncLead would store it (attribute document, mirrored key columns,
    ForeignSysPersonId/ForeignSysType, the Default workspace's primary partition, creation time),
    so every call reads and matches it as any other. What syncLead does and this does not: no
    typing of values (give them in their stored form, e.g. `"42"` for an integer), no lead
    assignment rules, no NewLead activity, no duplicate detection by Email. A unique key that
    clashes (ForeignSysPersonId) rolls the whole load back.
    """
    # The store's own transaction, so the load takes its turn like any request.
    with store.session() as session:
        now = clock.now()
        partition_id = default_partition(session)
        first, count = None, 0
        iterator = iter(leads)
        while chunk := list(islice(iterator, CHUNK_SIZE)):
            ids = lead_repository.insert_rows(session, [_admin_row(fields, now, partition_id) for fields in chunk])
            first = ids[0] if first is None else first
            count += len(ids)
        store.seeded(session)
    first = first if first is not None else 1
    return range(first, first + count)


@dataclass(eq=False)
class _Match:
    """A lead that records of one `sync_by_email` write: found by its Email, or new (no id yet)."""

    lead_id: int | None
    columns: dict
    found: bool
    changes: list = field(default_factory=list)

    @property
    def id(self) -> int:
        """The lead's Id: a new lead's once the insert gave it one."""
        if self.lead_id is None:
            raise ValueError("a new lead's Id is known once it is inserted")
        return self.lead_id


def sync_by_email(session: Session, clock: Clock, records: list[LeadInput]) -> list[int | MarketoError]:
    """syncLead of each record, matched by its Email alone, in a few statements for them all: per
    record its lead's Id, or the error that kept it out (the other records still apply).

    Exactly syncLead's rules: typed values, a match by Email updated (ChangeDataValue for each real
    change) or a new lead in its assignment-rule (else Default) partition (NewLead); a record whose
    Email an earlier one created updates that lead. Each lead's activities keep the records' order.
    """
    schema = lead_schema(session)
    choose_partition = partition_chooser(session, None)
    now = clock.now()
    keys = [email_key(record.email) for record in records]
    matches: dict[str | None, _Match] = {
        key: _Match(row["id"], row, found=True)
        for key, row in lead_repository.newest_by_email_to_write(session, filter(None, keys), *MATCHED_COLUMNS).items()
    }
    created: list[_Match] = []
    outcomes: list[_Match | MarketoError] = []
    for record, key in zip(records, keys, strict=True):
        try:
            values = record_values(schema, record)
        except MarketoError as error:
            outcomes.append(error)
            continue
        match = matches.get(key)
        if match is None:
            match = matches[key] = _Match(None, new_lead_columns(values, choose_partition(values), now), found=False)
            created.append(match)
        else:
            attributes, columns, changes = merge_values(match.columns["attributes"], match.columns["anonymous"], values)
            match.columns.update(columns, attributes=attributes)
            match.changes.extend(changes)
        outcomes.append(match)
    ids = lead_repository.insert_rows(session, [match.columns for match in created])
    for match, lead_id in zip(created, ids, strict=True):
        match.lead_id = lead_id
    updated = [match for match in matches.values() if match.found and match.changes]
    kept = SYNCED_COLUMNS[:-1]  # all but updated_at
    lead_repository.update_rows(
        session, [(m.id, {key: m.columns[key] for key in kept} | {"updated_at": now}) for m in updated]
    )
    entries = new_lead_activities([match.id for match in created], now)
    for match in matches.values():
        entries.extend(activities.data_value_change(match.id, now, *change) for change in match.changes)
    activity_repository.add(session, entries)
    return [outcome if isinstance(outcome, MarketoError) else outcome.id for outcome in outcomes]
