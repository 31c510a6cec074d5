"""syncMObjects and its family end to end: the seed document's request XML sent verbatim, and an SDK
(zeep with Marketo's real 2_6 WSDL) recording program costs, opportunities and roles and reading them
back (seed checklist rules 41-57, spec section 11)."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from zeep.exceptions import Fault

from tests.schema import assert_valid_success
from tests.soap import NS, auth_header_xml, fault_code

BINDING = "{http://www.marketo.com/mktows/}MktowsApiSoapBinding"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
PROGRAM_ID = 1001  # the seed's "Spring Webinar" stands in for the sample's program 1970
ADA = 1  # a seeded lead stands in for the sample's person 19

# syncMObjects.ko.txt, "요청 XML", byte for byte; only the AuthenticationHeader and the program id (which must
# exist) change. Its cost Id 153 is the seed's cost of that program.
SEED_REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns1="http://www.marketo.com/mktows/">
  <SOAP-ENV:Header>
    <ns1:AuthenticationHeader>
      <mktowsUserId>demo17_1_809934544BFABAE58E5D27</mktowsUserId>
      <requestSignature>40e6d89bd2f7f0daaddaf150ce7a7ca49788ffe7</requestSignature>
      <requestTimestamp>2013-08-05T14:22:45-07:00</requestTimestamp>
    </ns1:AuthenticationHeader>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <ns1:paramsSyncMObjects>
      <mObjectList>
        <mObject>
          <type>Program</type>
          <id>1970</id>
          <typeAttribList>
            <typeAttrib>
              <attrType>Cost</attrType>
              <attrList>
                <attrib>
                  <name>Month</name>
                  <value>2013-06</value>
                </attrib>
                <attrib>
                  <name>Amount</name>
                  <value>2000</value>
                </attrib>
                <attrib>
                  <name>Id</name>
                  <value>153</value>
                </attrib>
              </attrList>
            </typeAttrib>
          </typeAttribList>
        </mObject>
      </mObjectList>
      <operation>UPDATE</operation>
    </ns1:paramsSyncMObjects>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>"""


def seed_request() -> str:
    header = re.compile(r"<ns1:AuthenticationHeader>.*</ns1:AuthenticationHeader>", re.S)
    fresh = header.sub(auth_header_xml(), SEED_REQUEST)
    return fresh.replace("<id>1970</id>", f"<id>{PROGRAM_ID}</id>")


def sync_body(objects: str, operation: str) -> str:
    return (
        f"<ns1:paramsSyncMObjects><mObjectList>{objects}</mObjectList>"
        f"<operation>{operation}</operation></ns1:paramsSyncMObjects>"
    )


def mobj_statuses(root) -> list:
    return root.findall(".//m:successSyncMObjects/result/mObjStatusList/mObjStatus", NS)


def attribs(pairs) -> dict:
    return {"attrib": [{"name": name, "value": value} for name, value in pairs]}


def as_pairs(array) -> list[tuple[str, str]]:
    return [(a.name, a.value) for a in array.attrib]


# The seed document's request ---------------------------------------------------------------------


def test_rule_57_seed_request_updates_the_program_cost_and_answers_as_the_seed_shows(server):
    response = server.post(seed_request())
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert_valid_success(root)
    (status,) = mobj_statuses(root)
    assert [(child.tag, child.text) for child in status] == [("id", str(PROGRAM_ID)), ("status", "UPDATED")]


def test_rule_53_seed_request_cost_reads_back_with_month_as_its_first_day(server, mktows):
    server.post(seed_request())
    result = mktows.getMObjects(type="Program", id=PROGRAM_ID)
    (program,) = result.mObjectList.mObject
    costs = [as_pairs(t.attrList) for t in program.typeAttribList.typeAttrib if t.attrType == "Cost"]
    assert costs == [[("Id", "153"), ("Month", "2013-06-01"), ("Amount", "2000"), ("Note", "Venue")]]


def test_rule_42_seed_request_sent_again_is_unchanged(server):
    server.post(seed_request())
    (status,) = mobj_statuses(etree.fromstring(server.post(seed_request()).content))
    assert status.findtext("status") == "UNCHANGED"


# The seed's PHP/Java samples through an SDK ------------------------------------------------------


