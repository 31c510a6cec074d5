"""syncMObjects through the domain: seed checklist rules 41-57 (spec section 11.4)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from mockmkto.domain.errors import MarketoError
from mockmkto.domain.mobject_queries import get_mobjects
from mockmkto.domain.mobject_sync import MObjectInput, sync_mobjects
from mockmkto.domain.opportunities import Association
from mockmkto.domain.program_details import TypeAttrib
from mockmkto.store.mobject_models import Opportunity, OpportunityPersonRole, ProgramCost, ProgramTag

PROGRAM_ID = 1001  # "Spring Webinar" in the default seed
SEEDED_COST_ID = 153  # its 2013-06 cost of 1500
SEEDED_OPPORTUNITY_ID = 11  # "Difference Engine Upgrade", company 501
ADA, GRACE = 1, 2


def opportunity(*attribs: tuple[str, str], **fields) -> MObjectInput:
    return MObjectInput("Opportunity", attribs=list(attribs), **fields)


def role(*attribs: tuple[str, str], **fields) -> MObjectInput:
    return MObjectInput("OpportunityPersonRole", attribs=list(attribs), **fields)


def cost(*attribs: tuple[str, str]) -> TypeAttrib:
    return TypeAttrib("Cost", list(attribs))


def tag(tag_type: str, value: str) -> TypeAttrib:
    return TypeAttrib("Tag", [("Type", tag_type), ("Value", value)])


def program(*type_attribs: TypeAttrib, program_id: int = PROGRAM_ID) -> MObjectInput:
    return MObjectInput("Program", program_id, type_attribs=list(type_attribs))


def sync(session, clock, objects, operation="UPSERT"):
    return sync_mobjects(session, clock, objects, operation)


def statuses(results) -> list[str]:
    return [r.status for r in results]


# Rule 41 -----------------------------------------------------------------------------------------


def test_rule_41_at_most_100_objects_per_call(session, clock):
    results = sync(session, clock, [opportunity(("Name", f"Deal {n}")) for n in range(100)], "INSERT")
    assert statuses(results) == ["CREATED"] * 100


def test_rule_41_more_than_100_objects_is_a_bad_parameter_fault(session, clock):
    with pytest.raises(MarketoError) as raised:
        sync(session, clock, [opportunity(("Name", f"Deal {n}")) for n in range(101)], "INSERT")
    assert raised.value.code == 20110
    assert session.query(Opportunity).count() == 1


# Rule 42 -----------------------------------------------------------------------------------------


def test_rule_42_each_object_gets_its_status_and_marketo_id_in_request_order(session, clock):
    results = sync(
        session,
        clock,
        [opportunity(("Name", "New deal")), opportunity(("Stage", "Closed Won"), id=SEEDED_OPPORTUNITY_ID)],
    )
    created, updated = results
    assert (created.status, updated.status) == ("CREATED", "UPDATED")
    assert session.get(Opportunity, created.id).attributes["Name"] == "New deal"
    assert updated.id == SEEDED_OPPORTUNITY_ID


def test_rule_42_an_update_that_changes_nothing_is_unchanged(session, clock):
    (result,) = sync(session, clock, [opportunity(("Stage", "Prospecting"), id=SEEDED_OPPORTUNITY_ID)], "UPDATE")
    assert (result.id, result.status, result.error) == (SEEDED_OPPORTUNITY_ID, "UNCHANGED", None)


# Rules 43-46 -------------------------------------------------------------------------------------


def test_rule_43_insert_creates_new_objects(session, clock):
    (result,) = sync(session, clock, [opportunity(("Name", "Q1 2014"))], "INSERT")
    assert result.status == "CREATED"
    assert session.get(Opportunity, result.id) is not None


def test_rule_43_insert_skips_existing_objects(session, clock):
    (result,) = sync(session, clock, [opportunity(("Name", "Renamed"), id=SEEDED_OPPORTUNITY_ID)], "INSERT")
    assert (result.id, result.status) == (SEEDED_OPPORTUNITY_ID, "SKIPPED")
    assert session.get(Opportunity, SEEDED_OPPORTUNITY_ID).attributes["Name"] == "Difference Engine Upgrade"


def test_rule_44_update_changes_existing_objects(session, clock):
    (result,) = sync(session, clock, [opportunity(("Stage", "Negotiation"), id=SEEDED_OPPORTUNITY_ID)], "UPDATE")
    assert result.status == "UPDATED"
    assert session.get(Opportunity, SEEDED_OPPORTUNITY_ID).attributes["Stage"] == "Negotiation"


def test_rule_44_update_skips_new_objects(session, clock):
    (result,) = sync(session, clock, [opportunity(("Name", "Ghost"), id=999)], "UPDATE")
    assert (result.id, result.status) == (999, "SKIPPED")
    assert session.get(Opportunity, 999) is None


def test_rule_45_upsert_inserts_new_and_updates_existing_objects(session, clock):
    results = sync(
        session, clock, [opportunity(("Name", "Fresh")), opportunity(("Stage", "Won"), id=SEEDED_OPPORTUNITY_ID)]
    )
    assert statuses(results) == ["CREATED", "UPDATED"]


def test_rule_46_update_and_upsert_use_the_id_as_key(session, clock):
    (other,) = sync(session, clock, [opportunity(("Name", "Difference Engine Upgrade"))], "INSERT")
    (result,) = sync(session, clock, [opportunity(("Stage", "Closed Lost"), id=other.id)], "UPSERT")
    assert (result.id, result.status) == (other.id, "UPDATED")
    assert session.get(Opportunity, SEEDED_OPPORTUNITY_ID).attributes["Stage"] == "Prospecting"


def test_rule_46_an_object_may_name_by_id_one_created_earlier_in_the_same_call(session, clock):
    next_id = session.scalar(select(func.max(Opportunity.id))) + 1
    results = sync(session, clock, [opportunity(("Name", "Fresh")), opportunity(("Stage", "Won"), id=next_id)])
    assert [(r.id, r.status) for r in results] == [(next_id, "CREATED"), (next_id, "UPDATED")]
    assert session.get(Opportunity, next_id).attributes == {"Name": "Fresh", "Stage": "Won"}


def test_rule_46_update_without_an_id_fails(session, clock):
    (result,) = sync(session, clock, [opportunity(("Stage", "Won"))], "UPDATE")
    assert (result.id, result.status) == (None, "FAILED")
    assert "id" in result.error


# Rules 47, 48, 52, 53: Program -------------------------------------------------------------------


def test_rule_47_program_objects_take_update_only(session, clock):
    for operation in ("INSERT", "UPSERT"):
        (result,) = sync(session, clock, [program(cost(("Month", "2013-07"), ("Amount", "10")))], operation)
        assert (result.id, result.status) == (PROGRAM_ID, "FAILED")
        assert "UPDATE" in result.error
    assert session.query(ProgramCost).count() == 1


def test_rule_47_program_update_adds_period_cost_data(session, clock):
    (result,) = sync(session, clock, [program(cost(("Month", "2013-07"), ("Amount", "2500")))], "UPDATE")
    assert (result.id, result.status) == (PROGRAM_ID, "UPDATED")
    added = session.query(ProgramCost).filter(ProgramCost.month == date(2013, 7, 1)).one()
    assert (added.program_id, added.amount, added.note) == (PROGRAM_ID, 2500.0, None)


def test_rule_47_program_update_of_a_program_that_does_not_exist_is_skipped(session, clock):
    (result,) = sync(session, clock, [program(tag("Channel", "Webinar"), program_id=4242)], "UPDATE")
    assert (result.id, result.status) == (4242, "SKIPPED")


def test_rule_47_program_update_adds_and_changes_tags_and_channels(session, clock):
    (result,) = sync(session, clock, [program(tag("Channel", "Tradeshow"), tag("Product", "Sales Insight"))], "UPDATE")
    assert result.status == "UPDATED"
    assert session.get(ProgramTag, (PROGRAM_ID, "Channel")).value == "Tradeshow"
    assert session.get(ProgramTag, (PROGRAM_ID, "Product")).value == "Sales Insight"


def test_rule_47_program_attributes_other_than_costs_and_tags_cannot_be_synced(session, clock):
    renamed = MObjectInput("Program", PROGRAM_ID, attribs=[("Name", "Autumn Webinar")])
    (result,) = sync(session, clock, [renamed], "UPDATE")
    assert result.status == "FAILED"


def test_rule_48_a_tag_type_that_is_not_defined_fails(session, clock):
    (result,) = sync(session, clock, [program(tag("Season", "Spring"))], "UPDATE")
    assert result.status == "FAILED"
    assert "Season" in result.error
    assert session.get(ProgramTag, (PROGRAM_ID, "Season")) is None


def test_rule_48_a_tag_value_that_is_not_defined_fails(session, clock):
    (result,) = sync(session, clock, [program(tag("Region", "Atlantis"))], "UPDATE")
    assert result.status == "FAILED"
    assert session.get(ProgramTag, (PROGRAM_ID, "Region")).value == "North America"


def test_rule_48_a_channel_that_is_not_defined_fails(session, clock):
    (result,) = sync(session, clock, [program(tag("Channel", "Carrier Pigeon"))], "UPDATE")
    assert result.status == "FAILED"
    assert session.get(ProgramTag, (PROGRAM_ID, "Channel")).value == "Webinar"


def test_rule_48_setting_the_tag_a_program_already_has_is_unchanged(session, clock):
    (result,) = sync(session, clock, [program(tag("channel", "webinar"))], "UPDATE")
    assert result.status == "UNCHANGED"


def test_rule_52_attr_type_is_cost_or_tag(session, clock):
    (result,) = sync(session, clock, [program(TypeAttrib("Token", [("Name", "x"), ("Value", "y")]))], "UPDATE")
    assert result.status == "FAILED"
    assert "Cost or Tag" in result.error


def test_rule_52_type_attribs_are_only_for_programs(session, clock):
    with_costs = opportunity(("Name", "Deal"), type_attribs=[cost(("Month", "2013-07"), ("Amount", "1"))])
    (result,) = sync(session, clock, [with_costs], "INSERT")
    assert result.status == "FAILED"


def test_rule_53_cost_needs_month_and_amount(session, clock):
    results = sync(session, clock, [program(cost(("Amount", "100"))), program(cost(("Month", "2013-08")))], "UPDATE")
    assert statuses(results) == ["FAILED", "FAILED"]
    assert "Month" in results[0].error and "Amount" in results[1].error


def test_rule_53_cost_with_an_id_updates_that_cost(session, clock):
    change = cost(("Month", "2013-06"), ("Amount", "2000"), ("Id", str(SEEDED_COST_ID)))
    (result,) = sync(session, clock, [program(change)], "UPDATE")
    assert result.status == "UPDATED"
    updated = session.get(ProgramCost, SEEDED_COST_ID)
    assert (updated.month, updated.amount, updated.note) == (date(2013, 6, 1), 2000.0, "Venue")
    assert session.query(ProgramCost).count() == 1


def test_rule_53_cost_with_an_id_of_no_cost_of_the_program_fails(session, clock):
    (result,) = sync(session, clock, [program(cost(("Month", "2013-06"), ("Amount", "5"), ("Id", "999")))], "UPDATE")
    assert result.status == "FAILED"


def test_rule_53_cost_note_is_optional_and_kept(session, clock):
    sync(session, clock, [program(cost(("Month", "2013-09"), ("Amount", "75.5"), ("Note", "Catering")))], "UPDATE")
    added = session.query(ProgramCost).filter(ProgramCost.month == date(2013, 9, 1)).one()
    assert (added.amount, added.note) == (75.5, "Catering")


def test_rule_53_cost_month_is_read_back_as_the_first_day_of_the_month(session, clock):
    sync(session, clock, [program(cost(("Month", "2014-02"), ("Amount", "300")))], "UPDATE")
    (view,) = get_mobjects(session, "Program", PROGRAM_ID).objects
    months = [dict(attribs)["Month"] for kind, attribs in view.type_attribs if kind == "Cost"]
    assert months == ["2013-06-01", "2014-02-01"]


def test_rule_53_cost_month_must_be_a_month(session, clock):
    (result,) = sync(session, clock, [program(cost(("Month", "June"), ("Amount", "1")))], "UPDATE")
    assert result.status == "FAILED"


def test_rule_53_tag_needs_type_and_value(session, clock):
    (result,) = sync(session, clock, [program(TypeAttrib("Tag", [("Type", "Region")]))], "UPDATE")
    assert result.status == "FAILED"
    assert "Value" in result.error


# Rules 49-51 -------------------------------------------------------------------------------------


def test_rule_49_some_objects_succeed_while_others_fail_each_with_its_error(session, clock):
    results = sync(
        session,
        clock,
        [
            opportunity(("Name", "Good one")),
            opportunity(("Colour", "Blue")),
            opportunity(("CloseDate", "someday")),
            opportunity(("Name", "Another good one")),
        ],
        "INSERT",
    )
    assert statuses(results) == ["CREATED", "FAILED", "FAILED", "CREATED"]
    assert "Colour" in results[1].error
    assert "CloseDate" in results[2].error
    assert session.query(Opportunity).count() == 3


def test_rule_49_a_failed_object_changes_nothing(session, clock):
    half_good = program(cost(("Month", "2013-10"), ("Amount", "10")), tag("Region", "Atlantis"))
    (result,) = sync(session, clock, [half_good], "UPDATE")
    assert result.status == "FAILED"
    assert session.query(ProgramCost).count() == 1


def test_rule_50_type_is_program_opportunity_or_opportunity_person_role(session, clock):
    results = sync(session, clock, [MObjectInput("Lead", attribs=[("Email", "x@example.com")]), MObjectInput(None)])
    assert statuses(results) == ["FAILED", "FAILED"]


def test_rule_50_the_2_2_name_opportunity_lead_role_is_accepted(session, clock):
    legacy = MObjectInput(
        "OpportunityLeadRole", attribs=[("OpportunityId", str(SEEDED_OPPORTUNITY_ID)), ("PersonId", "1")]
    )
    (result,) = sync(session, clock, [legacy], "INSERT")
    assert result.status == "CREATED"
    assert session.get(OpportunityPersonRole, result.id).person_id == ADA


def test_rule_51_a_failed_object_without_an_id_reports_no_id(session, clock):
    (result,) = sync(session, clock, [opportunity(("Nope", "1"))], "INSERT")
    assert (result.id, result.status) == (None, "FAILED")


def test_rule_51_a_failed_object_reports_the_id_it_was_sent_with(session, clock):
    (result,) = sync(session, clock, [opportunity(("Nope", "1"), id=SEEDED_OPPORTUNITY_ID)], "UPDATE")
    assert (result.id, result.status) == (SEEDED_OPPORTUNITY_ID, "FAILED")


# Rule 54: Opportunity ----------------------------------------------------------------------------

STANDARD_OPPORTUNITY_VALUES = {
    "Amount": ("2000", "2000.0"),
    "CloseDate": ("2014-03-31", "2014-03-31"),
    "Description": ("Upgrade of the mill", "Upgrade of the mill"),
    "ExpectedRevenue": ("1600", "1600.0"),
    "ExternalCreatedDate": ("2014-01-02T03:04:05Z", "2014-01-02T03:04:05+00:00"),
    "Fiscal": ("2014 1", "2014 1"),
    "FiscalQuarter": ("1", "1"),
    "FiscalYear": ("2014", "2014"),
    "ForecastCategoryName": ("Pipeline", "Pipeline"),
    "IsClosed": ("false", "false"),
    "IsWon": ("0", "false"),
    "LastActivityDate": ("2014-01-15", "2014-01-15"),
    "LeadSource": ("Web", "Web"),
    "Name": ("Q1 2014", "Q1 2014"),
    "NextStep": ("Send quote", "Send quote"),
    "Probability": ("80%", "80"),
    "Quantity": ("3", "3.0"),
    "Stage": ("Qualification", "Qualification"),
    "Type": ("New Business", "New Business"),
}


def test_rule_54_opportunity_takes_every_standard_field_typed_by_field(session, clock):
    sent = [(name, value) for name, (value, _) in STANDARD_OPPORTUNITY_VALUES.items()]
    (result,) = sync(session, clock, [opportunity(*sent)], "INSERT")
    assert result.status == "CREATED"
    stored = session.get(Opportunity, result.id).attributes
    assert stored == {name: typed for name, (_, typed) in STANDARD_OPPORTUNITY_VALUES.items()}


def test_rule_54_opportunity_takes_custom_fields_declared_in_the_seed(session, clock):
    (result,) = sync(session, clock, [opportunity(("ExternalOpportunityId", "SF-OPP-0099"))], "INSERT")
    assert session.get(Opportunity, result.id).attributes == {"ExternalOpportunityId": "SF-OPP-0099"}


def test_rule_54_an_unknown_opportunity_field_fails(session, clock):
    (result,) = sync(session, clock, [opportunity(("Name", "Deal"), ("Colour", "Blue"))], "INSERT")
    assert result.status == "FAILED"
    assert "Colour" in result.error


def test_rule_54_a_value_that_does_not_fit_its_field_fails(session, clock):
    for bad in (("Amount", "lots"), ("IsWon", "perhaps"), ("Probability", "180%"), ("FiscalYear", "MMXIV")):
        (result,) = sync(session, clock, [opportunity(bad)], "INSERT")
        assert result.status == "FAILED", bad


def test_rule_54_the_read_only_id_cannot_be_sent_as_a_field(session, clock):
    (result,) = sync(session, clock, [opportunity(("Id", "77"))], "INSERT")
    assert result.status == "FAILED"


def test_rule_54_an_empty_value_clears_the_field(session, clock):
    sync(session, clock, [opportunity(("Stage", ""), id=SEEDED_OPPORTUNITY_ID)], "UPDATE")
    assert "Stage" not in session.get(Opportunity, SEEDED_OPPORTUNITY_ID).attributes


def test_rule_54_an_external_key_names_the_opportunity_to_update(session, clock):
    by_key = opportunity(("Stage", "Closed Won"), external_key=("ExternalOpportunityId", "SF-OPP-0011"))
    (result,) = sync(session, clock, [by_key], "UPDATE")
    assert (result.id, result.status, result.external_key) == (
        SEEDED_OPPORTUNITY_ID,
        "UPDATED",
        ("ExternalOpportunityId", "SF-OPP-0011"),
    )


def test_rule_54_an_external_key_is_stored_on_a_new_opportunity(session, clock):
    new = opportunity(("Name", "Keyed"), external_key=("ExternalOpportunityId", "SF-OPP-0200"))
    (result,) = sync(session, clock, [new], "UPSERT")
    assert result.status == "CREATED"
    assert session.get(Opportunity, result.id).attributes["ExternalOpportunityId"] == "SF-OPP-0200"


# Rule 55: OpportunityPersonRole ------------------------------------------------------------------


def test_rule_55_role_links_a_person_to_an_opportunity(session, clock):
    new_role = role(
        ("OpportunityId", str(SEEDED_OPPORTUNITY_ID)),
        ("PersonId", str(GRACE)),
        ("Role", "Influencer/Champion"),
        ("IsPrimary", "true"),
        ("ExternalCreatedDate", "2014-01-02T00:00:00+00:00"),
    )
    (result,) = sync(session, clock, [new_role], "INSERT")
    assert result.status == "CREATED"
    stored = session.get(OpportunityPersonRole, result.id)
    assert (stored.opportunity_id, stored.person_id) == (SEEDED_OPPORTUNITY_ID, GRACE)
    assert stored.attributes == {
        "Role": "Influencer/Champion",
        "IsPrimary": "true",
        "ExternalCreatedDate": "2014-01-02T00:00:00+00:00",
    }


def test_rule_55_role_requires_opportunity_id_and_person_id(session, clock):
    results = sync(
        session,
        clock,
        [role(("PersonId", str(ADA))), role(("OpportunityId", str(SEEDED_OPPORTUNITY_ID)))],
        "INSERT",
    )
    assert statuses(results) == ["FAILED", "FAILED"]
    assert "OpportunityId" in results[0].error and "PersonId" in results[1].error


def test_rule_55_role_person_must_be_a_lead_and_opportunity_must_exist(session, clock):
    results = sync(
        session,
        clock,
        [
            role(("OpportunityId", str(SEEDED_OPPORTUNITY_ID)), ("PersonId", "19")),
            role(("OpportunityId", "64"), ("PersonId", str(ADA))),
        ],
        "INSERT",
    )
    assert statuses(results) == ["FAILED", "FAILED"]
    assert session.query(OpportunityPersonRole).count() == 0


def test_rule_55_role_takes_no_opportunity_fields(session, clock):
    bad = role(("OpportunityId", str(SEEDED_OPPORTUNITY_ID)), ("PersonId", str(ADA)), ("Stage", "Won"))
    (result,) = sync(session, clock, [bad], "INSERT")
    assert result.status == "FAILED"


# Rule 56: associations ---------------------------------------------------------------------------


def test_rule_56_association_links_an_opportunity_to_a_company_by_id(session, clock):
    new = opportunity(("Name", "Navy deal"), associations=[Association("Company", 502)])
    (result,) = sync(session, clock, [new], "INSERT")
    assert session.get(Opportunity, result.id).company_id == 502


def test_rule_56_association_links_an_opportunity_to_a_company_by_external_key(session, clock):
    new = opportunity(
        ("Name", "Navy deal"), associations=[Association("Company", external_key=("ExternalCompanyId", "NAVY-0002"))]
    )
    (result,) = sync(session, clock, [new], "INSERT")
    assert session.get(Opportunity, result.id).company_id == 502


def test_rule_56_association_selects_the_opportunity_to_update_when_no_id_is_given(session, clock):
    by_company = opportunity(("Stage", "Closed Won"), associations=[Association("Company", 501)])
    (result,) = sync(session, clock, [by_company], "UPDATE")
    assert (result.id, result.status) == (SEEDED_OPPORTUNITY_ID, "UPDATED")


def test_rule_56_association_that_matches_nothing_fails(session, clock):
    results = sync(
        session,
        clock,
        [
            opportunity(("Name", "A"), associations=[Association("Company", 999)]),
            opportunity(("Name", "B"), associations=[Association("Company", external_key=("ExternalCompanyId", "?"))]),
        ],
        "INSERT",
    )
    assert statuses(results) == ["FAILED", "FAILED"]


def test_rule_56_opportunity_associates_with_a_company_only(session, clock):
    (result,) = sync(session, clock, [opportunity(("Name", "A"), associations=[Association("Lead", ADA)])], "INSERT")
    assert result.status == "FAILED"


def test_rule_56_role_links_by_lead_and_opportunity_associations(session, clock):
    by_association = role(
        ("Role", "Decision Maker"),
        associations=[
            Association("Opportunity", external_key=("ExternalOpportunityId", "SF-OPP-0011")),
            Association("Lead", external_key=("SFDCLeadId", "00Q000000000002")),
        ],
    )
    (result,) = sync(session, clock, [by_association], "INSERT")
    assert result.status == "CREATED"
    stored = session.get(OpportunityPersonRole, result.id)
    assert (stored.opportunity_id, stored.person_id) == (SEEDED_OPPORTUNITY_ID, GRACE)


def test_rule_56_role_id_fields_must_agree_with_its_associations(session, clock):
    conflicting = role(
        ("OpportunityId", str(SEEDED_OPPORTUNITY_ID)),
        ("PersonId", str(ADA)),
        associations=[Association("Lead", GRACE)],
    )
    (result,) = sync(session, clock, [conflicting], "INSERT")
    assert result.status == "FAILED"


def test_rule_56_role_to_update_is_selected_by_its_lead_and_opportunity(session, clock):
    links = [("OpportunityId", str(SEEDED_OPPORTUNITY_ID)), ("PersonId", str(ADA))]
    (created,) = sync(session, clock, [role(*links, ("Role", "User"))], "INSERT")
    by_links = role(("Role", "Economic Buyer"), associations=[Association("Lead", ADA), Association("Opportunity", 11)])
    (result,) = sync(session, clock, [by_links], "UPDATE")
    assert (result.id, result.status) == (created.id, "UPDATED")
    assert session.get(OpportunityPersonRole, created.id).attributes["Role"] == "Economic Buyer"


# Operation -----------------------------------------------------------------------------------------


def test_operation_is_required(session, clock):
    with pytest.raises(MarketoError) as raised:
        sync(session, clock, [opportunity(("Name", "x"))], None)
    assert raised.value.code == 20109


def test_operation_must_be_insert_update_or_upsert(session, clock):
    with pytest.raises(MarketoError) as raised:
        sync(session, clock, [opportunity(("Name", "x"))], "MERGE")
    assert raised.value.code == 20110
