"""mergeLeads across the areas: the lead rules (`leads.merge_leads`), and here, by name, the records
of every other area that point at a lead and follow the winner. Named here rather than registered as
their modules are imported: a merge never depends on what happened to be imported first."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mockmkto.domain import custom_objects, leads, opportunities
from mockmkto.domain.clock import Clock

# callable(session, losing lead, winning lead): each moves its area's references to the loser.
REFERENCES_TO_A_LEAD = (opportunities.move_person_roles, custom_objects.relink_to_winner)


def merge_leads(
    session: Session,
    clock: Clock,
    winning_keys: list[tuple[str | None, str | None]],
    losing_key_lists: list[list[tuple[str | None, str | None]]],
) -> leads.MergeResult:
    return leads.merge_leads(session, clock, winning_keys, losing_key_lists, REFERENCES_TO_A_LEAD)
