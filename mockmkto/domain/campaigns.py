"""Smart campaigns as the SOAP API drives them: getCampaignsForSource, requestCampaign's parameter
sets and lead keys, scheduleCampaign's schedules (and program clones)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.domain.campaign_runs import RunView, run_campaign, run_due, run_view
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_keys import check_lead_key, key_lookup_value
from mockmkto.domain.program_clones import clone_for_schedule
from mockmkto.domain.programs import full_name, given, program_campaign, required, token_overrides, utc
from mockmkto.store import campaign_run_repository, lead_repository, program_repository
from mockmkto.store.campaign_models import COMPLETED, SCHEDULED

CAMPAIGN_SOURCES = ("MKTOWS", "SALES")
SCHEDULE_SOURCE = "SCHEDULE"
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
PARAMETER_SETS = "use campaignId alone, or campaignName + programName (+ programTokenList)"


@dataclass
class CampaignRecord:
    """A campaign as getCampaignsForSource lists it."""

    id: int
    name: str
    description: str


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
    for campaign in program_repository.campaigns(session):
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
    run_due(session, clock)
    if campaign_id is not None:
        campaign = program_repository.campaign_by_id(session, campaign_id)
        if campaign is None:
            raise MarketoError(20113, f"Campaign {campaign_id} not found")
    else:
        assert program_name and campaign_name  # the parameter set was checked
        campaign = program_campaign(session, program_name, campaign_name)
    if source not in campaign.requestable_from:
        raise MarketoError(
            20113, f"Campaign {full_name(session, campaign)} has no Campaign is Requested trigger for source {source}"
        )
    lead_ids = _requested_lead_ids(session, lead_keys[:MAX_REQUESTED_LEAD_KEYS])
    run = campaign_run_repository.add(
        session,
        campaign_id=campaign.id,
        source=source,
        requested_at=now,
        run_at=now,
        # Carried out right here, in this transaction: there is nothing to claim.
        status=COMPLETED,
        tokens=overrides,
        requested_lead_ids=lead_ids,
    )
    return run_view(session, run, run_campaign(session, run))


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


def _lead_ids_by_key(session: Session, keys: list[tuple[str, str]]) -> list[int]:
    """What find_by_key finds for each checked key, in key order, each lead once; 20103 for a key that finds none.

    One query serves every key: each key's matches come most recently updated first, as find_by_key lists them.
    """
    lookups = [(key_type, key_lookup_value(key_type, key_value)) for key_type, key_value in keys]
    wanted: dict[str, set] = {}
    for key_type, value in lookups:
        if value is not None:
            wanted.setdefault(key_type, set()).add(value)
    matches = lead_repository.ids_by_keys(session, wanted)
    lead_ids: dict[int, None] = {}
    for (key_type, key_value), lookup in zip(keys, lookups, strict=True):
        if lookup not in matches:
            raise MarketoError(20103, f"No lead found with {key_type} = {key_value}")
        lead_ids.update(dict.fromkeys(matches[lookup]))
    return list(lead_ids)


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
    run_due(session, clock)
    campaign = program_campaign(session, program_name, campaign_name)
    if campaign.campaign_type != "batch":
        raise MarketoError(
            20110, f"Campaign {full_name(session, campaign)} is a trigger campaign, not a batch campaign"
        )
    cloned_from = None
    clone_name = given(clone_to_program_name)
    if clone_name is not None:
        cloned_from = campaign.program_id
        campaign = clone_for_schedule(session, now, campaign, clone_name)
    run = campaign_run_repository.add(
        session,
        campaign_id=campaign.id,
        source=SCHEDULE_SOURCE,
        requested_at=now,
        run_at=max(utc(run_at), now) if run_at is not None else now,
        status=SCHEDULED,
        tokens=overrides,
        cloned_from_program_id=cloned_from,
    )
    # Scheduled for now (or the past): carried out at once.
    run_due(session, clock)
    return run_view(session, run)
