"""syncLead's seed rules (checklist rules 20-40), through domain/ directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mockmkto.config import DEFAULT_SEED
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.lead_views import get_leads
from mockmkto.domain.leads import LeadInput, sync_lead, sync_multiple_leads
from mockmkto.domain.seed_format import read_seed_file
from mockmkto.store.models import Activity, Lead, Partition, Setting

ADA, GRACE, HANS = 1, 2, 3
ADA_COOKIE = "id:561-HYG-937&token:_mch-example.com-1374552656411-90718"


def lead_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Lead))


def partition_of(session, lead_id: int) -> str:
    return session.get(Partition, session.get(Lead, lead_id).partition_id).name


def test_rule_20_a_match_is_updated(session, clock):
    before = lead_count(session)
    result = sync_lead(session, clock, LeadInput(email="ada@example.com", attributes=[("Title", "Countess")]))
    assert (result.lead_id, result.status, lead_count(session)) == (ADA, "UPDATED", before)


def test_rule_20_no_match_creates_exactly_one_lead(session, clock):
    before = lead_count(session)
    result = sync_lead(session, clock, LeadInput(email="new@example.com"))
    assert result.status == "CREATED"
    assert lead_count(session) == before + 1


@pytest.mark.parametrize(
    "record, cookie",
    [
        (LeadInput(id=ADA), None),
        (LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC"), None),
        (LeadInput(), ADA_COOKIE),
        (LeadInput(email="hans@example.de"), None),
    ],
    ids=["Id", "ForeignSysPersonId", "cookie", "Email"],
)
def test_rule_21_each_key_finds_an_existing_lead(session, clock, record, cookie):
    assert sync_lead(session, clock, record, marketo_cookie=cookie).status == "UPDATED"


def test_rule_22_email_is_not_unique(session, clock):
    sync_multiple_leads(session, clock, [LeadInput(email="ada@example.com")], dedup_enabled=False)
    assert len(get_leads(session, "EMAIL", "ada@example.com")) == 2


def test_rule_22_foreign_sys_person_id_is_unique(session, clock):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(id=ADA, foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC"))
    assert error.value.code == 20106


def test_rule_22_cookie_is_unique(session, clock):
    sync_lead(session, clock, LeadInput(email="someone@example.com"), marketo_cookie=ADA_COOKIE, move_cookie=True)
    assert session.scalar(select(func.count()).select_from(Lead).where(Lead.cookie == ADA_COOKIE)) == 1


def test_rule_23_id_takes_precedence_over_every_other_key(session, clock):
    record = LeadInput(id=ADA, email="grace@example.com", attributes=[("Title", "Analyst")])
    result = sync_lead(session, clock, record, marketo_cookie="some-other-cookie")
    assert result.lead_id == ADA
    assert session.get(Lead, ADA).attributes["Title"] == "Analyst"


def test_rule_23_an_id_that_matches_nothing_is_a_fault(session, clock):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(id=9999, email="ada@example.com"))
    assert error.value.code == 20103


def test_rule_24_id_with_foreign_sys_person_id_updates_the_foreign_id(session, clock):
    result = sync_lead(session, clock, LeadInput(id=ADA, foreign_sys_person_id="NS-1", foreign_sys_type="NETSUITE"))
    lead = session.get(Lead, result.lead_id)
    assert (lead.id, lead.foreign_sys_person_id, lead.foreign_sys_type) == (ADA, "NS-1", "NETSUITE")


def test_rule_25_foreign_sys_person_id_alone_identifies_the_lead(session, clock):
    result = sync_lead(session, clock, LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC"))
    assert (result.lead_id, result.status) == (GRACE, "UPDATED")


def test_rule_26_foreign_sys_person_id_with_email_updates_the_email(session, clock):
    record = LeadInput(email="admiral@example.com", foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC")
    result = sync_lead(session, clock, record)
    assert result.lead_id == GRACE
    assert get_leads(session, "EMAIL", "admiral@example.com")[0].id == GRACE


def test_rule_27_an_anonymous_lead_becomes_known_through_its_cookie(session, clock):
    anonymous = sync_lead(session, clock, LeadInput(), marketo_cookie="id:anon-1")
    assert session.get(Lead, anonymous.lead_id).anonymous
    known = sync_lead(session, clock, LeadInput(email="visitor@example.com"), marketo_cookie="id:anon-1")
    assert known.lead_id == anonymous.lead_id
    assert not session.get(Lead, known.lead_id).anonymous


def test_rule_28_the_context_header_names_the_target_workspace(session, clock):
    result = sync_lead(session, clock, LeadInput(email="emea@example.com"), target_workspace="EMEA")
    assert partition_of(session, result.lead_id) == "EMEA Leads"


def test_rule_29_a_new_lead_goes_to_the_assignment_rule_partition(session, clock):
    record = LeadInput(email="berlin@example.com", attributes=[("Country", "Germany")])
    result = sync_lead(session, clock, record, target_workspace="Default")
    assert partition_of(session, result.lead_id) == "EMEA Leads"


def test_rule_29_without_a_rule_a_new_lead_goes_to_the_named_workspace_primary_partition(session, clock):
    result = sync_lead(session, clock, LeadInput(email="paris@example.com"), target_workspace="emea")
    assert partition_of(session, result.lead_id) == "EMEA Leads"


def test_rule_29_after_a_new_seed_its_rules_and_primary_partition_place_new_leads(instance, clock):
    """What a seed says about partitions is read once per seed: the next seed's applies at once."""
    german = LeadInput(email="berlin@example.com", attributes=[("Country", "Germany")])
    with instance.store.session() as session:
        assert partition_of(session, sync_lead(session, clock, german).lead_id) == "EMEA Leads"
    seed = read_seed_file(DEFAULT_SEED)
    seed["assignmentRules"] = []
    seed["workspaces"][0]["primaryPartition"] = "Partners"
    instance.reset(seed, remember=False)
    with instance.store.session() as session:
        assert partition_of(session, sync_lead(session, clock, german).lead_id) == "Partners"


