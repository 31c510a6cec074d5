"""The MObject area's seed sections: each exporter writes what its loader reads (export -> load -> export is
identical, ids kept), the sections that reference leads load after them, and the admin listing."""

from __future__ import annotations

import copy
import json
from datetime import datetime

import pytest

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import custom_objects, mobject_seed, tags
from mockmkto.domain.custom_objects import CustomObjectInput, sync_custom_objects
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.instance import Instance
from mockmkto.domain.mobject_listing import list_mobjects
from mockmkto.domain.mobject_sync import MObjectInput, sync_mobjects
from mockmkto.domain.program_details import TypeAttrib
from mockmkto.domain.seed_format import SeedError, read_seed_file
from mockmkto.store import mobject_models
from mockmkto.store.models import Base

AREA_MODULES = (tags, mobject_seed, custom_objects)
AREA_TABLES = [
    model.__table__
    for model in vars(mobject_models).values()
    if isinstance(model, type) and issubclass(model, Base) and model.__module__ == mobject_models.__name__
]
SECTIONS = (
    "tags",
    "channels",
    "programTags",
    "programCosts",
    "companies",
    "opportunityFields",
    "opportunityPersonRoleFields",
    "opportunities",
    "opportunityPersonRoles",
    "customObjectTypes",
    "customObjects",
)
ROLES = [
    {
        "id": 21,
        "OpportunityId": 11,
        "PersonId": 1,
        "attributes": {
            "Role": "Decision Maker",
            "IsPrimary": True,
            "ExternalCreatedDate": "2013-06-01T10:00:00+00:00",
            "Influence": 9,
        },
    },
    {"id": 22, "OpportunityId": 11, "PersonId": 2, "attributes": {"Role": "Technical Buyer", "IsPrimary": False}},
]
RECORDS = [
    {"id": 7, "type": "roadshow", "keys": {"MKTOID": 3, "rid": "RS-MUC"}, "attributes": {"city": "Munich"}},
    {"id": 4, "type": "Roadshow", "keys": {"MKTOID": 1, "rid": "RS-LON"}, "attributes": {"city": "London", "zip": ""}},
]


def area_doc() -> dict:
    """The default seed plus every MObject section it lacks: role fields and roles, custom objects, a cost with
    a fractional amount and no note."""
    doc = copy.deepcopy(read_seed_file(DEFAULT_SEED))
    doc["opportunityPersonRoleFields"] = [{"name": "Influence", "displayName": "Influence", "dataType": "integer"}]
    doc["programCosts"].append({"program": 1002, "month": "2014-02-14", "amount": 99.5})
    return doc | {"opportunityPersonRoles": copy.deepcopy(ROLES), "customObjects": copy.deepcopy(RECORDS)}


def fresh(doc: dict) -> Instance:
    instance = Instance("t", "sqlite://")
    instance.load(doc)
    return instance


def export(instance: Instance) -> dict:
    with instance.store.session() as session:
        sections = {}
        for module in AREA_MODULES:
            sections |= module.export_sections(session)
        return sections


def reload(doc: dict, instance: Instance) -> Instance:
    """A fresh instance from `doc`'s other sections (programs, leads, ...) and the area's export of `instance`."""
    others = {section: data for section, data in doc.items() if section not in SECTIONS}
    return fresh(others | export(instance))


def area_rows(instance: Instance) -> dict[str, list[str]]:
    """Every row of the area's tables but its times (a seed carries none: objects take the time they are loaded)."""
    with instance.store.session() as session:
        return {
            table.name: sorted(
                json.dumps({k: v for k, v in row.items() if not k.endswith("_at")}, default=str, sort_keys=True)
                for row in session.execute(table.select()).mappings()
            )
            for table in AREA_TABLES
        }


@pytest.fixture(scope="module")
def round_trip() -> tuple[dict, dict]:
    doc = area_doc()
    first = export(fresh(doc))
    return first, export(reload(doc, fresh(doc)))


def test_the_area_tables_hold_the_same_rows_after_export_and_load():
    original = fresh(area_doc())
    rows = area_rows(original)
    assert len(AREA_TABLES) == 10 and all(rows.values())
    assert area_rows(reload(area_doc(), original)) == rows


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_survives_export_load_export(round_trip, section):
    first, second = round_trip
    assert first[section]
    assert second[section] == first[section]


def test_the_exports_hold_only_the_area_sections(round_trip):
    first, second = round_trip
    assert list(first) == list(second)
    assert set(first) == set(SECTIONS)


