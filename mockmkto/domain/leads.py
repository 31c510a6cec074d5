"""syncLead and syncMultipleLeads: which lead a record updates (key precedence), or the lead it
creates, and how its values are typed and stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema, normalize_value
from mockmkto.domain.lead_keys import email_key, lead_id_value
from mockmkto.domain.lead_views import (
    LeadView,
    views,
)
from mockmkto.domain.values import TEXT_MAX
from mockmkto.domain.workspaces import new_lead_partition, resolve_workspace
from mockmkto.store import account_repository, activity_repository, lead_repository
from mockmkto.store.db import savepoint
from mockmkto.store.models import Lead, Workspace

FOREIGN_SYS_TYPES = ("CUSTOM", "SFDC", "NETSUITE")
# Lead fields whose value is mirrored into an indexed column, so lookups by key stay fast.
MIRRORED_FIELDS = {
    "SFDCAccountId": "sfdc_account_id",
    "SFDCContactId": "sfdc_contact_id",
    "SFDCLeadId": "sfdc_lead_id",
    "SFDCLeadOwnerId": "sfdc_lead_owner_id",
    "SFDCOpptyId": "sfdc_oppty_id",
    "LeadOwnerEmailAddress": "lead_owner_email",
}


@dataclass
class LeadInput:
    """A LeadRecord as sent: the key fields and the attributes in request order."""

    id: int | None = None
    email: str | None = None
    foreign_sys_person_id: str | None = None
    foreign_sys_type: str | None = None
    attributes: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass
class SyncResult:
    lead_id: int
    status: str
    lead: LeadView | None
    error: str | None = None


def find_match(session: Session, record: LeadInput, cookie: str | None) -> tuple[Lead | None, str | None]:
    """The lead a syncLead record updates, and the key that found it.

    Precedence: Id > ForeignSysPersonId > Marketo cookie > Email. Every key but Email is unique;
    an Email shared by several leads matches the most recently updated one. An Id that matches
    nothing is an error (a lead cannot be created with a caller-chosen Id). The lead found is the
    one to write: locked where other units may write leads meanwhile (`find_newest_to_write`).
    """
    if record.id is not None:
        lead = lead_repository.find_newest_to_write(session, "IDNUM", lead_id_value(record.id))
        if lead is None:
            raise MarketoError(20103, f"No lead found with IDNUM = {record.id}")
        return lead, "Id"
    for key_type, value, matched_by in _keys_looked_up(record, cookie):
        lead = lead_repository.find_newest_to_write(session, key_type, value)
        if lead is not None:
            return lead, matched_by
    return None, None


def _keys_looked_up(record: LeadInput, cookie: str | None) -> list[tuple[str, str | None, str]]:
    """The keys other than Id a record finds its lead by, in precedence order: (key type, value or
    None where the record names none, the key `find_match` says found the lead)."""
    return [
        ("FOREIGNSYSPERSONID", record.foreign_sys_person_id or None, "ForeignSysPersonId"),
        ("COOKIE", cookie, "Cookie"),
        ("EMAIL", email_key(record.email), "Email"),
    ]


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


def record_values(schema: dict[str, FieldDef], record: LeadInput) -> dict[str, str]:
    """A record's attributes and Email as the lead stores them (see `typed_attributes`)."""
    values = typed_attributes(schema, record.attributes)
    if record.email:
        values["Email"] = normalize_value(schema["Email"], record.email)
    return values


