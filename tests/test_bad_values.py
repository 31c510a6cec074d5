"""Bad values where they enter: a text that is not of its element's XSD type is 20012 Request Not
Understood before the operation runs; a typed value inside a string field (a lead attribute, a
cost, a criterion, an offset) that Marketo cannot take is the operation's own fault, or a FAILED
item in a batch. Never 10001 Internal Error (issue 16; docs/behaviour.md)."""

from __future__ import annotations

import pytest

from tests.soap import NS, fault_code

HUGE = "99999999999999999999"  # past 64 bits


def sync_lead(record: str) -> str:
    return f"<ns1:paramsSyncLead><leadRecord>{record}</leadRecord><returnLead>false</returnLead></ns1:paramsSyncLead>"


def attribute(name: str, value: str) -> str:
    return (
        f"<Email>typed@example.com</Email><leadAttributeList><attribute><attrName>{name}</attrName>"
        f"<attrValue>{value}</attrValue></attribute></leadAttributeList>"
    )


def updated_since(when: str) -> str:
    return (
        '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:LastUpdateAtSelector">'
        f"<oldestUpdatedAt>{when}</oldestUpdatedAt></leadSelector></ns1:paramsGetMultipleLeads>"
    )


def schedule(run_at: str) -> str:
    return (
        "<ns1:paramsScheduleCampaign><programName>Trav-Demo-Program</programName>"
        f"<campaignName>Batch Campaign Example</campaignName><campaignRunAt>{run_at}</campaignRunAt>"
        "</ns1:paramsScheduleCampaign>"
    )


def lead_changes(start: str) -> str:
    return f"<ns1:paramsGetLeadChanges><startPosition>{start}</startPosition></ns1:paramsGetLeadChanges>"


def lead_activity(start: str) -> str:
    return (
        "<ns1:paramsGetLeadActivity><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey>"
        f"<startPosition>{start}</startPosition></ns1:paramsGetLeadActivity>"
    )


def sync_mobjects(mobjects: str, operation: str) -> str:
    return (
        f"<ns1:paramsSyncMObjects><mObjectList>{mobjects}</mObjectList>"
        f"<operation>{operation}</operation></ns1:paramsSyncMObjects>"
    )


def sync_mobject(mobject: str, operation: str = "UPSERT") -> str:
    return sync_mobjects(f"<mObject>{mobject}</mObject>", operation)


def cost(amount: str, cost_id: str | None = None) -> str:
    attribs = (
        "<attrib><name>Month</name><value>2013-07</value></attrib>"
        f"<attrib><name>Amount</name><value>{amount}</value></attrib>"
    )
    if cost_id is not None:
        attribs += f"<attrib><name>Id</name><value>{cost_id}</value></attrib>"
    return (
        "<type>Program</type><id>1001</id><typeAttribList><typeAttrib><attrType>Cost</attrType>"
        f"<attrList>{attribs}</attrList></typeAttrib></typeAttribList>"
    )


def opportunity(name: str, value: str) -> str:
    return (
        f"<type>Opportunity</type><attribList><attrib><name>{name}</name><value>{value}</value></attrib></attribList>"
    )


def mobjects_where(attr: str, value: str) -> str:
    return (
        "<ns1:paramsGetMObjects><type>Opportunity</type><mObjCriteriaList><mObjCriteria>"
        f"<attrName>{attr}</attrName><comparison>GT</comparison><attrValue>{value}</attrValue>"
        "</mObjCriteria></mObjCriteriaList></ns1:paramsGetMObjects>"
    )


