"""cloneToProgramName: scheduleCampaign's program clones and their daily limit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.limits import api_day
from mockmkto.domain.programs import find_program, utc
from mockmkto.store import program_repository, static_list_repository
from mockmkto.store.models import Campaign

CLONES_PER_DAY = 10


def clones_today(session: Session, now: datetime) -> int:
    """Programs cloned by scheduleCampaign since the last midnight US Central time, when the
    API day (and its quota) starts over."""
    start, end = (moment.astimezone(UTC) for moment in api_day(utc(now)))
    return program_repository.clones_between(session, start, end)


def clone_for_schedule(session: Session, now: datetime, campaign: Campaign, clone_name: str) -> Campaign:
    """Clone the campaign's program (tokens, campaigns, empty static lists); return the clone's campaign."""
    if clones_today(session, now) >= CLONES_PER_DAY:
        raise MarketoError(20110, f"Too many clones: at most {CLONES_PER_DAY} cloneToProgramName calls per day")
    if find_program(session, clone_name) is not None:
        raise MarketoError(20110, f"A program named {clone_name} already exists")
    source = program_repository.existing_program(session, campaign.program_id)
    clone = program_repository.add_program(
        session,
        name=clone_name,
        program_type=source.program_type,
        workspace_id=source.workspace_id,
        tokens=dict(source.tokens),
    )
    list_ids = {
        static_list.id: static_list_repository.add(session, static_list.name, clone.id).id
        for static_list in static_list_repository.of_program(session, source.id)
    }
    campaign_copies = {}
    for original in program_repository.campaigns_of(session, source.id):
        definition = program_repository.definition(session, original.id)
        campaign_copies[original.id] = program_repository.add_campaign(
            session,
            # Lists of the program point at the clone's copies; lists elsewhere stay shared.
            smart_list=[list_ids.get(list_id, list_id) for list_id in definition.smart_list] if definition else [],
            flow=[dict(step) for step in definition.flow] if definition else [],
            name=original.name,
            description=original.description,
            program_id=clone.id,
            campaign_type=original.campaign_type,
            requestable_from=list(original.requestable_from),
        )
    program_repository.add_clone(session, source.id, clone.id, now)
    return campaign_copies[campaign.id]
