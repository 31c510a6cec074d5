"""The contract: the WSDL the mock serves, compared fact by fact with Marketo's own 2_6 WSDL (the
project's facts file, wsdl/mktows-2_6.json), and every response checked against Marketo's schema.

Every message and part, portType and binding operation, global element, complex type with its
fields (order, occurrences, nillability, type) and simple type with its enumeration must be
Marketo's, named as Marketo names it. The only differences allowed are the 3_1 additions in
INTENDED_DIFFERENCES and the soap:address, which is the URL the client asked for.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import quoteattr

import pytest
import requests
from lxml import etree
from werkzeug.test import Client

from tests.reference import FACTS, FACTS_FILE, MARKETO_WSDL
from tests.schema import assert_valid_success, reference_xml_schema, schema_errors
from tests.soap import NS, ROOT, SOAP_ENV, TNS, auth_header_xml, envelope
from tools.gen_contract import TYPES, generate
from tools.wsdl_facts import document, dumps, facts

COMMITTED_WSDL = ROOT / "wsdl" / "mktows.wsdl"
COMMITTED_ADDRESS = "http://127.0.0.1:8080/soap/mktows/2_6"
VERSIONS = ["2_0", "2_1", "2_2", "2_3", "2_4", "2_5", "2_6", "2_7", "2_8", "2_9", "3_0", "3_1"]
(PORT_TYPE,) = FACTS["portTypes"]
(BINDING,) = FACTS["bindings"]
OPERATION_NAMES = list(FACTS["bindings"][BINDING]["operations"])


@dataclass(frozen=True)
class IntendedDifference:
    """A field of the served schema that Marketo's 2_6 WSDL lacks, in `complex_type` after `after`."""

    complex_type: str
    field: dict
    after: str
    why: str


INTENDED_DIFFERENCES = [
    IntendedDifference(
        "ParamsSyncLead",
        {"name": "moveCookie", "type": "xs:boolean", "minOccurs": 0, "maxOccurs": 1, "nillable": True},
        after="marketoCookie",
        why="3_1 addition (reference/README.md)",
    ),
    IntendedDifference(
        "ParamsScheduleCampaign",
        {"name": "cloneToProgramName", "type": "xs:string", "minOccurs": 0, "maxOccurs": 1, "nillable": True},
        after="programName",
        why="3_1 addition (reference/README.md), between programName and campaignName",
    ),
]


@cache
def expected_facts(address: str) -> dict:
    """Marketo's facts with the INTENDED_DIFFERENCES applied and `address` as every soap:address."""
    expected = copy.deepcopy(FACTS)
    for difference in INTENDED_DIFFERENCES:
        sequence = expected["schema"]["complexTypes"][difference.complex_type]["sequence"]
        (anchor,) = [i for i, field in enumerate(sequence) if field["name"] == difference.after]
        sequence.insert(anchor + 1, difference.field)
    for ports in expected["services"].values():
        for port in ports.values():
            port["address"] = address
    return expected


def assert_same(actual, expected) -> None:
    """Equal, or a failure that shows the differing facts line by line."""
    diff = difflib.unified_diff(
        dumps(expected).splitlines(), dumps(actual).splitlines(), "marketo", "served", lineterm="", n=2
    )
    assert actual == expected, "\n".join(diff)


@pytest.fixture(scope="session")
def served_text(live_server) -> str:
    response = requests.get(live_server.wsdl_url, timeout=10)
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="session")
def served(served_text) -> dict:
    """The facts of the served WSDL."""
    return facts(etree.fromstring(served_text.encode("utf-8")))


@pytest.fixture(scope="session")
def expected(live_server) -> dict:
    return expected_facts(live_server.url)


def soap_address(text: bytes) -> str:
    (ports,) = facts(etree.fromstring(text))["services"].values()
    (port,) = ports.values()
    return port["address"]


# --- the facts file and what is made from it --------------------------------------------------------------------


def test_facts_file_holds_the_facts_of_marketos_wsdl():
    """wsdl/mktows-2_6.json is what tools/wsdl_facts.py derives from Marketo's 2_6 file (beside the clone)."""
    if not MARKETO_WSDL.is_file():
        pytest.skip(f"missing file: Marketo's WSDL at {MARKETO_WSDL} (set MOCKMKTO_REFERENCE_WSDL)")
    assert_same(FACTS, facts(etree.parse(str(MARKETO_WSDL)).getroot()))


def test_facts_file_is_written_as_wsdl_facts_writes_it():
    assert FACTS_FILE.read_text(encoding="utf-8") == dumps(FACTS) + "\n"


