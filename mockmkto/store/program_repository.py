"""The `programs`, `campaigns`, `smart_campaign_definitions`, `program_clones`, `program_tags` and
`program_costs` tables: the one way programs, their smart campaigns, clones, tags and period costs
are read and written.

The seed and scheduleCampaign's clones add programs and campaigns; syncMObjects adds and changes a
program's tags and costs. Every campaign call reads programs, campaigns and definitions by id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.store.campaign_models import ProgramClone, SmartCampaignDefinition
from mockmkto.store.db import written
from mockmkto.store.mobject_models import ProgramCost, ProgramTag
from mockmkto.store.models import Campaign, Program
from mockmkto.store.prepared import PreparedGet

# Looked up by id on every campaign call: prepared, without the ORM's loading (bench/results.md).
_CAMPAIGNS = PreparedGet(Campaign)
_PROGRAMS = PreparedGet(Program)
_DEFINITIONS = PreparedGet(SmartCampaignDefinition)


def program_by_id(session: Session, program_id: int | None) -> Program | None:
    return _PROGRAMS.get(session, program_id)


def existing_program(session: Session, program_id: int | None) -> Program:
    """The program an id kept elsewhere names (a campaign's): NoResultFound if there is none."""
    return _PROGRAMS.get_one(session, program_id)


def program_named(session: Session, name: str) -> Program | None:
    """The program of this name, compared case-insensitively."""
    return session.scalar(select(Program).where(func.lower(Program.name) == name.lower()))


def programs(session: Session, program_id: int | None = None) -> list[Program]:
    """Every program, by id; only the one of `program_id` (if any) when it is given."""
    query = select(Program).order_by(Program.id)
    if program_id is not None:
        query = query.where(Program.id == program_id)
    return list(session.scalars(query))


def add_program(session: Session, **columns: Any) -> Program:
    """A new program of `columns` (the others as the table's defaults); written at once, its id the
    database's or the seed's."""
    return written(session, Program(**columns))


def campaign_by_id(session: Session, campaign_id: int | None) -> Campaign | None:
    return _CAMPAIGNS.get(session, campaign_id)


def existing_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign an id kept elsewhere names (a run's): NoResultFound if there is none."""
    return _CAMPAIGNS.get_one(session, campaign_id)


def campaign_named(session: Session, program_id: int, name: str) -> Campaign | None:
    """The program's campaign of this name, compared case-insensitively."""
    return session.scalar(
        select(Campaign).where(Campaign.program_id == program_id, func.lower(Campaign.name) == name.lower())
    )


def campaigns(session: Session) -> list[Campaign]:
    """Every campaign, by id."""
    return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def campaigns_of(session: Session, program_id: int) -> list[Campaign]:
    """The program's campaigns, by id."""
    return list(session.scalars(select(Campaign).where(Campaign.program_id == program_id).order_by(Campaign.id)))


def add_campaign(session: Session, smart_list: list[int], flow: list[dict], **columns: Any) -> Campaign:
    """A new smart campaign of `columns` (the others as the table's defaults), written at once (its
    id the database's or the seed's), with its definition: the static lists its smart list selects
    and its flow steps."""
    campaign = written(session, Campaign(**columns))
    session.add(SmartCampaignDefinition(campaign_id=campaign.id, smart_list=smart_list, flow=flow))
    return campaign


def definition(session: Session, campaign_id: int) -> SmartCampaignDefinition | None:
    """The campaign's smart list and flow."""
    return _DEFINITIONS.get(session, campaign_id)


def set_smart_list(session: Session, campaign_id: int, list_ids: list[int]) -> None:
    """The static lists the campaign's smart list selects become these."""
    _DEFINITIONS.get_one(session, campaign_id).smart_list = list_ids


def add_clone(session: Session, source_program_id: int, program_id: int, cloned_at: datetime) -> None:
    """Program `program_id` was cloned from `source_program_id` (cloneToProgramName) at `cloned_at`;
    written at once, with the rest of the clone."""
    written(session, ProgramClone(source_program_id=source_program_id, program_id=program_id, cloned_at=cloned_at))


def clones_between(session: Session, start: datetime, end: datetime) -> int:
    """How many programs were cloned in [start, end)."""
    query = select(func.count()).select_from(ProgramClone)
    return session.execute(query.where(ProgramClone.cloned_at >= start, ProgramClone.cloned_at < end)).scalar_one()


def program_tag(session: Session, program_id: int, tag_type: str) -> ProgramTag | None:
    """The program's tag of this type (the type Channel: its channel)."""
    return session.get(ProgramTag, (program_id, tag_type))


def program_tags(session: Session, program_id: int | None = None) -> list[ProgramTag]:
    """Every program's tags (only those of `program_id` when it is given), by program and tag type."""
    query = select(ProgramTag).order_by(ProgramTag.program_id, ProgramTag.tag_type)
    if program_id is not None:
        query = query.where(ProgramTag.program_id == program_id)
    return list(session.scalars(query))


def add_program_tag(session: Session, program_id: int, tag_type: str, value: str) -> None:
    session.add(ProgramTag(program_id=program_id, tag_type=tag_type, value=value))


def program_cost_by_id(session: Session, cost_id: int) -> ProgramCost | None:
    return session.get(ProgramCost, cost_id)


def existing_program_cost(session: Session, cost_id: int) -> ProgramCost:
    """A period cost known to exist: NoResultFound if there is none."""
    return session.get_one(ProgramCost, cost_id)


def program_costs(session: Session, program_id: int | None = None) -> list[ProgramCost]:
    """Every program's period costs (only those of `program_id` when it is given), by id."""
    query = select(ProgramCost).order_by(ProgramCost.id)
    if program_id is not None:
        query = query.where(ProgramCost.program_id == program_id)
    return list(session.scalars(query))


def add_program_cost(
    session: Session, program_id: int, month: date, amount: float, note: str | None, cost_id: int | None = None
) -> None:
    """A new period cost of the program; its id the database's or `cost_id` (seeds)."""
    session.add(ProgramCost(id=cost_id, program_id=program_id, month=month, amount=amount, note=note))
