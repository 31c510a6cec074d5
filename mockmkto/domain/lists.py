"""Static lists: listOperation (ADDTOLIST, ISMEMBEROFLIST, REMOVEFROMLIST) and membership."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mockmkto.domain import activities
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.leads import check_lead_key, find_static_list, lead_id_value
from mockmkto.store.models import Lead, ListMember, StaticList

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


def add_to_list(session: Session, clock: Clock, static_list: StaticList, lead_id: int) -> bool:
    """Add a lead to a static list (AddToList activity); False when it was already a member."""
    if session.get(ListMember, (static_list.id, lead_id)) is not None:
        return False
    session.add(ListMember(list_id=static_list.id, lead_id=lead_id))
    activities.record(
        session, lead_id, "AddToList", clock.now(), {"List Name": static_list.name}, asset_name=static_list.name
    )
    return True


def remove_from_list(session: Session, clock: Clock, static_list: StaticList, lead_id: int) -> bool:
    """Remove a lead from a static list (RemoveFromList activity); False when it was no member."""
    member = session.get(ListMember, (static_list.id, lead_id))
    if member is None:
        return False
    session.delete(member)
    activities.record(
        session, lead_id, "RemoveFromList", clock.now(), {"List Name": static_list.name}, asset_name=static_list.name
    )
    return True


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
        if check_lead_key(key_type, key_value) != "IDNUM":
            raise MarketoError(20102, f"listOperation takes IDNUM lead keys, not {key_type}")
        lead_id = lead_id_value(key_value)
        lead = session.get(Lead, lead_id) if lead_id is not None else None
        if lead is None:
            if strict:
                raise MarketoError(20103, f"No lead found with IDNUM = {key_value}")
            statuses.append(LeadStatus("IDNUM", key_value, False))
            continue
        if operation == "ADDTOLIST":
            add_to_list(session, clock, static_list, lead.id)
            status = True
        elif operation == "REMOVEFROMLIST":
            remove_from_list(session, clock, static_list, lead.id)
            status = True
        else:
            status = session.get(ListMember, (static_list.id, lead.id)) is not None
        statuses.append(LeadStatus("IDNUM", key_value, status))
    return ListOperationResult(all(s.status for s in statuses), statuses)
