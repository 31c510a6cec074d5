"""mergeLeads: which leads the key lists name, what the winner takes of each loser, and, by name,
the records of every other area that point at a lead and follow the winner. Named here rather than
registered as their modules are imported: a merge never depends on what happened to be imported first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mockmkto.domain import activities, custom_objects, leads, opportunities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import lead_schema
from mockmkto.domain.lead_keys import find_by_key
from mockmkto.store import activity_repository, lead_repository, list_member_repository
from mockmkto.store.models import Lead

# callable(session, losing lead, winning lead): each moves its area's references to the loser.
REFERENCES_TO_A_LEAD = (opportunities.move_person_roles, custom_objects.relink_to_winner)


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
) -> MergeResult:
    """mergeLeads: the winner keeps its non-empty values and takes the losers' other values,
    their unique keys it lacks, their activities, list memberships and the records of other areas
    that point at them (REFERENCES_TO_A_LEAD); the losers are deleted."""
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
        activity_repository.move_to_lead(session, loser.id, winner.id)
        list_member_repository.move_to_lead(session, loser.id, winner.id)
        for move in REFERENCES_TO_A_LEAD:
            move(session, loser, winner)
        lead_repository.delete_lead(session, loser)
        # The loser's unique keys, free now, go to a winner that has none.
        taken: dict[str, str | None] = {}
        if loser.foreign_sys_person_id and not winner.foreign_sys_person_id:
            taken["foreign_sys_person_id"] = loser.foreign_sys_person_id
            taken["foreign_sys_type"] = winner.foreign_sys_type or loser.foreign_sys_type
        if loser.cookie and not winner.cookie:
            taken["cookie"] = loser.cookie
        lead_repository.update(session, winner, taken)
        leads.write_lead(session, clock, winner, {k: v for k, v in values.items() if k in schema}, leads.LeadInput())
    loser_ids = [loser.id for loser in losers]
    activity_repository.add(
        session,
        [
            activities.entry(
                winner.id,
                "MergeLeads",
                now,
                {"Merge ids": ",".join(str(i) for i in loser_ids), "Master Updated": "true"},
                asset_name=f"Merged {len(loser_ids)} lead(s) into {winner.id}",
            )
        ],
    )
    lead_repository.update(session, winner, {"updated_at": now})
    return MergeResult(winner.id, loser_ids)
