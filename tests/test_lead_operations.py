"""syncMultipleLeads, getLead, getMultipleLeads, mergeLeads, listOperation, getLeadActivity and
getLeadChanges (spec §8, §9.1), through domain/ directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mockmkto.domain import activities, custom_objects, lists, mobject_listing, mobject_sync
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_merge import merge_leads
from mockmkto.domain.lead_selectors import (
    LastUpdateAtSelector,
    LeadKeySelector,
    StaticListSelector,
    get_multiple_leads,
    selected_lead_ids,
)
from mockmkto.domain.lead_views import get_leads
from mockmkto.domain.leads import LeadInput, sync_lead, sync_multiple_leads
from mockmkto.store.models import Activity, Lead, ListMember

ADA, GRACE, HANS = 1, 2, 3


def codes(fn, *args, **kwargs) -> int:
    with pytest.raises(MarketoError) as error:
        fn(*args, **kwargs)
    return error.value.code


# syncMultipleLeads


def test_sync_multiple_updates_by_id_then_foreign_sys_person_id(session, clock):
    results = sync_multiple_leads(
        session,
        clock,
        [
            LeadInput(id=ADA, foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC"),
            LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC", attributes=[("Title", "RADM")]),
        ],
    )
    assert [r.status for r in results] == ["FAILED", "UPDATED"]
    assert results[1].lead_id == GRACE


def test_sync_multiple_does_not_update_email_unless_it_is_an_attribute(session, clock):
    sync_multiple_leads(
        session, clock, [LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC", email="g@navy.mil")]
    )
    assert session.get(Lead, GRACE).email == "grace@example.com"
    sync_multiple_leads(
        session,
        clock,
        [LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC", attributes=[("Email", "g@navy.mil")])],
    )
    assert session.get(Lead, GRACE).email == "g@navy.mil"


def test_sync_multiple_dedup_enabled_by_default_updates_by_email(session, clock):
    (result,) = sync_multiple_leads(session, clock, [LeadInput(email="ada@example.com")])
    assert (result.lead_id, result.status) == (ADA, "UPDATED")


def test_sync_multiple_dedup_disabled_always_creates(session, clock):
    (result,) = sync_multiple_leads(session, clock, [LeadInput(email="ada@example.com")], dedup_enabled=False)
    assert result.status == "CREATED" and result.lead_id != ADA


def test_sync_multiple_cookie_is_not_a_key(session, clock):
    (result,) = sync_multiple_leads(session, clock, [LeadInput(attributes=[("FirstName", "Anon")])])
    assert result.status == "FAILED"
    assert "(20101)" in result.error


def test_sync_multiple_a_bad_record_fails_alone(session, clock):
    results = sync_multiple_leads(
        session,
        clock,
        [
            LeadInput(email="one@example.com"),
            LeadInput(email="two@example.com", attributes=[("NumberOfEmployees", "lots")]),
            LeadInput(email="three@example.com"),
        ],
    )
    assert [r.status for r in results] == ["CREATED", "FAILED", "CREATED"]
    assert not get_leads_or_none(session, "two@example.com")
    assert get_leads_or_none(session, "three@example.com")


def get_leads_or_none(session, email):
    return session.scalars(select(Lead).where(Lead.email == email)).all()


def test_sync_multiple_over_300_records_is_a_fault(session, clock):
    records = [LeadInput(email=f"l{i}@example.com") for i in range(301)]
    assert codes(sync_multiple_leads, session, clock, records) == 20110


# getLead


@pytest.mark.parametrize(
    "key_type, key_value, lead_id",
    [
        ("IDNUM", "2", GRACE),
        ("EMAIL", "GRACE@example.com", GRACE),
        ("COOKIE", "id:561-HYG-937&token:_mch-example.com-1374552656411-90718", ADA),
        ("SFDCLEADID", "00Q000000000002", GRACE),
    ],
)
def test_get_lead_by_each_key_type(session, key_type, key_value, lead_id):
    assert [v.id for v in get_leads(session, key_type, key_value)] == [lead_id]


def test_get_lead_by_lead_owner_email(session, clock):
    sync_lead(session, clock, LeadInput(id=HANS, attributes=[("LeadOwnerEmailAddress", "Owner@Example.com")]))
    assert [v.id for v in get_leads(session, "LEADOWNEREMAIL", "owner@example.com")] == [HANS]


def test_get_lead_counts_every_lead_sharing_an_email(session, clock):
    sync_multiple_leads(session, clock, [LeadInput(email="ada@example.com")], dedup_enabled=False)
    assert len(get_leads(session, "EMAIL", "ada@example.com")) == 2


@pytest.mark.parametrize(
    "key_type, key_value, code",
    [(None, "x", 20101), ("EMAIL", "", 20101), ("PHONE", "1", 20102), ("EMAIL", "nobody@example.com", 20103)],
)
def test_get_lead_faults(session, key_type, key_value, code):
    assert codes(get_leads, session, key_type, key_value) == code


def test_get_lead_not_found_message_names_the_key(session):
    with pytest.raises(MarketoError) as error:
        get_leads(session, "EMAIL", "john@doe.com")
    assert error.value.message == "No lead found with EMAIL = john@doe.com (20103)"


# getMultipleLeads


def test_lead_key_selector_uses_only_the_first_100_keys(session, clock):
    ids = [str(i) for i in range(1000, 1100)] + ["1"]
    page = get_multiple_leads(session, clock, LeadKeySelector("IDNUM", ids))
    assert page.return_count == 0


def test_lead_key_selector_selects_by_email(session, clock):
    page = get_multiple_leads(session, clock, LeadKeySelector("EMAIL", ["ada@example.com", "hans@example.de"]))
    assert [v.id for v in page.leads] == [ADA, HANS]


def test_paging_with_stream_position_until_remaining_count_is_zero(session, clock):
    selector = LeadKeySelector("IDNUM", ["1", "2", "3"])
    first = get_multiple_leads(session, clock, selector, batch_size=2)
    assert (first.return_count, first.remaining_count) == (2, 1)
    second = get_multiple_leads(session, clock, selector, stream_position=first.new_stream_position, batch_size=2)
    assert ([v.id for v in second.leads], second.remaining_count, second.new_stream_position) == ([HANS], 0, "")


def test_a_position_with_nothing_behind_it_is_stream_at_end(session, clock):
    selector = LeadKeySelector("IDNUM", ["1", "2", "3"])
    first = get_multiple_leads(session, clock, selector, batch_size=2)
    session.delete(session.get(Lead, HANS))
    session.flush()
    assert codes(get_multiple_leads, session, clock, selector, stream_position=first.new_stream_position) == 20123


@pytest.mark.parametrize("position", ["garbage!!", "eyJmb28iOjF9"])
def test_a_bad_stream_position_is_20122(session, clock, position):
    assert codes(get_multiple_leads, session, clock, LeadKeySelector("IDNUM", ["1"]), stream_position=position) == 20122


def test_a_position_of_another_selector_is_20122(session, clock):
    first = get_multiple_leads(session, clock, LeadKeySelector("IDNUM", ["1", "2", "3"]), batch_size=1)
    other = LeadKeySelector("IDNUM", ["2", "3"])
    assert codes(get_multiple_leads, session, clock, other, stream_position=first.new_stream_position) == 20122


def test_static_list_selector_by_name_and_by_id(session, clock):
    lists.list_operation(session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "2")])
    by_name = get_multiple_leads(session, clock, StaticListSelector(list_name="registrants"))
    by_id = get_multiple_leads(session, clock, StaticListSelector(list_id=3001))
    assert [v.id for v in by_name.leads] == [v.id for v in by_id.leads] == [GRACE]


def test_static_list_selector_unknown_list_is_20111(session, clock):
    assert codes(get_multiple_leads, session, clock, StaticListSelector(list_name="Nope")) == 20111


def test_last_update_at_selector_over_30_days_is_20022(session, clock):
    now = clock.now()
    selector = LastUpdateAtSelector(now - timedelta(days=31), now)
    assert codes(get_multiple_leads, session, clock, selector) == 20022


def test_last_update_at_selector_finds_leads_updated_in_the_range(session, clock):
    clock.advance(timedelta(days=2))
    start = clock.now()
    sync_lead(session, clock, LeadInput(id=GRACE, attributes=[("City", "Arlington")]))
    page = get_multiple_leads(session, clock, LastUpdateAtSelector(start))
    assert [v.id for v in page.leads] == [GRACE]


def test_legacy_last_updated_at_works_like_the_selector(session, clock):
    clock.advance(timedelta(days=2))
    start = clock.now()
    sync_lead(session, clock, LeadInput(id=HANS, attributes=[("City", "Bonn")]))
    assert [v.id for v in get_multiple_leads(session, clock, None, last_updated_at=start).leads] == [HANS]


def test_include_attributes_limits_the_attributes(session, clock):
    page = get_multiple_leads(session, clock, LeadKeySelector("IDNUM", ["1"]), include_attributes=["FirstName"])
    assert [(name, value) for name, _, value in page.leads[0].attributes] == [("FirstName", "Ada")]


def test_get_multiple_leads_without_selector_is_20109(session, clock):
    assert codes(get_multiple_leads, session, clock, None) == 20109


# mergeLeads


def test_merge_keeps_winner_values_and_takes_loser_values(session, clock):
    sync_lead(session, clock, LeadInput(id=GRACE, attributes=[("Title", "Rear Admiral")]))
    result = merge_leads(session, clock, [("IDNUM", "1")], [[("EMAIL", "grace@example.com")]])
    assert (result.winning_lead_id, result.losing_lead_ids) == (ADA, [GRACE])
    winner = session.get(Lead, ADA)
    assert winner.attributes["FirstName"] == "Ada"
    assert winner.attributes["Title"] == "Rear Admiral"
    assert winner.foreign_sys_person_id == "SF-0002"
    assert session.get(Lead, GRACE) is None


def test_merge_moves_activities_and_logs_merge_leads(session, clock):
    merge_leads(session, clock, [("IDNUM", "1")], [[("IDNUM", "2")], [("IDNUM", "3")]])
    types = session.scalars(select(Activity.activity_type).where(Activity.lead_id == ADA)).all()
    assert types.count("NewLead") == 3
    assert "MergeLeads" in types


def test_merge_moves_list_memberships(session, clock):
    lists.list_operation(session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "2")])
    merge_leads(session, clock, [("IDNUM", "1")], [[("IDNUM", "2")]])
    assert session.get(ListMember, (3001, ADA)) is not None


@pytest.mark.parametrize(
    "winner, losers, code",
    [
        ([("IDNUM", "1")], [[("IDNUM", "1")]], 20110),
        ([("IDNUM", "1")], [[("IDNUM", "404")]], 20103),
        ([], [[("IDNUM", "2")]], 20101),
        ([("IDNUM", "1")], [], 20109),
    ],
    ids=["self", "unknown-loser", "no-winner", "no-losers"],
)
def test_merge_faults(session, clock, winner, losers, code):
    assert codes(merge_leads, session, clock, winner, losers) == code


# listOperation


def test_add_to_list_then_is_member(session, clock):
    added = lists.list_operation(session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")])
    member = lists.list_operation(
        session, clock, "ISMEMBEROFLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1"), ("IDNUM", "2")]
    )
    assert added.success
    assert [s.status for s in member.statuses] == [True, False]
    assert member.success is False


def test_add_and_remove_are_idempotent_and_log_activities(session, clock):
    for _ in range(2):
        lists.list_operation(session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")])
    removed = lists.list_operation(session, clock, "REMOVEFROMLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")])
    again = lists.list_operation(session, clock, "REMOVEFROMLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")])
    assert removed.success and again.success
    types = session.scalars(select(Activity.activity_type).where(Activity.lead_id == ADA)).all()
    assert types.count("AddToList") == 1 and types.count("RemoveFromList") == 1


def test_not_strict_reports_unknown_leads_per_lead(session, clock):
    result = lists.list_operation(
        session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1"), ("IDNUM", "404")]
    )
    assert [s.status for s in result.statuses] == [True, False]
    assert session.get(ListMember, (3001, ADA)) is not None


def test_strict_is_all_or_nothing(session, clock):
    with session.begin_nested():
        code = codes(
            lists.list_operation,
            session,
            clock,
            "ADDTOLIST",
            "MKTOLISTNAME",
            "Registrants",
            [("IDNUM", "1"), ("IDNUM", "404")],
            strict=True,
        )
    assert code == 20103


@pytest.mark.parametrize(
    "operation, key_type, name, members, code",
    [
        ("ADDTOLIST", "MKTOLISTNAME", "Unknown list", [("IDNUM", "1")], 20111),
        ("ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")] * 1001, 20110),
        ("ADDTOLIST", "MKTOLISTNAME", "Registrants", [("EMAIL", "ada@example.com")], 20102),
        ("COPYLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "1")], 20110),
        ("ADDTOLIST", None, "Registrants", [("IDNUM", "1")], 20109),
    ],
    ids=["unknown-list", "over-1000", "not-idnum", "bad-operation", "no-list-key"],
)
def test_list_operation_faults(session, clock, operation, key_type, name, members, code):
    assert codes(lists.list_operation, session, clock, operation, key_type, name, members) == code


# getLeadActivity / getLeadChanges


def test_lead_activity_newest_first_with_display_names(session, clock):
    clock.advance(timedelta(seconds=1))
    sync_lead(session, clock, LeadInput(id=ADA, attributes=[("City", "London")]))
    page = activities.lead_activity(session, ADA)
    assert [a.display_name for a in page.activities] == ["Change Data Value", "New Lead"]


def test_lead_activity_include_and_exclude_filters(session, clock):
    sync_lead(session, clock, LeadInput(id=ADA, attributes=[("City", "London")]))
    assert [a.activity_type for a in activities.lead_activity(session, ADA, include=["NewLead"]).activities] == [
        "NewLead"
    ]
    assert [a.activity_type for a in activities.lead_activity(session, ADA, exclude=["NewLead"]).activities] == [
        "ChangeDataValue"
    ]


def test_lead_activity_include_and_exclude_together_is_20110(session):
    assert codes(activities.lead_activity, session, ADA, include=["NewLead"], exclude=["ChangeDataValue"]) == 20110


def test_lead_activity_unknown_type_is_20107(session):
    assert codes(activities.lead_activity, session, ADA, include=["DanceOff"]) == 20107


def test_lead_activity_pages_with_offset(session, clock):
    for city in ("A", "B", "C"):
        sync_lead(session, clock, LeadInput(id=ADA, attributes=[("City", city)]))
    first = activities.lead_activity(session, ADA, batch_size=2)
    second = activities.lead_activity(session, ADA, offset=first.offset, batch_size=2)
    assert (first.return_count, first.remaining_count) == (2, 2)
    assert second.return_count == 2 and second.offset is None
    assert not {a.id for a in first.activities} & {a.id for a in second.activities}


def test_lead_changes_needs_a_start_position(session):
    assert codes(activities.lead_changes, session, None, None, None) == 20109


def test_lead_changes_oldest_first_across_leads_and_resumes_at_offset(session, clock):
    start = clock.now() - timedelta(hours=1)
    first = activities.lead_changes(session, start, None, None, batch_size=2)
    assert [a.lead_id for a in first.activities] == [ADA, GRACE]
    rest = activities.lead_changes(session, start, None, first.offset)
    assert [a.lead_id for a in rest.activities] == [HANS]


def test_lead_changes_activity_name_filter_uses_display_names(session, clock):
    lists.list_operation(session, clock, "ADDTOLIST", "MKTOLISTNAME", "Registrants", [("IDNUM", "2")])
    page = activities.lead_changes(session, datetime(2000, 1, 1, tzinfo=UTC), None, None, names=["Add to List"])
    assert [(a.lead_id, a.activity_type) for a in page.activities] == [(GRACE, "AddToList")]


def test_lead_changes_lead_key_selector_over_100_keys_is_a_fault(session, clock):
    selector = LeadKeySelector("IDNUM", [str(i) for i in range(101)])
    assert codes(selected_lead_ids, session, clock, selector, strict_key_limit=True) == 20110


def test_lead_changes_for_selected_leads_only(session, clock):
    ids = selected_lead_ids(session, clock, LeadKeySelector("IDNUM", ["3"]))
    page = activities.lead_changes(session, clock.now() - timedelta(days=1), None, None, lead_ids=ids)
    assert {a.lead_id for a in page.activities} == {HANS}


def test_merge_moves_the_losers_opportunity_roles_to_the_winner(session, clock):
    mobject_sync.sync_mobjects(
        session,
        clock,
        [mobject_sync.MObjectInput(type="OpportunityPersonRole", attribs=[("OpportunityId", "11"), ("PersonId", "2")])],
        "INSERT",
    )
    merge_leads(session, clock, [("IDNUM", "1")], [[("IDNUM", "2")]])
    roles = [r for r in mobject_listing.list_mobjects(session, "OpportunityPersonRole")]
    assert roles and all(r["attribs"]["PersonId"] == "1" for r in roles)


def test_merge_relinks_the_losers_custom_objects_to_the_winner(session, clock):
    roadshow = custom_objects.CustomObjectInput([("MKTOID", "2"), ("rid", "r1")], [("city", "Paris")])
    custom_objects.sync_custom_objects(session, clock, "Roadshow", [roadshow], "INSERT")
    merge_leads(session, clock, [("IDNUM", "1")], [[("IDNUM", "2")]])
    page = custom_objects.get_custom_objects(session, "Roadshow", keys=[("MKTOID", "1")])
    assert [dict(o.keys)["rid"] for o in page.objects] == ["r1"]
