"""The MObject area's seed sections: programTags and programCosts, companies, opportunityFields and
opportunityPersonRoleFields, opportunities and opportunityPersonRoles.

Each loader has an exporter writing what it loads, so export -> load -> export is identical; records
are checked as syncMObjects INSERT checks them. `seed_id` and `seed_map` serve the custom objects too.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mockmkto.domain.clock import Clock
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.mobject_fields import OPPORTUNITY, ROLE, STANDARD_FIELDS, declared_fields
from mockmkto.domain.opportunities import (
    ASSOCIATED_MODELS,
    RECORD_LINKS,
    RECORD_MODELS,
    Link,
    create_record,
    record_values,
)
from mockmkto.domain.program_details import TagChange, cost_amount, cost_month
from mockmkto.domain.seed_format import SeedError, field_type, items, optional_id, text
from mockmkto.domain.tags import find_tag
from mockmkto.domain.values import whole_number
from mockmkto.store import mobject_repository, opportunity_repository, program_repository
from mockmkto.store.mobject_models import Company, ProgramCost
from mockmkto.store.models import Base

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
        mobject_repository.add_company(session, text(item, "name", path), attributes, company_id)
        loaded += 1
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
            if name.casefold() in {declared.casefold() for declared in declared_fields(session, type_name)}:
                raise SeedError(f"{path}.name", f"{name} is already a field of {type_name}")
            data_type, size = field_type(item, path)
            display_name = text(item, "displayName", path, required=False) or name
            mobject_repository.add_field(session, type_name, name, position, display_name, data_type, size)
            loaded += 1
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
    fields = declared_fields(session, kind)
    loaded = 0
    for path, item in items(doc, RECORD_SECTIONS[kind], ""):
        links = {}
        for spec in RECORD_LINKS[kind]:
            value = item.get(_seed_link_key(spec))
            if value is None and not spec.required:
                continue
            model = ASSOCIATED_MODELS[spec.mobj_type]
            if whole_number(value, 1) and mobject_repository.has_id(session, model, value):
                links[spec.column] = value
            else:
                raise SeedError(f"{path}.{_seed_link_key(spec)}", f"no {spec.mobj_type} with id {value!r}")
        try:
            values = record_values(fields, list(seed_map(item, "attributes", path).items()))
        except MarketoError as error:
            raise SeedError(f"{path}.attributes", error.text) from None
        misplaced = next((spec.field for spec in RECORD_LINKS[kind] if spec.field in values), None)
        if misplaced:
            raise SeedError(f"{path}.attributes.{misplaced}", f"give {misplaced} beside the attributes")
        create_record(session, clock, kind, values, links, seed_id(session, RECORD_MODELS[kind], item, path))
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
            TagChange(*find_tag(session, text(item, "type", path), text(item, "value", path))).apply(
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
            month, amount = cost_month(text(item, "month", path)), cost_amount(given)
        except MarketoError as error:
            raise SeedError(path, error.text) from None
        note = text(item, "note", path, required=False)
        cost_id = seed_id(session, ProgramCost, item, path)
        program_repository.add_program_cost(session, program_id, month, amount, note, cost_id)
        loaded += 1
    return loaded


def _seed_program(session: Session, item: dict, path: str) -> int:
    program_id = item.get("program")
    if whole_number(program_id, 1) and program_repository.program_by_id(session, program_id) is not None:
        return program_id
    raise SeedError(f"{path}.program", f"unknown program {program_id!r}")


def seed_id(session: Session, model: type[Base], item: dict, path: str) -> int | None:
    """The item's `id`: a positive integer no row of `model` has yet (a seed may load onto a state), or None."""
    value = optional_id(item, path)
    if value is None:
        return None
    if mobject_repository.has_id(session, model, value):
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
        {"id": c.id, "name": c.name, "attributes": dict(c.attributes)} for c in mobject_repository.companies(session)
    ]


def export_mobject_fields(session: Session) -> dict[str, list[dict]]:
    """The non-empty `opportunityFields` and `opportunityPersonRoleFields` sections, loadable by load_mobject_fields."""
    sections = {}
    for section, type_name in FIELD_SECTIONS:
        declared = [
            {"name": f.name, "displayName": f.display_name, "dataType": f.data_type}
            | ({"size": f.size} if f.size else {})
            for f in mobject_repository.fields(session, type_name)
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
    section = []
    for row in opportunity_repository.records(session, RECORD_MODELS[kind]):
        links = {_seed_link_key(spec): getattr(row, spec.column) for spec in RECORD_LINKS[kind]}
        section.append(
            {"id": row.id} | {k: v for k, v in links.items() if v is not None} | {"attributes": dict(row.attributes)}
        )
    return section


def export_program_details(session: Session) -> dict[str, list[dict]]:
    """The non-empty `programTags` and `programCosts` sections, loadable by load_program_details."""
    tags = program_repository.program_tags(session)
    costs = program_repository.program_costs(session)
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
