"""The activity log that every lead mutation writes, as Marketo would show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.domain import values
from mockmkto.domain.errors import MarketoError
from mockmkto.store import activity_repository, lead_repository
from mockmkto.store.activity_repository import ENTRY_KEYS
from mockmkto.store.lead_repository import LeadSelection
from mockmkto.store.models import Activity

# Where a change came from, as Marketo writes it on API activities.
API_REASON = "SOAP API"
API_SOURCE = "Web service API"


def entry(
    lead_id: int,
    activity_type: str,
    at: datetime,
    attributes: dict[str, str] | None = None,
    asset_name: str | None = None,
    campaign: str | None = None,
) -> dict:
    """One activity as a row of the log, as `activity_repository.add` writes it."""
    return dict(zip(ENTRY_KEYS, (lead_id, activity_type, at, asset_name, campaign, attributes or {}), strict=True))


def data_value_change(lead_id: int, at: datetime, name: str, old: str | None, new: str) -> dict:
    """The ChangeDataValue entry of one attribute an API call changed."""
    return entry(
        lead_id,
        "ChangeDataValue",
        at,
        {
            "Attribute Name": name,
            "Old Value": old or "",
            "New Value": new,
            "Reason": API_REASON,
            "Source": API_SOURCE,
        },
        asset_name=name,
    )


# ActivityType codes (the WSDL enum) and the display names Marketo shows and filters by.
ACTIVITY_TYPES: dict[str, str] = {
    "VisitWebpage": "Visit Webpage",
    "FillOutForm": "Fill Out Form",
    "ClickLink": "Click Link",
    "SendEmail": "Send Email",
    "EmailDelivered": "Email Delivered",
    "EmailBounced": "Email Bounced",
    "UnsubscribeEmail": "Unsubscribe Email",
    "OpenEmail": "Open Email",
    "ClickEmail": "Click Email",
    "NewLead": "New Lead",
    "ChangeDataValue": "Change Data Value",
    "LeadAssigned": "Lead Assigned",
    "NewSFDCOpprtnty": "New SFDC Opportunity",
    "Wait": "Wait",
    "RunSubflow": "Run Subflow",
    "RemoveFromFlow": "Remove from Flow",
    "PushLeadToSales": "Push Lead to Sales",
    "CreateTask": "Create Task",
    "ConvertLead": "Convert Lead",
    "ChangeScore": "Change Score",
    "ChangeOwner": "Change Owner",
    "AddToList": "Add to List",
    "RemoveFromList": "Remove from List",
    "SFDCActivity": "SFDC Activity",
    "EmailBouncedSoft": "Email Bounced Soft",
    "PushLeadUpdatesToSales": "Push Lead Updates to Sales",
    "DeleteLeadFromSales": "Delete Lead from Sales",
    "SFDCActivityUpdated": "SFDC Activity Updated",
    "SFDCMergeLeads": "SFDC Merge Leads",
    "MergeLeads": "Merge Leads",
    "ResolveConflicts": "Resolve Conflicts",
    "AssocWithOpprtntyInSales": "Associate with Opportunity in Sales",
    "DissocFromOpprtntyInSales": "Dissociate from Opportunity in Sales",
    "UpdateOpprtntyInSales": "Update Opportunity in Sales",
    "DeleteLead": "Delete Lead",
    "SendAlert": "Send Alert",
    "SendSalesEmail": "Send Sales Email",
    "OpenSalesEmail": "Open Sales Email",
    "ClickSalesEmail": "Click Sales Email",
    "AddtoSFDCCampaign": "Add to SFDC Campaign",
    "RemoveFromSFDCCampaign": "Remove from SFDC Campaign",
    "ChangeStatusInSFDCCampaign": "Change Status in SFDC Campaign",
    "ReceiveSalesEmail": "Receive Sales Email",
    "InterestingMoment": "Interesting Moment",
    "RequestCampaign": "Request Campaign",
    "SalesEmailBounced": "Sales Email Bounced",
    "ChangeLeadPartition": "Change Lead Partition",
    "ChangeRevenueStage": "Change Revenue Stage",
    "ChangeRevenueStageManually": "Change Revenue Stage Manually",
    "ComputeDataValue": "Compute Data Value",
    "ChangeStatusInProgression": "Change Status in Progression",
    "ChangeFieldInProgram": "Change Field in Program",
    "EnrichWithDatacom": "Enrich with Data.com",
    "ChangeSegment": "Change Segment",
    "ResolveRuleset": "Resolve Ruleset",
    "SmartCampaignTest": "Smart Campaign Test",
    "SmartCampaignTestTrigger": "Smart Campaign Test Trigger",
}
DISPLAY_NAMES = {name.lower(): code for code, name in ACTIVITY_TYPES.items()}


@dataclass
class ActivityView:
    id: int
    created_at: datetime
    activity_type: str
    display_name: str
    asset_name: str | None
    attributes: list[tuple[str, str]]
    campaign: str | None
    lead_id: int
    person_name: str | None


@dataclass
class ActivityPage:
    return_count: int
    remaining_count: int
    offset: str | None
    oldest_created_at: datetime | None
    latest_created_at: datetime | None
    activity_created_at: datetime | None
    activities: list[ActivityView]


def activity_codes(include: list[str] | None, exclude: list[str] | None) -> tuple[set[str] | None, set[str]]:
    """(included codes or None for all, excluded codes) from an ActivityTypeFilter.

    Include and exclude together are not allowed (20110); an unknown type is 20107.
    """
    include = [t for t in include or [] if t]
    exclude = [t for t in exclude or [] if t]
    if include and exclude:
        raise MarketoError(20110, "includeTypes and excludeTypes cannot be used together")
    for code in include + exclude:
        if code not in ACTIVITY_TYPES:
            raise MarketoError(20107, f"Invalid activity type {code}")
    return (set(include) if include else None), set(exclude)


def codes_for_names(names: list[str]) -> set[str]:
    """activityNameFilter: display names ("Visit Webpage") to codes; an unknown name is 20107."""
    codes = set()
    for name in names:
        code = DISPLAY_NAMES.get(name.strip().lower())
        if code is None:
            raise MarketoError(20107, f"Invalid activity name {name}")
        codes.add(code)
    return codes


def _views(session: Session, rows: list[Activity]) -> list[ActivityView]:
    leads = {lead.id: lead for lead in lead_repository.by_ids(session, (a.lead_id for a in rows))}
    out = []
    for row in rows:
        lead = leads.get(row.lead_id)
        person = None
        if lead is not None:
            person = " ".join(p for p in (lead.attributes.get("FirstName"), lead.attributes.get("LastName")) if p)
        out.append(
            ActivityView(
                row.id,
                row.created_at,
                row.activity_type,
                ACTIVITY_TYPES.get(row.activity_type, row.activity_type),
                row.asset_name,
                sorted(row.attributes.items()),
                row.campaign,
                row.lead_id,
                person or None,
            )
        )
    return out


def _offset(text: str | None) -> int:
    """Offsets look like Marketo's `ID:1086173` (a plain number is accepted too); else 20122."""
    if text is None or not text.strip():
        return 0
    value = text.strip()
    value = value[3:] if value.upper().startswith("ID:") else value
    try:
        return values.integer(value, low=0)  # an activity's id, an xs:int
    except ValueError:
        raise MarketoError(20122, f"Bad stream position offset {text!r}") from None


