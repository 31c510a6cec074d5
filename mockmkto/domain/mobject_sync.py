"""syncMObjects and deleteMObjects (spec sections 11.4, 11.5): a batch of up to 100 MObjects, each
synced or deleted on its own with a status of its own.

Programs take UPDATE only, of their costs and tags (`program_details`); opportunities and roles are
created, updated or deleted with their typed fields and links (`opportunities`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.mobject_fields import OPPORTUNITY, PROGRAM, ROLE, SYNCABLE_TYPES, mobject_fields, mobject_type
from mockmkto.domain.opportunities import (
    RECORD_MODELS,
    Association,
    create_record,
    find_record,
    record_links,
    record_values,
    update_record,
)
from mockmkto.domain.program_details import TypeAttrib, program_change
from mockmkto.store import opportunity_repository, program_repository

SYNC_OPERATIONS = ("INSERT", "UPDATE", "UPSERT")
BATCH_LIMIT = 100


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
            results.append(MObjStatus(obj.id, "FAILED", error.text, _echoed_key(obj.external_key)))
    return results


def _echoed_key(external_key: tuple[str | None, str | None] | None) -> tuple[str | None, str | None] | None:
    """The externalKey a status repeats: only one sent whole, as Marketo's Attrib needs a name and a value."""
    return None if external_key is None or None in external_key else external_key


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
        for row in opportunity_repository.by_ids(session, RECORD_MODELS[kind], list(wanted))
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
    if program_repository.program_by_id(session, obj.id) is None:
        return obj.id, "SKIPPED"
    changes = [program_change(session, obj.id, type_attrib) for type_attrib in obj.type_attribs]
    changed = [change.apply(session, obj.id) for change in changes]
    return obj.id, "UPDATED" if any(changed) else "UNCHANGED"


def _sync_record(
    session: Session, clock: Clock, kind: str, obj: MObjectInput, op: str, records: dict[tuple[str, int], object]
) -> tuple[int | None, str]:
    """Opportunity and OpportunityPersonRole: typed fields, links by association or by id field."""
    if obj.type_attribs:
        raise MarketoError(20110, "typeAttribList is only used with Program objects")
    fields = mobject_fields(session, kind)
    values = record_values(fields, obj.attribs)
    external_key = (
        next(iter(record_values(fields, [_whole_key(obj.external_key)]).items())) if obj.external_key else None
    )
    if external_key:
        values.update([external_key])
    links, by_association = record_links(session, kind, obj.associations, values)
    target = find_record(session, kind, obj.id, external_key, op, by_association, records)
    if target is None:
        if op == "UPDATE":
            return obj.id, "SKIPPED"
        return create_record(session, clock, kind, values, links), "CREATED"
    if op == "INSERT":
        return target.id, "SKIPPED"
    return target.id, update_record(session, clock, kind, target, values, links)


def _whole_key(external_key: tuple[str | None, str | None]) -> tuple[str, str]:
    """An externalKey names a field of the object's type and the value to find it by: both are required."""
    name, value = external_key
    if not name or not name.strip():
        raise MarketoError(20109, "externalKey name is required")
    if value is None:
        raise MarketoError(20109, "externalKey value is required")
    return name, value


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
        row = opportunity_repository.by_id(session, RECORD_MODELS[kind], obj.id)
        if row is None:
            results.append(MObjStatus(obj.id, "UNCHANGED"))
            continue
        opportunity_repository.delete(session, row)
        results.append(MObjStatus(obj.id, "DELETED"))
    return results
