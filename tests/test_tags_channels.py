"""getTags and getChannels (spec sections 12.1, 12.2), through the domain and end to end."""

from __future__ import annotations

import pytest
import zeep
from zeep.transports import Transport

from mockmkto.domain.auth import sign
from mockmkto.domain.seed import load_seed
from mockmkto.domain.seed_format import SeedError
from mockmkto.domain.tags import find_tag, get_channels, get_tags
from tests.schema import assert_valid_success
from tests.soap import NS, timestamp


def test_get_tags_without_a_list_returns_every_non_channel_tag_type_with_its_values(session):
    tags = get_tags(session, None)
    assert [(t.type, t.values) for t in tags] == [
        ("Region", ["North America", "EMEA", "APAC"]),
        ("Product", ["Lead Management", "Revenue Cycle Analytics", "Sales Insight"]),
    ]


def test_get_tags_of_one_type_returns_only_the_requested_values_that_exist(session):
    tags = get_tags(session, [("region", ["emea", "Atlantis"])])
    assert [(t.type, t.values) for t in tags] == [("Region", ["EMEA"])]


def test_get_tags_of_a_type_without_values_returns_all_its_values(session):
    (tag,) = get_tags(session, [("Product", [])])
    assert tag.values == ["Lead Management", "Revenue Cycle Analytics", "Sales Insight"]


def test_get_tags_leaves_unknown_types_out(session):
    assert get_tags(session, [("Season", [])]) == []


def test_get_tags_never_lists_channels(session):
    assert get_tags(session, [("Channel", [])]) == []


def test_get_channels_without_names_returns_every_channel_by_name(session):
    assert [c.name for c in get_channels(session, None)] == ["Email Blast", "Tradeshow", "Webinar"]


def test_get_channels_by_name_with_progression_statuses_step_and_success(session):
    (webinar,) = get_channels(session, ["webinar", "Carrier Pigeon"])
    assert [(s.status, s.step, s.success) for s in webinar.statuses] == [
        ("Attended", 70, True),
        ("Invited", 10, False),
        ("No Show", 50, False),
        ("Registered", 40, False),
    ]
    assert webinar.statuses[0].attributes == [("Webinar Behavior", "Attended")]


def test_find_tag_matches_defined_tags_and_channels_case_insensitively(session):
    assert find_tag(session, "region", "emea") == ("Region", "EMEA")
    assert find_tag(session, "CHANNEL", "tradeshow") == ("Channel", "Tradeshow")


def test_seed_cannot_declare_channel_as_a_tag_type(instance):
    with instance.store.session() as session, pytest.raises(SeedError) as raised:
        load_seed(session, instance.clock, {"tags": [{"type": "Channel", "values": ["Webinar"]}]})
    assert raised.value.path == "tags[0].type"


# End to end --------------------------------------------------------------------------------------


def test_get_channels_answers_marketo_s_sample_request(server):
    body = (
        "<ns1:paramsGetChannels><tag><values>"
        "<stringItem>Webinar</stringItem><stringItem>Blog</stringItem><stringItem>Tradeshow</stringItem>"
        "</values></tag></ns1:paramsGetChannels>"
    )
    status, root = server.call(body)
    assert status == 200
    assert_valid_success(root)
    tag_statuses = root.findall(".//m:successGetChannels/result/tags/tagStatus", NS)
    assert [t.findtext("tagValue") for t in tag_statuses] == ["Tradeshow", "Webinar"]
    first = tag_statuses[0].find("statusList/progressionStatusItem/progressionStatus")
    assert [(a.findtext("name"), a.findtext("value")) for a in first.findall("attrib")] == [
        ("Status", "Attended Show"),
        ("Step", "20"),
        ("Check-in Status", "Attended"),
        ("Success", "false"),
    ]


def test_get_tags_and_channels_through_zeep(server):
    client = zeep.Client(server.wsdl_url, transport=Transport(session=server.session))
    stamp = timestamp()
    auth = {
        "mktowsUserId": server.user_id,
        "requestSignature": sign(server.secret, stamp, server.user_id),
        "requestTimestamp": stamp,
    }
    # zeep hands back the only child of `result`: the tag list, the tag status list.
    tags = client.service.getTags(tagList={"tag": [{"type": "Region"}]}, _soapheaders={"authentication": auth})
    assert [(t.type, t.values.stringItem) for t in tags.tag] == [("Region", ["North America", "EMEA", "APAC"])]
    channels = client.service.getChannels(_soapheaders={"authentication": auth})
    assert [t.tagValue for t in channels.tagStatus] == ["Email Blast", "Tradeshow", "Webinar"]