def test_roles_and_records_keep_their_ids_and_typed_values(round_trip):
    first, _ = round_trip
    assert first["opportunityPersonRoles"] == [
        {
            "id": 21,
            "OpportunityId": 11,
            "PersonId": 1,
            "attributes": {
                "Role": "Decision Maker",
                "IsPrimary": "true",
                "ExternalCreatedDate": "2013-06-01T10:00:00+00:00",
                "Influence": "9",
            },
        },
        {"id": 22, "OpportunityId": 11, "PersonId": 2, "attributes": {"Role": "Technical Buyer", "IsPrimary": "false"}},
    ]
    # By type, then id; the type as declared, an empty attribute left out.
    assert first["customObjects"] == [
        {"id": 4, "type": "Roadshow", "keys": {"MKTOID": "1", "rid": "RS-LON"}, "attributes": {"city": "London"}},
        {"id": 7, "type": "Roadshow", "keys": {"MKTOID": "3", "rid": "RS-MUC"}, "attributes": {"city": "Munich"}},
    ]


def test_costs_export_their_month_and_a_json_number(round_trip):
    first, _ = round_trip
    assert first["programCosts"][0] == {"id": 153, "program": 1001, "month": "2013-06", "amount": 1500, "note": "Venue"}
    assert first["programCosts"][1] == {"id": 154, "program": 1002, "month": "2014-02", "amount": 99.5}


def test_tags_keep_their_declared_order(round_trip):
    first, _ = round_trip
    assert [t["type"] for t in first["tags"]] == ["Region", "Product"]


def test_a_state_reached_through_the_api_round_trips(instance):
    with instance.store.session() as session:
        cost = TypeAttrib("Cost", [("Month", "2015-03"), ("Amount", "12.25"), ("Note", "Ads")])
        tag = TypeAttrib("Tag", [("Type", "channel"), ("Value", "tradeshow")])
        role = MObjectInput("OpportunityPersonRole", attribs=[("OpportunityId", "11"), ("PersonId", "3")])
        opportunity = MObjectInput("Opportunity", attribs=[("Name", "Jacquard Loom"), ("Probability", "40%")])
        statuses = sync_mobjects(
            session, instance.clock, [MObjectInput("Program", 1002, type_attribs=[cost, tag])], "UPDATE"
        )
        statuses += sync_mobjects(session, instance.clock, [role, opportunity], "INSERT")
        statuses += sync_custom_objects(
            session,
            instance.clock,
            "Roadshow",
            [CustomObjectInput([("MKTOID", "2"), ("rid", "r1")], [("city", "Oslo")])],
            None,
        )
    assert [s.status for s in statuses] == ["UPDATED", "CREATED", "CREATED", "CREATED"]
    first = export(instance)
    assert {"opportunityPersonRoles", "customObjects"} <= set(first)
    reloaded = reload(read_seed_file(DEFAULT_SEED), instance)
    assert export(reloaded) == first
    assert area_rows(reloaded) == area_rows(instance)


def test_after_lead_sections_may_reference_leads_of_the_same_document():
    doc = area_doc()
    doc["leads"].append({"Id": 40, "Email": "babbage@example.com"})
    doc["opportunityPersonRoles"].append({"OpportunityId": 11, "PersonId": 40, "attributes": {"Role": "User"}})
    doc["customObjects"].append({"type": "Roadshow", "keys": {"MKTOID": 40, "rid": "RS-CAM"}})
    loaded = fresh(doc)
    with loaded.store.session() as session:
        roles = list_mobjects(session, "OpportunityPersonRole")
    assert [(r["id"], r["attribs"]["PersonId"]) for r in roles] == [(21, "1"), (22, "2"), (23, "40")]
    assert export(loaded)["customObjects"][-1] == {
        "id": 8,
        "type": "Roadshow",
        "keys": {"MKTOID": "40", "rid": "RS-CAM"},
    }