def check_record_keys(record: LeadInput) -> None:
    """ForeignSysType must come with ForeignSysPersonId, and be one Marketo knows; the Id is a
    text of at most TEXT_MAX characters."""
    if record.foreign_sys_person_id and len(record.foreign_sys_person_id) > TEXT_MAX:
        raise MarketoError(20110, f"ForeignSysPersonId is longer than {TEXT_MAX} characters")
    if record.foreign_sys_person_id and not record.foreign_sys_type:
        raise MarketoError(20110, "ForeignSysType is required with ForeignSysPersonId")
    if record.foreign_sys_type and record.foreign_sys_type not in FOREIGN_SYS_TYPES:
        raise MarketoError(20110, f"Bad ForeignSysType {record.foreign_sys_type}")


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
    if cookie is not None and len(cookie) > TEXT_MAX:
        raise MarketoError(20110, f"marketoCookie is longer than {TEXT_MAX} characters")
    if record.id is None and not record.email and not record.foreign_sys_person_id and cookie is None:
        raise MarketoError(20101, "One of Id, Email or ForeignSysPersonId is required")
    check_record_keys(record)
    values = record_values(lead_schema(session), record)
    workspace = resolve_workspace(session, target_workspace)
    lead, matched_by = find_match(session, record, cookie)
    keys = _keys_in_play(record, values, cookie)
    gives_keys = lead is None or not all(lead_repository.holds(lead, key_type, value) for key_type, value in keys)
    if gives_keys and lead_repository.lock_keys(session, keys):
        # Found again under the keys' locks: a lead another unit gave one of them meanwhile counts.
        lead, matched_by = find_match(session, record, cookie)
    if (
        lead is not None
        and workspace is not None
        and matched_by != "Email"
        and account_repository.workspaces_enabled(session)
    ):
        if lead.partition_id != workspace.primary_partition_id:
            raise MarketoError(20106, f"Lead {lead.id} is not in the primary partition of workspace {workspace.name}")
    lead, status = write_lead(session, clock, lead, values, record, workspace)
    if cookie is not None:
        _attach_cookie(session, lead, cookie, move_cookie)
    return SyncResult(lead.id, status, views(session, [lead_repository.view_row(lead)])[0] if return_lead else None)


def _keys_in_play(record: LeadInput, values: dict[str, str], cookie: str | None) -> list[tuple[str, str | None]]:
    """Every key by which a syncLead finds a lead, or that it gives one (an Email attribute too); None
    where the record names none. A lead that holds them all gets no new key, nor could another
    unit make a lead of them: they need no lock (lead_repository.lock_keys)."""
    looked_up = [(key_type, value) for key_type, value, _ in _keys_looked_up(record, cookie)]
    return [*looked_up, ("EMAIL", email_key(values.get("Email")))]


def write_lead(
    session: Session,
    clock: Clock,
    lead: Lead | None,
    values: dict[str, str],
    record: LeadInput,
    workspace: Workspace | None = None,
) -> tuple[Lead, str]:
    """Create (lead None) or update a lead with typed values; log NewLead / ChangeDataValue."""
    now = clock.now()
    if lead is None:
        columns = new_lead_columns(values, new_lead_partition(session, values, workspace), now)
        lead = lead_repository.insert(session, columns | _key_columns(session, None, record))
        # A new lead has no changes: its NewLead activity says it all.
        activity_repository.add(session, new_lead_activities([lead.id], now))
        return lead, "CREATED"
    changes = _apply(session, lead, values, record, now)
    activity_repository.add(session, [activities.data_value_change(lead.id, now, *change) for change in changes])
    return lead, "UPDATED"


def new_lead_columns(values: dict[str, str], partition_id: int | None, now: datetime) -> dict:
    """The columns of a new lead holding typed `values` (its keys but Email left out)."""
    attributes, columns, _ = merge_values({}, True, values)
    times = {"created_at": now, "updated_at": now}
    return {**times, "attributes": attributes, "anonymous": True, "partition_id": partition_id, **columns}


def new_lead_activities(lead_ids: list[int], at: datetime) -> list[dict]:
    """The NewLead entries of leads an API call created. They share one attributes document: the store
    processes a batch's shared document once (store/prepared.py)."""
    attributes = {"Source Type": activities.API_SOURCE}
    return [activities.entry(lead_id, "NewLead", at, attributes) for lead_id in lead_ids]


def merge_values(
    attributes: dict[str, str], anonymous: bool, values: dict[str, str]
) -> tuple[dict[str, str], dict[str, object], list[tuple[str, str | None, str]]]:
    """`values` written over a lead's `attributes`: the new attributes, the lead columns that follow
    (lower-cased email, SFDC ids, lead owner email; an Email makes an anonymous lead known), and each
    change (name, old, new)."""
    merged = dict(attributes)
    columns: dict[str, object] = {"anonymous": False} if anonymous and values.get("Email") else {}
    changes = []
    for name, value in values.items():
        old = merged.get(name)
        if old != value:
            merged[name] = value
            changes.append((name, old, value))
            if name == "Email":
                columns["email"] = email_key(value)
            elif name in MIRRORED_FIELDS:
                mirrored = email_key(value) if name == "LeadOwnerEmailAddress" else value
                columns[MIRRORED_FIELDS[name]] = mirrored or None
    return merged, columns, changes


