"""cloneToProgramName: scheduleCampaign's program clones and their daily limit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.limits import api_day
from mockmkto.domain.programs import DEFINITIONS, PROGRAMS, find_program, utc
from mockmkto.store.campaign_models import ProgramClone, SmartCampaignDefinition
from mockmkto.store.models import Campaign, Program, StaticList

CLONES_PER_DAY = 10


def clones_today(session: Session, now: datetime) -> int:
    """Programs cloned by scheduleCampaign since the last midnight US Central time, when the
    API day (and its quota) starts over."""
    start, end = (moment.astimezone(UTC) for moment in api_day(utc(now)))
    return session.execute(
        select(func.count())
        .select_from(ProgramClone)
        .where(ProgramClone.cloned_at >= start, ProgramClone.cloned_at < end)
    ).scalar_one()


def clone_for_schedule(session: Session, now: datetime, campaign: Campaign, clone_name: str) -> Campaign:
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