def test_rule_30_a_lead_in_the_workspace_primary_partition_is_updated(session, clock):
    assert sync_lead(session, clock, LeadInput(id=HANS), target_workspace="EMEA").status == "UPDATED"


@pytest.mark.parametrize(
    "record, cookie",
    [
        (LeadInput(id=ADA), None),
        (LeadInput(foreign_sys_person_id="SF-0002", foreign_sys_type="SFDC"), None),
        (LeadInput(), ADA_COOKIE),
    ],
    ids=["Id", "ForeignSysPersonId", "cookie"],
)
def test_rule_30_a_lead_matched_outside_the_workspace_primary_partition_is_an_error(session, clock, record, cookie):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, record, marketo_cookie=cookie, target_workspace="EMEA")
    assert error.value.code == 20106


def test_rule_31_a_lead_matched_by_email_ignores_the_workspace(session, clock):
    result = sync_lead(
        session, clock, LeadInput(email="ada@example.com", attributes=[("City", "London")]), target_workspace="EMEA"
    )
    assert result.lead_id == ADA
    assert partition_of(session, ADA) == "Default"


def test_rule_32_without_header_a_new_lead_goes_to_the_rule_partition(session, clock):
    result = sync_lead(session, clock, LeadInput(email="munich@example.com", attributes=[("Country", "Germany")]))
    assert partition_of(session, result.lead_id) == "EMEA Leads"


def test_rule_32_without_header_or_rule_a_new_lead_goes_to_the_default_primary_partition(session, clock):
    result = sync_lead(session, clock, LeadInput(email="nyc@example.com"))
    assert partition_of(session, result.lead_id) == "Default"


def test_rule_33_without_header_an_existing_lead_stays_in_its_partition(session, clock):
    sync_lead(session, clock, LeadInput(id=HANS, attributes=[("City", "Hamburg")]))
    assert partition_of(session, HANS) == "EMEA Leads"


def test_rule_34_workspaces_off_only_default_is_a_valid_target(session, clock):
    session.merge(Setting(name="workspaces_enabled", value="false"))
    assert sync_lead(session, clock, LeadInput(email="x@example.com"), target_workspace="default").status == "CREATED"
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(email="y@example.com"), target_workspace="EMEA")
    assert error.value.code == 20110


def test_rule_34_workspaces_off_the_header_is_not_needed(session, clock):
    session.merge(Setting(name="workspaces_enabled", value="false"))
    assert sync_lead(session, clock, LeadInput(email="z@example.com")).status == "CREATED"


def test_unknown_workspace_is_a_bad_parameter(session, clock):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(email="a@example.com"), target_workspace="APAC")
    assert error.value.code == 20110


def test_rule_35_one_of_id_email_or_foreign_sys_person_id_is_required(session, clock):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(attributes=[("FirstName", "Nobody")]))
    assert error.value.code == 20101


@pytest.mark.parametrize("system", ["CUSTOM", "SFDC", "NETSUITE"])
def test_rule_36_foreign_sys_type_values(session, clock, system):
    result = sync_lead(session, clock, LeadInput(foreign_sys_person_id=f"{system}-9", foreign_sys_type=system))
    assert session.get(Lead, result.lead_id).foreign_sys_type == system


@pytest.mark.parametrize("system", [None, "ORACLE"])
def test_rule_36_foreign_sys_type_is_required_with_foreign_sys_person_id(session, clock, system):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(foreign_sys_person_id="X-1", foreign_sys_type=system))
    assert error.value.code == 20110


@pytest.mark.parametrize("pair", [("FirstName", None), (None, "value")])
def test_rule_37_each_attribute_needs_name_and_value(session, clock, pair):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(email="ada@example.com", attributes=[pair]))
    assert error.value.code == 20109