def _apply(
    session: Session, lead: Lead, values: dict[str, str], record: LeadInput, now: datetime
) -> list[tuple[str, str | None, str]]:
    """Write attribute values and key columns; return each real change (for ChangeDataValue)."""
    attributes, columns, changes = merge_values(lead.attributes, lead.anonymous, values)
    keys = _key_columns(session, lead, record)
    if changes or keys:
        columns |= keys | {"updated_at": now}
    if attributes != lead.attributes:
        columns["attributes"] = attributes
    if columns:
        lead_repository.update(session, lead, columns)
    return changes


def _key_columns(session: Session, lead: Lead | None, record: LeadInput) -> dict[str, str]:
    """The ForeignSysPersonId and ForeignSysType a record gives a lead (None: a new one) that it does
    not hold yet; 20106 when another lead holds that ForeignSysPersonId."""
    columns = {}
    person_id, system = record.foreign_sys_person_id, record.foreign_sys_type
    if person_id and (lead is None or lead.foreign_sys_person_id != person_id):
        other = lead_repository.find_newest(session, "FOREIGNSYSPERSONID", person_id)
        if other is not None:
            raise MarketoError(20106, f"foreign_sys_person_id {person_id} already belongs to lead {other.id}")
        columns["foreign_sys_person_id"] = person_id
    if system and (lead is None or lead.foreign_sys_type != system):
        columns["foreign_sys_type"] = system
    return columns


def _attach_cookie(session: Session, lead: Lead, cookie: str, move_cookie: bool) -> None:
    """Link the Munchkin cookie to the lead. A cookie held by an anonymous lead (or any lead, with
    moveCookie) moves to this one; a cookie held by another known lead stays where it is."""
    if lead.cookie == cookie:
        return
    holder = lead_repository.find_newest(session, "COOKIE", cookie)
    if holder is not None:
        if not (move_cookie or holder.anonymous):
            return
        lead_repository.update(session, holder, {"cookie": None})
    lead_repository.update(session, lead, {"cookie": cookie})


MAX_SYNC_MULTIPLE = 300


def sync_multiple_leads(
    session: Session, clock: Clock, records: list[LeadInput | None], dedup_enabled: bool | None = None
) -> list[SyncResult]:
    """syncMultipleLeads: each record on its own (a bad one is FAILED, the others still apply).

    Keys: Id > ForeignSysPersonId, then Email when dedupEnabled (the default); no cookie. A
    matched lead's Email changes only when Email is also in its leadAttributeList.
    """
    if len(records) > MAX_SYNC_MULTIPLE:
        raise MarketoError(20110, f"At most {MAX_SYNC_MULTIPLE} lead records per call, got {len(records)}")
    dedup = True if dedup_enabled is None else dedup_enabled
    schema = lead_schema(session)
    results = []
    for record in records:
        try:
            with savepoint(session):
                results.append(_sync_one_of_many(session, clock, record, schema, dedup))
        except MarketoError as error:
            results.append(SyncResult((record and record.id) or 0, "FAILED", None, error.message))
    return results


def _sync_one_of_many(
    session: Session, clock: Clock, record: LeadInput | None, schema: dict[str, FieldDef], dedup: bool
) -> SyncResult:
    if record is None:  # sent as nil
        raise MarketoError(20104, "Lead record required")
    if record.id is None and not record.email and not record.foreign_sys_person_id:
        raise MarketoError(20101, "One of Id, Email or ForeignSysPersonId is required")
    check_record_keys(record)
    values = typed_attributes(schema, record.attributes)
    lead, _ = find_match(session, LeadInput(id=record.id, foreign_sys_person_id=record.foreign_sys_person_id), None)
    if lead is None and dedup and record.email:
        lead, _ = find_match(session, LeadInput(email=record.email), None)
    if lead is None and record.email:
        values["Email"] = normalize_value(schema["Email"], record.email)
    lead, status = write_lead(session, clock, lead, values, record)
    return SyncResult(lead.id, status, None)