def test_reference_wsdl_written_back_holds_every_fact():
    """The WSDL clients and schema validation read as Marketo's is the facts file, fact for fact."""
    assert_same(facts(document(FACTS)), FACTS)


def test_types_module_is_what_gen_contract_makes_of_the_facts():
    assert generate(FACTS) == TYPES.read_text(encoding="utf-8")


# --- the served WSDL --------------------------------------------------------------------------------------------


def test_served_wsdl_is_the_committed_file_but_for_its_address(live_server, served_text):
    served_as_committed = served_text.replace(quoteattr(live_server.url), quoteattr(COMMITTED_ADDRESS), 1)
    committed = COMMITTED_WSDL.read_text(encoding="utf-8")
    diff = difflib.unified_diff(committed.splitlines(), served_as_committed.splitlines(), lineterm="", n=1)
    assert served_as_committed == committed, "\n".join(diff)


def test_wsdl_query_is_case_insensitive(live_server, served_text):
    response = requests.get(live_server.url + "?wsdl", timeout=10)
    assert response.status_code == 200
    assert response.text == served_text


@pytest.mark.parametrize("version", VERSIONS)
def test_wsdl_address_is_the_url_asked_for(live_server, version):
    url = live_server.url.replace("/2_6", f"/{version}")
    response = requests.get(url + "?WSDL", timeout=10)
    assert response.status_code == 200
    assert soap_address(response.content) == url


def test_wsdl_address_keeps_the_host_the_client_used(live_server):
    url = live_server.url.replace("127.0.0.1", "localhost")
    response = requests.get(url + "?WSDL", timeout=10)
    assert soap_address(response.content) == url


def test_wsdl_address_keeps_the_scheme_host_and_port_the_client_used(live_server):
    # Behind a TLS proxy the request arrives as https on the instance's own host name and port.
    response = Client(live_server.app).get("/soap/mktows/3_1?WSDL", base_url="https://100-aek-913.mktoapi.com:8443/")
    assert response.status_code == 200
    assert soap_address(response.data) == "https://100-aek-913.mktoapi.com:8443/soap/mktows/3_1"


@pytest.mark.parametrize("version", ["1_9", "3_2", "2_10", "latest"])
def test_unknown_version_is_404(live_server, version):
    response = requests.get(live_server.url.replace("/2_6", f"/{version}") + "?WSDL", timeout=10)
    assert response.status_code == 404


# --- the served WSDL against Marketo's 2_6 WSDL, fact by fact ----------------------------------------------------


def test_names_and_namespaces_are_marketos(served, expected):
    keys = ("name", "targetNamespace")
    assert {k: served[k] for k in keys} == {k: expected[k] for k in keys}
    schema_keys = ("targetNamespace", "elementFormDefault")
    assert {k: served["schema"][k] for k in schema_keys} == {k: expected["schema"][k] for k in schema_keys}


def test_messages_are_marketos_in_its_order(served, expected):
    assert list(served["messages"]) == list(expected["messages"])


@pytest.mark.parametrize("message", list(FACTS["messages"]))
def test_message_and_its_parts_are_marketos(served, expected, message):
    assert served["messages"].get(message) == expected["messages"][message]


def test_port_type_and_its_operations_are_marketos_in_its_order(served, expected):
    assert {name: list(ops) for name, ops in served["portTypes"].items()} == {PORT_TYPE: OPERATION_NAMES}


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_port_type_operation_is_marketos(served, expected, operation):
    """Its input and output messages, and no parameterOrder."""
    assert served["portTypes"][PORT_TYPE].get(operation) == expected["portTypes"][PORT_TYPE][operation]


def test_binding_is_marketos_document_style_over_http(served, expected):
    def binding(wsdl):
        return {name: {k: v for k, v in b.items() if k != "operations"} for name, b in wsdl["bindings"].items()}

    assert binding(served) == binding(expected)
    assert list(served["bindings"][BINDING]["operations"]) == OPERATION_NAMES


@pytest.mark.parametrize("operation", OPERATION_NAMES)
def test_binding_operation_is_marketos(served, expected, operation):
    """SOAPAction, the headers bound to the input, literal bodies."""
    actual = served["bindings"][BINDING]["operations"].get(operation)
    assert actual == expected["bindings"][BINDING]["operations"][operation]


def test_service_and_port_are_marketos(served, expected):
    assert served["services"] == expected["services"]


def test_global_elements_are_marketos(served, expected):
    assert sorted(served["schema"]["elements"]) == sorted(expected["schema"]["elements"])


