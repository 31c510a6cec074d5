"""Leads: key precedence, workspaces and partitions, attribute typing, lookups by LeadKeyRef."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from mockmkto.domain import activities, streams
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_data_types, lead_schema, normalize_value
from mockmkto.store.db import seed_cached
from mockmkto.store.models import Activity, AssignmentRule, Lead, ListMember, Partition, Setting, StaticList, Workspace
from mockmkto.store.prepared import Prepared, PreparedUpdate

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
# Several leads may share a key (Email): the most recently updated answers first.
NEWEST_FIRST = (Lead.updated_at.desc(), Lead.id.desc())
# What `views` reads of a lead: a row of these columns (`view_row` gives a Lead's).
VIEW_COLUMNS = (Lead.id, Lead.attributes, Lead.foreign_sys_person_id, Lead.foreign_sys_type, Lead.partition_id)


def _lookups_by_key(*columns) -> dict:
    return {
        key_type: select(*columns).where(column == bindparam("value")).order_by(*NEWEST_FIRST)
        for key_type, column in KEY_COLUMNS.items()
    }


# The lookups of every syncLead and getLead, built once: building a select costs more than running it.
LEADS_BY_KEY = _lookups_by_key(Lead)
# getLead only reads: rows of what a view needs, without the ORM's Lead objects.
LEAD_VIEWS_BY_KEY = {key_type: Prepared(lookup) for key_type, lookup in _lookups_by_key(*VIEW_COLUMNS).items()}
LEAD_BY_FOREIGN_SYS_PERSON_ID = Prepared(select(Lead).where(Lead.foreign_sys_person_id == bindparam("value")))
LEAD_BY_COOKIE = Prepared(select(Lead).where(Lead.cookie == bindparam("value")))
NEWEST_LEAD_BY_EMAIL = Prepared(LEADS_BY_KEY["EMAIL"].limit(1))
LEAD_UPDATES = PreparedUpdate(Lead)
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
RECORD_FIELDS = frozenset({"Id", "Email", "ForeignSysPersonId", "ForeignSysType"})
DEFAULT_WORKSPACE = "Default"


@dataclass
class LeadInput:
    """A LeadRecord as sent: the key fields and the attributes in request order."""

    id: int | None = None
    email: str | None = None
    foreign_sys_person_id: str | None = None
    foreign_sys_type: str | None = None
    attributes: list[tuple[str | None, str | None]] = field(default_factory=list)


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


@dataclass
class SyncResult:
    lead_id: int
    status: str
    lead: LeadView | None
    error: str | None = None


def email_key(email: str | None) -> str | None:
    """Emails match case-insensitively."""
    return email.strip().lower() if email else None


def partition_names(session: Session) -> dict[int, str]:
    """Partition id -> name (partitions come only from seeds)."""
    return seed_cached(session, "partitions", lambda: {p.id: p.name for p in session.scalars(select(Partition))})


def views(session: Session, rows: Iterable[tuple], only: set[str] | None = None) -> list[LeadView]:
    """Rows of VIEW_COLUMNS (`view_row` of a Lead) as getLead returns them; `only`: the attributes
    wanted. The lookups they share are made once: a page holds up to 1,000."""
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


def view_row(lead: Lead) -> tuple:
    """A Lead's values of VIEW_COLUMNS, for `views`."""
    return tuple(getattr(lead, column.key) for column in VIEW_COLUMNS)


MAX_LEAD_ID = 2**31 - 1  # Id is an xs:int