ROLE = {"OpportunityId": 11, "PersonId": 1}
RECORD = {"type": "Roadshow", "keys": {"MKTOID": 1, "rid": "x"}}


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"opportunityPersonRoles": [ROLE | {"PersonId": 99}]}, "opportunityPersonRoles[0].PersonId"),
        ({"opportunityPersonRoles": [ROLE | {"PersonId": "1"}]}, "opportunityPersonRoles[0].PersonId"),
        ({"opportunityPersonRoles": [{"OpportunityId": 11}]}, "opportunityPersonRoles[0].PersonId"),
        ({"opportunityPersonRoles": [ROLE | {"OpportunityId": 64}]}, "opportunityPersonRoles[0].OpportunityId"),
        (
            {"opportunityPersonRoles": [ROLE | {"attributes": {"personid": 2}}]},
            "opportunityPersonRoles[0].attributes.PersonId",
        ),
        (
            {"opportunityPersonRoles": [ROLE | {"attributes": {"IsPrimary": "maybe"}}]},
            "opportunityPersonRoles[0].attributes",
        ),
        ({"opportunityPersonRoles": [ROLE | {"attributes": {"Stage": "Won"}}]}, "opportunityPersonRoles[0].attributes"),
        ({"opportunityPersonRoles": [ROLE | {"id": 5}, ROLE | {"id": 5}]}, "opportunityPersonRoles[1].id"),
        ({"opportunityPersonRoles": [ROLE | {"id": 0}]}, "opportunityPersonRoles[0].id"),
        ({"customObjects": [RECORD | {"keys": {"MKTOID": 99, "rid": "x"}}]}, "customObjects[0].keys.MKTOID"),
        ({"customObjects": [RECORD | {"type": "Webinar"}]}, "customObjects[0].type"),
        ({"customObjects": [RECORD | {"keys": {"MKTOID": 1}}]}, "customObjects[0].keys"),
        ({"customObjects": [RECORD | {"keys": {"MKTOID": "one", "rid": "x"}}]}, "customObjects[0].keys"),
        ({"customObjects": [RECORD | {"attributes": {"country": "UK"}}]}, "customObjects[0].attributes"),
        ({"customObjects": [RECORD, RECORD]}, "customObjects[1].keys"),
        (
            {"customObjects": [RECORD | {"id": 3}, RECORD | {"id": 3, "keys": {"MKTOID": 2, "rid": "y"}}]},
            "customObjects[1].id",
        ),
        ({"programCosts": [{"id": 153, "program": 1001, "month": "2013-07", "amount": 1}]}, "programCosts[0].id"),
        ({"opportunities": [{"id": 11}]}, "opportunities[0].id"),
        ({"companies": [{"id": 501, "name": "Again"}]}, "companies[0].id"),
        ({"tags": [{"type": "region", "values": ["Mars"]}]}, "tags[0].type"),
        ({"channels": [{"name": "Blog"}, {"name": "BLOG"}]}, "channels[1].name"),
        ({"opportunityFields": [{"name": "externalopportunityid"}]}, "opportunityFields[0].name"),
        (
            {"opportunityPersonRoleFields": [{"name": "Seniority"}, {"name": "Seniority"}]},
            "opportunityPersonRoleFields[1].name",
        ),
        ({"customObjectTypes": [{"name": "ROADSHOW"}]}, "customObjectTypes[0].name"),
    ],
)
def test_bad_sections_name_their_path_and_change_nothing(instance, section, path):
    before = export(instance)
    with pytest.raises(SeedError) as raised:
        instance.load(section)
    assert raised.value.path == path
    assert export(instance) == before


def test_list_mobjects_gives_the_seeded_opportunity_and_its_roles():
    with fresh(area_doc()).store.session() as session:
        (opportunity,) = list_mobjects(session, "Opportunity")
        roles = list_mobjects(session, "opportunitypersonrole")
        everything = list_mobjects(session, None)
    assert opportunity["type"] == "Opportunity" and opportunity["id"] == 11
    assert opportunity["externalKey"] == {"name": "ExternalOpportunityId", "value": "SF-OPP-0011"}
    assert opportunity["attribs"]["Name"] == "Difference Engine Upgrade"
    assert opportunity["associations"] == [{"type": "Company", "id": 501}]
    assert datetime.fromisoformat(opportunity["createdAt"]) == datetime.fromisoformat(opportunity["updatedAt"])
    assert [(r["type"], r["id"]) for r in roles] == [("OpportunityPersonRole", 21), ("OpportunityPersonRole", 22)]
    assert roles[0]["attribs"] == {
        "OpportunityId": "11",
        "PersonId": "1",
        "Role": "Decision Maker",
        "IsPrimary": "true",
        "ExternalCreatedDate": "2013-06-01T10:00:00+00:00",
        "Influence": "9",
    }
    assert roles[0]["externalKey"] == {"name": "Influence", "value": "9"}
    assert roles[1]["externalKey"] is None
    assert roles[0]["associations"] == [{"type": "Opportunity", "id": 11}, {"type": "Lead", "id": 1}]
    assert [item["type"] for item in everything] == ["Program"] * 3 + ["Opportunity"] + ["OpportunityPersonRole"] * 2
    webinar = everything[0]
    assert webinar["tags"] == [{"Type": "Channel", "Value": "Webinar"}, {"Type": "Region", "Value": "North America"}]
    assert webinar["costs"] == [{"Id": "153", "Month": "2013-06-01", "Amount": "1500", "Note": "Venue"}]
    assert everything[1]["tags"] == [] and everything[1]["costs"] == [
        {"Id": "154", "Month": "2014-02-01", "Amount": "99.5"}
    ]
    assert json.loads(json.dumps(everything)) == everything


def test_list_mobjects_of_an_unknown_type_is_20110(session):
    with pytest.raises(MarketoError) as raised:
        list_mobjects(session, "Company")
    assert raised.value.code == 20110
