"""MObjects: Program, Opportunity and OpportunityPersonRole behind syncMObjects, getMObjects,
deleteMObjects and describeMObject (spec sections 11.1-11.5).

Each MObject type's fields are defined once here; describeMObject reports them and syncMObjects
types and checks values against them. Programs live in the campaign area's `programs` table; their
costs and tags, and the opportunities, roles and companies, in the MObject area's tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ScalarResult, bindparam, delete, select, update
from sqlalchemy.orm import Session

from mockmkto.domain import streams, values
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema, normalize_value
from mockmkto.domain.leads import DEFAULT_WORKSPACE
from mockmkto.domain.seed_format import SeedError, field_type, items, text
from mockmkto.domain.tags import CHANNEL, find_tag
from mockmkto.store.db import seed_cached
from mockmkto.store.mobject_models import (
    Company,
    MObjectField,
    Opportunity,
    OpportunityPersonRole,
    ProgramCost,
    ProgramTag,
)
from mockmkto.store.models import Lead, Program, Workspace
from mockmkto.store.prepared import Prepared, PreparedUpdate

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
SYNC_OPERATIONS = ("INSERT", "UPDATE", "UPSERT")
COMPARISONS = ("EQ", "NE", "LT", "LE", "GT", "GE")
BATCH_LIMIT = 100
PAGE_SIZE = 100
# Standard fields carry this as their updatedAt, as Marketo's describeMObject example does.
SCHEMA_UPDATED_AT = datetime(2010, 1, 1, tzinfo=UTC)
# The program types as the legacy API names them in getMObjects.
PROGRAM_TYPE_NAMES = {"Default": "Marketing Program", "Event": "Marketing Event"}


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


@dataclass(frozen=True)
class Link:
    """An association of a record type: the associated object's type, the column holding its id,
    and the field that may carry the id as an attrib instead."""

    mobj_type: str
    column: str
    field: str | None
    required: bool


Record = Opportunity | OpportunityPersonRole
RECORD_MODELS: dict[str, type[Record]] = {
    OPPORTUNITY: Opportunity,
    ROLE: OpportunityPersonRole,
}
RECORD_UPDATES = {kind: PreparedUpdate(model) for kind, model in RECORD_MODELS.items()}
RECORDS_BY_ID = {
    kind: Prepared(select(model).where(model.id.in_(bindparam("ids", expanding=True))))
    for kind, model in RECORD_MODELS.items()
}
RECORD_LINKS: dict[str, tuple[Link, ...]] = {
    OPPORTUNITY: (Link("Company", "company_id", None, False),),
    ROLE: (Link(OPPORTUNITY, "opportunity_id", "OpportunityId", True), Link("Lead", "person_id", "PersonId", True)),
}
ASSOCIATED_MODELS = {"Company": Company, "Lead": Lead, OPPORTUNITY: Opportunity}
COST_ATTRIBS = ("Month", "Amount", "Id", "Note")
TAG_ATTRIBS = ("Type", "Value")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
# Program criteria (the WSDL's list) that the mock's programs carry; the others have no data here.
PROGRAM_CRITERIA = ("Id", "Name", "Tag Type", "Tag Value", "Workspace Id", "Workspace Name", "Include Archive")


# ---------------------------------------------------------------------------------------------
# Inputs and results


@dataclass
class Association:
    mobj_type: str | None
    id: int | None = None
    external_key: tuple[str | None, str | None] | None = None


@dataclass
class TypeAttrib:
    attr_type: str | None
    attribs: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass
class MObjectInput:
    """An mObject as sent to syncMObjects or deleteMObjects."""

    type: str | None
    id: int | None = None
    external_key: tuple[str | None, str | None] | None = None
    attribs: list[tuple[str | None, str | None]] = field(default_factory=list)
    type_attribs: list[TypeAttrib] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)


@dataclass
class MObjStatus:
    id: int | None
    status: str
    error: str | None = None
    external_key: tuple[str | None, str | None] | None = None


@dataclass
class Criterion:
    attr_name: str | None
    comparison: str | None
    attr_value: str | None


@dataclass
class MObjectView:
    """An MObject as getMObjects returns it."""

    type: str
    id: int
    attribs: list[tuple[str, str]]
    type_attribs: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    associations: list[tuple[str, int]] = field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class MObjectPage:
    objects: list[MObjectView]
    has_more: bool
    stream_position: str


@dataclass
class MObjectMetadata:
    name: str
    description: str
    is_custom: bool
    is_virtual: bool
    fields: list[MObjField]
    updated_at: datetime


# ---------------------------------------------------------------------------------------------
# Types and fields


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
    return seed_cached(session, f"mobject_fields:{type_name}", lambda: _declared_fields(session, type_name))


def _declared_fields(session: Session, type_name: str) -> dict[str, MObjField]:
    """mobject_fields as the tables have them now (a seed reads them so while it adds fields)."""
    if type_name == ACTIVITY_RECORD:
        return {f.name: f for f in ACTIVITY_RECORD_FIELDS}
    if type_name == LEAD_RECORD:
        fields = {"Id": _id_field("Lead")}
        for f in lead_schema(session).values():
            fields[f.name] = MObjField(f.name, f.data_type, f.size, f.display_name, None, "Lead")
        return fields
    fields = {f.name: f for f in STANDARD_FIELDS[type_name]}
    custom = select(MObjectField).where(MObjectField.mobject_type == type_name).order_by(MObjectField.position)
    for row in session.scalars(custom):
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


# ---------------------------------------------------------------------------------------------
# syncMObjects


def sync_mobjects(
    session: Session, clock: Clock, objects: list[MObjectInput], operation: str | None
) -> list[MObjStatus]:
    """syncMObjects: each object INSERTed, UPDATEd or UPSERTed on its own; one status per object, in order.

    A bad object gets FAILED with its error and changes nothing; the call itself only faults (20109/20110)
    for a missing or unknown operation or more than 100 objects.
    """
    if not operation or not operation.strip():
        raise MarketoError(20109, "operation is required")
    op = operation.strip().upper()
    if op not in SYNC_OPERATIONS:
        raise MarketoError(20110, f"operation must be one of {', '.join(SYNC_OPERATIONS)}")
    _check_batch(objects)
    records = _records_by_id(session, objects)
    results = []
    for obj in objects:
        # Every check of an object comes before its first write, so one that fails has changed nothing.
        try:
            results.append(_sync_one(session, clock, obj, op, records))
        except MarketoError as error:
            results.append(MObjStatus(obj.id, "FAILED", error.text, obj.external_key))
    return results


def _records_by_id(session: Session, objects: list[MObjectInput]) -> dict[tuple[str, int], object]:
    """The existing Opportunities and roles that the objects name by id, read with one query per type."""
    ids: dict[str, set[int]] = {}
    for obj in objects:
        try:
            kind = mobject_type(obj.type, SYNCABLE_TYPES)
        except MarketoError:
            continue  # the object fails on its turn
        if obj.id is not None and kind in RECORD_MODELS:
            ids.setdefault(kind, set()).add(obj.id)
    return {
        (kind, row.id): row
        for kind, wanted in ids.items()
        for row in RECORDS_BY_ID[kind].instances(session, {"ids": list(wanted)})
    }


def _check_batch(objects: list) -> None:
    if len(objects) > BATCH_LIMIT:
        raise MarketoError(20110, f"At most {BATCH_LIMIT} objects per call, got {len(objects)}")


def _sync_one(
    session: Session, clock: Clock, obj: MObjectInput, op: str, records: dict[tuple[str, int], object]
) -> MObjStatus:
    kind = mobject_type(obj.type, SYNCABLE_TYPES)
    if kind == PROGRAM:
        object_id, status = _sync_program(session, obj, op)
    else:
        object_id, status = _sync_record(session, clock, kind, obj, op, records)
    return MObjStatus(object_id, status, None, obj.external_key)


def _sync_program(session: Session, obj: MObjectInput, op: str) -> tuple[int | None, str]:
    """Programs take UPDATE only, to add or change period costs and tags/channels of an existing program."""
    if op != "UPDATE":
        raise MarketoError(20110, "Program objects can only be synced with operation UPDATE")
    if obj.id is None:
        raise MarketoError(20109, "id is required to update a Program")
    if obj.attribs or obj.associations or obj.external_key:
        raise MarketoError(20110, "Only costs and tags of a Program can be synced (typeAttribList Cost or Tag)")
    if session.get(Program, obj.id) is None:
        return obj.id, "SKIPPED"
    changes = [_program_change(session, obj.id, type_attrib) for type_attrib in obj.type_attribs]
    changed = [change.apply(session, obj.id) for change in changes]
    return obj.id, "UPDATED" if any(changed) else "UNCHANGED"


@dataclass
class _CostChange:
    cost_id: int | None
    month: date
    amount: float
    note: str | None

    def apply(self, session: Session, program_id: int) -> bool:
        if self.cost_id is None:
            session.add(ProgramCost(program_id=program_id, month=self.month, amount=self.amount, note=self.note))
            return True
        cost = session.get_one(ProgramCost, self.cost_id)  # _cost_id found it
        wanted = (self.month, self.amount, cost.note if self.note is None else self.note)
        if (cost.month, cost.amount, cost.note) == wanted:
            return False
        cost.month, cost.amount, cost.note = wanted
        return True


@dataclass
class _TagChange:
    tag_type: str
    value: str

    def apply(self, session: Session, program_id: int) -> bool:
        tag = session.get(ProgramTag, (program_id, self.tag_type))
        if tag is None:
            session.add(ProgramTag(program_id=program_id, tag_type=self.tag_type, value=self.value))
            return True
        if tag.value == self.value:
            return False
        tag.value = self.value
        return True


def _program_change(session: Session, program_id: int, type_attrib: TypeAttrib) -> _CostChange | _TagChange:
    attr_type = (type_attrib.attr_type or "").strip().casefold()
    if attr_type == "cost":
        values = _named_attribs(type_attrib.attribs, COST_ATTRIBS, "Cost")
        cost_id = _cost_id(session, program_id, values.get("Id"))
        return _CostChange(cost_id, _month(values.get("Month")), _amount(values.get("Amount")), values.get("Note"))
    if attr_type == "tag":
        values = _named_attribs(type_attrib.attribs, TAG_ATTRIBS, "Tag")
        tag = {name: values.get(name) or "" for name in TAG_ATTRIBS}
        missing = [name for name in TAG_ATTRIBS if not tag[name].strip()]
        if missing:
            raise MarketoError(20109, f"Tag attrib {missing[0]} is required")
        return _TagChange(*find_tag(session, tag["Type"], tag["Value"]))
    raise MarketoError(20110, f"attrType must be Cost or Tag, got {type_attrib.attr_type!r}")


def _named_attribs(
    attribs: list[tuple[str | None, str | None]], names: tuple[str, ...], kind: str
) -> dict[str, str | None]:
    by_key = {name.casefold(): name for name in names}
    values: dict[str, str | None] = {}
    for name, value in attribs:
        canonical = by_key.get((name or "").strip().casefold())
        if canonical is None:
            raise MarketoError(20110, f"Unknown {kind} attrib {name!r}: expected {', '.join(names)}")
        values[canonical] = value
    return values


def _month(value: str | None) -> date:
    """A cost month, sent as YYYY-MM (or a date in that month), stored as the month's first day."""
    if not value or not value.strip():
        raise MarketoError(20109, "Cost attrib Month is required")
    match = MONTH_PATTERN.match(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        date(year, month, day)
    except ValueError:
        raise MarketoError(20110, f"Cost Month must be YYYY-MM, got {value!r}") from None
    return date(year, month, 1)


def _amount(value: str | None) -> float:
    if value is None or not value.strip():
        raise MarketoError(20109, "Cost attrib Amount is required")
    try:
        amount = values.number(value)
    except ValueError:
        amount = None
    if amount is None or amount < 0:
        raise MarketoError(20110, f"Cost Amount must be a non-negative number, got {value!r}")
    return amount


def _cost_id(session: Session, program_id: int, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        cost = session.get(ProgramCost, values.integer(value, low=1))
    except ValueError:
        cost = None
    if cost is None or cost.program_id != program_id:
        raise MarketoError(20110, f"Program {program_id} has no cost with Id {value}")
    return cost.id


def _sync_record(
    session: Session, clock: Clock, kind: str, obj: MObjectInput, op: str, records: dict[tuple[str, int], object]
) -> tuple[int | None, str]:
    """Opportunity and OpportunityPersonRole: typed fields, links by association or by id field."""
    if obj.type_attribs:
        raise MarketoError(20110, "typeAttribList is only used with Program objects")
    fields = mobject_fields(session, kind)
    values = _record_values(fields, obj.attribs)
    external_key = next(iter(_record_values(fields, [obj.external_key]).items())) if obj.external_key else None
    if external_key:
        values.update([external_key])
    links, by_association = _record_links(session, kind, obj.associations, values)
    target = _find_record(session, kind, obj.id, external_key, op, by_association, records)
    if target is None:
        if op == "UPDATE":
            return obj.id, "SKIPPED"
        return _create_record(session, clock, kind, values, links), "CREATED"
    if op == "INSERT":
        return target.id, "SKIPPED"
    return target.id, _update_record(session, clock, kind, target, values, links)


def _record_values(fields: dict[str, MObjField], pairs: list[tuple[str | None, str | None]]) -> dict[str, str]:
    """Field name -> the value typed by its field; "" clears a field."""
    by_key = {name.casefold(): f for name, f in fields.items()}
    values = {}
    for name, value in pairs:
        if not name or not name.strip():
            raise MarketoError(20109, "attrib name is required")
        mobj_field = by_key.get(name.strip().casefold())
        if mobj_field is None:
            raise MarketoError(20110, f"Unknown field {name!r}")
        if mobj_field.readonly:
            raise MarketoError(20110, f"Field {mobj_field.name} is read-only")
        values[mobj_field.name] = typed_value(mobj_field, value or "")
    return values


def _record_links(
    session: Session, kind: str, associations: list[Association], values: dict[str, str]
) -> tuple[dict[str, int], dict[str, int]]:
    """(every link column -> associated id, the part given by associations); link fields leave `values`."""
    specs = RECORD_LINKS[kind]
    by_association: dict[str, int] = {}
    for association in associations:
        key = (association.mobj_type or "").strip().casefold()
        spec = next((s for s in specs if s.mobj_type.casefold() == key), None)
        if spec is None:
            allowed = ", ".join(s.mobj_type for s in specs)
            raise MarketoError(20110, f"{kind} can be associated with {allowed}, not {association.mobj_type!r}")
        associated = associated_id(session, spec.mobj_type, association.id, association.external_key)
        if by_association.get(spec.column, associated) != associated:
            raise MarketoError(20110, f"Conflicting {spec.mobj_type} associations")
        by_association[spec.column] = associated
    links = dict(by_association)
    for spec in specs:
        if spec.field is None or spec.field not in values:
            continue
        given = values.pop(spec.field)
        if not given:
            raise MarketoError(20110, f"{spec.field} cannot be empty")
        associated = associated_id(session, spec.mobj_type, int(given), None)
        if links.get(spec.column, associated) != associated:
            raise MarketoError(20110, f"{spec.field} {given} disagrees with the {spec.mobj_type} association")
        links[spec.column] = associated
    return links, by_association


def associated_id(
    session: Session, mobj_type: str, object_id: int | None, external_key: tuple[str | None, str | None] | None
) -> int:
    """The id of the Company, Lead or Opportunity an association names by id or external key; 20110 if none.

    External keys are not unique in Marketo: the most recently added object with the value wins.
    """
    model = ASSOCIATED_MODELS[mobj_type]
    if object_id is not None:
        if session.get(model, object_id) is None:
            raise MarketoError(20110, f"{mobj_type} {object_id} not found")
        return object_id
    name, value = external_key or (None, None)
    if not name or value is None:
        raise MarketoError(20109, f"{mobj_type} association needs an id or an externalKey")
    found = _newest_by_attribute(session, model, name, value)
    if found is None:
        raise MarketoError(20110, f"No {mobj_type} with {name} = {value!r}")
    return found.id


def _newest_by_attribute(session: Session, model, name: str, value: str):
    query = select(model).where(model.attributes[name].as_string() == value).order_by(model.id.desc()).limit(1)
    return session.scalar(query)


def _find_record(
    session: Session,
    kind: str,
    object_id: int | None,
    external_key: tuple[str, str] | None,
    op: str,
    by_association: dict[str, int],
    records: dict[tuple[str, int], object],
):
    """The existing object the request means: by id (read ahead in `records`, unless created by this call),
    else by external key, else (UPDATE) by its associations."""
    model = RECORD_MODELS[kind]
    if object_id is not None:
        return records.get((kind, object_id)) or session.get(model, object_id)
    if external_key:
        return _newest_by_attribute(session, model, *external_key)
    if op != "UPDATE":
        return None
    if not by_association:
        raise MarketoError(20109, f"id, externalKey or an association is required to update an {kind}")
    query = select(model).order_by(model.id.desc()).limit(1)
    for column, associated in by_association.items():
        query = query.where(getattr(model, column) == associated)
    return session.scalar(query)


def _create_record(
    session: Session,
    clock: Clock,
    kind: str,
    values: dict[str, str],
    links: dict[str, int],
    record_id: int | None = None,
) -> int:
    """A new object; `record_id` (seeds only: the API never takes one) keeps a seeded id."""
    for spec in RECORD_LINKS[kind]:
        if spec.required and spec.column not in links:
            raise MarketoError(20109, f"{spec.field} is required")
    now = clock.now()
    row = RECORD_MODELS[kind](
        id=record_id,
        attributes={name: value for name, value in values.items() if value != ""},
        created_at=now,
        updated_at=now,
        **links,
    )
    session.add(row)
    session.flush()
    return row.id


def _update_record(
    session: Session, clock: Clock, kind: str, row, values: dict[str, str], links: dict[str, int]
) -> str:
    attributes = dict(row.attributes)
    for name, value in values.items():
        if value == "":
            attributes.pop(name, None)
        else:
            attributes[name] = value
    if attributes == row.attributes and all(getattr(row, column) == value for column, value in links.items()):
        return "UNCHANGED"
    RECORD_UPDATES[kind].run(session, row, {"attributes": attributes, **links, "updated_at": clock.now()})
    return "UPDATED"


# ---------------------------------------------------------------------------------------------
# deleteMObjects


def delete_mobjects(session: Session, objects: list[MObjectInput]) -> list[MObjStatus]:
    """deleteMObjects: DELETED, UNCHANGED for an id that matches nothing, FAILED for a bad item.

    Deleting an opportunity deletes its person roles with it.
    """
    _check_batch(objects)
    results = []
    for obj in objects:
        try:
            kind = mobject_type(obj.type, (OPPORTUNITY, ROLE))
            if obj.id is None:
                raise MarketoError(20109, "id is required")
        except MarketoError as error:
            results.append(MObjStatus(obj.id, "FAILED", error.text))
            continue
        row = session.get(RECORD_MODELS[kind], obj.id)
        if row is None:
            results.append(MObjStatus(obj.id, "UNCHANGED"))
            continue
        if kind == OPPORTUNITY:
            session.execute(delete(OpportunityPersonRole).where(OpportunityPersonRole.opportunity_id == obj.id))
        session.delete(row)
        session.flush()
        results.append(MObjStatus(obj.id, "DELETED"))
    return results


# ---------------------------------------------------------------------------------------------
# getMObjects


def get_mobjects(
    session: Session,
    type_name: str | None,
    object_id: int | None = None,
    external_key: tuple[str | None, str | None] | None = None,
    criteria: list[Criterion] | None = None,
    associations: list[Association] | None = None,
    include_details: bool | None = None,
    stream_position: str | None = None,
) -> MObjectPage:
    """getMObjects: objects of one type by id or external key, criteria and associations, by id, 100 a page.

    `includeDetails` (Program only) false leaves the typeAttribs (tags, costs, tokens) out.
    """
    kind = mobject_type(type_name, SYNCABLE_TYPES)
    criteria = criteria or []
    associations = associations or []
    if object_id is not None and external_key:
        raise MarketoError(20110, "Give at most one of id and externalKey")
    query = streams.fingerprint(
        kind, object_id, external_key, [vars(c) for c in criteria], [vars(a) for a in associations]
    )
    after = streams.decode(stream_position, query)["after"] if stream_position and stream_position.strip() else 0
    if kind == PROGRAM:
        views = _program_views(session, object_id, external_key, criteria, associations, include_details is not False)
    else:
        views = _record_views(session, kind, object_id, external_key, criteria, associations)
    remaining = [view for view in views if view.id > after]
    page = remaining[:PAGE_SIZE]
    last = page[-1].id if page else after
    return MObjectPage(page, len(remaining) > PAGE_SIZE, streams.encode(query, after=last))


def _program_views(
    session: Session,
    object_id: int | None,
    external_key,
    criteria: list[Criterion],
    associations: list[Association],
    details: bool,
) -> list[MObjectView]:
    if external_key or associations:
        raise MarketoError(20110, "Program objects are found by id and criteria only")
    tests = _program_tests(criteria)
    query = select(Program).order_by(Program.id)
    if object_id is not None:
        query = query.where(Program.id == object_id)
    workspaces: dict[int | None, Workspace] = {w.id: w for w in session.scalars(select(Workspace))}
    default = next((w for w in workspaces.values() if w.name == DEFAULT_WORKSPACE), None)
    views = []
    for program in session.scalars(query):
        workspace = workspaces.get(program.workspace_id) or default
        tags = list(session.scalars(select(ProgramTag).where(ProgramTag.program_id == program.id)))
        facts = {
            "Id": program.id,
            "Name": program.name,
            "Workspace Id": workspace.id if workspace else None,
            "Workspace Name": workspace.name if workspace else DEFAULT_WORKSPACE,
            "Tags": [(t.tag_type, t.value) for t in tags],
        }
        if all(test(facts) for test in tests):
            views.append(_program_view(session, program, facts, tags, details))
    return views


def _program_view(session: Session, program: Program, facts: dict, tags: list[ProgramTag], details: bool):
    attribs = [
        ("Name", program.name),
        ("Type", PROGRAM_TYPE_NAMES.get(program.program_type, program.program_type)),
        ("Workspace Id", "" if facts["Workspace Id"] is None else str(facts["Workspace Id"])),
        ("Workspace Name", facts["Workspace Name"]),
        ("Tree Path", f"/Marketing Activities/{facts['Workspace Name']}/{program.name}"),
        ("Is Archived", "false"),
    ]
    view = MObjectView(PROGRAM, program.id, [(n, v) for n, v in attribs if v != ""])
    if not details:
        return view
    # The channel first, then the other tags, as Marketo lists them.
    for tag in sorted(tags, key=lambda t: (t.tag_type != CHANNEL, t.tag_type)):
        view.type_attribs.append(("Tag", [("Type", tag.tag_type), ("Value", tag.value)]))
    costs = select(ProgramCost).where(ProgramCost.program_id == program.id).order_by(ProgramCost.id)
    for cost in session.scalars(costs):
        attribs = [("Id", str(cost.id)), ("Month", cost.month.isoformat()), ("Amount", _number(cost.amount))]
        view.type_attribs.append(("Cost", attribs + ([("Note", cost.note)] if cost.note else [])))
    for token, value in (program.tokens or {}).items():
        view.type_attribs.append(
            ("Token", [("Name", token.removeprefix("{{my.").removesuffix("}}")), ("Value", value)])
        )
    return view


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _program_tests(criteria: list[Criterion]) -> list:
    tag_types = [c for c in criteria if (c.attr_name or "").strip().casefold() == "tag type"]
    if len(tag_types) > 1:
        raise MarketoError(20110, "Only one Tag Type criterion may be given")
    tag_type = tag_types[0].attr_value if tag_types and _comparison(tag_types[0]) == "EQ" else None
    tests = []
    for criterion in criteria:
        comparison = _comparison(criterion)
        key = (criterion.attr_name or "").strip().casefold()
        name = next((n for n in PROGRAM_CRITERIA if n.casefold() == key), None)
        if name is None:
            raise MarketoError(20110, f"Unknown Program criterion {criterion.attr_name!r}")
        value = criterion.attr_value or ""
        if name in ("Id", "Workspace Id"):
            wanted = _criterion_number(criterion)
            tests.append(lambda facts, n=name, w=wanted, c=comparison: _compare(facts[n], w, c))
        elif name in ("Name", "Workspace Name"):
            tests.append(lambda facts, n=name, w=value.casefold(), c=comparison: _compare(facts[n].casefold(), w, c))
        elif name in ("Tag Type", "Tag Value"):
            if comparison not in ("EQ", "NE"):
                raise MarketoError(20110, f"{name} can only be compared with EQ or NE")
            tests.append(_tag_test(name, value, comparison, tag_type))
        elif value.strip().lower() not in ("true", "false"):
            raise MarketoError(20110, "Include Archive must be true or false")
    return tests


def _tag_test(name: str, value: str, comparison: str, tag_type: str | None):
    wanted = value.strip().casefold()

    def has(facts: dict) -> bool:
        if name == "Tag Type":
            return any(t.casefold() == wanted for t, _ in facts["Tags"])
        scoped = tag_type.strip().casefold() if tag_type else None
        return any(v.casefold() == wanted and (scoped is None or t.casefold() == scoped) for t, v in facts["Tags"])

    return has if comparison == "EQ" else (lambda facts: not has(facts))


def _comparison(criterion: Criterion) -> str:
    comparison = (criterion.comparison or "").strip().upper()
    if comparison not in COMPARISONS:
        raise MarketoError(20110, f"comparison must be one of {', '.join(COMPARISONS)}")
    return comparison


def _criterion_number(criterion: Criterion) -> float:
    try:
        return values.number(criterion.attr_value or "")
    except ValueError:
        raise MarketoError(20110, f"{criterion.attr_name} needs a number, got {criterion.attr_value!r}") from None


def _compare(actual, wanted, comparison: str) -> bool:
    if actual is None:
        return comparison == "NE"
    return {
        "EQ": actual == wanted,
        "NE": actual != wanted,
        "LT": actual < wanted,
        "LE": actual <= wanted,
        "GT": actual > wanted,
        "GE": actual >= wanted,
    }[comparison]


def _record_views(
    session: Session,
    kind: str,
    object_id: int | None,
    external_key,
    criteria: list[Criterion],
    associations: list[Association],
) -> list[MObjectView]:
    model = RECORD_MODELS[kind]
    fields = mobject_fields(session, kind)
    query = select(model).order_by(model.id)
    if object_id is not None:
        query = query.where(model.id == object_id)
    if external_key:
        name, value = external_key
        if not name or name.strip() not in fields:
            raise MarketoError(20110, f"Unknown externalKey field {name!r}")
        query = query.where(model.attributes[name.strip()].as_string() == (value or ""))
    for association in associations:
        query = _associated_filter(session, kind, query, association)
    tests = [_record_test(fields, criterion) for criterion in criteria]
    views = [_record_view(kind, row, fields) for row in session.scalars(query)]
    return [view for view in views if all(test(view) for test in tests)]


def _associated_filter(session: Session, kind: str, query, association: Association):
    """Narrow `query` to objects linked to the associated object; one that matches nothing matches no object."""
    model = RECORD_MODELS[kind]
    key = (association.mobj_type or "").strip().casefold()
    spec = next((s for s in RECORD_LINKS[kind] if s.mobj_type.casefold() == key), None)
    by_role = kind == OPPORTUNITY and key == "lead"
    if spec is None and not by_role:
        raise MarketoError(20110, f"{kind} objects cannot be filtered by {association.mobj_type!r}")
    try:
        associated = associated_id(
            session, "Lead" if spec is None else spec.mobj_type, association.id, association.external_key
        )
    except MarketoError as error:
        if error.code != 20110:
            raise
        return query.where(model.id.is_(None))
    if spec is None:  # by role
        roles = select(OpportunityPersonRole.opportunity_id).where(OpportunityPersonRole.person_id == associated)
        return query.where(model.id.in_(roles))
    return query.where(getattr(model, spec.column) == associated)


def _record_view(kind: str, row, fields: dict[str, MObjField]) -> MObjectView:
    link_columns = {spec.field: spec.column for spec in RECORD_LINKS[kind] if spec.field}
    attribs = []
    for name in fields:
        if fields[name].primary_key:
            continue
        value = getattr(row, link_columns[name]) if name in link_columns else row.attributes.get(name)
        if value is not None and value != "":
            attribs.append((name, str(value)))
    associations = [
        (spec.mobj_type, getattr(row, spec.column))
        for spec in RECORD_LINKS[kind]
        if getattr(row, spec.column) is not None
    ]
    return MObjectView(kind, row.id, attribs, [], associations, row.created_at, row.updated_at)


def _record_test(fields: dict[str, MObjField], criterion: Criterion):
    comparison = _comparison(criterion)
    key = (criterion.attr_name or "").strip().casefold()
    value = criterion.attr_value or ""
    if key == "id":
        number = _criterion_number(criterion)
        return lambda view: _compare(view.id, number, comparison)
    if key in ("created at", "updated at"):
        instant = _criterion_time(criterion)
        attribute = "created_at" if key == "created at" else "updated_at"
        return lambda view: _compare(getattr(view, attribute), instant, comparison)
    mobj_field = next((f for name, f in fields.items() if name.casefold() == key), None)
    if mobj_field is None:
        raise MarketoError(20110, f"Unknown criterion {criterion.attr_name!r}")
    wanted = _sortable(mobj_field, typed_value(mobj_field, value))
    return lambda view: _compare(_sortable(mobj_field, dict(view.attribs).get(mobj_field.name)), wanted, comparison)


def _criterion_time(criterion: Criterion) -> datetime:
    try:
        parsed = values.instant(criterion.attr_value or "")
    except ValueError:
        raise MarketoError(20110, f"{criterion.attr_name} needs a dateTime, got {criterion.attr_value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _sortable(mobj_field: MObjField, value: str | None):
    """A stored value in a form that compares as its type does (numbers as numbers, text case-insensitively)."""
    if value is None or value == "":
        return None
    if mobj_field.data_type in ("integer", "float", "currency", "percent"):
        return float(value)
    if mobj_field.data_type in ("string", "text", "email", "url", "phone"):
        return value.casefold()
    return value


# ---------------------------------------------------------------------------------------------
# The admin listing


# The typeAttribs of a program view, by the key the listing gives them.
TYPE_ATTRIB_KEYS = {"Tag": "tags", "Cost": "costs", "Token": "tokens"}


def list_mobjects(session: Session, type_name: str | None = None) -> list[dict]:
    """Every Program, Opportunity and OpportunityPersonRole (or those of one type, 20110 if unknown) as JSON-able
    dicts, by type then id, with the attribs getMObjects gives; programs with their tags, costs and tokens."""
    kinds = SYNCABLE_TYPES if type_name is None else (mobject_type(type_name, SYNCABLE_TYPES),)
    listed = []
    for kind in kinds:
        if kind == PROGRAM:
            views = _program_views(session, None, None, [], [], True)
        else:
            views = _record_views(session, kind, None, None, [], [])
        custom = [] if kind == PROGRAM else [f.name for f in mobject_fields(session, kind).values() if f.custom]
        for view in views:
            attribs = dict(view.attribs)
            # Marketo has no designated external key: the first seed-declared field with a value serves as one.
            key = next((name for name in custom if name in attribs), None)
            item: dict[str, Any] = {
                "type": view.type,
                "id": view.id,
                "externalKey": {"name": key, "value": attribs[key]} if key else None,
                "attribs": attribs,
                "associations": [{"type": t, "id": i} for t, i in view.associations],
            }
            if kind == PROGRAM:
                item |= {listing: [] for listing in TYPE_ATTRIB_KEYS.values()}
            for attr_type, pairs in view.type_attribs:
                item[TYPE_ATTRIB_KEYS[attr_type]].append(dict(pairs))
            if view.created_at is not None and view.updated_at is not None:
                item |= {"createdAt": view.created_at.isoformat(), "updatedAt": view.updated_at.isoformat()}
            listed.append(item)
    return listed


# ---------------------------------------------------------------------------------------------
# Seed sections: each loader has an exporter writing what it loads, so export -> load -> export is identical.

# The seed sections of custom fields, by MObject type.
FIELD_SECTIONS = (("opportunityFields", OPPORTUNITY), ("opportunityPersonRoleFields", ROLE))
# The seed sections of records; opportunities load before the leads, roles after them.
RECORD_SECTIONS = {OPPORTUNITY: "opportunities", ROLE: "opportunityPersonRoles"}


def load_companies(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `companies`: [{"id": 501, "name": "...", "attributes": {"ExternalCompanyId": "..."}}]."""
    loaded = 0
    for path, item in items(doc, "companies", ""):
        attributes = seed_map(item, "attributes", path)
        company_id = seed_id(session, Company, item, path)
        session.add(Company(id=company_id, name=text(item, "name", path), attributes=attributes))
        loaded += 1
    session.flush()
    return loaded


def load_mobject_fields(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `opportunityFields` and `opportunityPersonRoleFields`: custom fields like `leadFields`."""
    loaded = 0
    for section, type_name in FIELD_SECTIONS:
        standard = {f.name for f in STANDARD_FIELDS[type_name]}
        for position, (path, item) in enumerate(items(doc, section, "")):
            name = text(item, "name", path)
            if name in standard:
                raise SeedError(f"{path}.name", f"{name} is a standard {type_name} field")
            if name.casefold() in {declared.casefold() for declared in _declared_fields(session, type_name)}:
                raise SeedError(f"{path}.name", f"{name} is already a field of {type_name}")
            data_type, size = field_type(item, path)
            display_name = text(item, "displayName", path, required=False) or name
            session.add(
                MObjectField(
                    mobject_type=type_name,
                    name=name,
                    position=position,
                    display_name=display_name,
                    data_type=data_type,
                    size=size,
                )
            )
            loaded += 1
    session.flush()
    return loaded


def load_opportunities(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `opportunities`: [{"id": 11, "company": 501, "attributes": {"Name": "...", ...}}], typed by field."""
    return _load_records(session, clock, doc, OPPORTUNITY)


def load_opportunity_person_roles(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `opportunityPersonRoles`, loaded after the leads: [{"id": 21, "OpportunityId": 11, "PersonId": 1,
    "attributes": {"Role": "Decision Maker", "IsPrimary": true, ...}}], typed by field."""
    return _load_records(session, clock, doc, ROLE)


def _load_records(session: Session, clock: Clock, doc: dict, kind: str) -> int:
    """Records checked as syncMObjects INSERT checks them; the links are given beside the attributes."""
    fields = _declared_fields(session, kind)
    loaded = 0
    for path, item in items(doc, RECORD_SECTIONS[kind], ""):
        links = {}
        for spec in RECORD_LINKS[kind]:
            value = item.get(_seed_link_key(spec))
            if value is None and not spec.required:
                continue
            model = ASSOCIATED_MODELS[spec.mobj_type]
            if not isinstance(value, int) or isinstance(value, bool) or session.get(model, value) is None:
                raise SeedError(f"{path}.{_seed_link_key(spec)}", f"no {spec.mobj_type} with id {value!r}")
            links[spec.column] = value
        try:
            values = _record_values(fields, list(seed_map(item, "attributes", path).items()))
        except MarketoError as error:
            raise SeedError(f"{path}.attributes", error.text) from None
        misplaced = next((spec.field for spec in RECORD_LINKS[kind] if spec.field in values), None)
        if misplaced:
            raise SeedError(f"{path}.attributes.{misplaced}", f"give {misplaced} beside the attributes")
        _create_record(session, clock, kind, values, links, seed_id(session, RECORD_MODELS[kind], item, path))
        loaded += 1
    return loaded


def _seed_link_key(spec: Link) -> str:
    """A record's link in the seed: its id field (OpportunityId, PersonId), or `company` for the Company."""
    return spec.field or spec.mobj_type.lower()


def load_program_details(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `programTags` [{"program", "type", "value"}] and `programCosts` [{"id", "program", "month",
    "amount", "note"}], checked as syncMObjects checks them."""
    loaded = 0
    for path, item in items(doc, "programTags", ""):
        program_id = _seed_program(session, item, path)
        try:
            _TagChange(*find_tag(session, text(item, "type", path), text(item, "value", path))).apply(
                session, program_id
            )
        except MarketoError as error:
            raise SeedError(path, error.text) from None
        loaded += 1
    for path, item in items(doc, "programCosts", ""):
        program_id = _seed_program(session, item, path)
        # text() takes strings and integers; an amount may also be a JSON float (export writes 1500.5 as one).
        given = repr(item["amount"]) if isinstance(item.get("amount"), float) else text(item, "amount", path)
        try:
            month, amount = _month(text(item, "month", path)), _amount(given)
        except MarketoError as error:
            raise SeedError(path, error.text) from None
        note = text(item, "note", path, required=False)
        cost_id = seed_id(session, ProgramCost, item, path)
        session.add(ProgramCost(id=cost_id, program_id=program_id, month=month, amount=amount, note=note))
        loaded += 1
    session.flush()
    return loaded


def _seed_program(session: Session, item: dict, path: str) -> int:
    program_id = item.get("program")
    if not isinstance(program_id, int) or session.get(Program, program_id) is None:
        raise SeedError(f"{path}.program", f"unknown program {program_id!r}")
    return program_id


def seed_id(session: Session, model, item: dict, path: str) -> int | None:
    """The item's `id`: a positive integer no row of `model` has yet (a seed may load onto a state), or None."""
    value = item.get("id")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise SeedError(f"{path}.id", "must be a positive integer")
    if session.get(model, value) is not None:
        raise SeedError(f"{path}.id", f"{value} is already taken")
    return value


def seed_map(item: dict, key: str, path: str) -> dict[str, str]:
    """The item's `key` object as name -> text; numbers and booleans become their text."""
    value = item.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise SeedError(f"{path}.{key}", "must map names to values")
    return {name: str(v) for name, v in value.items()}


def export_companies(session: Session) -> list[dict]:
    """The `companies` section, loadable by load_companies."""
    return [
        {"id": c.id, "name": c.name, "attributes": dict(c.attributes)}
        for c in session.scalars(select(Company).order_by(Company.id))
    ]


def export_mobject_fields(session: Session) -> dict[str, list[dict]]:
    """The non-empty `opportunityFields` and `opportunityPersonRoleFields` sections, loadable by load_mobject_fields."""
    sections = {}
    for section, type_name in FIELD_SECTIONS:
        query = select(MObjectField).where(MObjectField.mobject_type == type_name)
        declared = [
            {"name": f.name, "displayName": f.display_name, "dataType": f.data_type}
            | ({"size": f.size} if f.size else {})
            for f in session.scalars(query.order_by(MObjectField.position, MObjectField.name))
        ]
        if declared:
            sections[section] = declared
    return sections


def export_opportunities(session: Session) -> list[dict]:
    """The `opportunities` section, loadable by load_opportunities."""
    return _export_records(session, OPPORTUNITY)


def export_opportunity_person_roles(session: Session) -> list[dict]:
    """The `opportunityPersonRoles` section, loadable (after the leads) by load_opportunity_person_roles."""
    return _export_records(session, ROLE)


def _export_records(session: Session, kind: str) -> list[dict]:
    model = RECORD_MODELS[kind]
    section = []
    rows: ScalarResult[Record] = session.scalars(select(model).order_by(model.id))
    for row in rows:
        links = {_seed_link_key(spec): getattr(row, spec.column) for spec in RECORD_LINKS[kind]}
        section.append(
            {"id": row.id} | {k: v for k, v in links.items() if v is not None} | {"attributes": dict(row.attributes)}
        )
    return section


def export_program_details(session: Session) -> dict[str, list[dict]]:
    """The non-empty `programTags` and `programCosts` sections, loadable by load_program_details."""
    tags = session.scalars(select(ProgramTag).order_by(ProgramTag.program_id, ProgramTag.tag_type))
    costs = session.scalars(select(ProgramCost).order_by(ProgramCost.id))
    sections = {
        "programTags": [{"program": t.program_id, "type": t.tag_type, "value": t.value} for t in tags],
        "programCosts": [
            {
                "id": c.id,
                "program": c.program_id,
                "month": c.month.strftime("%Y-%m"),
                "amount": int(c.amount) if c.amount == int(c.amount) else c.amount,
            }
            | ({"note": c.note} if c.note else {})
            for c in costs
        ],
    }
    return {section: data for section, data in sections.items() if data}


def export_sections(session: Session) -> dict:
    """Every non-empty seed section this module loads: programTags and programCosts (load_program_details),
    companies (load_companies), opportunityFields and opportunityPersonRoleFields (load_mobject_fields),
    opportunities (load_opportunities) and opportunityPersonRoles (load_opportunity_person_roles, after the leads)."""
    sections = export_program_details(session) | export_mobject_fields(session)
    sections |= {
        "companies": export_companies(session),
        "opportunities": export_opportunities(session),
        "opportunityPersonRoles": export_opportunity_person_roles(session),
    }
    return {section: data for section, data in sections.items() if data}


def move_person_roles(session: Session, losing: Lead, winning: Lead) -> None:
    """mergeLeads: the losing person's opportunity roles become the winner's."""
    session.execute(
        update(OpportunityPersonRole).where(OpportunityPersonRole.person_id == losing.id).values(person_id=winning.id)
    )
