"""Leads: key precedence, workspaces and partitions, attribute typing, lookups by LeadKeyRef."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema, normalize_value
from mockmkto.store.models import AssignmentRule, Lead, Partition, Setting, Workspace

FOREIGN_SYS_TYPES = ("CUSTOM", "SFDC", "NETSUITE")
LEAD_KEY_REFS = (
    "IDNUM",
    "COOKIE",
    "EMAIL",
    "LEADOWNEREMAIL",
    "SFDCACCOUNTID",
    "SFDCCONTACTID",
    "SFDCLEADID",
    "SFDCLEADOWNERID",
    "SFDCOPPTYID",
)
# LeadKeyRef -> the indexed lead column it looks up.
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
}
# Lead fields whose value is mirrored into an indexed column, so lookups by key stay fast.
MIRRORED_FIELDS = {
    "SFDCAccountId": "sfdc_account_id",
    "SFDCContactId": "sfdc_contact_id",
    "SFDCLeadId": "sfdc_lead_id",
    "SFDCLeadOwnerId": "sfdc_lead_owner_id",
    "SFDCOpptyId": "sfdc_oppty_id",
    "LeadOwnerEmailAddress": "lead_owner_email",
}
# Sent as LeadRecord elements, not as leadAttributeList entries, on output.
RECORD_FIELDS = ("Id", "Email", "ForeignSysPersonId", "ForeignSysType")
DEFAULT_WORKSPACE = "Default"


@dataclass
class LeadInput:
    """A LeadRecord as sent: the key fields and the attributes in request order."""

    id: int | None = None
    email: str | None = None
    foreign_sys_person_id: str | None = None
    foreign_sys_type: str | None = None
    attributes: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass
class LeadAttribute:
    name: str
    data_type: str
    value: str


@dataclass
class LeadView:
    """A lead as getLead returns it: attributes typed, alphabetical, empty ones left out."""

    id: int
    email: str | None
    foreign_sys_person_id: str | None
    foreign_sys_type: str | None
    attributes: list[LeadAttribute]
    partition: str | None = None


@dataclass
class SyncResult:
    lead_id: int
    status: str
    lead: LeadView | None


def email_key(email: str | None) -> str | None:
    """Emails match case-insensitively."""
    return email.strip().lower() if email else None


def view(
    session: Session, lead: Lead, schema: dict[str, FieldDef] | None = None, only: set[str] | None = None
) -> LeadView:
    schema = schema if schema is not None else lead_schema(session)
    attributes = [
        LeadAttribute(name, schema[name].data_type if name in schema else "string", value)
        for name, value in sorted(lead.attributes.items())
        if value != "" and name not in RECORD_FIELDS and (only is None or name in only)
    ]
    partition = session.get(Partition, lead.partition_id) if lead.partition_id else None
    return LeadView(
        lead.id,
        lead.attributes.get("Email") or None,
        lead.foreign_sys_person_id,
        lead.foreign_sys_type,
        attributes,
        partition.name if partition else None,
    )


def check_lead_key(key_type: str | None, key_value: str | None) -> str:
    """A LeadKey's keyType, upper-cased: 20101 when the key is missing, 20102 when the type is unknown."""
    if not key_type or key_value is None or key_value.strip() == "":
        raise MarketoError(20101, "Lead key required")
    normalized = key_type.strip().upper()
    if normalized not in LEAD_KEY_REFS:
        raise MarketoError(20102, f"Lead key type {key_type} is not valid")
    return normalized


def find_by_key(session: Session, key_type: str, key_value: str) -> list[Lead]:
    """Every lead a LeadKey matches, most recently updated first (only EMAIL-like keys repeat)."""
    key_type = check_lead_key(key_type, key_value)
    value = key_value.strip()
    if key_type == "IDNUM":
        if not value.isdigit():
            return []
        lead = session.get(Lead, int(value))
        return [lead] if lead is not None else []
    if key_type in ("EMAIL", "LEADOWNEREMAIL"):
        value = email_key(value)
    column = KEY_COLUMNS[key_type]
    return list(session.scalars(select(Lead).where(column == value).order_by(Lead.updated_at.desc(), Lead.id.desc())))