def lead_id_value(value: str | int | None) -> int | None:
    """A lead Id from a key value: ASCII digits within xs:int, else None (no lead can have it)."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_LEAD_ID else None
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_LEAD_ID else None


def check_lead_key(key_type: str | None, key_value: str | None) -> tuple[str, str]:
    """A LeadKey's keyType, upper-cased, and its value: 20101 when the key is missing, 20102 when the type
    is unknown."""
    if not key_type or key_value is None or key_value.strip() == "":
        raise MarketoError(20101, "Lead key required")
    normalized = key_type.strip().upper()
    if normalized not in LEAD_KEY_REFS:
        raise MarketoError(20102, f"Lead key type {key_type} is not valid")
    return normalized, key_value


def key_lookup_value(key_type: str, key_value: str) -> int | str | None:
    """A (checked) key's value as its column holds it: an Id (None if no lead can have it), an
    email lower-cased, anything else stripped."""
    if key_type == "IDNUM":
        return lead_id_value(key_value)
    if key_type in ("EMAIL", "LEADOWNEREMAIL"):
        return email_key(key_value)
    return key_value.strip()


def find_by_key(session: Session, key_type: str | None, key_value: str | None) -> list[Lead]:
    """Every lead a LeadKey matches, most recently updated first (only EMAIL-like keys repeat)."""
    key_type, key_value = check_lead_key(key_type, key_value)
    value = key_lookup_value(key_type, key_value)
    if key_type == "IDNUM":
        lead = session.get(Lead, value) if value is not None else None
        return [lead] if lead is not None else []
    return list(session.scalars(LEADS_BY_KEY[key_type], {"value": value}))


def get_leads(session: Session, key_type: str | None, key_value: str | None) -> list[LeadView]:
    """getLead: every lead a LeadKey matches, as find_by_key orders them; 20103 when none matches."""
    key_type, key_value = check_lead_key(key_type, key_value)
    value = key_lookup_value(key_type, key_value)
    rows = LEAD_VIEWS_BY_KEY[key_type].rows(session, {"value": value}) if value is not None else []
    if not rows:
        raise MarketoError(20103, f"No lead found with {key_type} = {key_value}")
    return views(session, rows)


def find_match(session: Session, record: LeadInput, cookie: str | None) -> tuple[Lead | None, str | None]:
    """The lead a syncLead record updates, and the key that found it.

    Precedence: Id > ForeignSysPersonId > Marketo cookie > Email. Every key but Email is unique;
    an Email shared by several leads matches the most recently updated one. An Id that matches
    nothing is an error (a lead cannot be created with a caller-chosen Id).
    """
    if record.id is not None:
        lead_id = lead_id_value(record.id)
        lead = session.get(Lead, lead_id) if lead_id is not None else None
        if lead is None:
            raise MarketoError(20103, f"No lead found with IDNUM = {record.id}")
        return lead, "Id"
    if record.foreign_sys_person_id:
        lead = LEAD_BY_FOREIGN_SYS_PERSON_ID.first(session, {"value": record.foreign_sys_person_id})
        if lead is not None:
            return lead, "ForeignSysPersonId"
    if cookie:
        lead = LEAD_BY_COOKIE.first(session, {"value": cookie})
        if lead is not None:
            return lead, "Cookie"
    email = email_key(record.email)
    if email:
        lead = NEWEST_LEAD_BY_EMAIL.first(session, {"value": email})
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
    return partition_chooser(session, workspace)(attributes)


def partition_chooser(session: Session, workspace: Workspace | None) -> Callable[[dict[str, str]], int | None]:
    """`new_lead_partition` for many new leads: the rules and the workspace are read once."""
    rules = [
        (r.attr_name, r.value.lower(), r.partition_id)
        for r in session.scalars(select(AssignmentRule).order_by(AssignmentRule.position))
    ]
    if workspace is None:
        workspace = session.scalar(select(Workspace).where(func.lower(Workspace.name) == DEFAULT_WORKSPACE.lower()))
    fallback = workspace.primary_partition_id if workspace is not None else None

    def choose(attributes: dict[str, str]) -> int | None:
        for name, value, partition_id in rules:
            if attributes.get(name, "").lower() == value:
                return partition_id
        return fallback

    return choose


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
    """ForeignSysType must come with ForeignSysPersonId, and be one Marketo knows."""
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
    if record.id is None and not record.email and not record.foreign_sys_person_id and cookie is None:
        raise MarketoError(20101, "One of Id, Email or ForeignSysPersonId is required")
    check_record_keys(record)
    values = record_values(lead_schema(session), record)
    workspace = resolve_workspace(session, target_workspace)
    lead, matched_by = find_match(session, record, cookie)
    if lead is not None and workspace is not None and matched_by != "Email" and workspaces_enabled(session):
        if lead.partition_id != workspace.primary_partition_id:
            raise MarketoError(20106, f"Lead {lead.id} is not in the primary partition of workspace {workspace.name}")
    lead, status = write_lead(session, clock, lead, values, record, workspace)
    if cookie is not None:
        _attach_cookie(session, lead, cookie, move_cookie)
    return SyncResult(lead.id, status, views(session, [view_row(lead)])[0] if return_lead else None)


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
    status = "UPDATED"
    if lead is None:
        lead = Lead(**new_lead_columns(values, new_lead_partition(session, values, workspace), now))
        status = "CREATED"
    changes = _apply(session, lead, values, record, now)
    if status == "CREATED":
        # The new lead's id names its NewLead activity (a new lead has no changes).
        session.flush()
        entries = [new_lead_activity(lead.id, now)]
    else:
        entries = [activities.data_value_change(lead.id, now, *change) for change in changes]
    activities.record_many(session, entries)
    return lead, status


def new_lead_columns(values: dict[str, str], partition_id: int | None, now: datetime) -> dict:
    """The columns of a new lead holding typed `values` (its keys but Email left out)."""
    attributes, columns, _ = merge_values({}, True, values)
    times = {"created_at": now, "updated_at": now}
    return {**times, "attributes": attributes, "anonymous": True, "partition_id": partition_id, **columns}


def new_lead_activity(lead_id: int, at: datetime) -> dict:
    """The NewLead entry of a lead an API call created."""
    return activities.entry(lead_id, "NewLead", at, {"Source Type": activities.API_SOURCE})


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
    is_new = lead.id is None
    attributes, columns, changes = merge_values(lead.attributes or {}, lead.anonymous, values)
    keys_changed = False
    if record.foreign_sys_person_id and lead.foreign_sys_person_id != record.foreign_sys_person_id:
        _check_foreign_sys_person_id_free(session, record.foreign_sys_person_id, lead)
        columns["foreign_sys_person_id"] = record.foreign_sys_person_id
        keys_changed = True
    if record.foreign_sys_type and lead.foreign_sys_type != record.foreign_sys_type:
        columns["foreign_sys_type"] = record.foreign_sys_type
        keys_changed = True
    if changes or keys_changed:
        columns["updated_at"] = now
    if is_new:
        lead.attributes = attributes
        for key, value in columns.items():
            setattr(lead, key, value)
        session.add(lead)
    else:
        if attributes != lead.attributes:
            columns["attributes"] = attributes
        LEAD_UPDATES.run(session, lead, columns)
    return changes


def _check_foreign_sys_person_id_free(session: Session, value: str, keeper: Lead) -> None:
    other = LEAD_BY_FOREIGN_SYS_PERSON_ID.first(session, {"value": value})
    if other is not None and other is not keeper:
        raise MarketoError(20106, f"foreign_sys_person_id {value} already belongs to lead {other.id}")


def _attach_cookie(session: Session, lead: Lead, cookie: str, move_cookie: bool) -> None:
    """Link the Munchkin cookie to the lead. A cookie held by an anonymous lead (or any lead, with
    moveCookie) moves to this one; a cookie held by another known lead stays where it is."""
    if lead.cookie == cookie:
        return
    holder = LEAD_BY_COOKIE.first(session, {"value": cookie})
    if holder is not None and holder is not lead:
        if not (move_cookie or holder.anonymous):
            return
        holder.cookie = None
        session.flush()
    lead.cookie = cookie


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
            with session.begin_nested():
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


# Lead selectors of getMultipleLeads and getLeadChanges (chosen by xsi:type on the wire).
MAX_SELECTOR_KEYS = 100
MAX_UPDATE_RANGE = timedelta(days=30)


@dataclass
class LeadKeySelector:
    key_type: str | None
    key_values: list[str]


@dataclass
class StaticListSelector:
    list_name: str | None = None
    list_id: int | None = None


@dataclass
class LastUpdateAtSelector:
    oldest_updated_at: datetime | None
    latest_updated_at: datetime | None = None


LeadSelector = LeadKeySelector | StaticListSelector | LastUpdateAtSelector


def selected_lead_ids(session: Session, clock: Clock, selector: LeadSelector, strict_key_limit: bool = False):
    """A SELECT of the ids of the leads a selector picks (see `lead_criterion`)."""
    return select(Lead.id).where(lead_criterion(session, clock, selector, strict_key_limit))


def lead_criterion(session: Session, clock: Clock, selector: LeadSelector, strict_key_limit: bool = False):
    """The WHERE clause on leads that a selector picks: a condition on each lead row, so a page in
    Id order stops reading as soon as it is full, even over a million leads.

    LeadKeySelector uses its first 100 keys (getLeadChanges: more is 20110); StaticListSelector
    needs a known list (20111); LastUpdateAtSelector spans at most 30 days (20022) over
    [oldest, latest), latest defaulting to now, and counts new activity as an update.
    """
    if isinstance(selector, LeadKeySelector):
        if strict_key_limit and len(selector.key_values) > MAX_SELECTOR_KEYS:
            raise MarketoError(20110, f"At most {MAX_SELECTOR_KEYS} keys in a LeadKeySelector")
        if not selector.key_values:
            raise MarketoError(20101, "LeadKeySelector needs keyValues")
        key_type, _ = check_lead_key(selector.key_type, selector.key_values[0])
        values = [key_lookup_value(key_type, v) for v in selector.key_values[:MAX_SELECTOR_KEYS]]
        return KEY_COLUMNS[key_type].in_([v for v in values if v is not None])
    if isinstance(selector, StaticListSelector):
        static_list = find_static_list(session, selector.list_name, selector.list_id)
        return Lead.id.in_(select(ListMember.lead_id).where(ListMember.list_id == static_list.id))
    if isinstance(selector, LastUpdateAtSelector):
        if selector.oldest_updated_at is None:
            raise MarketoError(20109, "LastUpdateAtSelector needs oldestUpdatedAt")
        oldest = _aware(selector.oldest_updated_at)
        latest = _aware(selector.latest_updated_at) if selector.latest_updated_at else clock.now()
        if latest - oldest > MAX_UPDATE_RANGE:
            raise MarketoError(20022, "Time range between oldestUpdatedAt and latestUpdatedAt exceeds 30 days")
        active = select(Activity.id).where(
            Activity.lead_id == Lead.id, Activity.created_at >= oldest, Activity.created_at < latest
        )
        return or_(and_(Lead.updated_at >= oldest, Lead.updated_at < latest), active.exists())
    raise MarketoError(20109, "A lead selector is required")


def find_static_list(session: Session, name: str | None, list_id: int | None) -> StaticList:
    """A static list by id or by name (case-insensitive); 20111 when there is none."""
    if list_id is not None:
        found = session.get(StaticList, list_id)
    elif name and name.strip():
        found = session.scalar(
            select(StaticList).where(func.lower(StaticList.name) == name.strip().lower()).order_by(StaticList.id)
        )
    else:
        raise MarketoError(20109, "staticListName or staticListId is required")
    if found is None:
        raise MarketoError(20111, f"List not found: {name if list_id is None else list_id}")
    return found


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass
class LeadPage:
    return_count: int
    remaining_count: int
    new_stream_position: str
    leads: list[LeadView]


DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def get_multiple_leads(
    session: Session,
    clock: Clock,
    selector: LeadSelector | None,
    last_updated_at: datetime | None = None,
    stream_position: str | None = None,
    batch_size: int | None = None,
    include_attributes: list[str] | None = None,
) -> LeadPage:
    """getMultipleLeads: one page of the selected leads in Id order.

    The page holds up to batchSize leads (default 100, at most 1000). newStreamPosition is empty
    once nothing remains; a position with nothing left behind it is 20123 Stream at End. The
    first page counts the selection; later pages carry that count in their position (counting
    again only if leads were added meanwhile), so paging does not re-count a million leads a page.
    """
    if selector is None and last_updated_at is not None:
        selector = LastUpdateAtSelector(last_updated_at)
    if selector is None:
        raise MarketoError(20109, "leadSelector is required")
    if batch_size is not None and batch_size <= 0:
        raise MarketoError(20110, "batchSize must be positive")
    size = min(batch_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    query = streams.fingerprint("getMultipleLeads", selector)
    state = streams.decode(stream_position, query) if stream_position and stream_position.strip() else {}
    after = state.get("after", 0)
    selected = and_(lead_criterion(session, clock, selector), Lead.id > after)
    # Rows of the columns a view reads, not Lead objects: a page is up to 1,000 leads.
    rows = list(session.execute(select(*VIEW_COLUMNS).where(selected).order_by(Lead.id).limit(size + 1)))
    if after and not rows:
        raise MarketoError(20123, "Stream at end: no more leads after this position")
    page, more = rows[:size], len(rows) > size
    remaining = state["remaining"] - len(page) if "remaining" in state else None
    if not more:
        remaining = 0
    elif remaining is None or remaining <= 0:
        remaining = session.execute(select(func.count()).select_from(Lead).where(selected)).scalar_one() - len(page)
    position = streams.encode(query, after=page[-1].id, remaining=remaining) if remaining else ""
    only = set(include_attributes) if include_attributes else None
    return LeadPage(len(page), remaining, position, views(session, page, only))


@dataclass
class MergeResult:
    winning_lead_id: int
    losing_lead_ids: list[int]


def lead_by_key_list(session: Session, keys: list[tuple[str | None, str | None]], role: str) -> Lead:
    """The one lead a mergeLeads key list names; every key in the list must name that same lead."""
    if not keys:
        raise MarketoError(20101, f"{role} lead key list is empty")
    found: Lead | None = None
    for key_type, key_value in keys:
        matches = find_by_key(session, key_type, key_value)
        if not matches:
            raise MarketoError(20103, f"No lead found with {key_type} = {key_value}")
        if len(matches) > 1:
            raise MarketoError(20110, f"{key_type} = {key_value} matches {len(matches)} leads")
        if found is not None and matches[0].id != found.id:
            raise MarketoError(20110, f"The {role} key list names more than one lead")
        found = matches[0]
    assert found is not None  # keys is not empty
    return found


def merge_leads(
    session: Session,
    clock: Clock,
    winning_keys: list[tuple[str | None, str | None]],
    losing_key_lists: list[list[tuple[str | None, str | None]]],
    move_references: Sequence[Callable[[Session, Lead, Lead], None]] = (),
) -> MergeResult:
    """mergeLeads: the winner keeps its non-empty values and takes the losers' other values,
    their unique keys it lacks, their activities and list memberships; the losers are deleted.
    `move_references` move other areas' records of a loser to the winner (domain/lead_merge.py)."""
    winner = lead_by_key_list(session, winning_keys, "winning")
    if not losing_key_lists:
        raise MarketoError(20109, "losingLeadKeyLists is required")
    losers = [lead_by_key_list(session, keys, "losing") for keys in losing_key_lists]
    if any(loser.id == winner.id for loser in losers):
        raise MarketoError(20110, "A lead cannot be merged into itself")
    schema = lead_schema(session)
    now = clock.now()
    for loser in losers:
        values = {name: value for name, value in loser.attributes.items() if value and not winner.attributes.get(name)}
        taken = {"foreign_sys_person_id": loser.foreign_sys_person_id, "cookie": loser.cookie}
        session.execute(Activity.__table__.update().where(Activity.lead_id == loser.id).values(lead_id=winner.id))
        _move_list_memberships(session, loser.id, winner.id)
        for move in move_references:
            move(session, loser, winner)
        session.delete(loser)
        session.flush()
        for column, value in taken.items():
            if value and not getattr(winner, column):
                setattr(winner, column, value)
                if column == "foreign_sys_person_id":
                    winner.foreign_sys_type = winner.foreign_sys_type or loser.foreign_sys_type
        record = LeadInput()
        write_lead(session, clock, winner, {k: v for k, v in values.items() if k in schema}, record)
    loser_ids = [loser.id for loser in losers]
    activities.record(
        session,
        winner.id,
        "MergeLeads",
        now,
        {"Merge ids": ",".join(str(i) for i in loser_ids), "Master Updated": "true"},
        asset_name=f"Merged {len(loser_ids)} lead(s) into {winner.id}",
    )
    winner.updated_at = now
    return MergeResult(winner.id, loser_ids)


def _move_list_memberships(session: Session, from_lead: int, to_lead: int) -> None:
    held = set(session.scalars(select(ListMember.list_id).where(ListMember.lead_id == to_lead)))
    for member in session.scalars(select(ListMember).where(ListMember.lead_id == from_lead)).all():
        list_id = member.list_id
        session.delete(member)
        if list_id not in held:
            session.add(ListMember(list_id=list_id, lead_id=to_lead))
