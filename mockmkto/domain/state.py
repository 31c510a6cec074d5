"""The instance's state as plain JSON-able data: what the admin API shows and exports.

`export_seed` writes the seed format (seed_data/*.json) so a state reached in a test can be
saved and loaded again; activities and journal entries are history, not seed, and stay out.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.domain import custom_objects, mobject_seed, program_seed, tags
from mockmkto.domain.activities import ACTIVITY_TYPES
from mockmkto.domain.lead_keys import email_key
from mockmkto.domain.lead_views import partition_names
from mockmkto.domain.seed import AFTER_LEADS_SECTIONS
from mockmkto.store.models import (
    Activity,
    AssignmentRule,
    Lead,
    LeadField,
    ListMember,
    Partition,
    Setting,
    StaticList,
    User,
    Workspace,
)


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
    query = select(Lead)
    if email:
        query = query.where(Lead.email == email_key(email))
    if email_contains:
        query = query.where(Lead.email.contains(email_key(email_contains), autoescape=True))
    if lead_id is not None:
        query = query.where(Lead.id == lead_id)
    if partition:
        query = query.join(Partition, Partition.id == Lead.partition_id).where(
            func.lower(Partition.name) == partition.lower()
        )
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    partitions = partition_names(session)
    rows = session.scalars(query.order_by(Lead.id).limit(limit).offset(offset))
    return {"total": total, "leads": [lead_json(session, lead, partitions) for lead in rows]}


def lead_detail_json(session: Session, lead_id: int) -> dict | None:
    """One lead with its activities (newest first) and static list memberships."""
    lead = session.get(Lead, lead_id)
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
        for a in session.scalars(select(Activity).where(Activity.lead_id == lead_id).order_by(Activity.id.desc()))
    ]
    detail["lists"] = [
        {"id": s.id, "name": s.name}
        for s in session.scalars(
            select(StaticList)
            .join(ListMember, ListMember.list_id == StaticList.id)
            .where(ListMember.lead_id == lead_id)
        )
    ]
    return detail


def lists_json(session: Session) -> list[dict]:
    counts = dict(session.execute(select(ListMember.list_id, func.count()).group_by(ListMember.list_id)).all())
    return [
        {"id": s.id, "name": s.name, "programId": s.program_id, "members": counts.get(s.id, 0)}
        for s in session.scalars(select(StaticList).order_by(StaticList.id))
    ]


def export_core(session: Session) -> dict:
    """The seed sections this module owns: settings, users, workspaces, rules, fields, leads."""
    enabled = session.get(Setting, "workspaces_enabled")
    partitions = partition_names(session)
    workspaces = []
    for workspace in session.scalars(select(Workspace).order_by(Workspace.id)):
        assert workspace.primary_partition_id is not None  # a seed gives every workspace one
        names = [p.name for p in session.scalars(select(Partition).where(Partition.workspace_id == workspace.id))]
        workspaces.append(
            {
                "name": workspace.name,
                "partitions": names,
                "primaryPartition": partitions[workspace.primary_partition_id],
            }
        )
    memberships: dict[int, list[int]] = {}
    for member in session.scalars(select(ListMember).order_by(ListMember.list_id)):
        memberships.setdefault(member.lead_id, []).append(member.list_id)
    leads = []
    for lead in session.scalars(select(Lead).order_by(Lead.id)):
        item = _lead_record(lead, partitions) | {"listIds": memberships.get(lead.id, [])}
        leads.append({k: v for k, v in item.items() if v not in (None, [], {})})
    return {
        "settings": {"workspacesEnabled": enabled is not None and enabled.value == "true"},
        "users": [
            {"userId": u.user_id, "secret": u.secret, **({"blocked": True} if u.blocked else {})}
            for u in session.scalars(select(User).order_by(User.user_id))
        ],
        "workspaces": workspaces,
        "assignmentRules": [
            {"attribute": r.attr_name, "value": r.value, "partition": partitions[r.partition_id]}
            for r in session.scalars(select(AssignmentRule).order_by(AssignmentRule.position))
        ],
        "leadFields": [
            {"name": f.name, "displayName": f.display_name, "dataType": f.data_type}
            | ({"size": f.size} if f.size else {})
            for f in session.scalars(select(LeadField).order_by(LeadField.name))
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
