"""The admin HTTP API (/_admin): health, reset, seed, state, journal, clock, faults, quotas,
export, instances. Driven over real HTTP like a test suite using the mock would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.soap import auth_header_xml, envelope, fault_code, timestamp

GET_ADA = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></ns1:paramsGetLead>"


def admin(server, method: str, path: str, **kwargs):
    return server.session.request(method, f"{server.base}{path}", **kwargs)


def sync_email(email: str) -> str:
    return (
        f"<ns1:paramsSyncLead><leadRecord><Email>{email}</Email></leadRecord>"
        "<returnLead>false</returnLead></ns1:paramsSyncLead>"
    )


def test_health_says_ready_with_version_and_db(server, store_kind):
    body = admin(server, "GET", "/_admin/health").json()
    assert body["ready"] is True and body["db"] == store_kind and body["version"]


def test_config_lists_seeds_and_users(server):
    body = admin(server, "GET", "/_admin/config").json()
    assert "default" in body["seeds"]
    assert body["users"] == [server.user_id]


def test_reset_empty_true_empties_the_instance(server):
    assert admin(server, "POST", "/_admin/reset?empty=true").json()["empty"] is True
    assert admin(server, "GET", "/_admin/leads").json()["total"] == 0


def test_reset_without_a_seed_returns_to_the_seed_the_server_started_with(server):
    server.call(sync_email("extra@example.com"))
    assert admin(server, "POST", "/_admin/reset").json()["empty"] is False
    assert admin(server, "GET", "/_admin/leads").json()["total"] == 3
    status, _ = server.call(sync_email("after-reset@example.com"))
    assert status == 200  # the seed's API user is back: calls still authenticate


def test_reset_takes_a_seed_or_empty_not_both(server):
    response = admin(server, "POST", "/_admin/reset?seed=default&empty=true")
    assert response.status_code == 400 and "not both" in response.json()["error"]


def test_journal_ids_start_at_one_after_a_reset(server):
    server.call(sync_email("one@example.com"))
    admin(server, "POST", "/_admin/reset?seed=default")
    server.call(sync_email("two@example.com"))
    assert [entry["id"] for entry in admin(server, "GET", "/_admin/journal").json()["entries"]] == [1]


def test_seeding_objects_the_instance_holds_is_a_400_naming_the_conflict_and_loads_nothing(server):
    exported = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    exported["leads"].append({"Email": "newcomer@example.com"})
    response = admin(server, "POST", "/_admin/seed", json=exported)
    assert response.status_code == 400 and "conflicts with the instance's state" in response.json()["error"]
    assert admin(server, "GET", "/_admin/leads", params={"email": "newcomer@example.com"}).json()["total"] == 0


def test_seed_replace_true_replaces_the_state_in_one_step(server):
    server.call(sync_email("replaced@example.com"))
    exported = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    server.call(sync_email("gone-after-replace@example.com"))
    assert admin(server, "POST", "/_admin/seed?replace=true", json=exported).json()["replaced"] is True
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == exported


def test_a_replacement_that_conflicts_within_itself_is_a_400_naming_it_and_changes_nothing(server):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    doubled = before | {"workspaces": before["workspaces"] + before["workspaces"][:1]}
    response = admin(server, "POST", "/_admin/seed?replace=true", json=doubled)
    assert response.status_code == 400 and "conflicts" in response.json()["error"]
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


def test_a_bad_replacement_changes_nothing(server):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    response = admin(server, "POST", "/_admin/seed?replace=true", json={"leads": [{"Email": 7}]})
    assert response.status_code == 400
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


def test_reset_to_a_seed_restores_it(server):
    server.call(sync_email("extra@example.com"))
    admin(server, "POST", "/_admin/reset?seed=default")
    assert admin(server, "GET", "/_admin/leads").json()["total"] == 3


def test_reset_to_an_unknown_seed_is_400_and_changes_nothing(server):
    response = admin(server, "POST", "/_admin/reset?seed=nope")
    assert response.status_code == 400 and "nope" in response.json()["error"]
    assert admin(server, "GET", "/_admin/leads").json()["total"] == 3


def test_seed_loads_a_document(server):
    doc = {"leads": [{"Email": "seeded@example.com", "attributes": {"FirstName": "Seedy"}}]}
    assert admin(server, "POST", "/_admin/seed", json=doc).json()["loaded"]["leads"] == 1
    found = admin(server, "GET", "/_admin/leads", params={"email": "seeded@example.com"}).json()
    assert found["leads"][0]["attributes"]["FirstName"] == "Seedy"


def test_a_bad_seed_names_the_path_and_applies_nothing(server):
    doc = {"leads": [{"Email": "ok@example.com"}, {"Email": "bad@example.com", "attributes": {"pants": "1"}}]}
    response = admin(server, "POST", "/_admin/seed", json=doc)
    assert response.status_code == 400
    assert response.json()["path"] == "leads[1]"
    assert admin(server, "GET", "/_admin/leads", params={"email": "ok@example.com"}).json()["total"] == 0


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"leads": [{"Email": "big@example.com", "Id": 2**31}]}, "leads[0].Id"),  # past Marketo's xs:int
        ({"leads": [{"Email": "huge@example.com", "Id": 2**63}]}, "leads[0].Id"),  # was a 500 on SQLite
        ({"leads": [{"Email": "listed@example.com", "listIds": [2**63]}]}, "leads[0].listIds[0]"),
        ({"programs": [{"id": 2**63, "name": "Huge"}]}, "programs[0].id"),
        ({"programs": [{"id": True, "name": "Boolean"}]}, "programs[0].id"),
        ({"programs": [{"name": "Listed", "lists": [{"id": 2**31, "name": "Big"}]}]}, "programs[0].lists[0].id"),
        ({"opportunities": [{"id": 2**31, "Name": "Big"}]}, "opportunities[0].id"),
        ({"channels": [{"name": "Far", "statuses": [{"status": "s", "step": 2**63}]}]}, "channels[0].statuses[0].step"),
    ],
    ids=["lead-2^31", "lead-2^63", "list-2^63", "program-2^63", "program-bool", "list-2^31", "opp-2^31", "step"],
)
def test_a_seed_id_or_number_past_a_32_bit_integer_is_a_400_naming_it_and_loads_nothing(server, doc, path):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    response = admin(server, "POST", "/_admin/seed", json=doc)
    assert (response.status_code, response.json()["path"]) == (400, path)
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({"users": [{"userId": "nul", "secret": "a\u0000b"}]}, "users[0].secret"),  # was a 500 on PostgreSQL
        ({"leads": [{"Email": "c@x.org", "attributes": {"City": "\u0001"}}]}, "leads[0].attributes.City"),
        ({"programs": [{"name": "P\ufffe"}]}, "programs[0].name"),
        ({"tags": [{"type": "T", "values": ["ok", "\u001f"]}]}, "tags[0].values[1]"),
        ({"leads": [{"Email": "key@example.com", "attributes": {"\u0000": "1"}}]}, "leads[0].attributes.\u0000"),
    ],
    ids=["nul", "control", "fffe", "in-a-list", "a-key"],
)
def test_a_seed_text_xml_cannot_carry_is_a_400_naming_it_and_loads_nothing(server, doc, path):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    response = admin(server, "POST", "/_admin/seed", json=doc)
    assert (response.status_code, response.json()["path"]) == (400, path) and "XML" in response.json()["error"]
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


@pytest.mark.parametrize(
    "doc",
    [
        {"programs": [{"name": "P", "campaigns": [{"name": "C", "description": ["not", "text"]}]}]},
        {
            "customObjectTypes": [
                {
                    "name": "Thing",
                    "description": {"not": "text"},
                    "fields": [{"name": "code"}],
                    "keyFields": ["code"],
                    "linkField": "code",
                }
            ]
        },
    ],
    ids=["campaign", "custom-object-type"],
)
def test_a_description_that_is_not_text_is_a_400_naming_it_and_loads_nothing(server, doc):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    response = admin(server, "POST", "/_admin/seed", json=doc)
    assert (response.status_code, response.json()["path"].rsplit(".", 1)[-1]) == (400, "description")
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


@pytest.mark.parametrize(
    "path",
    [
        "/_admin/leads?email=%00",
        "/_admin/leads?emailContains=a%00",
        "/_admin/leads?partition=%01",
        "/_admin/journal?operation=%00",
        "/_admin/journal?user=%00",
        "/_admin/ui/journal?operation=%00",
        "/_admin/ui/leads?email=%00",
    ],
)
def test_a_query_parameter_xml_cannot_carry_is_a_400_not_a_500(server, path):
    response = admin(server, "GET", path)
    assert response.status_code == 400 and "XML" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [{"operation": "get\u0000Lead", "code": 20011}, {"operation": "getLead", "code": 20011, "message": "\u0000"}],
    ids=["operation", "message"],
)
def test_a_fault_text_xml_cannot_carry_is_a_400_and_injects_nothing(server, body):
    response = admin(server, "POST", "/_admin/faults", json=body)
    assert response.status_code == 400 and "XML" in response.json()["error"]
    assert admin(server, "GET", "/_admin/faults").json() == []


def test_seed_that_is_not_json_is_400(server):
    response = admin(server, "POST", "/_admin/seed", data="{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_leads_filter_by_partition(server):
    body = admin(server, "GET", "/_admin/leads", params={"partition": "EMEA Leads"}).json()
    assert [lead["Id"] for lead in body["leads"]] == [3]


def test_lead_detail_has_activities_and_lists(server):
    server.call(
        "<ns1:paramsListOperation><listOperation>ADDTOLIST</listOperation>"
        "<listKey><keyType>MKTOLISTNAME</keyType><keyValue>Registrants</keyValue></listKey>"
        "<listMemberList><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></listMemberList>"
        "</ns1:paramsListOperation>"
    )
    detail = admin(server, "GET", "/_admin/leads/1").json()
    assert [a["type"] for a in detail["activities"]][0] == "AddToList"
    assert {"id": 3001, "name": "Registrants"} in detail["lists"]


def test_unknown_lead_detail_is_404_json(server):
    response = admin(server, "GET", "/_admin/leads/999")
    assert response.status_code == 404 and "999" in response.json()["error"]


def test_unknown_admin_path_is_404_json(server):
    response = admin(server, "GET", "/_admin/nothing-here")
    assert response.status_code == 404 and response.json()["error"]


def test_journal_records_each_call_with_operation_user_and_fault(server):
    server.call(GET_ADA)
    server.call(GET_ADA, headers=auth_header_xml(signature="0" * 40))
    entries = admin(server, "GET", "/_admin/journal").json()["entries"]
    assert [(e["operation"], e["faultCode"]) for e in entries] == [("getLead", None), ("getLead", 20014)]
    assert entries[0]["userId"] == server.user_id
    assert "paramsGetLead" in entries[0]["request"] and "successGetLead" in entries[0]["response"]


def test_journal_filters_by_operation_and_fault(server):
    server.call(GET_ADA)
    server.call(sync_email("j@example.com"))
    server.call(GET_ADA, headers=auth_header_xml(signature="0" * 40))
    by_fault = admin(server, "GET", "/_admin/journal", params={"operation": "getLead", "fault": "20014"}).json()
    assert by_fault["count"] == 1
    assert admin(server, "GET", "/_admin/journal", params={"operation": "syncLead"}).json()["count"] == 1


@pytest.mark.parametrize("fault", ["\u00b2", str(2**63)], ids=["superscript-two", "2^63"])
def test_a_journal_filter_by_a_fault_no_code_can_be_matches_nothing(server, fault):
    server.call(GET_ADA, headers=auth_header_xml(signature="0" * 40))
    assert admin(server, "GET", "/_admin/journal", params={"fault": fault}).json()["count"] == 0


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/_admin/leads/{2**63}", 404),
        (f"/_admin/ui/leads/{2**63}", 404),
        (f"/_admin/ui/journal/{2**63}", 404),
        (f"/_admin/leads?limit={2**63}", 400),
        (f"/_admin/leads?offset={2**63}", 400),
        (f"/_admin/journal?limit={2**63}", 400),
        ("/_admin/leads?limit=\u00b2", 400),
    ],
)
def test_a_number_in_an_admin_path_or_query_past_a_32_bit_integer_is_refused_not_a_500(server, path, status):
    assert admin(server, "GET", path).status_code == status


def test_journal_records_the_workspace_header(server):
    header = (
        auth_header_xml() + "<ns1:MktowsContextHeader><targetWorkspace>EMEA</targetWorkspace></ns1:MktowsContextHeader>"
    )
    server.call(sync_email("ws@example.com"), headers=header)
    (entry,) = admin(server, "GET", "/_admin/journal").json()["entries"]
    assert entry["workspace"] == "EMEA"


def test_journal_records_a_workspace_header_of_any_length_on_every_store(server):
    """Any text a client sends is journalled as sent (on PostgreSQL a name over 255 characters was a
    500 the journal lost, where SQLite kept it)."""
    workspace = "W" * 300
    header = (
        auth_header_xml()
        + f"<ns1:MktowsContextHeader><targetWorkspace>{workspace}</targetWorkspace></ns1:MktowsContextHeader>"
    )
    status, answer = server.call(GET_ADA, headers=header)
    assert (status, fault_code(answer)) == (200, None)  # getLead reads leads of any workspace
    (entry,) = admin(server, "GET", "/_admin/journal").json()["entries"]
    assert entry["workspace"] == workspace


def test_a_fault_for_an_operation_of_any_name_is_injected_on_every_store(server):
    response = admin(server, "POST", "/_admin/faults", json={"operation": "o" * 100, "code": 20011})
    assert response.status_code == 201 and admin(server, "GET", "/_admin/faults").json()[0]["operation"] == "o" * 100


def test_a_seed_name_longer_than_255_characters_is_a_400_naming_it_and_loads_nothing(server):
    before = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    for doc, path in (
        ({"programs": [{"name": "P" * 256}]}, "programs[0].name"),
        ({"workspaces": [{"name": "W", "partitions": ["P" * 256]}]}, "workspaces[0].partitions[0]"),
    ):
        response = admin(server, "POST", "/_admin/seed", json=doc)
        assert (response.status_code, response.json()["path"]) == (400, path)
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == before


def test_journal_delete_clears_it(server):
    server.call(GET_ADA)
    admin(server, "DELETE", "/_admin/journal")
    assert admin(server, "GET", "/_admin/journal").json()["count"] == 0


def test_clock_freeze_set_and_advance(server):
    admin(server, "POST", "/_admin/clock", json={"freeze": True, "set": "2030-01-01T12:00:00Z"})
    body = admin(server, "POST", "/_admin/clock", json={"advance": 90}).json()
    assert body == {"now": "2030-01-01T12:01:30+00:00", "frozen": True}


def test_clock_drives_the_signature_window(server):
    admin(server, "POST", "/_admin/clock", json={"freeze": True, "set": "2030-01-01T12:00:00Z"})
    status, root = server.call(GET_ADA, headers=auth_header_xml(stamp="2030-01-01T11:00:00+00:00"))
    assert fault_code(root) == 20016
    status, root = server.call(GET_ADA, headers=auth_header_xml(stamp="2030-01-01T12:05:00+00:00"))
    assert status == 200


@pytest.mark.parametrize("body", [{"set": "soon"}, {"advance": "ten"}, {"freeze": "yes"}, {"rewind": 1}])
def test_bad_clock_input_is_400(server, body):
    assert admin(server, "POST", "/_admin/clock", json=body).status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"set": "9999-12-31T23:59:59Z"},  # a running clock would pass the last time Python can hold
        {"set": "0001-01-01T00:00:00Z"},
        {"freeze": True, "set": "9000-01-01T00:00:01Z"},
        {"advance": 1e300},
        {"advance": -(10**11)},
    ],
)
def test_the_clock_is_not_set_outside_the_years_1900_to_9000(server, body):
    answer = admin(server, "POST", "/_admin/clock", json=body)
    assert answer.status_code == 400 and "1900-01-01 to 9000-01-01" in answer.json()["error"]
    clock = admin(server, "GET", "/_admin/clock").json()
    assert not clock["frozen"] and clock["now"].startswith(str(datetime.now(UTC).year))


def test_a_clock_change_is_made_whole_or_not_at_all(server):
    body = {"freeze": True, "set": "2030-01-01T12:00:00Z", "advance": 1e300}
    assert admin(server, "POST", "/_admin/clock", json=body).status_code == 400
    assert admin(server, "GET", "/_admin/clock").json()["frozen"] is False


def test_the_clock_runs_at_its_last_year(server):
    admin(server, "POST", "/_admin/clock", json={"set": "9000-01-01T00:00:00Z"})
    assert server.call(GET_ADA)[0] == 200


def test_injected_fault_answers_with_the_marketo_code_then_stops(server):
    admin(server, "POST", "/_admin/faults", json={"operation": "getLead", "code": 20023, "count": 1})
    status, root = server.call(GET_ADA)
    assert (status, fault_code(root)) == (500, 20023)
    status, root = server.call(GET_ADA)
    assert status == 200


def test_injected_fault_only_hits_its_operation(server):
    admin(server, "POST", "/_admin/faults", json={"operation": "syncLead", "code": 10001})
    assert server.call(GET_ADA)[0] == 200
    status, root = server.call(sync_email("x@example.com"))
    assert fault_code(root) == 10001
    assert root.find(".//faultcode").text.endswith("Server")


def test_injected_delay_is_listed_and_cleared(server):
    created = admin(server, "POST", "/_admin/faults", json={"delayMs": 1}).json()
    assert admin(server, "GET", "/_admin/faults").json() == [created]
    admin(server, "DELETE", "/_admin/faults")
    assert admin(server, "GET", "/_admin/faults").json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"code": 12345},
        {},
        {"code": 20023, "probability": 2},
        {"code": 20023, "colour": "red"},
        {"code": 20023, "delayMs": 1e300},  # a call then failed with 10001
        {"delayMs": 3_600_001},  # past an hour
        {"transport": "dribble", "delayMs": 10**15},  # an answer that would never end
        {"code": 20023, "count": 1e300},
        {"code": 20023, "count": 2**31},  # past a PostgreSQL integer
    ],
)
def test_bad_fault_input_is_400_and_injects_nothing(server, body):
    assert admin(server, "POST", "/_admin/faults", json=body).status_code == 400
    assert admin(server, "GET", "/_admin/faults").json() == []


def test_rate_quota_gives_20023(server):
    admin(server, "POST", "/_admin/quotas", json={"enabled": True, "rate": 2})
    codes = [fault_code(server.call(GET_ADA)[1]) for _ in range(3)]
    assert codes == [None, None, 20023]


def test_daily_quota_gives_20015_and_resets_at_central_midnight(server):
    admin(server, "POST", "/_admin/clock", json={"freeze": True, "set": "2030-01-02T05:30:00Z"})
    admin(server, "POST", "/_admin/quotas", json={"enabled": True, "daily": 1})
    stamp = "2030-01-02T05:30:00Z"
    assert server.call(GET_ADA, headers=auth_header_xml(stamp=stamp))[0] == 200
    assert fault_code(server.call(GET_ADA, headers=auth_header_xml(stamp=stamp))[1]) == 20015
    admin(server, "POST", "/_admin/clock", json={"set": "2030-01-02T06:00:30Z"})
    assert server.call(GET_ADA, headers=auth_header_xml(stamp="2030-01-02T06:00:30Z"))[0] == 200


@pytest.mark.parametrize(
    "body", [{"daily": -1}, {"daily": 10**20}, {"rate": 2**31}, {"concurrency": 1.5}, {"enabled": 1}]
)
def test_bad_quota_input_is_400_and_changes_nothing(server, body):
    before = admin(server, "GET", "/_admin/quotas").json()
    assert admin(server, "POST", "/_admin/quotas", json=body).status_code == 400  # 10**20 was a 500
    assert admin(server, "GET", "/_admin/quotas").json() == before


def test_export_round_trips_as_a_seed(server):
    server.call(sync_email("roundtrip@example.com"))
    exported = admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json()
    admin(server, "POST", "/_admin/reset?empty=true")
    admin(server, "POST", "/_admin/seed", json=exported)
    assert admin(server, "GET", "/_admin/export", params={"secrets": "true"}).json() == exported
    assert admin(server, "GET", "/_admin/leads", params={"email": "roundtrip@example.com"}).json()["total"] == 1


def test_instances_are_isolated(server):
    other = f"{server.base}/100-AEK-913/soap/mktows/2_9"
    response = server.session.post(other, data=envelope(sync_email("only-here@example.com")).encode())
    assert response.status_code == 200
    mine = admin(server, "GET", "/_admin/leads", params={"email": "only-here@example.com"}).json()
    theirs = admin(server, "GET", "/100-AEK-913/_admin/leads", params={"email": "only-here@example.com"}).json()
    assert (mine["total"], theirs["total"]) == (0, 1)


def test_an_instance_has_its_own_clock(server):
    admin(server, "POST", "/100-AEK-913/_admin/clock", json={"freeze": True, "set": "2031-01-01T00:00:00Z"})
    now = datetime.fromisoformat(admin(server, "GET", "/_admin/clock").json()["now"])
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    admin(server, "POST", "/100-AEK-913/_admin/reset?seed=default")


def test_an_instance_wsdl_addresses_the_instance(server):
    text = server.session.get(f"{server.base}/100-AEK-913/soap/mktows/2_9?WSDL").text
    assert f'location="{server.base}/100-AEK-913/soap/mktows/2_9"' in text


def test_instance_names_are_checked(server):
    assert server.session.get(f"{server.base}/bad%20name/_admin/health").status_code == 404


def test_stamp_helper_sanity(server):
    assert timestamp().endswith("+00:00")


def test_programs_list_tokens_campaigns_and_lists(server):
    programs = {p["name"]: p for p in admin(server, "GET", "/_admin/programs").json()}
    webinar = programs["Spring Webinar"]
    assert webinar["tokens"]["{{my.message}}"] == "Welcome to our spring webinar"
    assert [c["name"] for c in webinar["campaigns"]] == ["Send Invite", "Send Reminder"]
    assert webinar["lists"][0]["name"] == "Registrants"


def test_campaigns_list_their_triggers(server):
    campaigns = {c["id"]: c for c in admin(server, "GET", "/_admin/campaigns").json()}
    assert campaigns[2001]["requestableFrom"] == ["MKTOWS", "SALES"]
    assert campaigns[2001]["fullName"] == "Spring Webinar.Send Invite"


def test_campaign_runs_show_leads_and_resolved_tokens(server):
    status, _ = server.call(
        "<ns1:paramsRequestCampaign><source>MKTOWS</source><leadList>"
        "<leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></leadList>"
        "<programName>Spring Webinar</programName><campaignName>Send Invite</campaignName>"
        "<programTokenList><attrib><name>{{my.message}}</name><value>Hi Ada</value></attrib></programTokenList>"
        "</ns1:paramsRequestCampaign>"
    )
    assert status == 200
    (run,) = admin(server, "GET", "/_admin/campaign-runs").json()
    assert (run["campaign"], run["source"]) == ("Spring Webinar.Send Invite", "MKTOWS")
    assert run["leads"] == [{"leadId": 1, "tokens": {"{{my.message}}": "Hi Ada", "{{my.speaker}}": "Ada Lovelace"}}]


def test_imports_list_each_import_with_its_status(server):
    status, _ = server.call(
        "<ns1:paramsImportToList><programName>Spring Webinar</programName>"
        "<importFileHeader>Email Address,First Name</importFileHeader>"
        "<importFileRows><stringItem>imp@example.com,Imp</stringItem></importFileRows>"
        "<importListMode>UPSERTLEADS</importListMode><listName>Registrants</listName>"
        "<clearList>false</clearList></ns1:paramsImportToList>"
    )
    assert status == 200
    (entry,) = admin(server, "GET", "/_admin/imports").json()
    assert (entry["list"], entry["mode"], entry["status"]["status"]) == ("Registrants", "UPSERTLEADS", "PROCESSING")


def test_mobjects_lists_opportunities(server):
    (opportunity,) = admin(server, "GET", "/_admin/mobjects", params={"type": "Opportunity"}).json()
    assert (opportunity["type"], opportunity["id"]) == ("Opportunity", 11)


def test_mobjects_unknown_type_is_400(server):
    assert admin(server, "GET", "/_admin/mobjects", params={"type": "Spaceship"}).status_code == 400
