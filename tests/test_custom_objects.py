"""syncCustomObjects, getCustomObjects, deleteCustomObjects (spec sections 12.3-12.5): through the
domain, and end to end with Marketo's sample requests (MKTOID mapped to a seeded lead)."""

from __future__ import annotations

import random
import string

import pytest
import zeep
from zeep.transports import Transport

from mockmkto.domain.auth import sign
from mockmkto.domain.custom_objects import (
    CustomObjectInput,
    delete_custom_objects,
    get_custom_objects,
    sync_custom_objects,
)
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.seed import load_seed
from mockmkto.domain.seed_format import SeedError
from tests.schema import assert_valid_success
from tests.soap import NS, fault_code, timestamp

ADA, GRACE = "1", "2"


def roadshow(lead: str, rid: str, **attributes: str) -> CustomObjectInput:
    return CustomObjectInput([("MKTOID", lead), ("rid", rid)], list(attributes.items()))


def sync(session, clock, objects, operation="UPSERT", type_name="RoadShow"):
    return sync_custom_objects(session, clock, type_name, objects, operation)


def test_sync_creates_then_updates_by_the_key_fields(session, clock):
    (created,) = sync(session, clock, [roadshow(ADA, "rid1", city="San Mateo", zip="94404")])
    (updated,) = sync(session, clock, [roadshow(ADA, "rid1", city="Redwood City")])
    assert (created.status, updated.status) == ("CREATED", "UPDATED")
    (found,) = get_custom_objects(session, "Roadshow", [("MKTOID", ADA), ("rid", "rid1")]).objects
    assert found.attributes == [("city", "Redwood City"), ("zip", "94404")]


def test_sync_echoes_the_type_as_stored_and_the_key_as_sent(session, clock):
    (status,) = sync(session, clock, [roadshow(ADA, "rid1")], type_name="ROADSHOW")
    assert (status.obj_type_name, status.keys, status.error) == ("Roadshow", [("MKTOID", ADA), ("rid", "rid1")], None)


def test_sync_insert_of_an_existing_object_fails_with_its_reason(session, clock):
    sync(session, clock, [roadshow(ADA, "rid1")])
    (status,) = sync(session, clock, [roadshow(ADA, "rid1", city="Elsewhere")], "INSERT")
    assert status.status == "FAILED"
    assert "already exists" in status.error


def test_sync_update_of_a_new_object_fails_with_its_reason(session, clock):
    (status,) = sync(session, clock, [roadshow(ADA, "rid9", city="Nowhere")], "UPDATE")
    assert status.status == "FAILED"
    assert get_custom_objects(session, "Roadshow").objects == []


def test_sync_operation_defaults_to_upsert(session, clock):
    (status,) = sync(session, clock, [roadshow(ADA, "rid1")], operation=None)
    assert status.status == "CREATED"


def test_sync_uses_only_the_wsdl_statuses(session, clock):
    objects = [roadshow(ADA, "a"), roadshow(ADA, "a"), roadshow("999", "b"), CustomObjectInput([("rid", "c")])]
    results = sync(session, clock, objects, "INSERT")
    assert {r.status for r in results} <= {"CREATED", "UPDATED", "DELETED", "FAILED"}
    assert [r.status for r in results] == ["CREATED", "FAILED", "FAILED", "FAILED"]


def test_sync_each_object_fails_on_its_own(session, clock):
    results = sync(
        session,
        clock,
        [
            roadshow(ADA, "ok"),
            roadshow("999", "no-lead"),
            roadshow(ADA, "bad-field", colour="blue"),
            CustomObjectInput([("MKTOID", ADA)]),
            CustomObjectInput([("MKTOID", ADA), ("rid", "key-as-attribute")], [("MKTOID", ADA)]),
            roadshow("one", "not-a-number"),
        ],
    )
    assert [r.status for r in results] == ["CREATED", "FAILED", "FAILED", "FAILED", "FAILED", "FAILED"]
    assert "No lead" in results[1].error
    assert "colour" in results[2].error
    assert "rid" in results[3].error
    assert "key field" in results[4].error
    assert len(get_custom_objects(session, "Roadshow").objects) == 1


def test_an_object_whose_key_values_pass_2000_characters_fails_on_its_own_on_every_store(session, clock):
    """Random text, which PostgreSQL cannot compress below its index limit (a 20011 there, a new
    object on SQLite, before)."""
    load_seed(
        session,
        clock,
        {
            "customObjectTypes": [
                {
                    "name": "Note",
                    "keyFields": ["code"],
                    "linkField": "lead",
                    "fields": [{"name": "code"}, {"name": "lead", "dataType": "integer"}],
                }
            ]
        },
    )
    rng = random.Random(15)
    long_key = "".join(rng.choice(string.ascii_letters) for _ in range(2100))

    def note(code: str) -> CustomObjectInput:
        return CustomObjectInput([("code", code)], [("lead", ADA)])

    results = sync(session, clock, [note(long_key), note("short")], type_name="Note")
    assert [r.status for r in results] == ["FAILED", "CREATED"] and "2000" in results[0].error
    assert len(get_custom_objects(session, "Note").objects) == 1


