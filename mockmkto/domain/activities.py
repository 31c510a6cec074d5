"""The activity log that every lead mutation writes, as Marketo would show it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from mockmkto.store.models import Activity

# Where a change came from, as Marketo writes it on API activities.
API_REASON = "SOAP API"
API_SOURCE = "Web service API"


def record(
    session: Session,
    lead_id: int,
    activity_type: str,
    at: datetime,
    attributes: dict[str, str] | None = None,
    asset_name: str | None = None,
    campaign: str | None = None,
) -> None:
    session.add(
        Activity(
            lead_id=lead_id,
            activity_type=activity_type,
            created_at=at,
            asset_name=asset_name,
            campaign=campaign,
            attributes=attributes or {},
        )
    )


def record_data_value_change(
    session: Session, lead_id: int, at: datetime, name: str, old: str | None, new: str
) -> None:
    record(
        session,
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
