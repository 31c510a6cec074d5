"""Custom objects: records of seed-declared types linked to leads, behind syncCustomObjects,
getCustomObjects and deleteCustomObjects (spec sections 12.3-12.5).

A type names its key fields (the dedupe key, e.g. MKTOID + rid), the field that links a record to a
lead and the lead field it points at (MKTOID -> Id), and every field with its data type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mockmkto.domain import streams
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import DATA_TYPES, FieldDef, lead_schema, normalize_value
from mockmkto.domain.leads import email_key
from mockmkto.domain.mobjects import BATCH_LIMIT, SYNC_OPERATIONS
from mockmkto.domain.seed_format import SeedError, items, text
from mockmkto.store.mobject_models import CustomObjectRecord, CustomObjectType
from mockmkto.store.models import Lead

DEFAULT_OPERATION = "UPSERT"
PAGE_LIMIT = 100
# Marketo supports at most 50 fields on a custom object.
FIELD_LIMIT = 50

Pairs = list[tuple[str | None, str | None]]


@dataclass
class CustomObjectInput:
    keys: Pairs
    attributes: Pairs = field(default_factory=list)


@dataclass
class CustomObjectStatus:
    """A per-object outcome: the type as stored, the key as sent, a SyncStatusEnum value and the error."""

    obj_type_name: str
    keys: list[tuple[str, str]]
    status: str
    error: str | None = None


@dataclass
class CustomObjectView:
    keys: list[tuple[str, str]]
    attributes: list[tuple[str, str]]


@dataclass
class CustomObjectPage:
    obj_type_name: str
    return_count: int
    remaining_count: int
    stream_position: str
    objects: list[CustomObjectView]


def custom_object_type(session: Session, name: str | None) -> CustomObjectType:
    """The type named (case-insensitively); 20109 when no name is sent, 20110 when it is unknown."""
    if not name or not name.strip():
        raise MarketoError(20109, "objTypeName is required")
    for co_type in session.scalars(select(CustomObjectType)):
        if co_type.name.casefold() == name.strip().casefold():
            return co_type
    raise MarketoError(20110, f"Unknown custom object type {name!r}")


def sync_custom_objects(
    session: Session, clock: Clock, type_name: str | None, objects: list[CustomObjectInput], operation: str | None
) -> list[CustomObjectStatus]:
    """syncCustomObjects: INSERT, UPDATE or UPSERT (the default) each object on its own, up to 100 a call.

    Only the WSDL's statuses are used: an object the mode leaves out is FAILED with the reason.
    """
    co_type = custom_object_type(session, type_name)
    op = (operation or DEFAULT_OPERATION).strip().upper()
    if op not in SYNC_OPERATIONS:
        raise MarketoError(20110, f"operation must be one of {', '.join(SYNC_OPERATIONS)}")
    _check_batch(objects)
    results = []
    for obj in objects:
        sent = _as_sent(obj.keys)
        try:
            with session.begin_nested():
                status = _sync_one(session, clock, co_type, obj, op)
            results.append(CustomObjectStatus(co_type.name, sent, status))
        except MarketoError as error:
            results.append(CustomObjectStatus(co_type.name, sent, "FAILED", error.text))
    return results


def _sync_one(session: Session, clock: Clock, co_type: CustomObjectType, obj: CustomObjectInput, op: str) -> str:
    keys = _key_values(co_type, obj.keys, complete=True)
    attributes = _attribute_values(co_type, obj.attributes)
    link = keys.get(co_type.link_field, attributes.get(co_type.link_field))
    if link:
        _check_lead(session, co_type, link)
    record = _record(session, co_type, keys)
    if record is None:
        if op == "UPDATE":
            raise MarketoError(20110, "No such custom object to update (UPDATE only updates existing objects)")
        if not link:
            raise MarketoError(20109, f"{co_type.link_field} is required to link the object to a lead")
        now = clock.now()
        values = {name: value for name, value in attributes.items() if value != ""}
        session.add(
            CustomObjectRecord(
                type_name=co_type.name,
                key=_key_text(co_type, keys),
                keys=keys,
                attributes=values,
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        return "CREATED"
    if op == "INSERT":
        raise MarketoError(20110, "The custom object already exists (INSERT only inserts new objects)")
    merged = dict(record.attributes)
    for name, value in attributes.items():
        if value == "":
            merged.pop(name, None)
        else:
            merged[name] = value
    if merged != record.attributes:
        record.attributes = merged
        record.updated_at = clock.now()
    return "UPDATED"


def get_custom_objects(
    session: Session,
    type_name: str | None,
    keys: Pairs | None = None,
    include_attributes: list[str] | None = None,
    batch_size: int | None = None,
    stream_position: str | None = None,
) -> CustomObjectPage:
    """getCustomObjects: the objects matching zero or one (possibly partial) key, in key order, in pages.

    `includeAttributes` names the fields to return (empty: all); names that are not fields are ignored.
    """
    co_type = custom_object_type(session, type_name)
    size = PAGE_LIMIT if batch_size is None else min(batch_size, PAGE_LIMIT)
    if size <= 0:
        raise MarketoError(20110, "batchSize must be positive")
    wanted = _key_values(co_type, keys or [], complete=False)
    query_id = streams.fingerprint(co_type.name, sorted(wanted.items()))
    offset = streams.decode(stream_position, query_id)["offset"] if stream_position and stream_position.strip() else 0
    query = select(CustomObjectRecord).where(CustomObjectRecord.type_name == co_type.name)
    for name, value in wanted.items():
        query = query.where(CustomObjectRecord.keys[name].as_string() == value)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(query.order_by(CustomObjectRecord.key, CustomObjectRecord.id).offset(offset).limit(size))
    included = {n.strip().casefold() for n in include_attributes or () if n and n.strip()}
    views = [_view(co_type, row, included) for row in rows]
    return CustomObjectPage(
        co_type.name,
        len(views),
        max(total - offset - len(views), 0),
        streams.encode(query_id, offset=offset + len(views)),
        views,
    )


def delete_custom_objects(session: Session, type_name: str | None, key_lists: list[Pairs]) -> list[CustomObjectStatus]:
    """deleteCustomObjects: DELETED, or FAILED (with the reason) for an unknown, incomplete or bad key."""
    co_type = custom_object_type(session, type_name)
    _check_batch(key_lists)
    results = []
    for key_list in key_lists:
        sent = _as_sent(key_list)
        try:
            record = _record(session, co_type, _key_values(co_type, key_list, complete=True))
        except MarketoError as error:
            results.append(CustomObjectStatus(co_type.name, sent, "FAILED", error.text))
            continue
        if record is None:
            # The WSDL's SyncStatusEnum has no UNCHANGED: a key that names nothing is FAILED.
            results.append(CustomObjectStatus(co_type.name, sent, "FAILED", f"No {co_type.name} object has this key"))
            continue
        session.delete(record)
        session.flush()
        results.append(CustomObjectStatus(co_type.name, sent, "DELETED"))
    return results


def _check_batch(objects: list) -> None:
    if len(objects) > BATCH_LIMIT:
        raise MarketoError(20110, f"At most {BATCH_LIMIT} custom objects per call, got {len(objects)}")


def _as_sent(pairs: Pairs) -> list[tuple[str, str]]:
    return [(name or "", value or "") for name, value in pairs]


def _field(co_type: CustomObjectType, name: str | None) -> dict | None:
    key = (name or "").strip().casefold()
    return next((f for f in co_type.fields if f["name"].casefold() == key), None)


def _typed(definition: dict, value: str | None) -> str:
    return normalize_value(
        FieldDef(definition["name"], definition["name"], definition["dataType"], definition.get("size")), value or ""
    )


def _key_values(co_type: CustomObjectType, pairs: Pairs, complete: bool) -> dict[str, str]:
    """Key field -> typed value; every key field is needed when `complete` (to name one object)."""
    values = {}
    for name, value in pairs:
        definition = _field(co_type, name)
        if definition is None or definition["name"] not in co_type.key_fields:
            raise MarketoError(20110, f"{name!r} is not a key field of {co_type.name}")
        typed = _typed(definition, value)
        if typed == "":
            raise MarketoError(20109, f"Key field {definition['name']} needs a value")
        values[definition["name"]] = typed
    missing = [name for name in co_type.key_fields if name not in values]
    if complete and missing:
        raise MarketoError(20109, f"Key field {missing[0]} is required")
    return values


def _attribute_values(co_type: CustomObjectType, pairs: Pairs) -> dict[str, str]:
    values = {}
    for name, value in pairs:
        definition = _field(co_type, name)
        if definition is None:
            raise MarketoError(20110, f"Unknown field {name!r} of {co_type.name}")
        if definition["name"] in co_type.key_fields:
            raise MarketoError(20110, f"{definition['name']} is a key field: send it in customObjKeyList")
        values[definition["name"]] = _typed(definition, value)
    return values


def _key_text(co_type: CustomObjectType, keys: dict[str, str]) -> str:
    return json.dumps([keys[name] for name in co_type.key_fields])


def _record(session: Session, co_type: CustomObjectType, keys: dict[str, str]) -> CustomObjectRecord | None:
    query = select(CustomObjectRecord).where(
        CustomObjectRecord.type_name == co_type.name, CustomObjectRecord.key == _key_text(co_type, keys)
    )
    return session.scalar(query)


def _check_lead(session: Session, co_type: CustomObjectType, value: str) -> None:
    """The link field's value must name a lead by the lead field the type links to."""
    lead_field = co_type.lead_link_field
    if lead_field == "Id":
        found = value.isdigit() and session.get(Lead, int(value)) is not None
    elif lead_field == "Email":
        found = session.scalar(select(Lead.id).where(Lead.email == email_key(value)).limit(1)) is not None
    else:
        found = session.scalar(select(Lead.id).where(Lead.attributes[lead_field].as_string() == value).limit(1))
    if not found:
        raise MarketoError(20110, f"No lead with {lead_field} = {value} to link the object to")


