"""Programs, campaigns and static lists as the admin API and the dashboard show them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mockmkto.domain.programs import full_name
from mockmkto.store import list_member_repository, program_repository, static_list_repository
from mockmkto.store.models import Campaign


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


def campaign_view(session: Session, campaign: Campaign) -> CampaignView:
    definition = program_repository.definition(session, campaign.id)
    list_names = [
        static_list_repository.existing(session, list_id).name
        for list_id in (definition.smart_list if definition else ())
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
    return [campaign_view(session, c) for c in program_repository.campaigns(session)]


def list_programs(session: Session) -> list[ProgramView]:
    """Every program with its My Tokens, campaigns and static lists (with their members)."""
    programs = []
    for program in program_repository.programs(session):
        view = ProgramView(program.id, program.name, dict(program.tokens))
        for campaign in program_repository.campaigns_of(session, program.id):
            view.campaigns.append(campaign_view(session, campaign))
        for static_list in static_list_repository.of_program(session, program.id):
            members = list_member_repository.members(session, static_list.id)
            view.lists.append(StaticListView(static_list.id, static_list.name, members))
        programs.append(view)
    return programs