def test_sync_takes_at_most_100_objects(session, clock):
    with pytest.raises(MarketoError) as raised:
        sync(session, clock, [roadshow(ADA, f"r{n}") for n in range(101)])
    assert raised.value.code == 20110


def test_unknown_object_type_is_a_bad_parameter(session, clock):
    for call in (
        lambda: sync(session, clock, [roadshow(ADA, "r")], type_name="Webinar"),
        lambda: get_custom_objects(session, "Webinar"),
        lambda: delete_custom_objects(session, "Webinar", []),
    ):
        with pytest.raises(MarketoError) as raised:
            call()
        assert raised.value.code == 20110


def test_get_by_a_partial_key_returns_the_lead_s_objects_in_key_order(session, clock):
    sync(session, clock, [roadshow(ADA, "rid2"), roadshow(GRACE, "rid1"), roadshow(ADA, "123456"), roadshow(ADA, "r0")])
    page = get_custom_objects(session, "Roadshow", [("MKTOID", ADA)])
    assert [dict(o.keys)["rid"] for o in page.objects] == ["123456", "r0", "rid2"]
    assert (page.obj_type_name, page.return_count, page.remaining_count) == ("Roadshow", 3, 0)


def test_get_returns_only_the_included_attributes(session, clock):
    sync(session, clock, [roadshow(ADA, "rid1", city="San Mateo", state="California", zip="94404")])
    (found,) = get_custom_objects(session, "Roadshow", include_attributes=["zip", "City", "nonsense"]).objects
    assert found.attributes == [("city", "San Mateo"), ("zip", "94404")]


def test_get_pages_by_batch_size_with_remaining_count_and_stream_position(session, clock):
    sync(session, clock, [roadshow(ADA, f"r{n:02}") for n in range(5)])
    first = get_custom_objects(session, "Roadshow", batch_size=2)
    second = get_custom_objects(session, "Roadshow", batch_size=2, stream_position=first.stream_position)
    third = get_custom_objects(session, "Roadshow", batch_size=2, stream_position=second.stream_position)
    assert [(p.return_count, p.remaining_count) for p in (first, second, third)] == [(2, 3), (2, 1), (1, 0)]
    rids = [dict(o.keys)["rid"] for page in (first, second, third) for o in page.objects]
    assert rids == ["r00", "r01", "r02", "r03", "r04"]


def test_get_batch_size_is_at_most_100(session, clock):
    sync(session, clock, [roadshow(ADA, f"r{n:03}") for n in range(100)])
    sync(session, clock, [roadshow(GRACE, "extra")])
    page = get_custom_objects(session, "Roadshow", batch_size=500)
    assert (page.return_count, page.remaining_count) == (100, 1)


def test_get_batch_size_below_1_is_a_bad_parameter(session):
    with pytest.raises(MarketoError) as raised:
        get_custom_objects(session, "Roadshow", batch_size=0)
    assert raised.value.code == 20110


def test_get_stream_position_of_another_key_is_bad(session, clock):
    position = get_custom_objects(session, "Roadshow", [("MKTOID", ADA)]).stream_position
    with pytest.raises(MarketoError) as raised:
        get_custom_objects(session, "Roadshow", [("MKTOID", GRACE)], stream_position=position)
    assert raised.value.code == 20122


def test_get_key_must_be_a_key_field(session):
    with pytest.raises(MarketoError) as raised:
        get_custom_objects(session, "Roadshow", [("city", "San Mateo")])
    assert raised.value.code == 20110


def test_delete_reports_deleted_unchanged_and_failed(session, clock):
    sync(session, clock, [roadshow(ADA, "rid1")])
    results = delete_custom_objects(
        session, "Roadshow", [[("MKTOID", ADA), ("rid", "rid1")], [("MKTOID", ADA), ("rid", "gone")], [("MKTOID", ADA)]]
    )
    assert [r.status for r in results] == ["DELETED", "FAILED", "FAILED"]
    assert get_custom_objects(session, "Roadshow").objects == []


# End to end: Marketo's own samples, MKTOID 1090177 mapped to seeded lead 1 ---------------------------

SYNC_SAMPLE = """<ns1:paramsSyncCustomObjects>
      <objTypeName>RoadShow</objTypeName>
      <customObjList>
        <customObj>
          <customObjKeyList>
            <attribute>
              <attrName>MKTOID</attrName>
              <attrValue>1</attrValue>
            </attribute>
            <attribute>
              <attrName>rid</attrName>
              <attrValue>rid1</attrValue>
            </attribute>
          </customObjKeyList>
          <customObjAttributeList>
            <attribute>
              <attrName>city</attrName>
              <attrValue>SanMateo</attrValue>
            </attribute>
            <attribute>
              <attrName>zip</attrName>
              <attrValue>94404</attrValue>
            </attribute>
            <attribute>
              <attrName>state</attrName>
              <attrValue>California</attrValue>
            </attribute>
          </customObjAttributeList>
        </customObj>
      </customObjList>
      <operation>UPSERT</operation>
    </ns1:paramsSyncCustomObjects>"""