LEAD_ACTIVITY_PAGE = 100


def lead_activity(
    session: Session,
    lead_id: int,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    offset: str | None = None,
    batch_size: int | None = None,
) -> ActivityPage:
    """getLeadActivity: one lead's activities, newest first, pages of min(100, batchSize)."""
    included, excluded = activity_codes(include, exclude)
    size = LEAD_ACTIVITY_PAGE if batch_size is None else min(batch_size, LEAD_ACTIVITY_PAGE)
    if size <= 0:
        raise MarketoError(20110, "batchSize must be positive")
    page, remaining = activity_repository.lead_activity(session, lead_id, included, excluded, _offset(offset), size)
    more = remaining > 0
    return ActivityPage(
        len(page),
        remaining,
        f"ID:{page[-1].id}" if more else None,
        page[-1].created_at if page else None,
        page[0].created_at if page else None,
        page[-1].created_at if page else None,
        _views(session, page),
    )


LEAD_CHANGES_PAGE = 1000


def lead_changes(
    session: Session,
    oldest_created_at: datetime | None,
    latest_created_at: datetime | None,
    offset: str | None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
    names: list[str] | None = None,
    batch_size: int | None = None,
    lead_ids: LeadSelection | None = None,
) -> ActivityPage:
    """getLeadChanges: activities of every lead (or those a selector picks: `lead_selectors.selected_lead_ids`)
    since a position, oldest first.

    The position needs oldestCreatedAt or an offset (20109); pages of min(1000, batchSize).
    """
    if oldest_created_at is None and not (offset and offset.strip()):
        raise MarketoError(20109, "startPosition needs oldestCreatedAt or offset")
    included, excluded = activity_codes(include, exclude)
    if names:
        by_name = codes_for_names(names)
        included = by_name if included is None else included | by_name
    size = LEAD_CHANGES_PAGE if batch_size is None else min(batch_size, LEAD_CHANGES_PAGE)
    if size <= 0:
        raise MarketoError(20110, "batchSize must be positive")
    page, remaining = activity_repository.lead_changes(
        session, oldest_created_at, latest_created_at, _offset(offset), included, excluded, lead_ids, size
    )
    last = page[-1] if page else None
    return ActivityPage(
        len(page),
        remaining,
        f"ID:{last.id}" if last else (offset or None),
        oldest_created_at,
        latest_created_at,
        last.created_at if last else None,
        _views(session, page),
    )