NOT_OF_THEIR_TYPE = {
    "lead-id-past-64-bits": sync_lead(f"<Id>{HUGE}</Id>"),
    "lead-id-past-xs-int": sync_lead("<Id>2147483648</Id>"),
    "lead-id-in-arabic-digits": sync_lead("<Id>\u0661\u0662</Id>"),
    "lead-id-with-underscore": sync_lead("<Id>1_0</Id>"),
    "static-list-id": '<ns1:paramsGetMultipleLeads><leadSelector xsi:type="ns1:StaticListSelector">'
    f"<staticListId>{HUGE}</staticListId></leadSelector></ns1:paramsGetMultipleLeads>",
    "campaign-id": f"<ns1:paramsRequestCampaign><source>MKTOWS</source><campaignId>{HUGE}</campaignId>"
    "<leadList><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></leadList>"
    "</ns1:paramsRequestCampaign>",
    "mobject-id": sync_mobject(f"<type>Opportunity</type><id>{HUGE}</id>", "UPDATE"),
    "association-id": sync_mobject(
        f"<type>Opportunity</type><associationList><mObjAssociation><mObjType>Company</mObjType><id>{HUGE}</id>"
        "</mObjAssociation></associationList>"
    ),
    "association-id-by-the-seed-name": sync_mobject(
        f"<type>Opportunity</type><mObjAssociationList><mObjAssociation><mObjType>Company</mObjType><id>{HUGE}</id>"
        "</mObjAssociation></mObjAssociationList>"
    ),
    "get-mobjects-id": f"<ns1:paramsGetMObjects><type>Opportunity</type><id>{HUGE}</id></ns1:paramsGetMObjects>",
    "delete-mobjects-id": f"<ns1:paramsDeleteMObjects><mObjectList><mObject><type>Opportunity</type><id>{HUGE}</id>"
    "</mObject></mObjectList></ns1:paramsDeleteMObjects>",
    "batch-size": f"<ns1:paramsGetCustomObjects><objTypeName>Roadshow</objTypeName><batchSize>{HUGE}</batchSize>"
    "<includeAttributes/></ns1:paramsGetCustomObjects>",
    "selector-day-30-of-february": updated_since("2020-02-30T00:00:00Z"),
    "selector-hour-24": updated_since("2020-02-03T24:00:00Z"),
    "selector-year-pushed-past-9999": updated_since("9999-12-31T23:59:59-05:00"),
    "selector-year-pushed-before-1": updated_since("0001-01-01T00:00:00+05:00"),
    "selector-offset-past-14-hours": updated_since("2020-02-03T00:00:00+15:00"),
    "selector-trailing-text": updated_since("2020-02-03T00:00:00Zjunk"),
    "campaign-run-at-day-30-of-february": schedule("2030-02-30T00:00:00Z"),
    "campaign-run-at-year-pushed-past-9999": schedule("9999-12-31T23:00:00-05:00"),
    "lead-changes-oldest-day-30-of-february": lead_changes("<oldestCreatedAt>2020-02-30T00:00:00Z</oldestCreatedAt>"),
    "lead-activity-created-at-hour-24": lead_activity("<activityCreatedAt>2020-01-01T24:00:00Z</activityCreatedAt>"),
    "boolean": "<ns1:paramsSyncLead><leadRecord><Email>x@example.com</Email></leadRecord>"
    "<returnLead>maybe</returnLead></ns1:paramsSyncLead>",
}


@pytest.mark.parametrize("body", NOT_OF_THEIR_TYPE.values(), ids=NOT_OF_THEIR_TYPE.keys())
def test_value_not_of_its_xsd_type_is_request_not_understood_20012(server, body):
    status, root = server.call(body)
    assert (status, fault_code(root)) == (500, 20012)


def test_request_not_understood_names_the_value_and_its_type(server):
    _, root = server.call(updated_since("2020-02-30T00:00:00Z"))
    assert root.findtext(".//m:serviceException/message", namespaces=NS) == (
        "Request Not Understood: '2020-02-30T00:00:00Z' is not an xs:dateTime (20012)"
    )