def get_leads(session: Session, key_type: str | None, key_value: str | None) -> list[LeadView]:
    """getLead: every matching lead; 20103 when none matches."""
    leads = find_by_key(session, key_type, key_value)
    if not leads:
        raise MarketoError(20103, f"No lead found with {key_type.strip().upper()} = {key_value}")
    schema = lead_schema(session)
    return [view(session, lead, schema) for lead in leads]


def find_match(session: Session, record: LeadInput, cookie: str | None) -> tuple[Lead | None, str | None]:
    """The lead a syncLead record updates, and the key that found it.

    Precedence: Id > ForeignSysPersonId > Marketo cookie > Email. Every key but Email is unique;
    an Email shared by several leads matches the most recently updated one. An Id that matches
    nothing is an error (a lead cannot be created with a caller-chosen Id).
    """
    if record.id is not None:
        lead = session.get(Lead, record.id)
        if lead is None:
            raise MarketoError(20103, f"No lead found with IDNUM = {record.id}")
        return lead, "Id"
    if record.foreign_sys_person_id:
        lead = session.scalar(select(Lead).where(Lead.foreign_sys_person_id == record.foreign_sys_person_id))
        if lead is not None:
            return lead, "ForeignSysPersonId"
    if cookie:
        lead = session.scalar(select(Lead).where(Lead.cookie == cookie))
        if lead is not None:
            return lead, "Cookie"
    email = email_key(record.email)
    if email:
        lead = session.scalar(
            select(Lead).where(Lead.email == email).order_by(Lead.updated_at.desc(), Lead.id.desc()).limit(1)
        )
        if lead is not None:
            return lead, "Email"
    return None, None


def workspaces_enabled(session: Session) -> bool:
    setting = session.get(Setting, "workspaces_enabled")
    return setting is not None and setting.value == "true"


def resolve_workspace(session: Session, name: str | None) -> Workspace | None:
    """The workspace MktowsContextHeader names (case-insensitive); 20110 when there is none."""
    if name is None:
        return None
    wanted = name.strip()
    if not workspaces_enabled(session):
        if wanted.lower() != DEFAULT_WORKSPACE.lower():
            raise MarketoError(20110, f"Workspaces are not enabled: target workspace must be Default, not {name}")
    workspace = session.scalar(select(Workspace).where(func.lower(Workspace.name) == wanted.lower()))
    if workspace is None and workspaces_enabled(session):
        raise MarketoError(20110, f"Unknown workspace {name}")
    return workspace


def new_lead_partition(session: Session, attributes: dict[str, str], workspace: Workspace | None) -> int | None:
    """First matching lead assignment rule, else the named (or Default) workspace's primary partition."""
    for rule in session.scalars(select(AssignmentRule).order_by(AssignmentRule.position)):
        if attributes.get(rule.attr_name, "").lower() == rule.value.lower():
            return rule.partition_id
    if workspace is None:
        workspace = session.scalar(select(Workspace).where(func.lower(Workspace.name) == DEFAULT_WORKSPACE.lower()))
    return workspace.primary_partition_id if workspace is not None else None


def typed_attributes(schema: dict[str, FieldDef], pairs: list[tuple[str | None, str | None]]) -> dict[str, str]:
    """Attribute name -> stored text; 20105 names every unknown field, 20110 a bad value."""
    unknown = [name for name, _ in pairs if name and name not in schema]
    if unknown:
        raise MarketoError(20105, f"syncLead operation failed: unknown fields for import: {', '.join(unknown)}")
    values: dict[str, str] = {}
    for name, value in pairs:
        if not name or value is None:
            raise MarketoError(20109, "Each attribute needs attrName and attrValue")
        values[name] = normalize_value(schema[name], value)
    return values