@pytest.mark.parametrize("element", list(FACTS["schema"]["elements"]))
def test_global_element_is_marketos(served, expected, element):
    assert served["schema"]["elements"].get(element) == expected["schema"]["elements"][element]


def test_complex_types_are_marketos(served, expected):
    assert sorted(served["schema"]["complexTypes"]) == sorted(expected["schema"]["complexTypes"])


@pytest.mark.parametrize("complex_type", list(FACTS["schema"]["complexTypes"]))
def test_complex_type_is_marketos(served, expected, complex_type):
    """Abstract or not, its base, and each field: name, type, occurrences, nillability, in order."""
    assert_same(served["schema"]["complexTypes"].get(complex_type), expected["schema"]["complexTypes"][complex_type])


def test_simple_types_are_marketos(served, expected):
    assert sorted(served["schema"]["simpleTypes"]) == sorted(expected["schema"]["simpleTypes"])


@pytest.mark.parametrize("simple_type", list(FACTS["schema"]["simpleTypes"]))
def test_simple_type_and_its_enumeration_are_marketos(served, expected, simple_type):
    assert served["schema"]["simpleTypes"].get(simple_type) == expected["schema"]["simpleTypes"][simple_type]


@pytest.mark.parametrize("difference", INTENDED_DIFFERENCES, ids=lambda d: f"{d.complex_type}.{d.field['name']}")
def test_intended_difference_is_absent_from_marketos_2_6(difference):
    """An intended difference that 2_6 already had would hide a real change of the addition."""
    names = [field["name"] for field in FACTS["schema"]["complexTypes"][difference.complex_type]["sequence"]]
    assert difference.after in names
    assert difference.field["name"] not in names


def test_every_message_part_names_a_declared_element(served):
    undeclared = [
        (name, part["element"])
        for name, parts in served["messages"].items()
        for part in parts
        if part["element"].removeprefix("tns:") not in served["schema"]["elements"]
    ]
    assert undeclared == []


# --- responses against Marketo's schema ---------------------------------------------------------------------


def sync_lead_body(email: str, return_lead: bool) -> str:
    return (
        "<ns1:paramsSyncLead><leadRecord>"
        f"<Email>{email}</Email>"
        "<leadAttributeList>"
        "<attribute><attrName>FirstName</attrName><attrValue>Mary</attrValue></attribute>"
        "<attribute><attrName>PurchaseScore__c</attrName><attrValue>7</attrValue></attribute>"
        "</leadAttributeList>"
        f"</leadRecord><returnLead>{str(return_lead).lower()}</returnLead></ns1:paramsSyncLead>"
    )


