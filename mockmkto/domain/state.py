"""The instance's state as plain JSON-able data: what the admin API shows and exports.

`export_seed` writes the seed format (seed_data/*.json) so a state reached in a test can be
saved and loaded again; activities and journal entries are history, not seed, and stay out.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mockmkto.domain import custom_objects, mobject_seed, program_seed, tags
from mockmkto.domain.activities import ACTIVITY_TYPES
from mockmkto.domain.lead_keys import email_key
from mockmkto.domain.lead_views import partition_names
from mockmkto.domain.seed import AFTER_LEADS_SECTIONS
from mockmkto.store import (
    account_repository,
    activity_repository,
    lead_repository,
    list_member_repository,
    static_list_repository,
)
from mockmkto.store.models import Lead


def _lead_record(lead: Lead, partitions: dict[int, str]) -> dict:
    """A lead as the seed format has it."""
    return {
        "Id": lead.id,
        "Email": lead.attributes.get("Email"),
        "ForeignSysPersonId": lead.foreign_sys_person_id,
        "ForeignSysType": lead.foreign_sys_type,
        "cookie": lead.cookie,
        "partition": partitions.get(lead.partition_id) if lead.partition_id is not None else None,
        "attributes": {k: v for k, v in sorted(lead.attributes.items()) if k != "Email"},
    }


def lead_json(session: Session, lead: Lead, partitions: dict[int, str] | None = None) -> dict:
    partitions = partitions if partitions is not None else partition_names(session)
    times = {"createdAt": lead.created_at.isoformat(), "updatedAt": lead.updated_at.isoformat()}
    return _lead_record(lead, partitions) | {"anonymous": lead.anonymous} | times


def leads_json(
    session: Session,
    email: str | None = None,
    lead_id: int | None = None,
    partition: str | None = None,
    limit: int = 100,
    offset: int = 0,
    email_contains: str | None = None,
) -> dict:
    """Leads in Id order, filtered by email (or part of it, case-insensitively), id or partition name;
    with the total count."""
    total, rows = lead_repository.listing(
        session, email_key(email), email_key(email_contains), lead_id, partition or None, limit, offset
    )
    partitions = partition_names(session)
    return {"total": total, "leads": [lead_json(session, lead, partitions) for lead in rows]}


def lead_detail_json(session: Session, lead_id: int) -> dict | None:
    """One lead with its activities (newest first) and static list memberships."""
    lead = lead_repository.by_id(session, lead_id)
    if lead is None:
        return None
    detail = lead_json(session, lead)
    detail["activities"] = [
        {
            "id": a.id,
            "type": a.activity_type,
            "displayName": ACTIVITY_TYPES.get(a.activity_type, a.activity_type),
            "at": a.created_at.isoformat(),
            "asset": a.asset_name,
            "campaign": a.campaign,
            "attributes": a.attributes,
        }
        for a in activity_repository.of_lead(session, lead_id)
    ]
    detail["lists"] = [{"id": s.id, "name": s.name} for s in static_list_repository.of_lead(session, lead_id)]
    return detail


def lists_json(session: Session) -> list[dict]:
    counts = list_member_repository.member_counts(session)
    return [
        {"id": s.id, "name": s.name, "programId": s.program_id, "members": counts.get(s.id, 0)}
        for s in static_list_repository.lists(session)
    ]


def export_core(session: Session) -> dict:
    """The seed sections this module owns: settings, users, workspaces, rules, fields, leads."""
    partitions = partition_names(session)
    workspaces = []
    for workspace in account_repository.workspaces(session):
        assert workspace.primary_partition_id is not None  # a seed gives every workspace one
        names = [p.name for p in account_repository.workspace_partitions(session, workspace.id)]
        workspaces.append(
            {
                "name": workspace.name,
                "partitions": names,
                "primaryPartition": partitions[workspace.primary_partition_id],
            }
        )
    memberships: dict[int, list[int]] = {}
    for member in list_member_repository.memberships(session):
        memberships.setdefault(member.lead_id, []).append(member.list_id)
    leads = []
    for lead in lead_repository.every_lead(session):
        item = _lead_record(lead, partitions) | {"listIds": memberships.get(lead.id, [])}
        leads.append({k: v for k, v in item.items() if v not in (None, [], {})})
    return {
        "settings": {"workspacesEnabled": account_repository.workspaces_enabled(session)},
        "users": [
            {"userId": u.user_id, "secret": u.secret, **({"blocked": True} if u.blocked else {})}
            for u in account_repository.users(session)
        ],
        "workspaces": workspaces,
        "assignmentRules": [
            {"attribute": r.attr_name, "value": r.value, "partition": partitions[r.partition_id]}
            for r in account_repository.assignment_rules(session)
        ],
        "leadFields": [
            {"name": f.name, "displayName": f.display_name, "dataType": f.data_type}
            | ({"size": f.size} if f.size else {})
            for f in account_repository.lead_fields(session, by_name=True)
        ],
        "leads": leads,
    }


def export_seed(session: Session) -> dict:
    """The whole state in the seed format: each area exports the sections it loads."""
    core = export_core(session)
    leads = core.pop("leads")
    before_leads = {"programs": program_seed.export_programs(session)} | tags.export_sections(session)
    area = mobject_seed.export_sections(session) | custom_objects.export_sections(session)
    after_leads = {name: area.pop(name) for name, _ in AFTER_LEADS_SECTIONS if name in area}
    return core | before_leads | area | {"leads": leads} | after_leads