def test_rule_54_55_seed_samples_create_an_opportunity_then_its_person_role(mktows):
    opportunity = {
        "type": "Opportunity",
        "attribList": attribs([("Name", "Q1 2014"), ("Amount", "2000"), ("Probability", "80%")]),
    }
    (created,) = mktows.syncMObjects(mObjectList={"mObject": [opportunity]}, operation="INSERT").mObjStatus
    assert created.status == "CREATED"
    role_attribs = [("OpportunityId", str(created.id)), ("PersonId", str(ADA)), ("Role", "Influencer/Champion")]
    role = {"type": "OpportunityPersonRole", "attribList": attribs(role_attribs)}
    (role_status,) = mktows.syncMObjects(mObjectList={"mObject": [role]}, operation="INSERT").mObjStatus
    assert role_status.status == "CREATED"

    (read_opportunity,) = mktows.getMObjects(type="Opportunity", id=created.id).mObjectList.mObject
    assert as_pairs(read_opportunity.attribList) == [("Amount", "2000.0"), ("Name", "Q1 2014"), ("Probability", "80")]
    roles = mktows.getMObjects(
        type="OpportunityPersonRole",
        mObjAssociationList={"mObjAssociation": [{"mObjType": "Opportunity", "id": created.id}]},
    )
    (read_role,) = roles.mObjectList.mObject
    assert read_role.id == role_status.id
    assert as_pairs(read_role.attribList) == role_attribs


def test_rule_49_one_call_mixes_program_opportunity_and_role_with_per_item_results(mktows):
    objects = [
        {
            "type": "Program",
            "id": PROGRAM_ID,
            "typeAttribList": {
                "typeAttrib": [
                    {
                        "attrType": "Cost",
                        "attrList": attribs([("Month", "2013-07"), ("Amount", "450"), ("Note", "Ads")]),
                    },
                    {"attrType": "Tag", "attrList": attribs([("Type", "Channel"), ("Value", "Tradeshow")])},
                ]
            },
        },
        {
            "type": "Opportunity",
            "attribList": attribs([("Name", "Navy refit")]),
            "associationList": {
                "mObjAssociation": [
                    {"mObjType": "Company", "externalKey": {"name": "ExternalCompanyId", "value": "NAVY-0002"}}
                ]
            },
        },
        {"type": "OpportunityPersonRole", "attribList": attribs([("OpportunityId", "11"), ("PersonId", "19")])},
    ]
    results = mktows.syncMObjects(mObjectList={"mObject": objects}, operation="UPSERT").mObjStatus
    assert [r.status for r in results] == ["FAILED", "CREATED", "FAILED"]
    assert "UPDATE" in results[0].error
    assert results[1].error is None and "19" in results[2].error


def test_rule_47_program_tags_and_costs_read_back(mktows):
    program = {
        "type": "Program",
        "id": PROGRAM_ID,
        "typeAttribList": {
            "typeAttrib": [
                {"attrType": "Tag", "attrList": attribs([("Type", "Channel"), ("Value", "Tradeshow")])},
                {"attrType": "Tag", "attrList": attribs([("Type", "Product"), ("Value", "Sales Insight")])},
            ]
        },
    }
    (status,) = mktows.syncMObjects(mObjectList={"mObject": [program]}, operation="UPDATE").mObjStatus
    assert (status.id, status.status) == (PROGRAM_ID, "UPDATED")
    tagged = mktows.getMObjects(
        type="Program",
        mObjCriteriaList={
            "mObjCriteria": [{"attrName": "Tag Value", "comparison": "EQ", "attrValue": "Sales Insight"}]
        },
    )
    (found,) = tagged.mObjectList.mObject
    tags = [as_pairs(t.attrList) for t in found.typeAttribList.typeAttrib if t.attrType == "Tag"]
    assert tags == [
        [("Type", "Channel"), ("Value", "Tradeshow")],
        [("Type", "Product"), ("Value", "Sales Insight")],
        [("Type", "Region"), ("Value", "North America")],
    ]


def test_delete_and_describe_through_the_sdk(mktows):
    (created,) = mktows.syncMObjects(
        mObjectList={"mObject": [{"type": "Opportunity", "attribList": attribs([("Name", "Short-lived")])}]},
        operation="INSERT",
    ).mObjStatus
    deleted = mktows.deleteMObjects(mObjectList={"mObject": [{"type": "Opportunity", "id": created.id}]}).mObjStatus
    assert [(d.id, d.status) for d in deleted] == [(created.id, "DELETED")]
    metadata = mktows.describeMObject(objectName="OpportunityPersonRole")
    assert metadata.name == "OpportunityPersonRole"
    assert [f.name for f in metadata.fieldList.field][:3] == ["Id", "OpportunityId", "PersonId"]