def get_lead_body(key_type: str, key_value: str) -> str:
    return (
        f"<ns1:paramsGetLead><leadKey><keyType>{key_type}</keyType><keyValue>{key_value}</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )


def test_schema_validation_rejects_a_qualified_child():
    """The validator itself: Marketo's children are unqualified, so a tns:result must fail."""
    schema = reference_xml_schema()
    bad = etree.fromstring(
        f'<tns:successListMObjects xmlns:tns="{TNS}"><tns:result><objects>LeadRecord</objects></tns:result>'
        "</tns:successListMObjects>"
    )
    assert schema_errors(bad, schema)


@pytest.mark.parametrize("return_lead", [True, False], ids=["returnLead true", "returnLead false"])
def test_sync_lead_create_response_is_valid_rule_38(server, return_lead):
    status, root = server.call(sync_lead_body("mary@example.com", return_lead))
    assert status == 200
    result = assert_valid_success(root).find("result")
    assert result.findtext("syncStatus/status") == "CREATED"


@pytest.mark.parametrize("return_lead", [True, False], ids=["returnLead true", "returnLead false"])
def test_sync_lead_update_response_is_valid_rule_40(server, return_lead):
    status, root = server.call(sync_lead_body("ada@example.com", return_lead))
    assert status == 200
    result = assert_valid_success(root).find("result")
    assert result.findtext("syncStatus/status") == "UPDATED"


def test_get_lead_response_with_one_match_is_valid(server):
    status, root = server.call(get_lead_body("EMAIL", "grace@example.com"))
    assert status == 200
    assert assert_valid_success(root).findtext("result/count") == "1"


def test_get_lead_response_with_several_matches_is_valid(server):
    # A cookie makes an anonymous lead, which then takes Ada's Email: two leads share it (rules 22, 27).
    cookie = "id:561-HYG-937&amp;token:_mch-example.com-1700000000000-00002"
    for record in ("", "<Email>ada@example.com</Email>"):
        status, _ = server.call(
            f"<ns1:paramsSyncLead><leadRecord>{record}</leadRecord><returnLead>false</returnLead>"
            f"<marketoCookie>{cookie}</marketoCookie></ns1:paramsSyncLead>"
        )
        assert status == 200
    status, root = server.call(get_lead_body("EMAIL", "ada@example.com"))
    assert status == 200
    success = assert_valid_success(root)
    assert success.findtext("result/count") == "2"
    assert len(success.findall("result/leadRecordList/leadRecord")) == 2


def test_list_mobjects_response_is_valid(server):
    status, root = server.call("<ns1:paramsListMObjects/>")
    assert status == 200
    assert assert_valid_success(root).findall("result/objects")


# --- envelopes, as Marketo's documents show them ---------------------------------------------------------------

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
ENVELOPE_NS = f'xmlns:SOAP-ENV="{SOAP_ENV}"'.encode()
XSI_NS = b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
MARKETO_NS = f'xmlns:ns1="{TNS}"'.encode()


def test_success_answer_is_written_as_marketos_documented_answer(server):
    """The syncLead answer of the seed documents: declaration, then SOAP-ENV, xsi and ns1 on the envelope."""
    response = server.post(envelope(sync_lead_body("ada@example.com", False)))
    assert response.content.startswith(
        DECLARATION
        + b"<SOAP-ENV:Envelope "
        + b" ".join([ENVELOPE_NS, XSI_NS, MARKETO_NS])
        + b"><SOAP-ENV:Body><ns1:successSyncLead><result>"
    )


def test_success_answer_without_a_nil_declares_no_xsi(server):
    """As the requestCampaign and scheduleCampaign answers of the seed documents."""
    response = server.post(envelope("<ns1:paramsListMObjects/>"))
    assert response.content.startswith(
        DECLARATION + b"<SOAP-ENV:Envelope " + b" ".join([ENVELOPE_NS, MARKETO_NS]) + b"><SOAP-ENV:Body>"
    )


def test_fault_is_written_with_the_declaration_and_prefixes_of_a_success_answer(server):
    response = server.post(envelope(get_lead_body("EMAIL", "nobody@example.com")))
    assert response.status_code == 500
    assert response.content.startswith(DECLARATION + b"<SOAP-ENV:Envelope " + ENVELOPE_NS + b"><SOAP-ENV:Body>")
    assert b"<ns1:serviceException " + MARKETO_NS in response.content


# --- faults, exactly as Marketo writes them (spec section 4) -----------------------------------------------


@dataclass(frozen=True)
class FaultCase:
    body: str
    code: int
    faultstring: str
    message: str
    signature: str | None = None


FAULT_CASES = {
    "lead not found": FaultCase(
        get_lead_body("EMAIL", "nobody@example.com"),
        20103,
        "20103 - Lead not found",
        "No lead found with EMAIL = nobody@example.com (20103)",
    ),
    "authentication failed": FaultCase(
        get_lead_body("EMAIL", "ada@example.com"),
        20014,
        "20014 - Authentication failed",
        "Authentication failed (20014)",
        signature="0" * 40,
    ),
}


@pytest.fixture(params=list(FAULT_CASES))
def fault(request, server):
    """(case, HTTP status, Fault element) of a request that Marketo answers with a fault."""
    case = FAULT_CASES[request.param]
    headers = auth_header_xml(signature=case.signature) if case.signature else None
    status, root = server.call(case.body, headers)
    return case, status, root.find("env:Body/env:Fault", NS)


def test_fault_is_http_500(fault):
    _, status, element = fault
    assert status == 500
    assert element is not None


def test_fault_has_faultcode_faultstring_detail_and_no_faultactor(fault):
    _, _, element = fault
    assert [child.tag for child in element] == ["faultcode", "faultstring", "detail"]


def test_faultcode_is_client_in_the_soap_envelope_namespace(fault):
    _, _, element = fault
    prefix, _, local = element.findtext("faultcode").rpartition(":")
    assert element.nsmap.get(prefix or None) == SOAP_ENV
    assert local == "Client"


def test_faultstring_is_code_dash_title(fault):
    case, _, element = fault
    assert element.findtext("faultstring") == case.faultstring


def test_fault_detail_is_marketos_service_exception(fault):
    case, _, element = fault
    detail = element.find("detail")
    assert [child.tag for child in detail] == [f"{{{TNS}}}serviceException"]
    exception = detail[0]
    assert [(child.tag, child.text) for child in exception] == [
        ("name", "mktServiceException"),
        ("message", case.message),
        ("code", str(case.code)),
    ]
