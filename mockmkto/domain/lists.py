"""Static lists: listOperation (ADDTOLIST, ISMEMBEROFLIST, REMOVEFROMLIST) and membership."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_keys import check_lead_key, find_by_key
from mockmkto.store import activity_repository, list_member_repository, static_list_repository
from mockmkto.store.models import StaticList

LIST_OPERATIONS = ("ADDTOLIST", "ISMEMBEROFLIST", "REMOVEFROMLIST")
LIST_KEY_TYPES = ("MKTOLISTNAME", "MKTOSALESUSERID", "SFDCLEADOWNERID")
MAX_LIST_MEMBERS = 1000


@dataclass
class LeadStatus:
    key_type: str
    key_value: str
    status: bool


@dataclass
class ListOperationResult:
    success: bool
    statuses: list[LeadStatus]


def find_static_list(session: Session, name: str | None, list_id: int | None) -> StaticList:
    """A static list by id or by name (case-insensitive); 20111 when there is none."""
    if list_id is not None:
        found = static_list_repository.by_id(session, list_id)
    elif name and name.strip():
        # Names are not unique: the first list made with it.
        found = next(iter(static_list_repository.named(session, name.strip())), None)
    else:
        raise MarketoError(20109, "staticListName or staticListId is required")
    if found is None:
        raise MarketoError(20111, f"List not found: {name if list_id is None else list_id}")
    return found


def membership_changes(activity_type: str, static_list: StaticList, lead_ids: list[int], at: datetime) -> list[dict]:
    """The AddToList or RemoveFromList entries of leads' membership changes. They share one attributes
    document: the store processes a batch's shared document once (store/prepared.py)."""
    attributes = {"List Name": static_list.name}
    return [activities.entry(i, activity_type, at, attributes, asset_name=static_list.name) for i in lead_ids]


def add_to_list(session: Session, clock: Clock, static_list: StaticList, lead_id: int) -> bool:
    """Add a lead to a static list (AddToList activity); False when it was already a member."""
    return bool(add_all_to_list(session, clock, static_list, [lead_id]))


def add_all_to_list(session: Session, clock: Clock, static_list: StaticList, lead_ids: list[int]) -> list[int]:
    """Add many leads to a static list, each not yet a member with its AddToList activity (a lead
    given twice is added once); the leads added."""
    wanted = list(dict.fromkeys(lead_ids))
    held = list_member_repository.members_among(session, static_list.id, wanted)
    added = [lead_id for lead_id in wanted if lead_id not in held]
    list_member_repository.add(session, static_list.id, added)
    now = clock.now()
    activity_repository.add(session, membership_changes("AddToList", static_list, added, now))
    return added


def remove_from_list(session: Session, clock: Clock, static_list: StaticList, lead_id: int) -> bool:
    """Remove a lead from a static list (RemoveFromList activity); False when it was no member."""
    if not list_member_repository.remove(session, static_list.id, lead_id):
        return False
    activity_repository.add(session, membership_changes("RemoveFromList", static_list, [lead_id], clock.now()))
    return True


def clear_list(session: Session, clock: Clock, static_list: StaticList) -> None:
    """Remove every member of a static list, each with its RemoveFromList activity."""
    lead_ids = list_member_repository.members(session, static_list.id)
    list_member_repository.clear(session, static_list.id)
    now = clock.now()
    activity_repository.add(session, membership_changes("RemoveFromList", static_list, lead_ids, now))


def list_operation(
    session: Session,
    clock: Clock,
    operation: str | None,
    list_key_type: str | None,
    list_key_value: str | None,
    members: list[tuple[str | None, str | None]],
    strict: bool | None = None,
) -> ListOperationResult:
    """listOperation on a static list named by MKTOLISTNAME, with up to 1000 IDNUM lead keys.

    Adding a member or removing a non-member is a success (idempotent). With strict, an unknown
    lead fails the whole call (20103) and nothing changes; without, that lead's status is false.
    ISMEMBEROFLIST reports membership; success is true only when every status is.
    """
    if operation not in LIST_OPERATIONS:
        raise MarketoError(20110, f"listOperation must be one of {', '.join(LIST_OPERATIONS)}")
    if list_key_type not in LIST_KEY_TYPES or not list_key_value:
        raise MarketoError(20109, "listKey with keyType and keyValue is required")
    if list_key_type != "MKTOLISTNAME":
        raise MarketoError(20111, f"No list found with {list_key_type} = {list_key_value}")
    static_list = find_static_list(session, list_key_value, None)
    if len(members) > MAX_LIST_MEMBERS:
        raise MarketoError(20110, f"At most {MAX_LIST_MEMBERS} leads per listOperation")
    statuses = []
    for key_type, key_value in members:
        checked_type, key_value = check_lead_key(key_type, key_value)
        if checked_type != "IDNUM":
            raise MarketoError(20102, f"listOperation takes IDNUM lead keys, not {key_type}")
        found = find_by_key(session, checked_type, key_value)
        if not found:
            if strict:
                raise MarketoError(20103, f"No lead found with IDNUM = {key_value}")
            statuses.append(LeadStatus("IDNUM", key_value, False))
            continue
        (lead,) = found
        if operation == "ADDTOLIST":
            add_to_list(session, clock, static_list, lead.id)
            status = True
        elif operation == "REMOVEFROMLIST":
            remove_from_list(session, clock, static_list, lead.id)
            status = True
        else:
            status = list_member_repository.is_member(session, static_list.id, lead.id)
        statuses.append(LeadStatus("IDNUM", key_value, status))
    return ListOperationResult(all(s.status for s in statuses), statuses)
