"""Campaign rules (seed checklist rules 1-19) through domain/ directly.

Seed programs used: "Spring Webinar" (2001 Send Invite, requested by MKTOWS and SALES; 2002 Send
Reminder, batch on the program's lists), "Trav-Demo-Program" (4496 requested by MKTOWS; 2004 batch
on Trav-Test-List, which every test here fills with leads 1 and 2; 2005 requested by SALES only;
2006 not requestable) and "Monthly Newsletter" (2007 batch on Trav-Demo-Program's Trav-Test-List).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain import (
    campaign_runs,
    campaigns,
    imports,
    lists,
    program_clones,
    program_seed,
    program_views,
    programs,
)
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.instance import Instance
from mockmkto.domain.leads import LeadInput, sync_lead
from mockmkto.domain.seed_format import SeedError, read_seed_file
from mockmkto.store.models import Activity, Campaign, Lead, ListMember, Program, StaticList
from tests.soap import CAMPAIGN_DAY

NOW = CAMPAIGN_DAY
CHICAGO = ZoneInfo("America/Chicago")
SPRING_TOKENS = {"{{my.message}}": "Welcome to our spring webinar", "{{my.speaker}}": "Ada Lovelace"}
TRAV_TOKENS = {"{{my.message}}": "Hello from the program", "{{my.other token}}": "Program value"}


pytestmark = pytest.mark.usefixtures("frozen", "trav_test_list")


def error_code(call, *args, **kwargs) -> int:
    with pytest.raises(MarketoError) as raised:
        call(*args, **kwargs)
    return raised.value.code


def request(session, clock, keys=(("IDNUM", "1"),), source="MKTOWS", **params):
    return campaigns.request_campaign(session, clock, source, list(keys), **params)


def schedule(session, clock, program="Trav-Demo-Program", campaign="Batch Campaign Example", **params):
    return campaigns.schedule_campaign(session, clock, program, campaign, **params)


def activities_of(session, lead_id, activity_type):
    query = select(Activity).where(Activity.lead_id == lead_id, Activity.activity_type == activity_type)
    return list(session.scalars(query.order_by(Activity.id)))


# -------------------------------------------------------------------- getCampaignsForSource


def test_rule_1_mktows_lists_only_campaigns_requested_by_the_web_service_api(session, clock):
    records = campaigns.campaigns_for_source(session, clock, "MKTOWS")
    assert [(r.id, r.name) for r in records] == [
        (2001, "Spring Webinar.Send Invite"),
        (4496, "Trav-Demo-Program.Triggered Campaign Example"),
    ]


def test_rule_8_sales_lists_the_campaigns_available_to_sales_insight(session, clock):
    records = campaigns.campaigns_for_source(session, clock, "SALES")
    assert [r.id for r in records] == [2001, 2005]


def test_campaign_records_carry_id_name_and_description(session, clock):
    (record,) = campaigns.campaigns_for_source(session, clock, "MKTOWS", "send invite")
    assert record == campaigns.CampaignRecord(
        2001, "Spring Webinar.Send Invite", "Requested by the website and by Sales Insight"
    )


def test_name_filter_is_a_case_insensitive_substring_of_the_listed_name(session, clock):
    assert [r.id for r in campaigns.campaigns_for_source(session, clock, "MKTOWS", "TRAV-demo")] == [4496]


def test_exact_name_matches_the_whole_listed_name_or_the_campaign_name(session, clock):
    by_campaign_name = campaigns.campaigns_for_source(session, clock, "MKTOWS", "Send Invite", exact_name=True)
    by_listed_name = campaigns.campaigns_for_source(session, clock, "MKTOWS", "Spring Webinar.Send Invite", True)
    part_of_name = campaigns.campaigns_for_source(session, clock, "MKTOWS", "Send", exact_name=True)
    assert [r.id for r in by_campaign_name] == [r.id for r in by_listed_name] == [2001]
    assert part_of_name == []


@pytest.mark.parametrize(("source", "code"), [(None, 20109), ("", 20109), ("WEB", 20110), ("mktows", 20110)])
def test_rule_8_source_is_required_and_is_mktows_or_sales(session, clock, source, code):
    assert error_code(campaigns.campaigns_for_source, session, clock, source) == code


# --------------------------------------------------------------------------- requestCampaign


def test_rule_3_campaign_id_alone_runs_the_leads_through_the_campaign(session, clock):
    run = request(session, clock, keys=[("IDNUM", "1"), ("EMAIL", "grace@example.com")], campaign_id=2001)
    assert (run.campaign, run.source, run.status, run.run_at) == (
        "Spring Webinar.Send Invite",
        "MKTOWS",
        "completed",
        NOW,
    )
    assert [lead.lead_id for lead in run.leads] == [1, 2]


def test_rule_2_campaign_name_program_name_and_tokens_is_a_parameter_set(session, clock):
    run = request(
        session,
        clock,
        program_name="Spring Webinar",
        campaign_name="Send Invite",
        tokens=[("{{my.message}}", "Doors open at 9")],
    )
    assert run.campaign_id == 2001
    assert run.leads[0].tokens == {**SPRING_TOKENS, "{{my.message}}": "Doors open at 9"}


@pytest.mark.parametrize("tokens", [[], None], ids=["empty token list", "no token list"])
def test_rule_2_the_token_list_of_the_name_parameter_set_may_be_empty(session, clock, tokens):
    run = request(session, clock, program_name="Spring Webinar", campaign_name="Send Invite", tokens=tokens)
    assert run.leads[0].tokens == SPRING_TOKENS


@pytest.mark.parametrize(
    "params",
    [
        {"campaign_id": 2001, "campaign_name": "Send Invite"},
        {"campaign_id": 2001, "program_name": "Spring Webinar"},
        {"campaign_id": 2001, "program_name": "Spring Webinar", "campaign_name": "Send Invite"},
        {"campaign_name": "Send Invite"},
        {"program_name": "Spring Webinar"},
        {},
    ],
    ids=["id and name", "id and program", "id, name and program", "name without program", "program alone", "none"],
)
def test_rule_4_any_other_parameter_combination_is_a_bad_parameter(session, clock, params):
    assert error_code(request, session, clock, **params) == 20110


def test_rule_5_tokens_with_campaign_id_are_a_bad_parameter(session, clock):
    assert error_code(request, session, clock, campaign_id=2001, tokens=[("{{my.message}}", "x")]) == 20110


def test_rule_5_tokens_without_program_name_are_a_bad_parameter(session, clock):
    params = {"campaign_name": "Send Invite", "tokens": [("{{my.message}}", "x")]}
    assert error_code(request, session, clock, **params) == 20110


def test_rule_6_only_the_first_100_lead_keys_are_used(session, clock):
    keys = [("IDNUM", "1")] * 100 + [("EMAIL", "grace@example.com")]
    run = request(session, clock, keys=keys, campaign_id=2001)
    assert [lead.lead_id for lead in run.leads] == [1]


def test_rule_6_keys_after_the_100th_are_ignored_without_a_fault(session, clock):
    keys = [("IDNUM", "1")] * 100 + [("COOKIE", "id:1"), ("IDNUM", "999999"), (None, None)]
    assert request(session, clock, keys=keys, campaign_id=2001).status == "completed"


@pytest.mark.parametrize(
    ("key_type", "key_value"),
    [
        ("IDNUM", "{id}"),
        ("EMAIL", "keys@example.com"),
        ("SFDCLEADID", "00Q0000000000KY"),
        ("LEADOWNEREMAIL", "owner@example.com"),
        ("SFDCACCOUNTID", "0010000000000KY"),
        ("SFDCCONTACTID", "0030000000000KY"),
        ("SFDCLEADOWNERID", "0050000000000KY"),
        ("SFDCOPPTYID", "0060000000000KY"),
    ],
)
def test_rule_7_each_documented_key_type_finds_the_lead(session, clock, key_type, key_value):
    fields = {
        "SFDCLeadId": "00Q0000000000KY",
        "LeadOwnerEmailAddress": "owner@example.com",
        "SFDCAccountId": "0010000000000KY",
        "SFDCContactId": "0030000000000KY",
        "SFDCLeadOwnerId": "0050000000000KY",
        "SFDCOpptyId": "0060000000000KY",
    }
    lead_id = sync_lead(session, clock, LeadInput(email="keys@example.com", attributes=list(fields.items()))).lead_id
    run = request(session, clock, keys=[(key_type, key_value.format(id=lead_id))], campaign_id=2001)
    assert [lead.lead_id for lead in run.leads] == [lead_id]


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (("COOKIE", "id:561-HYG-937&token:_mch-example.com-1374552656411-90718"), 20102),
        (("FOO", "1"), 20102),
        ((None, "1"), 20101),
        (("IDNUM", None), 20101),
        (("EMAIL", " "), 20101),
    ],
    ids=["COOKIE", "unknown type", "no keyType", "no keyValue", "blank keyValue"],
)
def test_rule_7_key_type_is_one_of_the_documented_and_both_parts_are_required(session, clock, key, code):
    assert error_code(request, session, clock, keys=[key], campaign_id=2001) == code


@pytest.mark.parametrize("keys", [[], None], ids=["empty leadList", "no leadList"])
def test_a_request_without_lead_keys_is_20101(session, clock, keys):
    assert error_code(campaigns.request_campaign, session, clock, "MKTOWS", keys, campaign_id=2001) == 20101


def test_a_key_that_finds_no_lead_fails_the_call_with_20103(session, clock):
    keys = [("IDNUM", "1"), ("EMAIL", "nobody@example.com")]
    assert error_code(request, session, clock, keys=keys, campaign_id=2001) == 20103
    assert campaign_runs.list_runs(session) == []


@pytest.mark.parametrize(
    "params",
    [
        {"campaign_id": 2006},
        {"campaign_id": 2005},
        {"campaign_id": 2002},
        {"program_name": "Trav-Demo-Program", "campaign_name": "Form Fill Follow-up"},
    ],
    ids=["no requested trigger", "requested by SALES only", "batch campaign", "by name, no requested trigger"],
)
def test_rule_1_a_campaign_without_a_requested_trigger_for_the_source_is_20113(session, clock, params):
    assert error_code(request, session, clock, **params) == 20113


def test_rule_8_sales_may_request_a_campaign_requested_by_sales_insight(session, clock):
    assert request(session, clock, source="SALES", campaign_id=2005).status == "completed"


@pytest.mark.parametrize(
    "params",
    [
        {"campaign_id": 999999},
        {"program_name": "Spring Webinar", "campaign_name": "No Such Campaign"},
        {"program_name": "No Such Program", "campaign_name": "Send Invite"},
        {"program_name": "Trav-Demo-Program", "campaign_name": "Send Invite"},
    ],
    ids=["unknown id", "unknown name", "unknown program", "campaign of another program"],
)
def test_an_unknown_campaign_is_20113(session, clock, params):
    assert error_code(request, session, clock, **params) == 20113


def test_program_and_campaign_names_match_case_insensitively(session, clock):
    assert request(session, clock, program_name="spring webinar", campaign_name="SEND INVITE").campaign_id == 2001


@pytest.mark.parametrize("name", ["message", "{{message}}", "{{lead.FirstName}}", "{my.message}", None])
def test_rule_9_a_token_name_needs_the_full_token_syntax(session, clock, name):
    params = {"program_name": "Spring Webinar", "campaign_name": "Send Invite", "tokens": [(name, "x")]}
    assert error_code(request, session, clock, **params) == 20110


def test_rule_9_requested_tokens_override_the_program_tokens_for_that_run_only(session, clock):
    names = {"program_name": "Spring Webinar", "campaign_name": "Send Invite"}
    first = request(session, clock, tokens=[("{{my.speaker}}", "Grace Hopper")], **names)
    second = request(session, clock, **names)
    assert first.leads[0].tokens["{{my.speaker}}"] == "Grace Hopper"
    assert second.leads[0].tokens == SPRING_TOKENS
    assert session.get(Program, 1001).tokens == SPRING_TOKENS


def test_a_requested_run_writes_request_campaign_and_flow_activities_on_each_lead(session, clock):
    request(session, clock, keys=[("IDNUM", "1")], campaign_id=2001)
    (requested,) = activities_of(session, 1, "RequestCampaign")
    (sent,) = activities_of(session, 1, "SendEmail")
    assert (requested.campaign, requested.attributes["Source"], requested.created_at) == (
        "Spring Webinar.Send Invite",
        "Web service API",
        NOW,
    )
    assert (sent.asset_name, sent.campaign) == ("Spring Webinar.Invitation", "Spring Webinar.Send Invite")


def test_a_key_that_matches_several_leads_runs_each_of_them_once(session, clock):
    owner = [("LeadOwnerEmailAddress", "rep@example.com")]
    first = sync_lead(session, clock, LeadInput(email="a@example.com", attributes=owner)).lead_id
    second = sync_lead(session, clock, LeadInput(email="b@example.com", attributes=owner)).lead_id
    keys = [("LEADOWNEREMAIL", "rep@example.com"), ("IDNUM", str(first))]
    run = request(session, clock, keys=keys, campaign_id=2001)
    assert sorted(lead.lead_id for lead in run.leads) == sorted([first, second])


def test_keys_run_their_leads_in_key_order_each_once_most_recently_updated_first(session, clock):
    owner = [("LeadOwnerEmailAddress", "rep@example.com")]
    older = sync_lead(session, clock, LeadInput(email="older@example.com", attributes=owner)).lead_id
    clock.freeze(NOW + timedelta(minutes=1))
    newer = sync_lead(session, clock, LeadInput(email="newer@example.com", attributes=owner)).lead_id
    clock.freeze(NOW + timedelta(minutes=2))
    sync_lead(session, clock, LeadInput(email="older@example.com", attributes=[("FirstName", "Touched")]))
    keys = [("IDNUM", "2"), ("LEADOWNEREMAIL", " REP@example.com"), ("IDNUM", str(newer)), ("idnum", "2")]
    run = request(session, clock, keys=keys, campaign_id=2001)
    assert [lead.lead_id for lead in run.leads] == [2, older, newer]


def test_a_key_finds_a_lead_written_earlier_in_the_same_transaction(session, clock):
    campaign = session.get(Campaign, 2001)  # held by the session: looking it up again does not flush
    lead = Lead(created_at=NOW, updated_at=NOW, attributes={}, email="pending@example.com", anonymous=False)
    session.add(lead)  # not flushed: the lookup must see it all the same
    run = request(session, clock, keys=[("EMAIL", "pending@example.com")], campaign_id=2001)
    assert [entry.lead_id for entry in run.leads] == [lead.id]
    assert run.campaign_id == campaign.id


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        ([("IDNUM", "999999"), ("COOKIE", "id:1")], 20103),
        ([("IDNUM", "1"), ("COOKIE", "id:1"), ("IDNUM", "999999")], 20102),
        ([("EMAIL", "nobody@example.com"), (None, None)], 20103),
        ([("IDNUM", "1"), ("EMAIL", None), ("IDNUM", "999999")], 20101),
    ],
    ids=["no lead, then bad type", "bad type, then no lead", "no lead, then no key", "no key value, then no lead"],
)
def test_the_first_bad_key_in_key_order_fails_the_call(session, clock, keys, code):
    assert error_code(request, session, clock, keys=keys, campaign_id=2001) == code


def test_a_run_writes_the_activities_lead_by_lead_in_key_order(session, clock):
    run = request(session, clock, keys=[("IDNUM", "2"), ("IDNUM", "1")], campaign_id=2001)
    query = select(Activity.lead_id, Activity.activity_type).where(Activity.campaign == run.campaign)
    assert session.execute(query.order_by(Activity.id)).all() == [
        (2, "RequestCampaign"),
        (2, "SendEmail"),
        (1, "RequestCampaign"),
        (1, "SendEmail"),
    ]


# -------------------------------------------------------------------------- scheduleCampaign


def test_rule_11_a_batch_campaign_without_run_time_runs_now_on_its_smart_list(session, clock):
    run = schedule(session, clock)
    assert (run.campaign, run.source, run.status, run.run_at) == (
        "Trav-Demo-Program.Batch Campaign Example",
        "SCHEDULE",
        "completed",
        NOW,
    )
    assert [lead.lead_id for lead in run.leads] == [1, 2]
    assert [a.asset_name for a in activities_of(session, 2, "SendEmail")] == ["Trav-Demo-Program.Newsletter"]


def test_rule_11_a_batch_campaign_without_smart_list_runs_on_its_program_static_lists(session, clock):
    lists.add_to_list(session, clock, session.get(StaticList, 3001), 3)
    run = schedule(session, clock, program="Spring Webinar", campaign="Send Reminder")
    assert [lead.lead_id for lead in run.leads] == [3]


def test_rule_11_a_trigger_campaign_cannot_be_scheduled(session, clock):
    assert error_code(schedule, session, clock, campaign="Triggered Campaign Example") == 20110


@pytest.mark.parametrize(
    ("program", "campaign"),
    [("Trav-Demo-Program", "No Such Campaign"), ("No Such Program", "Batch Campaign Example")],
    ids=["unknown campaign", "unknown program"],
)
def test_rule_11_the_campaign_must_already_exist(session, clock, program, campaign):
    assert error_code(schedule, session, clock, program=program, campaign=campaign) == 20113


@pytest.mark.parametrize(
    ("program", "campaign"),
    [(None, "Batch Campaign Example"), ("Trav-Demo-Program", None), ("", "Batch Campaign Example"), (" ", " ")],
    ids=["no programName", "no campaignName", "empty programName", "blank names"],
)
def test_rule_12_program_name_and_campaign_name_are_required(session, clock, program, campaign):
    assert error_code(schedule, session, clock, program=program, campaign=campaign) == 20109


def test_rule_13_a_future_run_waits_for_its_time_on_the_mock_clock(session, clock):
    at = NOW + timedelta(hours=2)
    run = schedule(session, clock, run_at=at)
    assert (run.status, run.run_at, run.leads) == ("scheduled", at, [])
    assert activities_of(session, 1, "SendEmail") == []
    clock.advance(timedelta(hours=2))
    assert campaign_runs.run_due(session, clock) == 1
    (done,) = campaign_runs.list_runs(session)
    assert (done.status, [lead.lead_id for lead in done.leads]) == ("completed", [1, 2])
    assert [a.created_at for a in activities_of(session, 1, "SendEmail")] == [at]


def test_listing_the_runs_carries_out_none_that_is_due(session, clock):
    schedule(session, clock, run_at=NOW + timedelta(hours=1))
    clock.advance(timedelta(hours=2))
    assert [run.status for run in campaign_runs.list_runs(session)] == ["scheduled"]
    assert activities_of(session, 1, "SendEmail") == []


def test_rule_13_run_time_is_read_with_its_offset(session, clock):
    at = datetime(2026, 1, 15, 14, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert schedule(session, clock, run_at=at).run_at == datetime(2026, 1, 15, 22, 30, tzinfo=UTC)


def test_rule_13_a_run_time_in_the_past_runs_now(session, clock):
    run = schedule(session, clock, run_at=datetime(2013, 8, 3, 21, 39, 34, tzinfo=UTC))
    assert (run.status, run.run_at) == ("completed", NOW)


def test_rule_13_a_scheduled_run_takes_the_smart_list_members_of_its_run_time(session, clock):
    schedule(session, clock, run_at=NOW + timedelta(days=1))
    lists.add_to_list(session, clock, session.get(StaticList, 3002), 3)
    clock.advance(timedelta(days=1))
    campaign_runs.run_due(session, clock)
    (run,) = campaign_runs.list_runs(session)
    assert [lead.lead_id for lead in run.leads] == [1, 2, 3]


def test_rule_14_schedule_tokens_override_the_program_tokens_for_that_run_only(session, clock):
    first = schedule(session, clock, tokens=[("{{my.message}}", "Updated message")])
    second = schedule(session, clock)
    assert first.tokens == {"{{my.message}}": "Updated message"}
    assert first.leads[0].tokens == {**TRAV_TOKENS, "{{my.message}}": "Updated message"}
    assert second.leads[0].tokens == TRAV_TOKENS
    assert session.get(Program, 1002).tokens == TRAV_TOKENS


@pytest.mark.parametrize("name", ["message", "{{my.message}", "{{lead.Email}}"])
def test_rule_15_schedule_token_names_use_the_full_token_syntax(session, clock, name):
    assert error_code(schedule, session, clock, tokens=[(name, "x")]) == 20110


# ------------------------------------------------------------------ token precedence (rule 16)


def import_tokens(session, clock, rows, header="Email Address,{{my.message}}", campaign="Batch Campaign Example"):
    imports.set_processing_delay(session, 0)
    imports.import_to_list(
        session, clock, "Trav-Demo-Program", "Trav-Other-List", header, rows, "LISTONLY", campaign_name=campaign
    )


def test_rule_16_program_my_tokens_apply_when_nothing_overrides_them(session, clock):
    assert schedule(session, clock).leads[0].tokens == TRAV_TOKENS


def test_rule_16_schedule_tokens_beat_program_tokens(session, clock):
    run = schedule(session, clock, tokens=[("{{my.message}}", "From schedule")])
    assert [lead.tokens["{{my.message}}"] for lead in run.leads] == ["From schedule", "From schedule"]


def test_rule_16_imported_per_lead_tokens_beat_schedule_tokens(session, clock):
    import_tokens(session, clock, ["ada@example.com,For Ada"])
    run = schedule(session, clock, tokens=[("{{my.message}}", "From schedule"), ("{{my.other token}}", "Other")])
    by_lead = {lead.lead_id: lead.tokens for lead in run.leads}
    assert by_lead[1] == {"{{my.message}}": "For Ada", "{{my.other token}}": "Other"}
    assert by_lead[2] == {"{{my.message}}": "From schedule", "{{my.other token}}": "Other"}


def test_rule_16_imported_tokens_serve_the_next_run_only(session, clock):
    import_tokens(session, clock, ["ada@example.com,For Ada"])
    first, second = schedule(session, clock), schedule(session, clock)
    assert first.leads[0].tokens["{{my.message}}"] == "For Ada"
    assert second.leads[0].tokens["{{my.message}}"] == TRAV_TOKENS["{{my.message}}"]


def test_rule_16_imported_tokens_belong_to_the_named_campaign_only(session, clock):
    import_tokens(session, clock, ["ada@example.com,For Ada"], campaign="Triggered Campaign Example")
    assert schedule(session, clock).leads[0].tokens == TRAV_TOKENS
    requested = request(session, clock, campaign_id=4496)
    assert requested.leads[0].tokens["{{my.message}}"] == "For Ada"


def test_rule_16_a_run_due_before_an_import_does_not_use_its_tokens(session, clock):
    schedule(session, clock, run_at=NOW + timedelta(minutes=10))
    clock.advance(timedelta(minutes=20))
    import_tokens(session, clock, ["ada@example.com,Too late"])
    (run,) = campaign_runs.list_runs(session)
    assert run.run_at == NOW + timedelta(minutes=10)
    assert run.leads[0].tokens["{{my.message}}"] == TRAV_TOKENS["{{my.message}}"]


def test_rule_16_resolve_tokens_ranks_lead_values_over_run_values_over_program_values():
    program = {"{{my.a}}": "program", "{{my.b}}": "program", "{{my.c}}": "program"}
    resolved = programs.resolve_tokens(program, {"{{my.b}}": "run", "{{my.c}}": "run"}, {"{{my.c}}": "lead"})
    assert resolved == {"{{my.a}}": "program", "{{my.b}}": "run", "{{my.c}}": "lead"}


# ---------------------------------------------------------------------------- cloning (17, 18)


def test_rule_17_clone_copies_the_program_and_schedules_the_cloned_campaign(session, clock):
    run = schedule(session, clock, clone_to_program_name="TestProgramCloneFromSOAP")
    clone = session.scalar(select(Program).where(Program.name == "TestProgramCloneFromSOAP"))
    cloned = session.scalars(select(Campaign).where(Campaign.program_id == clone.id).order_by(Campaign.name)).all()
    assert clone.tokens == TRAV_TOKENS
    assert [c.name for c in cloned] == [
        "Batch Campaign Example",
        "Form Fill Follow-up",
        "Sales Follow-up",
        "Triggered Campaign Example",
    ]
    assert (run.program, run.cloned_from_program, run.campaign) == (
        "TestProgramCloneFromSOAP",
        "Trav-Demo-Program",
        "TestProgramCloneFromSOAP.Batch Campaign Example",
    )
    assert run.campaign_id == next(c.id for c in cloned if c.name == "Batch Campaign Example") != 2004


def test_rule_17_the_clone_has_its_own_empty_static_lists(session, clock):
    run = schedule(session, clock, clone_to_program_name="Clone")
    clone = next(p for p in program_views.list_programs(session) if p.name == "Clone")
    assert [(static_list.name, static_list.lead_ids) for static_list in clone.lists] == [
        ("Trav-Test-List", []),
        ("Trav-Other-List", []),
    ]
    assert run.leads == []
    assert session.scalars(select(ListMember.lead_id).where(ListMember.list_id == 3002)).all() == [1, 2]


def test_rule_17_a_clone_keeps_smart_list_references_outside_its_program(session, clock):
    run = schedule(
        session, clock, program="Monthly Newsletter", campaign="Send Newsletter", clone_to_program_name="Feb"
    )
    assert (run.campaign, [lead.lead_id for lead in run.leads]) == ("Feb.Send Newsletter", [1, 2])
    assert run.leads[0].tokens == {"{{my.edition}}": "January"}


def test_rule_17_a_clone_name_already_taken_is_20110(session, clock):
    assert error_code(schedule, session, clock, clone_to_program_name="spring webinar") == 20110


def clone_n(session, clock, count, prefix="Clone"):
    for index in range(count):
        schedule(session, clock, clone_to_program_name=f"{prefix} {clock.now().isoformat()} {index}")


def test_rule_18_the_tenth_clone_of_a_day_is_allowed(session, clock):
    clone_n(session, clock, 9)
    assert schedule(session, clock, clone_to_program_name="Tenth").program == "Tenth"


def test_rule_18_the_eleventh_clone_of_a_day_is_20110(session, clock):
    clone_n(session, clock, 10)
    assert error_code(schedule, session, clock, clone_to_program_name="Eleventh") == 20110


def test_rule_18_scheduling_without_clone_is_not_limited(session, clock):
    clone_n(session, clock, 10)
    assert schedule(session, clock).status == "completed"


@pytest.mark.parametrize("day", [datetime(2026, 1, 15), datetime(2026, 7, 15)], ids=["CST", "CDT"])
def test_rule_18_the_clone_limit_resets_at_midnight_us_central_time(session, clock, day):
    clock.set(day.replace(hour=23, minute=30, tzinfo=CHICAGO))
    clone_n(session, clock, 10)
    clock.set(day.replace(hour=23, minute=59, second=59, tzinfo=CHICAGO))
    assert error_code(schedule, session, clock, clone_to_program_name="Before midnight") == 20110
    clock.set((day + timedelta(days=1)).replace(tzinfo=CHICAGO))
    assert schedule(session, clock, clone_to_program_name="After midnight").program == "After midnight"


def test_rule_18_the_clone_limit_does_not_reset_at_midnight_utc(session, clock):
    clock.set(datetime(2026, 1, 15, 17, 0, tzinfo=CHICAGO))
    clone_n(session, clock, 10)
    clock.set(datetime(2026, 1, 16, 0, 30, tzinfo=UTC))
    assert error_code(schedule, session, clock, clone_to_program_name="Still the same day in Chicago") == 20110


def test_a_failed_clone_does_not_count_toward_the_limit(session, clock):
    for _ in range(10):
        error_code(schedule, session, clock, clone_to_program_name="Spring Webinar")
    assert program_clones.clones_today(session, clock.now()) == 0


# ------------------------------------------------------------------------- what a test can see


def test_runs_list_what_ran_for_whom_when_and_with_which_tokens(session, clock):
    request(session, clock, campaign_id=2001)
    schedule(session, clock, run_at=NOW + timedelta(hours=1), tokens=[("{{my.message}}", "Later")])
    runs = campaign_runs.list_runs(session)
    assert [(r.campaign_id, r.status, r.run_at) for r in runs] == [
        (2001, "completed", NOW),
        (2004, "scheduled", NOW + timedelta(hours=1)),
    ]
    assert [r.campaign_id for r in campaign_runs.list_runs(session, campaign_id=2004)] == [2004]


def test_programs_list_their_tokens_campaigns_and_lists(session):
    programs = {p.name: p for p in program_views.list_programs(session)}
    trav = programs["Trav-Demo-Program"]
    assert trav.tokens == TRAV_TOKENS
    assert {c.id: c.type for c in trav.campaigns} == {2004: "batch", 2005: "trigger", 2006: "trigger", 4496: "trigger"}
    assert [(s.name, s.lead_ids) for s in trav.lists] == [("Trav-Test-List", [1, 2]), ("Trav-Other-List", [])]
    batch = next(c for c in program_views.list_campaigns(session) if c.id == 2007)
    assert (batch.full_name, batch.smart_list) == ("Monthly Newsletter.Send Newsletter", ["Trav-Test-List"])


# ------------------------------------------------------------------------------------ the seed


@pytest.mark.parametrize(
    ("path", "value", "bad_path"),
    [
        ("campaigns", [{"name": "B", "type": "batch", "requestableFrom": ["MKTOWS"]}], "programs[0].campaigns[0]"),
        ("campaigns", [{"name": "B", "type": "batch", "smartList": ["Nowhere"]}], "programs[0].campaigns[0]"),
        ("campaigns", [{"name": "T", "flow": [{"activity": "send email", "asset": "x"}]}], "programs[0].campaigns[0]"),
        ("tokens", {"message": "x"}, "programs[0].tokens"),
    ],
    ids=["batch with a trigger", "unknown smart list", "bad flow step", "bad token"],
)
def test_a_bad_programs_section_names_the_bad_path(path, value, bad_path):
    doc = read_seed_file(DEFAULT_SEED)
    doc["programs"][0][path] = value
    with pytest.raises(SeedError) as raised:
        Instance("bad", "sqlite://", seed=doc)
    assert raised.value.path.startswith(bad_path)


def test_the_programs_section_exports_and_loads_back_unchanged(session, clock):
    schedule(session, clock, clone_to_program_name="Clone")
    exported = program_seed.export_programs(session)
    reloaded = Instance("copy", "sqlite://", seed={"programs": exported})
    with reloaded.store.session() as copy:
        assert program_seed.export_programs(copy) == exported
    assert [p["name"] for p in exported] == ["Spring Webinar", "Trav-Demo-Program", "Monthly Newsletter", "Clone"]