def _view(co_type: CustomObjectType, row: CustomObjectRecord, included: set[str]) -> CustomObjectView:
    keys = [(name, row.keys[name]) for name in co_type.key_fields]
    attributes = sorted(
        ((name, value) for name, value in row.attributes.items() if not included or name.casefold() in included),
        key=lambda pair: pair[0].casefold(),
    )
    return CustomObjectView(keys, attributes)


def load_custom_object_types(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `customObjectTypes`: [{"name", "description", "keyFields", "linkField", "leadLinkField",
    "fields": [{"name", "dataType", "size"}]}]."""
    leads = set(lead_schema(session)) | {"Id"}
    loaded = 0
    for path, item in items(doc, "customObjectTypes", ""):
        fields = []
        for fpath, definition in items(item, "fields", f"{path}."):
            data_type = definition.get("dataType", "string")
            if data_type not in DATA_TYPES:
                raise SeedError(f"{fpath}.dataType", f"must be one of {', '.join(DATA_TYPES)}")
            fields.append(
                {"name": text(definition, "name", fpath), "dataType": data_type, "size": definition.get("size")}
            )
        names = [f["name"] for f in fields]
        if not fields or len(fields) > FIELD_LIMIT:
            raise SeedError(f"{path}.fields", f"must declare 1 to {FIELD_LIMIT} fields")
        key_fields = item.get("keyFields")
        if not isinstance(key_fields, list) or not key_fields or any(k not in names for k in key_fields):
            raise SeedError(f"{path}.keyFields", "must list one or more of the type's fields")
        link_field = text(item, "linkField", path)
        if link_field not in names:
            raise SeedError(f"{path}.linkField", f"{link_field!r} is not a field of the type")
        lead_link_field = text(item, "leadLinkField", path, required=False) or "Id"
        if lead_link_field not in leads:
            raise SeedError(f"{path}.leadLinkField", f"{lead_link_field!r} is not a lead field")
        session.add(
            CustomObjectType(
                name=text(item, "name", path),
                description=item.get("description", ""),
                key_fields=key_fields,
                link_field=link_field,
                lead_link_field=lead_link_field,
                fields=fields,
            )
        )
        loaded += 1
    session.flush()
    return loaded
