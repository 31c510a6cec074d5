"""Programs, smart campaigns and My Tokens: requestCampaign's parameter sets, scheduleCampaign's
schedules and program clones, token precedence, and the campaign runs a test can inspect.

A run is a record: which campaign ran, for which leads, when, and with which token values.
Scheduled runs become due by the mock's clock and are carried out lazily, whenever a campaign
or import call is made or runs are read, with the time they were scheduled for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import CursorResult, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.leads import KEY_COLUMNS, NEWEST_FIRST, check_lead_key, key_lookup_value
from mockmkto.domain.limits import api_day
from mockmkto.domain.seed_format import SeedError, items, text
from mockmkto.store.campaign_models import (
    CampaignRun,
    CampaignRunLead,
    ImportedLeadTokens,
    ProgramClone,
    SmartCampaignDefinition,
)
from mockmkto.store.models import Campaign, Lead, ListMember, Program, StaticList
from mockmkto.store.prepared import Prepared, PreparedGet, PreparedInsert

CAMPAIGN_SOURCES = ("MKTOWS", "SALES")
SCHEDULE_SOURCE = "SCHEDULE"
CAMPAIGN_TYPES = ("trigger", "batch")
# How the "Request Campaign" activity names where the request came from.
SOURCE_LABELS = {"MKTOWS": activities.API_SOURCE, "SALES": "Sales Insight"}
# requestCampaign's lead keys (the seed's list: COOKIE is not among them).
REQUEST_KEY_TYPES = (
    "IDNUM",
    "EMAIL",
    "SFDCLEADID",
    "LEADOWNEREMAIL",
    "SFDCACCOUNTID",
    "SFDCCONTACTID",
    "SFDCLEADOWNERID",
    "SFDCOPPTYID",
)
MAX_REQUESTED_LEAD_KEYS = 100
CLONES_PER_DAY = 10
TOKEN_NAME = re.compile(r"^\{\{my\.[^{}]+\}\}$")
FLOW_ACTIVITY = re.compile(r"^[A-Z][A-Za-z]+$")
SCHEDULED, COMPLETED = "scheduled", "completed"
PARAMETER_SETS = "use campaignId alone, or campaignName + programName (+ programTokenList)"
# Looked up by id on every campaign call: prepared, without the ORM's loading (bench/results.md).
CAMPAIGNS = PreparedGet(Campaign)
PROGRAMS = PreparedGet(Program)
DEFINITIONS = PreparedGet(SmartCampaignDefinition)


@dataclass
class CampaignRecord:
    """A campaign as getCampaignsForSource lists it."""

    id: int
    name: str
    description: str


@dataclass
class RunLead:
    lead_id: int
    tokens: dict[str, str]


@dataclass
class RunView:
    """What ran (or will run): for whom, when, and with which My Token values per lead."""

    id: int
    campaign_id: int
    campaign: str
    program: str | None
    source: str
    requested_at: datetime
    run_at: datetime
    status: str
    tokens: dict[str, str]
    leads: list[RunLead]
    cloned_from_program: str | None = None


@dataclass
class CampaignView:
    id: int
    name: str
    full_name: str
    description: str
    type: str
    requestable_from: list[str]
    smart_list: list[str]
    flow: list[dict[str, str]]


@dataclass
class StaticListView:
    id: int
    name: str
    lead_ids: list[int]


@dataclass
class ProgramView:
    id: int
    name: str
    tokens: dict[str, str]
    campaigns: list[CampaignView] = field(default_factory=list)
    lists: list[StaticListView] = field(default_factory=list)


# ---------------------------------------------------------------------------------------- seed


def load_programs(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `programs` section: programs with tokens, campaigns and static lists.

    A campaign's `smartList` names static lists (of its own program first, else of any program);
    it is resolved once every program is loaded. Without one, a batch campaign runs on the
    members of its program's static lists.
    """
    smart_lists: list[tuple[str, Campaign, list[str]]] = []
    loaded = 0
    for path, item in items(doc, "programs", ""):
        smart_lists += _load_program(session, item, path)
        loaded += 1
    session.flush()
    for path, campaign, names in smart_lists:
        list_ids = []
        for index, name in enumerate(names):
            static_list = _smart_list_target(session, campaign.program_id, name)
            if static_list is None:
                raise SeedError(f"{path}.smartList[{index}]", f"unknown static list {name!r}")
            list_ids.append(static_list.id)
        DEFINITIONS.get_one(session, campaign.id).smart_list = list_ids
    return loaded


