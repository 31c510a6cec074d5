"""Opportunities and their person roles (OpportunityPersonRole): the MObjects with typed fields
and links, as syncMObjects, getMObjects, deleteMObjects and the seed share them.

A record's links (its Company; a role's Opportunity and Lead) are columns of their own, given either
by an association or by an id field (OpportunityId, PersonId); its other fields are attributes typed
by `mobject_fields`. A merged lead's roles follow the winner (`move_person_roles`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.mobject_fields import OPPORTUNITY, ROLE, MObjField, typed_value
from mockmkto.store import mobject_repository, opportunity_repository
from mockmkto.store.mobject_models import Company, Opportunity, OpportunityPersonRole
from mockmkto.store.models import Lead


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
RECORD_LINKS: dict[str, tuple[Link, ...]] = {
    OPPORTUNITY: (Link("Company", "company_id", None, False),),
    ROLE: (Link(OPPORTUNITY, "opportunity_id", "OpportunityId", True), Link("Lead", "person_id", "PersonId", True)),
}
ASSOCIATED_MODELS: dict[str, type[Company | Lead | Opportunity]] = {
    "Company": Company,
    "Lead": Lead,
    OPPORTUNITY: Opportunity,
}


@dataclass
class Association:
    mobj_type: str | None
    id: int | None = None
    external_key: tuple[str | None, str | None] | None = None


def record_values(fields: dict[str, MObjField], pairs: list[tuple[str | None, str | None]]) -> dict[str, str]:
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


def record_links(
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
        if not mobject_repository.has_id(session, model, object_id):
            raise MarketoError(20110, f"{mobj_type} {object_id} not found")
        return object_id
    name, value = external_key or (None, None)
    if not name or value is None:
        raise MarketoError(20109, f"{mobj_type} association needs an id or an externalKey")
    found = mobject_repository.newest_with_attribute(session, model, name, value)
    if found is None:
        raise MarketoError(20110, f"No {mobj_type} with {name} = {value!r}")
    return found.id


def find_record(
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
        return records.get((kind, object_id)) or opportunity_repository.by_id(session, model, object_id)
    if external_key:
        return mobject_repository.newest_with_attribute(session, model, *external_key)
    if op != "UPDATE":
        return None
    if not by_association:
        raise MarketoError(20109, f"id, externalKey or an association is required to update an {kind}")
    return opportunity_repository.newest_linked(session, model, by_association)


def create_record(
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
    attributes = {name: value for name, value in values.items() if value != ""}
    columns = {"attributes": attributes, "created_at": now, "updated_at": now, **links}
    return opportunity_repository.insert(session, RECORD_MODELS[kind], columns, record_id)


def update_record(session: Session, clock: Clock, kind: str, row, values: dict[str, str], links: dict[str, int]) -> str:
    attributes = dict(row.attributes)
    for name, value in values.items():
        if value == "":
            attributes.pop(name, None)
        else:
            attributes[name] = value
    if attributes == row.attributes and all(getattr(row, column) == value for column, value in links.items()):
        return "UNCHANGED"
    opportunity_repository.update(session, row, {"attributes": attributes, **links, "updated_at": clock.now()})
    return "UPDATED"


def move_person_roles(session: Session, losing: Lead, winning: Lead) -> None:
    """mergeLeads: the losing person's opportunity roles become the winner's."""
    opportunity_repository.move_roles(session, losing.id, winning.id)