def test_rule_38_return_lead_true_gives_the_complete_updated_record(session, clock):
    result = sync_lead(
        session, clock, LeadInput(email="ada@example.com", attributes=[("Title", "Countess")]), return_lead=True
    )
    values = {name: value for name, _, value in result.lead.attributes}
    assert values == {
        "Company": "Analytical Engines",
        "Country": "UK",
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Title": "Countess",
    }


def test_rule_38_return_lead_false_gives_no_record(session, clock):
    assert sync_lead(session, clock, LeadInput(email="ada@example.com"), return_lead=False).lead is None


def test_rule_39_the_cookie_is_optional_and_links_when_sent(session, clock):
    result = sync_lead(session, clock, LeadInput(email="new@example.com"), marketo_cookie="id:fresh")
    assert session.get(Lead, result.lead_id).cookie == "id:fresh"


def test_rule_40_an_existing_lead_gives_updated_with_its_id(session, clock):
    result = sync_lead(session, clock, LeadInput(email="grace@example.com"))
    assert (result.lead_id, result.status) == (GRACE, "UPDATED")


def test_unknown_attribute_names_are_listed_in_fault_20105(session, clock):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(email="ada@example.com", attributes=[("pants", "1"), ("hat", "2")]))
    assert error.value.code == 20105
    assert error.value.message == "syncLead operation failed: unknown fields for import: pants, hat (20105)"


@pytest.mark.parametrize(
    "field, value", [("NumberOfEmployees", "many"), ("DoNotCall", "perhaps"), ("DateofBirth", "yesterday")]
)
def test_attribute_values_are_checked_against_the_field_type(session, clock, field, value):
    with pytest.raises(MarketoError) as error:
        sync_lead(session, clock, LeadInput(email="ada@example.com", attributes=[(field, value)]))
    assert error.value.code == 20110


def test_email_shared_by_several_leads_matches_the_most_recently_updated(session, clock):
    (twin,) = sync_multiple_leads(session, clock, [LeadInput(email="ada@example.com")], dedup_enabled=False)
    clock.advance(timedelta(minutes=1))
    sync_lead(session, clock, LeadInput(id=ADA, attributes=[("Title", "Newest")]))
    assert sync_lead(session, clock, LeadInput(email="ada@example.com")).lead_id == ADA
    clock.advance(timedelta(minutes=1))
    sync_lead(session, clock, LeadInput(id=twin.lead_id, attributes=[("Title", "Newer still")]))
    assert sync_lead(session, clock, LeadInput(email="ADA@example.com")).lead_id == twin.lead_id


def test_update_writes_change_data_value_with_old_and_new_values(session, clock):
    sync_lead(session, clock, LeadInput(id=ADA, attributes=[("FirstName", "Augusta")]))
    change = session.scalars(
        select(Activity).where(Activity.lead_id == ADA, Activity.activity_type == "ChangeDataValue")
    ).one()
    assert change.attributes["Old Value"] == "Ada"
    assert change.attributes["New Value"] == "Augusta"


def test_create_writes_new_lead_activity(session, clock):
    result = sync_lead(session, clock, LeadInput(email="fresh@example.com"))
    types = session.scalars(select(Activity.activity_type).where(Activity.lead_id == result.lead_id)).all()
    assert types == ["NewLead"]


def test_a_cookie_of_another_known_lead_moves_only_with_move_cookie(session, clock):
    sync_lead(session, clock, LeadInput(id=GRACE), marketo_cookie=ADA_COOKIE)
    assert session.get(Lead, ADA).cookie == ADA_COOKIE
    sync_lead(session, clock, LeadInput(id=GRACE), marketo_cookie=ADA_COOKIE, move_cookie=True)
    assert session.get(Lead, GRACE).cookie == ADA_COOKIE
    assert session.get(Lead, ADA).cookie is None


@pytest.mark.parametrize(
    ("record", "cookie"),
    [
        (LeadInput(email="long@example.com", foreign_sys_person_id="F" * 256, foreign_sys_type="SFDC"), None),
        (LeadInput(email="long@example.com"), "id:" + "c" * 253),
    ],
    ids=["ForeignSysPersonId", "cookie"],
)
def test_a_key_longer_than_255_characters_is_20110_and_writes_nothing(session, clock, record, cookie):
    """Marketo's keys are 255-character texts: the same fault on every store (PostgreSQL indexes no
    key of more than about 2,700 bytes, where SQLite kept any)."""
    before = lead_count(session)
    with pytest.raises(MarketoError) as raised:
        sync_lead(session, clock, record, marketo_cookie=cookie)
    assert raised.value.code == 20110 and lead_count(session) == before


def test_a_key_of_255_characters_is_a_key_like_any_other(session, clock):
    record = LeadInput(email="edge@example.com", foreign_sys_person_id="F" * 255, foreign_sys_type="SFDC")
    created = sync_lead(session, clock, record, marketo_cookie="id:" + "c" * 252)
    assert created.status == "CREATED"
    assert sync_lead(session, clock, LeadInput(), marketo_cookie="id:" + "c" * 252).lead_id == created.lead_id