REFUSED = {
    "lead-currency-inf": (sync_lead(attribute("AnnualRevenue", "inf")), 20110),
    "lead-currency-infinity": (sync_lead(attribute("AnnualRevenue", "Infinity")), 20110),
    "lead-currency-1e309": (sync_lead(attribute("AnnualRevenue", "1e309")), 20110),
    "lead-integer-past-64-bits": (sync_lead(attribute("NumberOfEmployees", HUGE)), 20110),
    "lead-integer-past-32-bits": (sync_lead(attribute("LeadScore", "2147483648")), 20110),
    "lead-datetime-pushed-past-9999": (
        sync_lead(attribute("MarketoSocialLastActivity", "9999-12-31T23:00:00-05:00")),
        20110,
    ),
    "criterion-inf": (mobjects_where("Amount", "inf"), 20110),
    "criterion-id-nan": (mobjects_where("Id", "nan"), 20110),
    "criterion-created-at-year-pushed-past-9999": (mobjects_where("Created At", "9999-12-31T23:00:00-05:00"), 20110),
    "lead-changes-offset-past-64-bits": (lead_changes(f"<offset>ID:{HUGE}</offset>"), 20122),
    "lead-changes-offset-superscript": (lead_changes("<offset>ID:\u00b2</offset>"), 20122),
    "lead-activity-offset-past-64-bits": (lead_activity(f"<offset>ID:{HUGE}</offset>"), 20122),
}


@pytest.mark.parametrize(("body", "code"), REFUSED.values(), ids=REFUSED.keys())
def test_typed_text_marketo_cannot_take_is_the_operations_fault(server, body, code):
    status, root = server.call(body)
    assert (status, fault_code(root)) == (500, code)


FAILED_ITEMS = {
    "cost-amount-inf": sync_mobject(cost("inf"), "UPDATE"),
    "cost-amount-1e309": sync_mobject(cost("1e309"), "UPDATE"),
    "cost-id-past-64-bits": sync_mobject(cost("10", HUGE), "UPDATE"),
    "opportunity-amount-infinity": sync_mobject(opportunity("Amount", "Infinity")),
    "role-person-id-past-64-bits": sync_mobject(
        "<type>OpportunityPersonRole</type><attribList><attrib><name>OpportunityId</name><value>1</value></attrib>"
        f"<attrib><name>PersonId</name><value>{HUGE}</value></attrib></attribList>"
    ),
    "custom-object-lead-link-past-64-bits": "<ns1:paramsSyncCustomObjects><objTypeName>Roadshow</objTypeName>"
    f"<customObjList><customObj><customObjKeyList><attribute><attrName>MKTOID</attrName><attrValue>{HUGE}</attrValue>"
    "</attribute><attribute><attrName>rid</attrName><attrValue>1</attrValue></attribute></customObjKeyList>"
    "</customObj></customObjList></ns1:paramsSyncCustomObjects>",
}


@pytest.mark.parametrize("body", FAILED_ITEMS.values(), ids=FAILED_ITEMS.keys())
def test_typed_text_marketo_cannot_take_in_a_batch_fails_its_item(server, body):
    status, root = server.call(body)
    assert status == 200
    assert [s.findtext("status") for s in root.iter("mObjStatus", "syncCustomObjStatus")] == ["FAILED"]


def test_datetime_with_an_offset_inside_its_range_is_understood(server):
    status, _ = server.call(schedule("9999-12-31T20:00:00-03:00"))
    assert status == 200


def test_xs_boolean_is_read_case_insensitively(server):
    record = "<leadRecord><Email>x@example.com</Email></leadRecord>"
    _, root = server.call(f"<ns1:paramsSyncLead>{record}<returnLead>True</returnLead></ns1:paramsSyncLead>")
    assert root.find(".//result/leadRecord/Email").text == "x@example.com"


def test_a_nil_mobject_is_failed_in_its_place(server):
    nil = '<mObject xsi:nil="true"/>'
    good = f"<mObject>{opportunity('Name', 'Big deal')}</mObject>"
    _, root = server.call(sync_mobjects(nil + good, "INSERT"))
    assert [s.findtext("status") for s in root.iter("mObjStatus")] == ["FAILED", "CREATED"]
