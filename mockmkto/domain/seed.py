"""Seed documents (the format of seed_data/*.json): load one into an instance's store.

The format's building blocks are in seed_format.py; each area of the domain loads its own sections.
A seed is applied in one transaction: a bad document changes nothing, and the error names the
path of the bad value (e.g. `leads[2].Email`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mockmkto.domain import custom_objects, mobject_seed, program_seed, tags, values
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import STANDARD_LEAD_FIELDS
from mockmkto.domain.leads import FOREIGN_SYS_TYPES, LeadInput, sync_lead
from mockmkto.domain.seed_format import SeedError, field_type, items, optional_id, text
from mockmkto.domain.values import whole_number
from mockmkto.store import (
    account_repository,
    activity_repository,
    lead_repository,
    list_member_repository,
    static_list_repository,
)
from mockmkto.store.models import Partition

# Seed sections that belong to an area of the domain, loaded after the lead schema and before leads.
AREA_SECTIONS = (
    ("programs", program_seed.load_programs),
    ("tags", tags.load_tags),
    ("channels", tags.load_channels),
    ("programDetails", mobject_seed.load_program_details),
    ("companies", mobject_seed.load_companies),
    ("mobjectFields", mobject_seed.load_mobject_fields),
    ("opportunities", mobject_seed.load_opportunities),
    ("customObjectTypes", custom_objects.load_custom_object_types),
)
# Seed sections that belong to an area and reference leads, loaded after the leads.
AFTER_LEADS_SECTIONS = (
    ("opportunityPersonRoles", mobject_seed.load_opportunity_person_roles),
    ("customObjects", custom_objects.load_custom_objects),
)


def load_seed(session: Session, clock: Clock, doc: Any) -> dict[str, int]:
    """Add everything the seed declares; return how many of each kind were added."""
    if not isinstance(doc, dict):
        raise SeedError("$", "a seed is a JSON object")
    problem = values.not_xml(doc, "")
    if problem:
        raise SeedError(problem[0], values.NOT_XML_PROBLEM.format(problem[1]))
    counts: dict[str, int] = {}
    settings = doc.get("settings", {})
    if not isinstance(settings, dict):
        raise SeedError("settings", "must be an object")
    if "workspacesEnabled" in settings:
        if not isinstance(settings["workspacesEnabled"], bool):
            raise SeedError("settings.workspacesEnabled", "must be true or false")
        account_repository.enable_workspaces(session, settings["workspacesEnabled"])

    for path, item in items(doc, "users", ""):
        blocked = item.get("blocked", False)
        if not isinstance(blocked, bool):
            raise SeedError(f"{path}.blocked", "must be true or false")
        account_repository.set_user(session, text(item, "userId", path), text(item, "secret", path), blocked)
        counts["users"] = counts.get("users", 0) + 1

    partitions: dict[str, Partition] = {}
    for path, item in items(doc, "workspaces", ""):
        workspace = account_repository.add_workspace(session, text(item, "name", path))
        names = item.get("partitions", [])
        if not isinstance(names, list) or not names:
            raise SeedError(f"{path}.partitions", "must be a non-empty list of partition names")
        for index, name in enumerate(names):
            if not isinstance(name, str) or not name.strip() or len(name) > values.TEXT_MAX:
                raise SeedError(
                    f"{path}.partitions[{index}]", f"must be a partition name of at most {values.TEXT_MAX} characters"
                )
            partitions[name.lower()] = account_repository.add_partition(session, name, workspace.id)
        primary = item.get("primaryPartition", names[0])
        if not isinstance(primary, str) or primary.lower() not in partitions:
            raise SeedError(f"{path}.primaryPartition", f"unknown partition {primary!r}")
        workspace.primary_partition_id = partitions[primary.lower()].id
        counts["workspaces"] = counts.get("workspaces", 0) + 1

    for position, (path, item) in enumerate(items(doc, "assignmentRules", "")):
        partition_name = text(item, "partition", path)
        if partition_name.lower() not in partitions:
            raise SeedError(f"{path}.partition", f"unknown partition {partition_name!r}")
        account_repository.add_assignment_rule(
            session,
            position,
            text(item, "attribute", path),
            text(item, "value", path),
            partitions[partition_name.lower()].id,
        )

    standard = {f.name for f in STANDARD_LEAD_FIELDS}
    for path, item in items(doc, "leadFields", ""):
        name = text(item, "name", path)
        if name in standard:
            raise SeedError(f"{path}.name", f"{name} is a standard lead field")
        data_type, size = field_type(item, path)
        display_name = text(item, "displayName", path, required=False) or name
        account_repository.set_lead_field(session, name, display_name, data_type, size)

    for section, loader in AREA_SECTIONS:
        counts[section] = loader(session, clock, doc)

    for path, item in items(doc, "leads", ""):
        _load_lead(session, clock, item, path, partitions)
        counts["leads"] = counts.get("leads", 0) + 1

    for section, loader in AFTER_LEADS_SECTIONS:
        counts[section] = loader(session, clock, doc)
    return counts


def _load_lead(session: Session, clock: Clock, item: dict, path: str, partitions: dict[str, Partition]) -> None:
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict):
        raise SeedError(f"{path}.attributes", "must be an object")
    fsp_type = item.get("ForeignSysType")
    if fsp_type is not None and fsp_type not in FOREIGN_SYS_TYPES:
        raise SeedError(f"{path}.ForeignSysType", f"must be one of {', '.join(FOREIGN_SYS_TYPES)}")
    record = LeadInput(
        email=text(item, "Email", path, required=False),
        foreign_sys_person_id=text(item, "ForeignSysPersonId", path, required=False),
        foreign_sys_type=fsp_type,
        attributes=[(name, None if value is None else str(value)) for name, value in attributes.items()],
    )
    try:
        result = sync_lead(session, clock, record, marketo_cookie=text(item, "cookie", path, required=False))
    except MarketoError as exc:
        raise SeedError(path, exc.text) from None
    if result.status != "CREATED":
        raise SeedError(path, f"duplicates lead {result.lead_id}")
    lead = lead_repository.by_id(session, result.lead_id)
    assert lead is not None  # just created
    wanted_id = optional_id(item, path, "Id")
    if wanted_id is not None and wanted_id != lead.id:
        if lead_repository.by_id(session, wanted_id) is not None:
            raise SeedError(f"{path}.Id", f"{wanted_id} is another lead's")
        lead_repository.renumber(session, lead, wanted_id)
        activity_repository.move_to_lead(session, result.lead_id, wanted_id)
        lead = lead_repository.by_id(session, wanted_id)
        assert lead is not None  # just renumbered
    list_ids = item.get("listIds", [])
    if not isinstance(list_ids, list):
        raise SeedError(f"{path}.listIds", "must be a list of static list ids")
    for index, list_id in enumerate(list_ids):
        if not whole_number(list_id, 1) or static_list_repository.by_id(session, list_id) is None:
            raise SeedError(f"{path}.listIds[{index}]", f"no static list with id {list_id!r}")
        list_member_repository.add(session, list_id, [lead.id])
    partition_name = item.get("partition")
    if partition_name is not None:
        if not isinstance(partition_name, str) or partition_name.lower() not in partitions:
            raise SeedError(f"{path}.partition", f"unknown partition {partition_name!r}")
        lead_repository.update(session, lead, {"partition_id": partitions[partition_name.lower()].id})