def sync_lead(
    session: Session,
    clock: Clock,
    record: LeadInput | None,
    marketo_cookie: str | None = None,
    target_workspace: str | None = None,
    return_lead: bool = False,
    move_cookie: bool = False,
) -> SyncResult:
    """syncLead: update the lead the keys match, or create one, following the seed's rules."""
    if record is None:
        raise MarketoError(20104, "Lead record required")
    cookie = marketo_cookie.strip() if marketo_cookie and marketo_cookie.strip() else None
    if record.id is None and not record.email and not record.foreign_sys_person_id and cookie is None:
        raise MarketoError(20101, "One of Id, Email or ForeignSysPersonId is required")
    if record.foreign_sys_person_id and not record.foreign_sys_type:
        raise MarketoError(20110, "ForeignSysType is required with ForeignSysPersonId")
    if record.foreign_sys_type and record.foreign_sys_type not in FOREIGN_SYS_TYPES:
        raise MarketoError(20110, f"Bad ForeignSysType {record.foreign_sys_type}")
    schema = lead_schema(session)
    values = typed_attributes(schema, record.attributes)
    if record.email:
        values["Email"] = normalize_value(schema["Email"], record.email)
    workspace = resolve_workspace(session, target_workspace)
    lead, matched_by = find_match(session, record, cookie)
    now = clock.now()
    if lead is None:
        lead = Lead(
            created_at=now,
            updated_at=now,
            attributes={},
            anonymous=not values.get("Email"),
            partition_id=new_lead_partition(session, values, workspace),
        )
        status = "CREATED"
    else:
        if workspace is not None and matched_by != "Email" and workspaces_enabled(session):
            if lead.partition_id != workspace.primary_partition_id:
                raise MarketoError(
                    20106,
                    f"Lead {lead.id} is not in the primary partition of workspace {workspace.name}",
                )
        status = "UPDATED"
    changes = _apply(session, lead, values, record, now)
    if cookie is not None:
        _attach_cookie(session, lead, cookie, move_cookie)
    if values.get("Email"):
        lead.anonymous = False
    session.flush()
    if status == "CREATED":
        activities.record(session, lead.id, "NewLead", now, {"Source Type": activities.API_SOURCE})
    for name, old, new in changes:
        activities.record_data_value_change(session, lead.id, now, name, old, new)
    return SyncResult(lead.id, status, view(session, lead, schema) if return_lead else None)


def _apply(
    session: Session, lead: Lead, values: dict[str, str], record: LeadInput, now: datetime
) -> list[tuple[str, str | None, str]]:
    """Write attribute values and key columns; return each real change (for ChangeDataValue)."""
    changes = []
    attributes = dict(lead.attributes or {})
    is_new = lead.id is None
    for name, value in values.items():
        old = attributes.get(name)
        if old != value:
            attributes[name] = value
            if not is_new:
                changes.append((name, old, value))
            if name == "Email":
                lead.email = email_key(value)
            elif name in MIRRORED_FIELDS:
                mirrored = email_key(value) if name == "LeadOwnerEmailAddress" else value
                setattr(lead, MIRRORED_FIELDS[name], mirrored or None)
    if record.foreign_sys_person_id and lead.foreign_sys_person_id != record.foreign_sys_person_id:
        _release_unique(session, Lead.foreign_sys_person_id, record.foreign_sys_person_id, lead)
        lead.foreign_sys_person_id = record.foreign_sys_person_id
    if record.foreign_sys_type:
        lead.foreign_sys_type = record.foreign_sys_type
    lead.attributes = attributes
    if changes or is_new or record.foreign_sys_person_id:
        lead.updated_at = now
    if is_new:
        session.add(lead)
    return changes


def _release_unique(session: Session, column, value: str, keeper: Lead) -> None:
    other = session.scalar(select(Lead).where(column == value))
    if other is not None and other is not keeper:
        raise MarketoError(20106, f"{column.key} {value} already belongs to lead {other.id}")


def _attach_cookie(session: Session, lead: Lead, cookie: str, move_cookie: bool) -> None:
    """Link the Munchkin cookie to the lead. A cookie held by an anonymous lead (or any lead, with
    moveCookie) moves to this one; a cookie held by another known lead stays where it is."""
    if lead.cookie == cookie:
        return
    holder = session.scalar(select(Lead).where(Lead.cookie == cookie))
    if holder is not None and holder is not lead:
        if not (move_cookie or holder.anonymous):
            return
        holder.cookie = None
        session.flush()
    lead.cookie = cookie
