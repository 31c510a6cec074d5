"""Leads as getLead and the other reads return them: typed attributes, partition names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import lead_data_types
from mockmkto.domain.lead_keys import check_lead_key, key_lookup_value
from mockmkto.store import account_repository, lead_repository
from mockmkto.store.db import seed_cached

# Sent as LeadRecord elements, not as leadAttributeList entries, on output.
RECORD_FIELDS = frozenset({"Id", "Email", "ForeignSysPersonId", "ForeignSysType"})

# (name, data_type, value): a plain tuple, as a page makes thousands (a NamedTuple's cost: bench/results.md).
LeadAttribute = tuple[str, str, str]


@dataclass
class LeadView:
    """A lead as getLead returns it: attributes typed, alphabetical, empty ones left out."""

    id: int
    email: str | None
    foreign_sys_person_id: str | None
    foreign_sys_type: str | None
    attributes: list[LeadAttribute]
    partition: str | None = None


def partition_names(session: Session) -> dict[int, str]:
    """Partition id -> name (partitions come only from seeds)."""
    return seed_cached(session, "partitions", lambda: {p.id: p.name for p in account_repository.partitions(session)})


def views(session: Session, rows: Iterable[tuple], only: set[str] | None = None) -> list[LeadView]:
    """Rows of the store's VIEW_COLUMNS (`lead_repository.view_row` of a Lead) as getLead returns
    them; `only`: the attributes wanted. The lookups they share are made once: a page holds up to 1,000."""
    data_types = lead_data_types(session)
    partitions = partition_names(session)
    found = []
    for lead_id, attributes, foreign_sys_person_id, foreign_sys_type, partition_id in rows:
        names = attributes.keys() - RECORD_FIELDS if only is None else attributes.keys() & only - RECORD_FIELDS
        typed = [
            (name, data_types.get(name, "string"), attributes[name]) for name in sorted(names) if attributes[name] != ""
        ]
        found.append(
            LeadView(
                lead_id,
                attributes.get("Email") or None,
                foreign_sys_person_id,
                foreign_sys_type,
                typed,
                partitions.get(partition_id),
            )
        )
    return found


def get_leads(session: Session, key_type: str | None, key_value: str | None) -> list[LeadView]:
    """getLead: every lead a LeadKey matches, most recently updated first; 20103 when none matches."""
    key_type, key_value = check_lead_key(key_type, key_value)
    rows = lead_repository.view_rows(session, key_type, key_lookup_value(key_type, key_value))
    if not rows:
        raise MarketoError(20103, f"No lead found with {key_type} = {key_value}")
    return views(session, rows)
