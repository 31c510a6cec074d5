"""Campaign runs: carrying out a run (its leads, their My Token values, the activities of its
flow), due scheduled runs, and the runs a test can inspect.

A run is a record: which campaign ran, for which leads, when, and with which token values.
Scheduled runs become due by the mock's clock and are carried out lazily, before a SOAP call,
with the time they were scheduled for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.programs import full_name, resolve_tokens, utc
from mockmkto.store import (
    activity_repository,
    campaign_run_repository,
    list_member_repository,
    program_repository,
    static_list_repository,
)
from mockmkto.store.campaign_models import CampaignRun
from mockmkto.store.models import Campaign

# How the "Request Campaign" activity names where the request came from.
SOURCE_LABELS = {"MKTOWS": activities.API_SOURCE, "SALES": "Sales Insight"}


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


def run_due(session: Session, clock: Clock) -> int:
    """Carry out every scheduled run whose time has come (one another call claimed is its to carry
    out); return how many this call ran."""
    claimed = campaign_run_repository.claim_due(session, utc(clock.now()))
    for run in claimed:
        run_campaign(session, run)
    return len(claimed)


def run_campaign(session: Session, run: CampaignRun) -> list[RunLead]:
    """Run the campaign: resolve each lead's tokens, write the run's leads and their activities (in lead order,
    each lead's in flow order), with the imported tokens it uses up. Returns the run's leads."""
    campaign = program_repository.existing_campaign(session, run.campaign_id)
    program = program_repository.program_by_id(session, campaign.program_id)
    definition = program_repository.definition(session, campaign.id)
    lead_ids = run.requested_lead_ids if run.requested_lead_ids is not None else _smart_list_members(session, campaign)
    imported = campaign_run_repository.take_imported_tokens(session, campaign.id)
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
    campaign_run_repository.add_leads(session, run.id, [(lead.lead_id, lead.tokens) for lead in leads])
    activity_repository.add(
        session,
        [
            activities.entry(lead.lead_id, activity_type, run.run_at, attributes, asset_name, name)
            for lead in leads
            for activity_type, attributes, asset_name in steps
        ],
    )
    return leads


def _smart_list_members(session: Session, campaign: Campaign) -> list[int]:
    """The leads a batch campaign's smart list selects, by Id: members of its smart list's static
    lists, or of every static list of its program when the smart list names none."""
    definition = program_repository.definition(session, campaign.id)
    list_ids = list(definition.smart_list) if definition and definition.smart_list else None
    if list_ids is None:
        list_ids = [static_list.id for static_list in static_list_repository.of_program(session, campaign.program_id)]
    return list_member_repository.members_of_any(session, list_ids)


def run_view(session: Session, run: CampaignRun, leads: list[RunLead] | None = None) -> RunView:
    """The run as it stands; `leads` when the caller has just run them (else they are read back)."""
    campaign = program_repository.existing_campaign(session, run.campaign_id)
    program = program_repository.program_by_id(session, campaign.program_id)
    cloned_from = program_repository.program_by_id(session, run.cloned_from_program_id)
    if leads is None:
        leads = [RunLead(lead_id, tokens) for lead_id, tokens in campaign_run_repository.run_leads(session, run.id)]
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
    return [run_view(session, run) for run in campaign_run_repository.runs(session, campaign_id)]
