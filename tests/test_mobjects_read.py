"""getMObjects, deleteMObjects and describeMObject through the domain (spec sections 11.2, 11.3, 11.5)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_fields import lead_schema
from mockmkto.domain.mobject_fields import OPPORTUNITY_FIELDS, describe_mobject
from mockmkto.domain.mobject_queries import Criterion, get_mobjects
from mockmkto.domain.mobject_sync import MObjectInput, delete_mobjects, sync_mobjects
from mockmkto.domain.opportunities import Association
from mockmkto.domain.seed import load_seed
from mockmkto.domain.seed_format import SeedError
from mockmkto.store.mobject_models import Opportunity, OpportunityPersonRole

PROGRAM_ID = 1001
SEEDED_OPPORTUNITY_ID = 11
ADA, GRACE = 1, 2


def add_opportunities(session, clock, count: int, **fields) -> list[int]:
    objects = [MObjectInput("Opportunity", attribs=[("Name", f"Deal {n}")], **fields) for n in range(count)]
    batches = [objects[start : start + 100] for start in range(0, count, 100)]
    return [status.id for batch in batches for status in sync_mobjects(session, clock, batch, "INSERT")]


def add_role(session, clock, opportunity_id: int, person_id: int, role: str = "User") -> int:
    attribs = [("OpportunityId", str(opportunity_id)), ("PersonId", str(person_id)), ("Role", role)]
    (status,) = sync_mobjects(session, clock, [MObjectInput("OpportunityPersonRole", attribs=attribs)], "INSERT")
    return status.id


def ids(page) -> list[int]:
    return [view.id for view in page.objects]


# getMObjects: Program ----------------------------------------------------------------------------


def test_get_mobjects_program_carries_name_type_workspace_tree_path_and_archive_flag(session):
    (view,) = get_mobjects(session, "Program", PROGRAM_ID).objects
    assert view.attribs == [
        ("Name", "Spring Webinar"),
        ("Type", "Marketing Program"),
        ("Workspace Id", "1"),
        ("Workspace Name", "Default"),
        ("Tree Path", "/Marketing Activities/Default/Spring Webinar"),
        ("Is Archived", "false"),
    ]


def test_get_mobjects_program_carries_its_tags_costs_and_tokens(session):
    (view,) = get_mobjects(session, "Program", PROGRAM_ID).objects
    assert view.type_attribs == [
        ("Tag", [("Type", "Channel"), ("Value", "Webinar")]),
        ("Tag", [("Type", "Region"), ("Value", "North America")]),
        ("Cost", [("Id", "153"), ("Month", "2013-06-01"), ("Amount", "1500"), ("Note", "Venue")]),
        ("Token", [("Name", "message"), ("Value", "Welcome to our spring webinar")]),
        ("Token", [("Name", "speaker"), ("Value", "Ada Lovelace")]),
    ]


def test_get_mobjects_program_without_details_leaves_type_attribs_out(session):
    (view,) = get_mobjects(session, "Program", PROGRAM_ID, include_details=False).objects
    assert view.type_attribs == []
    assert dict(view.attribs)["Name"] == "Spring Webinar"


def test_get_mobjects_program_criteria_compare_id_and_name(session):
    page = get_mobjects(
        session,
        "Program",
        criteria=[Criterion("Id", "LE", "1010"), Criterion("Name", "NE", "spring webinar")],
    )
    assert ids(page) == [1002, 1003]


def test_get_mobjects_program_by_tag_type_and_value(session):
    by_channel = [Criterion("Tag Type", "EQ", "Channel"), Criterion("Tag Value", "EQ", "Webinar")]
    assert ids(get_mobjects(session, "Program", criteria=by_channel)) == [PROGRAM_ID]
    untagged = get_mobjects(session, "Program", criteria=[Criterion("Tag Type", "NE", "Channel")])
    assert PROGRAM_ID not in ids(untagged)


def test_get_mobjects_program_takes_only_one_tag_type_criterion(session):
    twice = [Criterion("Tag Type", "EQ", "Channel"), Criterion("Tag Type", "EQ", "Region")]
    with pytest.raises(MarketoError) as raised:
        get_mobjects(session, "Program", criteria=twice)
    assert raised.value.code == 20110


def test_get_mobjects_program_by_workspace(session):
    assert PROGRAM_ID in ids(get_mobjects(session, "Program", criteria=[Criterion("Workspace Name", "EQ", "Default")]))
    assert ids(get_mobjects(session, "Program", criteria=[Criterion("Workspace Name", "EQ", "EMEA")])) == []


# getMObjects: Opportunity and role ---------------------------------------------------------------


def test_get_mobjects_opportunity_by_id_with_its_fields_and_company(session):
    (view,) = get_mobjects(session, "Opportunity", SEEDED_OPPORTUNITY_ID).objects
    assert view.attribs == [
        ("Amount", "50000.0"),
        ("CloseDate", "2013-12-31"),
        ("Name", "Difference Engine Upgrade"),
        ("Stage", "Prospecting"),
        ("ExternalOpportunityId", "SF-OPP-0011"),
    ]
    assert view.associations == [("Company", 501)]
    assert view.created_at is not None and view.updated_at is not None


def test_get_mobjects_opportunity_by_external_key(session):
    page = get_mobjects(session, "Opportunity", external_key=("ExternalOpportunityId", "SF-OPP-0011"))
    assert ids(page) == [SEEDED_OPPORTUNITY_ID]


def test_get_mobjects_takes_at_most_one_unique_id(session):
    with pytest.raises(MarketoError) as raised:
        get_mobjects(session, "Opportunity", SEEDED_OPPORTUNITY_ID, ("ExternalOpportunityId", "SF-OPP-0011"))
    assert raised.value.code == 20110


@pytest.mark.parametrize(
    ("comparison", "value", "expected"),
    [("EQ", "50000", [11]), ("NE", "50000", [12]), ("LT", "50000", [12]), ("GE", "900", [11, 12])],
)
def test_get_mobjects_criteria_compare_numbers_as_numbers(session, clock, comparison, value, expected):
    sync_mobjects(session, clock, [MObjectInput("Opportunity", attribs=[("Amount", "900")])], "INSERT")
    assert ids(get_mobjects(session, "Opportunity", criteria=[Criterion("Amount", comparison, value)])) == expected


def test_get_mobjects_criteria_on_an_unknown_field_is_a_bad_parameter(session):
    with pytest.raises(MarketoError) as raised:
        get_mobjects(session, "Opportunity", criteria=[Criterion("Colour", "EQ", "Blue")])
    assert raised.value.code == 20110


def test_get_mobjects_comparison_must_be_known(session):
    with pytest.raises(MarketoError) as raised:
        get_mobjects(session, "Opportunity", criteria=[Criterion("Stage", "LIKE", "Pro%")])
    assert raised.value.code == 20110


def test_get_mobjects_opportunities_by_company_association(session, clock):
    navy = add_opportunities(session, clock, 2, associations=[Association("Company", 502)])
    page = get_mobjects(
        session, "Opportunity", associations=[Association("Company", external_key=("ExternalCompanyId", "NAVY-0002"))]
    )
    assert ids(page) == navy


def test_get_mobjects_opportunities_of_a_lead_through_its_roles(session, clock):
    add_role(session, clock, SEEDED_OPPORTUNITY_ID, GRACE)
    assert ids(get_mobjects(session, "Opportunity", associations=[Association("Lead", GRACE)])) == [11]
    assert ids(get_mobjects(session, "Opportunity", associations=[Association("Lead", ADA)])) == []


def test_get_mobjects_roles_carry_their_ids_as_fields_and_associations(session, clock):
    role_id = add_role(session, clock, SEEDED_OPPORTUNITY_ID, GRACE, "Champion")
    (view,) = get_mobjects(session, "OpportunityPersonRole", associations=[Association("Opportunity", 11)]).objects
    assert (view.id, view.type) == (role_id, "OpportunityPersonRole")
    assert view.attribs == [("OpportunityId", "11"), ("PersonId", "2"), ("Role", "Champion")]
    assert view.associations == [("Opportunity", 11), ("Lead", GRACE)]


def test_get_mobjects_roles_by_role_criterion(session, clock):
    champion = add_role(session, clock, SEEDED_OPPORTUNITY_ID, GRACE, "Champion")
    add_role(session, clock, SEEDED_OPPORTUNITY_ID, ADA, "User")
    page = get_mobjects(session, "OpportunityPersonRole", criteria=[Criterion("Role", "EQ", "champion")])
    assert ids(page) == [champion]


def test_get_mobjects_association_that_matches_nothing_finds_nothing(session):
    page = get_mobjects(session, "Opportunity", associations=[Association("Company", 999)])
    assert (page.objects, page.has_more) == ([], False)


def test_get_mobjects_type_must_be_program_opportunity_or_role(session):
    with pytest.raises(MarketoError) as raised:
        get_mobjects(session, "LeadRecord")
    assert raised.value.code == 20110


def test_get_mobjects_pages_of_100_continue_from_the_stream_position(session, clock):
    add_opportunities(session, clock, 150)
    first = get_mobjects(session, "Opportunity")
    second = get_mobjects(session, "Opportunity", stream_position=first.stream_position)
    assert (len(first.objects), first.has_more) == (100, True)
    assert (len(second.objects), second.has_more) == (51, False)
    assert ids(first) + ids(second) == sorted(o.id for o in session.query(Opportunity))


def test_get_mobjects_stream_position_of_another_query_is_bad(session, clock):
    add_opportunities(session, clock, 101)
    position = get_mobjects(session, "Opportunity").stream_position
    for bad in (position[:-3] + "###", get_mobjects(session, "Program").stream_position):
        with pytest.raises(MarketoError) as raised:
            get_mobjects(session, "Opportunity", stream_position=bad)
        assert raised.value.code == 20122


# deleteMObjects ----------------------------------------------------------------------------------


def test_delete_mobjects_deletes_and_reports_unknown_ids_as_unchanged(session, clock):
    (new_id,) = add_opportunities(session, clock, 1)
    results = delete_mobjects(session, [MObjectInput("Opportunity", new_id), MObjectInput("Opportunity", 999)])
    assert [(r.id, r.status) for r in results] == [(new_id, "DELETED"), (999, "UNCHANGED")]
    assert session.get(Opportunity, new_id) is None


def test_delete_mobjects_deleting_an_opportunity_deletes_its_roles(session, clock):
    role_id = add_role(session, clock, SEEDED_OPPORTUNITY_ID, ADA)
    delete_mobjects(session, [MObjectInput("Opportunity", SEEDED_OPPORTUNITY_ID)])
    assert session.get(OpportunityPersonRole, role_id) is None


def test_delete_mobjects_deletes_a_role_only(session, clock):
    role_id = add_role(session, clock, SEEDED_OPPORTUNITY_ID, ADA)
    (result,) = delete_mobjects(session, [MObjectInput("OpportunityPersonRole", role_id)])
    assert result.status == "DELETED"
    assert session.get(Opportunity, SEEDED_OPPORTUNITY_ID) is not None


def test_delete_mobjects_fails_per_item_for_programs_unknown_types_and_missing_ids(session):
    results = delete_mobjects(
        session, [MObjectInput("Program", PROGRAM_ID), MObjectInput("Company", 501), MObjectInput("Opportunity")]
    )
    assert [r.status for r in results] == ["FAILED", "FAILED", "FAILED"]
    assert all(r.error for r in results)


def test_delete_mobjects_takes_at_most_100_objects(session):
    with pytest.raises(MarketoError) as raised:
        delete_mobjects(session, [MObjectInput("Opportunity", n) for n in range(1, 102)])
    assert raised.value.code == 20110


# describeMObject ---------------------------------------------------------------------------------


def test_describe_mobject_opportunity_lists_id_standard_and_custom_fields(session):
    meta = describe_mobject(session, "Opportunity")
    names = [f.name for f in meta.fields]
    assert names == [f.name for f in OPPORTUNITY_FIELDS] + ["ExternalOpportunityId"]
    assert (meta.is_custom, meta.is_virtual) == (False, False)
    primary = meta.fields[0]
    assert (primary.name, primary.primary_key, primary.readonly) == ("Id", True, True)
    assert meta.fields[-1].custom


def test_describe_mobject_role_lists_its_fields(session):
    names = [f.name for f in describe_mobject(session, "OpportunityPersonRole").fields]
    assert names == ["Id", "OpportunityId", "PersonId", "Role", "IsPrimary", "ExternalCreatedDate"]


def test_describe_mobject_lead_record_lists_the_lead_schema(session):
    meta = describe_mobject(session, "LeadRecord")
    assert [f.name for f in meta.fields] == ["Id", *lead_schema(session)]
    assert meta.is_virtual
    region = next(f for f in meta.fields if f.name == "Region__c")
    assert (region.data_type, region.size, region.display_name) == ("string", 64, "Region")


def test_describe_mobject_activity_record_is_virtual_and_composed_of_event_campaign_lead_company(session):
    meta = describe_mobject(session, "ActivityRecord")
    assert meta.is_virtual
    assert {f.source_object for f in meta.fields} == {"Event", "Campaign", "Lead", "Company"}
    assert meta.fields[0].name == "id" and meta.fields[0].primary_key


def test_describe_mobject_unknown_name_is_a_bad_parameter(session):
    with pytest.raises(MarketoError) as raised:
        describe_mobject(session, "Program")
    assert raised.value.code == 20110


def test_get_mobjects_criteria_compare_created_at_as_a_time(session, clock):
    clock.freeze(datetime(2014, 1, 1, tzinfo=UTC))
    (new_id,) = add_opportunities(session, clock, 1)
    before_2015 = get_mobjects(session, "Opportunity", criteria=[Criterion("Created At", "LT", "2015-01-01T00:00:00Z")])
    assert ids(before_2015) == [new_id]


# Seed sections -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"programTags": [{"program": 1001, "type": "Region", "value": "Atlantis"}]}, "programTags[0]"),
        ({"programTags": [{"program": 4242, "type": "Channel", "value": "Webinar"}]}, "programTags[0].program"),
        ({"programCosts": [{"program": 1001, "month": "June", "amount": 1}]}, "programCosts[0]"),
        ({"opportunities": [{"attributes": {"Colour": "Blue"}}]}, "opportunities[0].attributes"),
        ({"opportunities": [{"company": 999}]}, "opportunities[0].company"),
        ({"opportunityFields": [{"name": "Stage"}]}, "opportunityFields[0].name"),
    ],
)
def test_seed_sections_are_checked_as_the_api_checks_them(instance, section, path):
    with instance.store.session() as session, pytest.raises(SeedError) as raised:
        load_seed(session, instance.clock, section)
    assert raised.value.path == path
