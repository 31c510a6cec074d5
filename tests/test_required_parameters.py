"""Parameters Marketo's WSDL marks required (minOccurs 1, not nillable), left out or sent as nil:
a fault before the operation does anything (seed rule 38; docs/behaviour.md). Lead records are
20104 Lead Detail Required, lead keys 20101 Lead Key Required, every other parameter 20109
Parameter Required.
"""

from __future__ import annotations

import pytest

from tests.reference import FACTS
from tests.soap import NS, fault_code

# A value for each required parameter, good enough to be read (the operation never sees it).
VALUES = {
    "mObjectList": "<mObjectList><mObject><type>Opportunity</type><id>1</id></mObject></mObjectList>",
    "objectName": "<objectName>Opportunity</objectName>",
    "type": "<type>Opportunity</type>",
    "operation": "<operation>UPSERT</operation>",
    "source": "<source>MKTOWS</source>",
    "leadKey": "<leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey>",
    "startPosition": "<startPosition><offset>ID:0</offset></startPosition>",
    "programName": "<programName>Spring Webinar</programName>",
    "importFileHeader": "<importFileHeader>Email Address</importFileHeader>",
    "importFileRows": "<importFileRows><stringItem>ada@example.com</stringItem></importFileRows>",
    "importListMode": "<importListMode>LISTONLY</importListMode>",
    "listName": "<listName>Registrants</listName>",
    "clearList": "<clearList>false</clearList>",
    "listOperation": "<listOperation>ISMEMBEROFLIST</listOperation>",
    "listKey": "<listKey><keyType>MKTOLISTNAME</keyType><keyValue>Registrants</keyValue></listKey>",
    "listMemberList": "<listMemberList><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey>"
    "</listMemberList>",
    "campaignName": "<campaignName>Send Invite</campaignName>",
    "leadRecord": "<leadRecord><Email>new@example.com</Email></leadRecord>",
    "returnLead": "<returnLead>false</returnLead>",
    "leadRecordList": "<leadRecordList><leadRecord><Email>new@example.com</Email></leadRecord></leadRecordList>",
    "objTypeName": "<objTypeName>RoadShow</objTypeName>",
    "customObjList": "<customObjList><customObj/></customObjList>",
    "customObjKeyLists": "<customObjKeyLists><keyList/></customObjKeyLists>",
    "includeAttributes": "<includeAttributes/>",
    "winningLeadKeyList": "<winningLeadKeyList><attribute><attrName>IDNUM</attrName><attrValue>1</attrValue>"
    "</attribute></winningLeadKeyList>",
    "losingLeadKeyLists": "<losingLeadKeyLists><keyList><attribute><attrName>IDNUM</attrName><attrValue>2</attrValue>"
    "</attribute></keyList></losingLeadKeyLists>",
}
LEAD_DETAIL = {("syncLead", "leadRecord"), ("syncMultipleLeads", "leadRecordList")}
LEAD_KEYS = {
    ("getLead", "leadKey"),
    ("getLeadActivity", "leadKey"),
    ("listOperation", "listMemberList"),
    ("mergeLeads", "winningLeadKeyList"),
}


def required(operation: str) -> list[str]:
    """The parameters Marketo's WSDL marks required for `operation`, in its order."""
    element = f"params{operation[0].upper()}{operation[1:]}"
    params = FACTS["schema"]["complexTypes"][FACTS["schema"]["elements"][element].removeprefix("tns:")]
    return [f["name"] for f in params["sequence"] if f["minOccurs"] >= 1 and not f["nillable"]]


CASES = [
    (operation, name)
    for operation in FACTS["bindings"]["MktowsApiSoapBinding"]["operations"]
    for name in required(operation)
]


def body(operation: str, missing: str, instead: str = "") -> str:
    """The params of `operation` with every required parameter but `missing`, which is `instead`."""
    element = f"params{operation[0].upper()}{operation[1:]}"
    values = "".join(instead if name == missing else VALUES[name] for name in required(operation))
    return f"<ns1:{element}>{values}</ns1:{element}>"


def expected_code(operation: str, name: str) -> int:
    if (operation, name) in LEAD_DETAIL:
        return 20104
    return 20101 if (operation, name) in LEAD_KEYS else 20109


@pytest.mark.parametrize(("operation", "name"), CASES, ids=[f"{o}.{n}" for o, n in CASES])
def test_required_parameter_left_out_is_a_fault(server, operation, name):
    status, root = server.call(body(operation, name))
    assert status == 500
    assert fault_code(root) == expected_code(operation, name)
    assert root.findtext(".//m:serviceException/message", namespaces=NS) == (
        f"{name} is required ({expected_code(operation, name)})"
    )


@pytest.mark.parametrize(("operation", "name"), CASES, ids=[f"{o}.{n}" for o, n in CASES])
def test_required_parameter_sent_as_nil_is_a_fault(server, operation, name):
    status, root = server.call(body(operation, name, f'<{name} xsi:nil="true"/>'))
    assert status == 500
    assert fault_code(root) == expected_code(operation, name)


def test_sync_lead_without_return_lead_is_20109_rule_38(server):
    status, root = server.call(body("syncLead", "returnLead"))
    assert (status, fault_code(root)) == (500, 20109)


def test_sync_lead_without_return_lead_creates_no_lead_rule_38(server):
    server.call(body("syncLead", "returnLead"))
    get_lead = (
        "<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>new@example.com</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )
    assert fault_code(server.call(get_lead)[1]) == 20103


def test_required_nillable_parameter_may_be_left_out(server):
    """importToList's campaignName is minOccurs 1 but nillable: left out, it reads as nil."""
    status, root = server.call(body("importToList", "none"))
    assert status == 200
    assert root.findtext(".//result/importStatus") == "PROCESSING"