# Wire details ------------------------------------------------------------------------------------


def test_rule_51_a_failed_object_without_an_id_gets_a_nil_id(server):
    status, root = server.call(
        sync_body(
            "<mObject><type>Opportunity</type><attribList><attrib><name>Colour</name><value>Blue</value></attrib></attribList></mObject>",
            "INSERT",
        )
    )
    assert status == 200
    assert_valid_success(root)
    (item,) = mobj_statuses(root)
    assert item.find("id").get(XSI_NIL) == "true"
    assert (item.findtext("status"), "Colour" in item.findtext("error")) == ("FAILED", True)


def sync_keyed_opportunity(server, external_key: str):
    status, root = server.call(
        sync_body(f"<mObject><type>Opportunity</type><externalKey>{external_key}</externalKey></mObject>", "UPSERT")
    )
    assert status == 200
    assert_valid_success(root)
    (item,) = mobj_statuses(root)
    return item


@pytest.mark.parametrize(
    ("external_key", "error"),
    [
        ("<value>SF-OPP-0099</value>", "externalKey name is required"),
        ("<name>ExternalOpportunityId</name>", "externalKey value is required"),
    ],
    ids=["without a name", "without a value"],
)
def test_an_external_key_missing_a_part_is_a_failed_object_that_repeats_no_key(server, external_key, error):
    item = sync_keyed_opportunity(server, external_key)
    assert (item.findtext("status"), item.findtext("error"), item.find("externalKey")) == ("FAILED", error, None)


def test_rule_41_more_than_100_objects_is_fault_20110(server):
    objects = "<mObject><type>Opportunity</type></mObject>" * 101
    status, root = server.call(sync_body(objects, "INSERT"))
    assert (status, fault_code(root)) == (500, 20110)


def test_rule_56_the_seed_s_mobj_association_list_is_read_inside_an_mobject(server):
    association = (
        "<mObjAssociationList><mObjAssociation><mObjType>Company</mObjType><id>502</id>"
        "</mObjAssociation></mObjAssociationList>"
    )
    body = sync_body(
        "<mObject><type>Opportunity</type>"
        f"<attribList><attrib><name>Name</name><value>Aliased</value></attrib></attribList>{association}</mObject>",
        "INSERT",
    )
    _, root = server.call(body)
    (item,) = mobj_statuses(root)
    _, got = server.call(
        f"<ns1:paramsGetMObjects><type>Opportunity</type><id>{item.findtext('id')}</id></ns1:paramsGetMObjects>"
    )
    assert_valid_success(got)
    (company,) = got.findall(".//m:successGetMObjects/result/mObjectList/mObject/associationList/mObjAssociation", NS)
    assert (company.findtext("mObjType"), company.findtext("id")) == ("Company", "502")


def test_get_mobjects_response_is_valid_and_pages_with_has_more(server):
    _, root = server.call("<ns1:paramsGetMObjects><type>Program</type></ns1:paramsGetMObjects>")
    result = assert_valid_success(root).find("result")
    assert (result.findtext("returnCount"), result.findtext("hasMore")) == ("3", "false")
    assert result.findtext("newStreamPosition")


def test_describe_mobject_response_is_valid_against_marketo_s_schema(server):
    for name in ("ActivityRecord", "LeadRecord", "Opportunity", "OpportunityPersonRole"):
        status, root = server.call(
            f"<ns1:paramsDescribeMObject><objectName>{name}</objectName></ns1:paramsDescribeMObject>"
        )
        assert status == 200
        assert_valid_success(root)


def test_describe_mobject_unknown_name_is_fault_20110(server, mktows):
    with pytest.raises(Fault) as fault:
        mktows.describeMObject(objectName="Program")
    assert fault.value.detail.find(".//code").text == "20110"


def test_delete_mobjects_response_is_valid_against_marketo_s_schema(server):
    objects = "".join(f"<mObject><type>Opportunity</type><id>{i}</id></mObject>" for i in (11, 4))
    body = f"<ns1:paramsDeleteMObjects><mObjectList>{objects}</mObjectList></ns1:paramsDeleteMObjects>"
    _, root = server.call(body)
    assert_valid_success(root)
    statuses = root.findall(".//m:successDeleteMObjects/result/mObjStatusList/mObjStatus", NS)
    assert [(s.findtext("id"), s.findtext("status")) for s in statuses] == [("11", "DELETED"), ("4", "UNCHANGED")]