def _load_program(session: Session, item: dict, path: str) -> list[tuple[str, Campaign, list[str]]]:
    tokens = item.get("tokens", {})
    if not isinstance(tokens, dict) or not all(isinstance(v, str) for v in tokens.values()):
        raise SeedError(f"{path}.tokens", "must map {{my.name}} tokens to strings")
    for name in tokens:
        if not TOKEN_NAME.match(name):
            raise SeedError(f"{path}.tokens", f"token {name!r} is not of the form {{{{my.name}}}}")
    program = Program(id=item.get("id"), name=text(item, "name", path), tokens=tokens)
    session.add(program)
    session.flush()
    smart_lists = []
    for cpath, campaign in items(item, "campaigns", f"{path}."):
        row = _load_campaign(session, program, campaign, cpath)
        names = campaign.get("smartList", [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise SeedError(f"{cpath}.smartList", "must list static list names")
        if names:
            smart_lists.append((cpath, row, names))
    for lpath, static_list in items(item, "lists", f"{path}."):
        session.add(StaticList(id=static_list.get("id"), name=text(static_list, "name", lpath), program_id=program.id))
    return smart_lists


def _load_campaign(session: Session, program: Program, item: dict, path: str) -> Campaign:
    sources = item.get("requestableFrom", [])
    if not isinstance(sources, list) or any(s not in CAMPAIGN_SOURCES for s in sources):
        raise SeedError(f"{path}.requestableFrom", "must list sources among MKTOWS, SALES")
    kind = item.get("type", "trigger")
    if kind not in CAMPAIGN_TYPES:
        raise SeedError(f"{path}.type", "must be trigger or batch")
    if kind == "batch" and sources:
        raise SeedError(f"{path}.requestableFrom", "a batch campaign has no trigger")
    flow = item.get("flow", [])
    if not isinstance(flow, list):
        raise SeedError(f"{path}.flow", "must be a list of steps")
    steps = []
    for index, step in enumerate(flow):
        spath = f"{path}.flow[{index}]"
        if not isinstance(step, dict) or not FLOW_ACTIVITY.match(str(step.get("activity", ""))):
            raise SeedError(spath, "a step is {activity: an activity type such as SendEmail, asset: its asset name}")
        steps.append({"activity": step["activity"], "asset": text(step, "asset", spath)})
    campaign = Campaign(
        id=item.get("id"),
        name=text(item, "name", path),
        description=item.get("description", ""),
        program_id=program.id,
        campaign_type=kind,
        requestable_from=sources,
    )
    session.add(campaign)
    session.flush()
    session.add(SmartCampaignDefinition(campaign_id=campaign.id, smart_list=[], flow=steps))
    return campaign


def _smart_list_target(session: Session, program_id: int | None, name: str) -> StaticList | None:
    lists = session.scalars(
        select(StaticList).where(func.lower(StaticList.name) == name.strip().lower()).order_by(StaticList.id)
    ).all()
    own = [static_list for static_list in lists if static_list.program_id == program_id]
    return (own or lists)[0] if own or lists else None


# ------------------------------------------------------------------------------- shared rules


def utc(value: datetime) -> datetime:
    """`value` in UTC; a time sent without an offset is read as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def given(value: str | None) -> str | None:
    """A string parameter, or None when it is absent or blank."""
    return value.strip() if value is not None and value.strip() else None


def required(value: str | None, name: str) -> str:
    """A string parameter that must be given (not blank), as given: 20109 otherwise."""
    if value is None or given(value) is None:
        raise MarketoError(20109, f"{name} is required")
    return value


def check_token_name(name: str | None) -> str:
    """A My Token name in full UI syntax, `{{my.name}}`; 20110 otherwise."""
    if name is None or not TOKEN_NAME.match(name.strip()):
        raise MarketoError(20110, f"Bad token name {name!r}: use the full token syntax, e.g. {{{{my.message}}}}")
    return name.strip()


def token_overrides(attribs: Sequence[tuple[str | None, str | None]] | None) -> dict[str, str]:
    """A programTokenList as name -> value (an absent list is an empty one)."""
    return {check_token_name(name): value or "" for name, value in attribs or ()}


def resolve_tokens(
    program_tokens: dict[str, str], run_tokens: dict[str, str], lead_tokens: dict[str, str]
) -> dict[str, str]:
    """The My Token values one lead gets in one run. Highest first: the lead's values from
    importToList, then the call's programTokenList, then the program's own My Tokens."""
    return {**program_tokens, **run_tokens, **lead_tokens}


def find_program(session: Session, name: str) -> Program | None:
    return session.scalar(select(Program).where(func.lower(Program.name) == name.strip().lower()))


def find_campaign(session: Session, program: Program, name: str) -> Campaign | None:
    return session.scalar(
        select(Campaign).where(Campaign.program_id == program.id, func.lower(Campaign.name) == name.strip().lower())
    )


def full_name(session: Session, campaign: Campaign) -> str:
    """A campaign's name as Marketo lists it: "Program Name.Campaign Name"."""
    program = PROGRAMS.get(session, campaign.program_id) if campaign.program_id is not None else None
    return f"{program.name}.{campaign.name}" if program is not None else campaign.name


def _program_campaign(session: Session, program_name: str, campaign_name: str) -> Campaign:
    program = find_program(session, program_name)
    if program is None:
        raise MarketoError(20113, f"Program {program_name} not found")
    campaign = find_campaign(session, program, campaign_name)
    if campaign is None:
        raise MarketoError(20113, f"Campaign {campaign_name} not found in program {program.name}")
    return campaign


# ---------------------------------------------------------------------- getCampaignsForSource


def check_source(source: str | None) -> str:
    source = required(source, "source")
    if source.strip() not in CAMPAIGN_SOURCES:
        raise MarketoError(20110, f"Bad source {source}: MKTOWS or SALES")
    return source.strip()


def campaigns_for_source(
    session: Session, clock: Clock, source: str | None, name: str | None = None, exact_name: bool = False
) -> list[CampaignRecord]:
    """getCampaignsForSource: the campaigns whose "Campaign is Requested" trigger has `source`.

    `name` filters on the listed name ("Program.Campaign"): a case-insensitive substring, or with
    `exact_name` the listed name or the campaign's own name exactly.
    """
    source = check_source(source)
    run_due(session, clock)
    wanted = given(name)
    records = []
    for campaign in session.scalars(select(Campaign).order_by(Campaign.id)):
        if source not in campaign.requestable_from:
            continue
        listed = full_name(session, campaign)
        if wanted is not None:
            if exact_name and wanted not in (listed, campaign.name):
                continue
            if not exact_name and wanted.lower() not in listed.lower():
                continue
        records.append(CampaignRecord(campaign.id, listed, campaign.description or ""))
    return sorted(records, key=lambda record: (record.name.lower(), record.id))


# ---------------------------------------------------------------------------- requestCampaign


def request_campaign(
    session: Session,
    clock: Clock,
    source: str | None,
    lead_keys: Sequence[tuple[str | None, str | None]] | None,
    campaign_id: int | None = None,
    program_name: str | None = None,
    campaign_name: str | None = None,
    tokens: Sequence[tuple[str | None, str | None]] | None = None,
) -> RunView:
    """requestCampaign: run existing leads through a campaign with a "Campaign is Requested" trigger.

    Exactly two parameter sets are valid: `campaign_id` alone, or `campaign_name` + `program_name`
    with an optional (possibly empty) token list. Only the first 100 lead keys are used.
    """
    source = check_source(source)
    program_name, campaign_name = given(program_name), given(campaign_name)
    overrides = token_overrides(tokens)
    if campaign_id is not None:
        if program_name or campaign_name or overrides:
            raise MarketoError(20110, f"campaignId goes alone: {PARAMETER_SETS}")
    elif not (program_name and campaign_name):
        raise MarketoError(20110, f"Bad parameter set: {PARAMETER_SETS}")
    if not lead_keys:
        raise MarketoError(20101, "leadList needs at least one leadKey")
    now = utc(clock.now())
    _run_due(session, now)
    if campaign_id is not None:
        campaign = CAMPAIGNS.get(session, campaign_id)
        if campaign is None:
            raise MarketoError(20113, f"Campaign {campaign_id} not found")
    else:
        assert program_name and campaign_name  # the parameter set was checked
        campaign = _program_campaign(session, program_name, campaign_name)
    if source not in campaign.requestable_from:
        raise MarketoError(
            20113, f"Campaign {full_name(session, campaign)} has no Campaign is Requested trigger for source {source}"
        )
    lead_ids = _requested_lead_ids(session, lead_keys[:MAX_REQUESTED_LEAD_KEYS])
    run = CampaignRun(
        campaign_id=campaign.id,
        source=source,
        requested_at=now,
        run_at=now,
        # Carried out right here, in this transaction: there is nothing to claim.
        status=COMPLETED,
        tokens=overrides,
        requested_lead_ids=lead_ids,
        cloned_from_program_id=None,
    )
    return run_view(session, run, _run_campaign(session, RUN_INSERT.add(session, run)))


def _requested_lead_ids(session: Session, lead_keys: Sequence[tuple[str | None, str | None]]) -> list[int]:
    """The ids of the leads the keys name, each once, in key order; a key that finds no lead fails the call."""
    keys = []
    for key_type, key_value in lead_keys:
        try:
            keys.append(_request_key(key_type, key_value))
        except MarketoError:
            # The keys before a bad one are looked up first: one of them that finds no lead is the error.
            _lead_ids_by_key(session, keys)
            raise
    return _lead_ids_by_key(session, keys)


def _request_key(key_type: str | None, key_value: str | None) -> tuple[str, str]:
    key = check_lead_key(key_type, key_value)
    if key[0] not in REQUEST_KEY_TYPES:
        raise MarketoError(20102, f"Lead key type {key[0]} cannot be used with requestCampaign")
    return key


# `_lead_ids_by_key`'s query for each set of key types (sorted): building it cost more than running it.
LEADS_BY_KEY_TYPES: dict[tuple[str, ...], Prepared] = {}


def _leads_by_key_types(key_types: tuple[str, ...]) -> Prepared:
    """Each lead any of the values of a key type matches (an IN list named by the type): its id,
    then its key columns in `key_types`' order, most recently updated first."""
    prepared = LEADS_BY_KEY_TYPES.get(key_types)
    if prepared is None:
        columns = [KEY_COLUMNS[key_type] for key_type in key_types]
        matching = (
            column.in_(bindparam(key_type, expanding=True)) for key_type, column in zip(key_types, columns, strict=True)
        )
        prepared = LEADS_BY_KEY_TYPES.setdefault(
            key_types, Prepared(select(Lead.id, *columns).where(or_(*matching)).order_by(*NEWEST_FIRST))
        )
    return prepared


def _lead_ids_by_key(session: Session, keys: list[tuple[str, str]]) -> list[int]:
    """What find_by_key finds for each checked key, in key order, each lead once; 20103 for a key that finds none.

    One query serves every key: each key's matches come most recently updated first, as find_by_key lists them.
    """
    lookups = [(key_type, key_lookup_value(key_type, key_value)) for key_type, key_value in keys]
    wanted: dict[str, set] = {}
    for key_type, value in lookups:
        if value is not None:
            wanted.setdefault(key_type, set()).add(value)
    matches: dict[tuple[str, int | str], list[int]] = {}
    if wanted:
        key_types = tuple(sorted(wanted))
        for lead_id, *columns in _leads_by_key_types(key_types).rows(
            session, {key_type: list(values) for key_type, values in wanted.items()}
        ):
            for key_type, value in zip(key_types, columns, strict=True):
                matches.setdefault((key_type, value), []).append(lead_id)
    lead_ids: dict[int, None] = {}
    for (key_type, key_value), lookup in zip(keys, lookups, strict=True):
        if lookup not in matches:
            raise MarketoError(20103, f"No lead found with {key_type} = {key_value}")
        lead_ids.update(dict.fromkeys(matches[lookup]))
    return list(lead_ids)


# --------------------------------------------------------------------------- scheduleCampaign


def schedule_campaign(
    session: Session,
    clock: Clock,
    program_name: str | None,
    campaign_name: str | None,
    run_at: datetime | None = None,
    tokens: Sequence[tuple[str | None, str | None]] | None = None,
    clone_to_program_name: str | None = None,
) -> RunView:
    """scheduleCampaign: schedule a batch campaign now (no time, or a past one) or at `run_at`.

    With `clone_to_program_name` the campaign's program is cloned under that name first and the
    clone's campaign is the one scheduled (at most 10 clones per US Central day).
    """
    program_name, campaign_name = given(program_name), given(campaign_name)
    if program_name is None:
        raise MarketoError(20109, "programName is required")
    if campaign_name is None:
        raise MarketoError(20109, "campaignName is required")
    overrides = token_overrides(tokens)
    now = utc(clock.now())
    _run_due(session, now)
    campaign = _program_campaign(session, program_name, campaign_name)
    if campaign.campaign_type != "batch":
        raise MarketoError(
            20110, f"Campaign {full_name(session, campaign)} is a trigger campaign, not a batch campaign"
        )
    cloned_from = None
    clone_name = given(clone_to_program_name)
    if clone_name is not None:
        cloned_from = campaign.program_id
        campaign = _clone_for_schedule(session, now, campaign, clone_name)
    run = CampaignRun(
        campaign_id=campaign.id,
        source=SCHEDULE_SOURCE,
        requested_at=now,
        run_at=max(utc(run_at), now) if run_at is not None else now,
        status=SCHEDULED,
        tokens=overrides,
        cloned_from_program_id=cloned_from,
    )
    session.add(run)
    session.flush()
    _run_due(session, now)
    return run_view(session, run)


def clones_today(session: Session, now: datetime) -> int:
    """Programs cloned by scheduleCampaign since the last midnight US Central time, when the
    API day (and its quota) starts over."""
    start, end = (moment.astimezone(UTC) for moment in api_day(utc(now)))
    return session.execute(
        select(func.count())
        .select_from(ProgramClone)
        .where(ProgramClone.cloned_at >= start, ProgramClone.cloned_at < end)
    ).scalar_one()


def _clone_for_schedule(session: Session, now: datetime, campaign: Campaign, clone_name: str) -> Campaign:
    """Clone the campaign's program (tokens, campaigns, empty static lists); return the clone's campaign."""
    if clones_today(session, now) >= CLONES_PER_DAY:
        raise MarketoError(20110, f"Too many clones: at most {CLONES_PER_DAY} cloneToProgramName calls per day")
    if find_program(session, clone_name) is not None:
        raise MarketoError(20110, f"A program named {clone_name} already exists")
    source = PROGRAMS.get_one(session, campaign.program_id)
    clone = Program(
        name=clone_name, program_type=source.program_type, workspace_id=source.workspace_id, tokens=dict(source.tokens)
    )
    session.add(clone)
    session.flush()
    list_ids = {}
    for static_list in session.scalars(select(StaticList).where(StaticList.program_id == source.id)):
        copy = StaticList(name=static_list.name, program_id=clone.id)
        session.add(copy)
        session.flush()
        list_ids[static_list.id] = copy.id
    campaign_copies = {}
    for original in session.scalars(select(Campaign).where(Campaign.program_id == source.id).order_by(Campaign.id)):
        campaign_copy = Campaign(
            name=original.name,
            description=original.description,
            program_id=clone.id,
            campaign_type=original.campaign_type,
            requestable_from=list(original.requestable_from),
        )
        session.add(campaign_copy)
        session.flush()
        campaign_copies[original.id] = campaign_copy
        definition = DEFINITIONS.get(session, original.id)
        session.add(
            SmartCampaignDefinition(
                campaign_id=campaign_copy.id,
                # Lists of the program point at the clone's copies; lists elsewhere stay shared.
                smart_list=[list_ids.get(list_id, list_id) for list_id in definition.smart_list] if definition else [],
                flow=[dict(step) for step in definition.flow] if definition else [],
            )
        )
    session.add(ProgramClone(source_program_id=source.id, program_id=clone.id, cloned_at=now))
    session.flush()
    return campaign_copies[campaign.id]


# --------------------------------------------------------------------------------------- runs


def run_due(session: Session, clock: Clock) -> int:
    """Carry out every scheduled run whose time has come; return how many ran."""
    return _run_due(session, utc(clock.now()))


RUN_INSERT = PreparedInsert(CampaignRun)
RUN_LEADS_INSERT = Prepared(insert(CampaignRunLead.__table__), ("run_id", "lead_id", "position", "tokens"))

# Run before every SOAP operation: a bare Core probe, built once, keeps the common case (nothing due) cheap.
DUE_PROBE = Prepared(
    select(CampaignRun.id).where(CampaignRun.status == SCHEDULED, CampaignRun.run_at <= bindparam("now")).limit(1)
)


def _run_due(session: Session, now: datetime) -> int:
    if not DUE_PROBE.rows(session, {"now": now}):
        return 0
    due = session.scalars(
        select(CampaignRun)
        .where(CampaignRun.status == SCHEDULED, CampaignRun.run_at <= now)
        .order_by(CampaignRun.run_at, CampaignRun.id)
    ).all()
    for run in due:
        _carry_out(session, run)
    return len(due)


def _carry_out(session: Session, run: CampaignRun) -> None:
    """Carry out a scheduled run, unless another call already has."""
    # Claim the run first, so two concurrent calls cannot both carry it out.
    claim = update(CampaignRun).where(CampaignRun.id == run.id, CampaignRun.status == SCHEDULED)
    # An UPDATE's result is a CursorResult, with its rowcount.
    if cast(CursorResult, session.execute(claim.values(status=COMPLETED))).rowcount != 1:
        return
    _run_campaign(session, run)


# importToList's per-lead My Token values waiting for a campaign's next run, read by every run.
IMPORTED_TOKENS = Prepared(
    select(ImportedLeadTokens.lead_id, ImportedLeadTokens.tokens).where(
        ImportedLeadTokens.campaign_id == bindparam("campaign_id")
    )
)


def _run_campaign(session: Session, run: CampaignRun) -> list[RunLead]:
    """Run the campaign: resolve each lead's tokens, write the run's leads and their activities (in lead order,
    each lead's in flow order), use up the imported tokens. Returns the run's leads."""
    campaign = CAMPAIGNS.get_one(session, run.campaign_id)
    program = PROGRAMS.get(session, campaign.program_id) if campaign.program_id is not None else None
    definition = DEFINITIONS.get(session, campaign.id)
    lead_ids = run.requested_lead_ids if run.requested_lead_ids is not None else _smart_list_members(session, campaign)
    imported = {row.lead_id: row.tokens for row in IMPORTED_TOKENS.rows(session, {"campaign_id": campaign.id})}
    name = full_name(session, campaign)
    program_tokens = program.tokens if program else {}
    leads = [
        RunLead(lead_id, resolve_tokens(program_tokens, run.tokens, imported.get(lead_id, {}))) for lead_id in lead_ids
    ]
    # (activity type, attributes, asset name) of what the run writes on each lead.
    steps: list[tuple[str, dict[str, str] | None, str]] = (
        [(step["activity"], None, step["asset"]) for step in definition.flow] if definition else []
    )
    if run.source in SOURCE_LABELS:
        steps.insert(0, ("RequestCampaign", {"Source": SOURCE_LABELS[run.source]}, name))
    if leads:
        rows = [
            {"run_id": run.id, "lead_id": lead.lead_id, "position": position, "tokens": lead.tokens}
            for position, lead in enumerate(leads)
        ]
        RUN_LEADS_INSERT.run(session, rows)
    activities.record_many(
        session,
        [
            activities.entry(lead.lead_id, activity_type, run.run_at, attributes, asset_name, name)
            for lead in leads
            for activity_type, attributes, asset_name in steps
        ],
    )
    if imported:
        # importToList's per-lead values serve this one run only.
        session.execute(ImportedLeadTokens.__table__.delete().where(ImportedLeadTokens.campaign_id == campaign.id))
    return leads


def _smart_list_members(session: Session, campaign: Campaign) -> list[int]:
    """The leads a batch campaign's smart list selects, by Id: members of its smart list's static
    lists, or of every static list of its program when the smart list names none."""
    definition = DEFINITIONS.get(session, campaign.id)
    list_ids = list(definition.smart_list) if definition and definition.smart_list else None
    if list_ids is None:
        list_ids = list(session.scalars(select(StaticList.id).where(StaticList.program_id == campaign.program_id)))
    return list(
        session.scalars(
            select(Lead.id)
            .join(ListMember, ListMember.lead_id == Lead.id)
            .where(ListMember.list_id.in_(list_ids))
            .distinct()
            .order_by(Lead.id)
        )
    )


def run_view(session: Session, run: CampaignRun, leads: list[RunLead] | None = None) -> RunView:
    """The run as it stands; `leads` when the caller has just run them (else they are read back)."""
    campaign = CAMPAIGNS.get_one(session, run.campaign_id)
    program = PROGRAMS.get(session, campaign.program_id) if campaign.program_id is not None else None
    cloned_from = PROGRAMS.get(session, run.cloned_from_program_id) if run.cloned_from_program_id else None
    if leads is None:
        rows = session.scalars(
            select(CampaignRunLead).where(CampaignRunLead.run_id == run.id).order_by(CampaignRunLead.position)
        )
        leads = [RunLead(row.lead_id, dict(row.tokens)) for row in rows]
    return RunView(
        id=run.id,
        campaign_id=campaign.id,
        campaign=full_name(session, campaign),
        program=program.name if program else None,
        source=run.source,
        requested_at=run.requested_at,
        run_at=run.run_at,
        status=run.status,
        tokens=dict(run.tokens),
        leads=leads,
        cloned_from_program=cloned_from.name if cloned_from else None,
    )


def list_runs(session: Session, campaign_id: int | None = None) -> list[RunView]:
    """Every campaign run as stored, oldest first; optionally of one campaign. A read: due runs are the
    instance's to carry out (before its next SOAP call), so one not yet carried out is listed as scheduled."""
    query = select(CampaignRun).order_by(CampaignRun.run_at, CampaignRun.id)
    if campaign_id is not None:
        query = query.where(CampaignRun.campaign_id == campaign_id)
    return [run_view(session, run) for run in session.scalars(query)]


def campaign_view(session: Session, campaign: Campaign) -> CampaignView:
    definition = DEFINITIONS.get(session, campaign.id)
    list_names = [
        session.get_one(StaticList, list_id).name for list_id in (definition.smart_list if definition else ())
    ]
    return CampaignView(
        id=campaign.id,
        name=campaign.name,
        full_name=full_name(session, campaign),
        description=campaign.description or "",
        type=campaign.campaign_type,
        requestable_from=list(campaign.requestable_from),
        smart_list=list_names,
        flow=[dict(step) for step in definition.flow] if definition else [],
    )


def list_campaigns(session: Session) -> list[CampaignView]:
    return [campaign_view(session, c) for c in session.scalars(select(Campaign).order_by(Campaign.id))]


def list_programs(session: Session) -> list[ProgramView]:
    """Every program with its My Tokens, campaigns and static lists (with their members)."""
    programs = []
    for program in session.scalars(select(Program).order_by(Program.id)):
        view = ProgramView(program.id, program.name, dict(program.tokens))
        for campaign in session.scalars(
            select(Campaign).where(Campaign.program_id == program.id).order_by(Campaign.id)
        ):
            view.campaigns.append(campaign_view(session, campaign))
        for static_list in session.scalars(
            select(StaticList).where(StaticList.program_id == program.id).order_by(StaticList.id)
        ):
            members = session.scalars(
                select(ListMember.lead_id).where(ListMember.list_id == static_list.id).order_by(ListMember.lead_id)
            )
            view.lists.append(StaticListView(static_list.id, static_list.name, list(members)))
        programs.append(view)
    return programs


def export_programs(session: Session) -> list[dict]:
    """The `programs` seed section of the current state (clones included), loadable by load_programs.
    Static list members are not part of it: the seed gives them as each lead's `listIds`."""
    section = []
    for program in session.scalars(select(Program).order_by(Program.id)):
        campaign_items = []
        for campaign in session.scalars(
            select(Campaign).where(Campaign.program_id == program.id).order_by(Campaign.id)
        ):
            view = campaign_view(session, campaign)
            item = {"id": view.id, "name": view.name, "type": view.type, "description": view.description}
            item |= {"requestableFrom": view.requestable_from, "smartList": view.smart_list, "flow": view.flow}
            campaign_items.append({k: v for k, v in item.items() if v not in ("", [])})
        lists = session.scalars(select(StaticList).where(StaticList.program_id == program.id).order_by(StaticList.id))
        section.append(
            {
                "id": program.id,
                "name": program.name,
                "tokens": dict(program.tokens),
                "campaigns": campaign_items,
                "lists": [{"id": static_list.id, "name": static_list.name} for static_list in lists],
            }
        )
    return section
