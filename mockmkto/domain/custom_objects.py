"""Custom objects: records of seed-declared types linked to leads, behind syncCustomObjects,
getCustomObjects and deleteCustomObjects (spec sections 12.3-12.5).

A type names its key fields (the dedupe key, e.g. MKTOID + rid), the field that links a record to a
lead and the lead field it points at (MKTOID -> Id), and every field with its data type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mockmkto.domain import streams
from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import FieldDef, lead_schema, normalize_value
from mockmkto.domain.lead_keys import email_key, lead_id_value
from mockmkto.domain.mobject_seed import seed_id, seed_map
from mockmkto.domain.mobject_sync import BATCH_LIMIT, SYNC_OPERATIONS
from mockmkto.domain.seed_format import SeedError, description, field_type, items, text
from mockmkto.store import custom_object_repository, lead_repository
from mockmkto.store.db import savepoint
from mockmkto.store.mobject_models import CustomObjectRecord, CustomObjectType
from mockmkto.store.models import Lead

DEFAULT_OPERATION = "UPSERT"
PAGE_LIMIT = 100
# Marketo supports at most 50 fields on a custom object.
FIELD_LIMIT = 50
# An object's key values together, as the store keeps them (`_key_text`, ASCII): PostgreSQL indexes
# no key of more than about 2,700 bytes, where SQLite takes any; past this a key is 20110 on both.
KEY_MAX = 2000

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
    for co_type in custom_object_repository.types(session):
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
            with savepoint(session):
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
        _add_record(session, clock, co_type, keys, attributes)
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


def _add_record(
    session: Session,
    clock: Clock,
    co_type: CustomObjectType,
    keys: dict[str, str],
    attributes: dict[str, str],
    record_id: int | None = None,
) -> None:
    """A new object (its key and lead link already checked); `record_id` keeps a seeded id."""
    kept = {name: value for name, value in attributes.items() if value != ""}
    custom_object_repository.add_record(
        session, co_type.name, _key_text(co_type, keys), keys, kept, clock.now(), record_id
    )


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
    total, rows = custom_object_repository.matching(session, co_type.name, wanted, offset, size)
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
        custom_object_repository.delete_record(session, record)
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
    key = json.dumps([keys[name] for name in co_type.key_fields])
    if len(key) > KEY_MAX:
        raise MarketoError(20110, f"The key values of a {co_type.name} are longer than {KEY_MAX} characters together")
    return key


def _record(session: Session, co_type: CustomObjectType, keys: dict[str, str]) -> CustomObjectRecord | None:
    return custom_object_repository.by_key(session, co_type.name, _key_text(co_type, keys))


def _check_lead(session: Session, co_type: CustomObjectType, value: str) -> None:
    """The link field's value must name a lead by the lead field the type links to."""
    lead_field = co_type.lead_link_field
    if lead_field == "Id":
        found = lead_repository.find_newest(session, "IDNUM", lead_id_value(value))
    elif lead_field == "Email":
        found = lead_repository.find_newest(session, "EMAIL", email_key(value))
    else:
        found = lead_repository.newest_with_attribute(session, lead_field, value)
    if found is None:
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
    "fields": [{"name", "dataType", "size"}]}]; export_custom_object_types writes it."""
    leads = set(lead_schema(session)) | {"Id"}
    loaded = 0
    for path, item in items(doc, "customObjectTypes", ""):
        name = text(item, "name", path)
        if any(t.name.casefold() == name.casefold() for t in custom_object_repository.types(session)):
            raise SeedError(f"{path}.name", f"custom object type {name!r} is already declared")
        fields = []
        for fpath, definition in items(item, "fields", f"{path}."):
            data_type, size = field_type(definition, fpath)
            fields.append({"name": text(definition, "name", fpath), "dataType": data_type, "size": size})
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
        custom_object_repository.add_type(
            session, name, description(item, path), key_fields, link_field, lead_link_field, fields
        )
        loaded += 1
    return loaded


def load_custom_objects(session: Session, clock: Clock, doc: dict) -> int:
    """The seed's `customObjects`, loaded after the leads: [{"id": 1, "type": "Roadshow", "keys": {"MKTOID": 1,
    "rid": "r1"}, "attributes": {"city": "London"}}], checked as syncCustomObjects INSERT checks them."""
    loaded = 0
    for path, item in items(doc, "customObjects", ""):
        try:
            co_type = custom_object_type(session, text(item, "type", path))
        except MarketoError as error:
            raise SeedError(f"{path}.type", error.text) from None
        try:
            keys = _key_values(co_type, list(seed_map(item, "keys", path).items()), complete=True)
        except MarketoError as error:
            raise SeedError(f"{path}.keys", error.text) from None
        try:
            attributes = _attribute_values(co_type, list(seed_map(item, "attributes", path).items()))
        except MarketoError as error:
            raise SeedError(f"{path}.attributes", error.text) from None
        link = co_type.link_field
        link_path = f"{path}.keys.{link}" if link in keys else f"{path}.attributes.{link}"
        linked = keys.get(link, attributes.get(link))
        if not linked:
            raise SeedError(link_path, "is required to link the object to a lead")
        try:
            _check_lead(session, co_type, linked)
        except MarketoError as error:
            raise SeedError(link_path, error.text) from None
        if _record(session, co_type, keys) is not None:
            raise SeedError(f"{path}.keys", f"another {co_type.name} object has this key")
        _add_record(session, clock, co_type, keys, attributes, seed_id(session, CustomObjectRecord, item, path))
        loaded += 1
    return loaded


def export_custom_object_types(session: Session) -> list[dict]:
    """The `customObjectTypes` section, loadable by load_custom_object_types."""
    section = []
    for co_type in custom_object_repository.types(session):
        item = {
            "name": co_type.name,
            "description": co_type.description,
            "keyFields": list(co_type.key_fields),
            "linkField": co_type.link_field,
            "leadLinkField": co_type.lead_link_field,
            "fields": [_field_item(f) for f in co_type.fields],
        }
        section.append({k: v for k, v in item.items() if v != ""})
    return section


def _field_item(definition: dict) -> dict:
    item = {"name": definition["name"], "dataType": definition["dataType"]}
    return item | ({"size": definition["size"]} if definition.get("size") is not None else {})


def export_custom_objects(session: Session) -> list[dict]:
    """The `customObjects` section, by type and id, loadable (after the leads) by load_custom_objects."""
    return [
        {"id": r.id, "type": r.type_name, "keys": dict(r.keys)}
        | ({"attributes": dict(r.attributes)} if r.attributes else {})
        for r in custom_object_repository.records(session)
    ]


EXPORTS = (("customObjectTypes", export_custom_object_types), ("customObjects", export_custom_objects))


def export_sections(session: Session) -> dict:
    """Every non-empty seed section of this module: `customObjectTypes` (load_custom_object_types) and
    `customObjects` (load_custom_objects, after the leads)."""
    return {section: data for section, export in EXPORTS if (data := export(session))}


def relink_to_winner(session: Session, losing: Lead, winning: Lead) -> None:
    """mergeLeads: custom objects linked to the losing lead link to the winner. Where the winner
    already has an object with the same key, the winner's is kept and the loser's is deleted."""
    for co_type in custom_object_repository.types(session):
        old, new = _lead_link_value(co_type, losing), _lead_link_value(co_type, winning)
        if old is None or new is None or old == new:
            continue
        for record in custom_object_repository.of_type(session, co_type.name):
            link = co_type.link_field
            in_keys = link in record.keys
            if str((record.keys if in_keys else record.attributes).get(link)) != old:
                continue
            if in_keys:
                keys = {**record.keys, link: new}
                if _record(session, co_type, keys) is not None:
                    custom_object_repository.delete_record(session, record)
                    continue
                record.keys, record.key = keys, _key_text(co_type, keys)
            else:
                record.attributes = {**record.attributes, link: new}


def _lead_link_value(co_type: CustomObjectType, lead: Lead) -> str | None:
    """The value a custom object's link field holds to point at `lead`."""
    if co_type.lead_link_field == "Id":
        return str(lead.id)
    value = lead.email if co_type.lead_link_field == "Email" else lead.attributes.get(co_type.lead_link_field)
    return str(value) if value else None
