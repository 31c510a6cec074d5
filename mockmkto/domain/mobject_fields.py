"""MObject types and their fields, behind listMObjects and describeMObject (spec sections 11.1, 11.2).

Each MObject type's fields are defined once here: describeMObject reports them, syncMObjects types and
checks values against them, getMObjects compares criteria by them. A seed may add custom fields to
Opportunity and OpportunityPersonRole (`mobject_seed`); ActivityRecord and LeadRecord are virtual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema, normalize_value
from mockmkto.store import mobject_repository
from mockmkto.store.db import seed_cached

PROGRAM = "Program"
OPPORTUNITY = "Opportunity"
ROLE = "OpportunityPersonRole"
ACTIVITY_RECORD = "ActivityRecord"
LEAD_RECORD = "LeadRecord"
# What listMObjects and describeMObject know (the docs' list, in their order).
DESCRIBABLE_TYPES = (ACTIVITY_RECORD, LEAD_RECORD, OPPORTUNITY, ROLE)
SYNCABLE_TYPES = (PROGRAM, OPPORTUNITY, ROLE)
# The 2_2/2_6 WSDL enum calls the role type OpportunityLeadRole; the docs say OpportunityPersonRole.
TYPE_ALIASES = {"opportunityleadrole": ROLE}
# Standard fields carry this as their updatedAt, as Marketo's describeMObject example does.
SCHEMA_UPDATED_AT = datetime(2010, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MObjField:
    """One field of an MObject type, as describeMObject reports it and syncMObjects checks it."""

    name: str
    data_type: str
    size: int | None = None
    display_name: str | None = None
    description: str | None = None
    source_object: str | None = None
    readonly: bool = False
    primary_key: bool = False
    is_name: bool = False
    custom: bool = False
    updated_at: datetime = SCHEMA_UPDATED_AT


def _fields(source: str, rows: tuple[tuple, ...]) -> tuple[MObjField, ...]:
    return tuple(
        MObjField(name, data_type, size, display, description, source, is_name=name == "Name")
        for name, display, data_type, size, description in rows
    )


def _id_field(source: str) -> MObjField:
    return MObjField("Id", "integer", 10, "Id", f"Unique system id of {source}", source, True, True)


OPPORTUNITY_FIELDS: tuple[MObjField, ...] = (_id_field(OPPORTUNITY),) + _fields(
    OPPORTUNITY,
    (
        ("Amount", "Amount", "currency", None, "Estimated total sale amount"),
        ("CloseDate", "Close Date", "date", None, "Date when the opportunity is expected to close"),
        ("Description", "Description", "text", None, "Description of the opportunity"),
        ("ExpectedRevenue", "Expected Revenue", "currency", None, "Amount times probability"),
        ("ExternalCreatedDate", "External Created Date", "datetime", None, "Creation time in the external system"),
        ("Fiscal", "Fiscal", "string", 255, "Fiscal period, e.g. 2013 2"),
        ("FiscalQuarter", "Fiscal Quarter", "integer", None, "Fiscal quarter (1-4)"),
        ("FiscalYear", "Fiscal Year", "integer", None, "Fiscal year"),
        ("ForecastCategoryName", "Forecast Category Name", "string", 255, "Forecast category"),
        ("IsClosed", "Is Closed", "boolean", None, "Whether the opportunity is closed"),
        ("IsWon", "Is Won", "boolean", None, "Whether the opportunity is won"),
        ("LastActivityDate", "Last Activity Date", "date", None, "Date of the last activity"),
        ("LeadSource", "Lead Source", "string", 255, "Source of the opportunity"),
        ("Name", "Name", "string", 255, "Name of the opportunity"),
        ("NextStep", "Next Step", "string", 255, "Next step towards closing"),
        ("Probability", "Probability", "percent", None, "Likelihood of closing, in percent"),
        ("Quantity", "Quantity", "float", None, "Total quantity of products"),
        ("Stage", "Stage", "string", 255, "Sales stage"),
        ("Type", "Type", "string", 255, "Type of the opportunity, e.g. New Business"),
    ),
)
ROLE_FIELDS: tuple[MObjField, ...] = (_id_field(ROLE),) + _fields(
    ROLE,
    (
        ("OpportunityId", "Opportunity Id", "integer", 10, "Id of the opportunity"),
        ("PersonId", "Person Id", "integer", 10, "Marketo id of the person (lead or contact)"),
        ("Role", "Role", "string", 255, "Role of the person in the opportunity"),
        ("IsPrimary", "Is Primary", "boolean", None, "Whether the person is the primary contact"),
        ("ExternalCreatedDate", "External Created Date", "datetime", None, "Creation time in the external system"),
    ),
)
# ActivityRecord is virtual: Marketo's own list, from its describeMObject example.
ACTIVITY_RECORD_FIELDS: tuple[MObjField, ...] = tuple(
    MObjField(name, data_type, size, None, description, source, True, name == "id", name == "activityType")
    for name, data_type, size, description, source in (
        ("id", "integer", 10, "Unique system id of Event", "Event"),
        ("activityDateTime", "dateTime", None, "Event timestamp", "Event"),
        ("activityType", "string", 255, "Name of Event", "Event"),
        ("mktgAssetName", "string", 255, "Name of email, landing page, or object field", "Event"),
        ("activityAttributes", "Array", None, "Array of name / value pairs of dynamic event attributes", "Event"),
        ("campaign", "string", 255, "Name of Campaign that caused the Event", "Campaign"),
        ("personName", "string", 255, "Name of Lead that owns the Event", "Lead"),
        ("mktPersonId", "integer", 10, "Unique system id of Lead", "Lead"),
        ("foreignSysId", "string", 50, "Unique foreign system id of Lead", "Lead"),
        ("orgName", "string", 255, "Name of Company associated to the Lead", "Company"),
        ("foreignSysOrgId", "string", 50, "Unique foreign system id of Company", "Company"),
    )
)
STANDARD_FIELDS = {OPPORTUNITY: OPPORTUNITY_FIELDS, ROLE: ROLE_FIELDS}
DESCRIPTIONS = {
    ACTIVITY_RECORD: ("Composite object composed of fields from Event, Campaign, Lead, and Company", True),
    LEAD_RECORD: ("Composite object composed of fields from Lead and Company", True),
    OPPORTUNITY: ("Sales opportunity, linked to a company and to people through roles", False),
    ROLE: ("Role of a person (lead or contact) in an opportunity", False),
}


@dataclass
class MObjectMetadata:
    name: str
    description: str
    is_custom: bool
    is_virtual: bool
    fields: list[MObjField]
    updated_at: datetime


def mobject_type(name: str | None, allowed: tuple[str, ...]) -> str:
    """The canonical type name (case-insensitive, OpportunityLeadRole accepted); 20110 when not allowed."""
    key = (name or "").strip().casefold()
    canonical = TYPE_ALIASES.get(key) or next((t for t in allowed if t.casefold() == key), None)
    if canonical is None or canonical not in allowed:
        raise MarketoError(20110, f"MObject type {name!r} is not one of {', '.join(allowed)}")
    return canonical


def mobject_fields(session: Session, type_name: str) -> dict[str, MObjField]:
    """Every field of a describable type by name: standard first, then the seed's custom fields.
    Only a seed declares fields, so they are read once per seed (see seed_cached)."""
    return seed_cached(session, f"mobject_fields:{type_name}", lambda: declared_fields(session, type_name))


def declared_fields(session: Session, type_name: str) -> dict[str, MObjField]:
    """mobject_fields as the tables have them now (a seed reads them so while it adds fields)."""
    if type_name == ACTIVITY_RECORD:
        return {f.name: f for f in ACTIVITY_RECORD_FIELDS}
    if type_name == LEAD_RECORD:
        fields = {"Id": _id_field("Lead")}
        for f in lead_schema(session).values():
            fields[f.name] = MObjField(f.name, f.data_type, f.size, f.display_name, None, "Lead")
        return fields
    fields = {f.name: f for f in STANDARD_FIELDS[type_name]}
    for row in mobject_repository.fields(session, type_name):
        fields[row.name] = MObjField(row.name, row.data_type, row.size, row.display_name, None, type_name, custom=True)
    return fields


def typed_value(mobj_field: MObjField, value: str) -> str:
    """The stored text of `value` for the field, or 20110 when it does not fit the field's type."""
    if mobj_field.data_type == "percent":
        text_value = value.strip().removesuffix("%").strip()
        number = normalize_value(FieldDef(mobj_field.name, mobj_field.name, "integer"), text_value)
        if number and not 0 <= int(number) <= 100:
            raise MarketoError(20110, f"Value for field {mobj_field.name} must be a percentage from 0 to 100")
        return number
    display_name = mobj_field.display_name or mobj_field.name
    return normalize_value(FieldDef(mobj_field.name, display_name, mobj_field.data_type, mobj_field.size), value)


def describe_mobject(session: Session, object_name: str | None) -> MObjectMetadata:
    """describeMObject: the metadata and field list of ActivityRecord, LeadRecord, Opportunity or the role."""
    name = mobject_type(object_name, DESCRIBABLE_TYPES)
    description, virtual = DESCRIPTIONS[name]
    return MObjectMetadata(
        name, description, False, virtual, list(mobject_fields(session, name).values()), SCHEMA_UPDATED_AT
    )