GET_SAMPLE = """<ns1:paramsGetCustomObjects>
      <objTypeName>RoadShow</objTypeName>
      <customObjKeyList>
        <attribute>
          <attrName>MKTOID</attrName>
          <attrValue>1</attrValue>
        </attribute>
      </customObjKeyList>
      <includeAttributes />
    </ns1:paramsGetCustomObjects>"""
DELETE_SAMPLE = """<ns1:paramsDeleteCustomObjects>
      <objTypeName>RoadShow</objTypeName>
      <customObjKeyLists>
        <keyList>
          <attribute>
            <attrName>MKTOID</attrName>
            <attrValue>1</attrValue>
          </attribute>
          <attribute>
            <attrName>rid</attrName>
            <attrValue>rid1</attrValue>
          </attribute>
        </keyList>
      </customObjKeyLists>
    </ns1:paramsDeleteCustomObjects>"""


def attributes(parent) -> list[tuple[str, str]]:
    return [(a.findtext("attrName"), a.findtext("attrValue")) for a in parent.findall("attribute")]


def test_sync_get_delete_samples_end_to_end(server):
    status, root = server.call(SYNC_SAMPLE)
    assert status == 200
    assert_valid_success(root)
    (sync_status,) = root.findall(
        ".//m:successSyncCustomObjects/result/syncCustomObjStatusList/syncCustomObjStatus", NS
    )
    assert sync_status.findtext("objTypeName") == "Roadshow"
    assert attributes(sync_status.find("customObjKeyList")) == [("MKTOID", "1"), ("rid", "rid1")]
    assert sync_status.findtext("status") == "CREATED"
    assert sync_status.find("error").get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"

    status, root = server.call(GET_SAMPLE)
    assert status == 200
    result = assert_valid_success(root).find("result")
    assert (result.findtext("returnCount"), result.findtext("remainingCount")) == ("1", "0")
    (found,) = result.findall("customObjList/customObj")
    assert attributes(found.find("customObjAttributeList")) == [
        ("city", "SanMateo"),
        ("state", "California"),
        ("zip", "94404"),
    ]

    status, root = server.call(DELETE_SAMPLE)
    assert status == 200
    assert_valid_success(root)
    statuses = root.findall(".//m:successDeleteCustomObjects/result/deleteCustomObjStatusList/syncCustomObjStatus", NS)
    assert [s.findtext("status") for s in statuses] == ["DELETED"]


def test_unknown_object_type_is_fault_20110_end_to_end(server):
    status, root = server.call(SYNC_SAMPLE.replace("RoadShow", "Webinar"))
    assert (status, fault_code(root)) == (500, 20110)


def test_sync_and_get_through_zeep(server):
    client = zeep.Client(server.wsdl_url, transport=Transport(session=server.session))
    stamp = timestamp()
    headers = {
        "authentication": {
            "mktowsUserId": server.user_id,
            "requestSignature": sign(server.secret, stamp, server.user_id),
            "requestTimestamp": stamp,
        }
    }
    key = {"attribute": [{"attrName": "MKTOID", "attrValue": "2"}, {"attrName": "rid", "attrValue": "london"}]}
    synced = client.service.syncCustomObjects(
        objTypeName="Roadshow",
        customObjList={
            "customObj": [
                {
                    "customObjKeyList": key,
                    "customObjAttributeList": {"attribute": [{"attrName": "city", "attrValue": "London"}]},
                }
            ]
        },
        operation="INSERT",
        _soapheaders=headers,
    )
    assert [s.status for s in synced.syncCustomObjStatus] == ["CREATED"]
    got = client.service.getCustomObjects(
        objTypeName="Roadshow",
        customObjKeyList={"attribute": [{"attrName": "MKTOID", "attrValue": "2"}]},
        includeAttributes={},
        _soapheaders=headers,
    )
    assert got.returnCount == 1
    assert [(a.attrName, a.attrValue) for a in got.customObjList.customObj[0].customObjAttributeList.attribute] == [
        ("city", "London")
    ]


@pytest.mark.parametrize(
    ("custom_type", "path"),
    [
        (
            {"name": "Bad", "keyFields": ["nope"], "linkField": "a", "fields": [{"name": "a"}]},
            "customObjectTypes[0].keyFields",
        ),
        (
            {"name": "Bad", "keyFields": ["a"], "linkField": "b", "fields": [{"name": "a"}]},
            "customObjectTypes[0].linkField",
        ),
        (
            {"name": "Bad", "keyFields": ["a"], "linkField": "a", "leadLinkField": "Shoe", "fields": [{"name": "a"}]},
            "customObjectTypes[0].leadLinkField",
        ),
        (
            {"name": "Bad", "keyFields": ["a"], "linkField": "a", "fields": [{"name": "a", "dataType": "blob"}]},
            "customObjectTypes[0].fields[0].dataType",
        ),
    ],
)
def test_seed_custom_object_types_are_checked(instance, custom_type, path):
    with instance.store.session() as session, pytest.raises(SeedError) as raised:
        load_seed(session, instance.clock, {"customObjectTypes": [custom_type]})
    assert raised.value.path == path
