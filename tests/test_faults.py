"""Marketo's fault document over real HTTP (spec section 4) and which code each failure gets.

Every failure, even to garbage, is the same document: HTTP 500, text/xml, a SOAP 1.1 Fault with
faultcode Client, faultstring "<code> - <title>" and detail/ns1:serviceException{name, message, code}.
"""

from __future__ import annotations

import random

import pytest
import requests
import zeep
from lxml import etree
from sqlalchemy import func, select
from zeep.transports import Transport

from mockmkto.soap.types import OPERATIONS
from mockmkto.store.models import Activity, Lead
from tests.soap import NS, SOAP_ENV, TNS, LiveServer, auth_header_xml, envelope, fault_code

GET_ADA = (
    "<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue></leadKey>"
    "</ns1:paramsGetLead>"
)
FAULT_CHILDREN = ["faultcode", "faultstring", "detail"]
EXCEPTION_CHILDREN = ["name", "message", "code"]
# Signs of a leaked Python error page or traceback.
LEAKS = ("Traceback", 'File "', "<html", "<!doctype", "Exception:", "Error:")


def get_lead(key_type: str, key_value: str) -> str:
    return (
        f"<ns1:paramsGetLead><leadKey><keyType>{key_type}</keyType><keyValue>{key_value}</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )


def sync_lead(record: str, return_lead: str = "true") -> str:
    return (
        f"<ns1:paramsSyncLead><leadRecord>{record}</leadRecord>"
        f"<returnLead>{return_lead}</returnLead></ns1:paramsSyncLead>"
    )


def attributes(**values: str) -> str:
    items = "".join(
        f"<attribute><attrName>{name}</attrName><attrValue>{value}</attrValue></attribute>"
        for name, value in values.items()
    )
    return f"<leadAttributeList>{items}</leadAttributeList>"


def lead_count(server) -> int:
    with server.instance.store.session() as session:
        return session.scalar(select(func.count()).select_from(Lead))


def activity_count(server) -> int:
    with server.instance.store.session() as session:
        return session.scalar(select(func.count()).select_from(Activity))


def assert_marketo_fault(response: requests.Response, code: int | None = None) -> etree._Element:
    """`response` is Marketo's fault document (with `code`, if given); return its root."""
    assert response.status_code == 500
    assert response.headers["Content-Type"].split(";")[0].strip() == "text/xml"
    text = response.content.decode("utf-8")
    for leak in LEAKS:
        assert leak not in text, leak
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    fault = root.find("env:Body/env:Fault", NS)
    assert fault is not None
    assert [child.tag for child in fault] == FAULT_CHILDREN
    exception = fault.find("detail/m:serviceException", NS)
    assert [child.tag for child in exception] == EXCEPTION_CHILDREN
    got = int(exception.findtext("code"))
    assert fault.findtext("faultstring").startswith(f"{got} - ")
    assert exception.findtext("message").endswith(f" ({got})")
    if code is not None:
        assert got == code, exception.findtext("message")
    return root


def message(root: etree._Element) -> str:
    return root.findtext(".//env:Fault/detail/m:serviceException/message", namespaces=NS)


@pytest.fixture
def auth_fault(server) -> requests.Response:
    """The doc's own example: a request signed with the wrong secret."""
    return server.post(envelope(GET_ADA, auth_header_xml(secret="wrong-secret")))


# --- the document ----------------------------------------------------------------------------


def test_fault_is_http_500_text_xml_utf8(auth_fault):
    assert auth_fault.status_code == 500
    content_type = auth_fault.headers["Content-Type"].replace(" ", "").lower()
    assert content_type in ("text/xml", "text/xml;charset=utf-8")
    assert auth_fault.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_fault_is_a_soap_1_1_envelope_with_body_and_fault(auth_fault):
    root = etree.fromstring(auth_fault.content)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    assert [child.tag for child in root] == [f"{{{SOAP_ENV}}}Body"]
    assert [child.tag for child in root[0]] == [f"{{{SOAP_ENV}}}Fault"]


def test_fault_uses_the_soap_env_prefix(auth_fault):
    root = etree.fromstring(auth_fault.content)
    assert root.prefix == "SOAP-ENV"
    assert root.nsmap["SOAP-ENV"] == SOAP_ENV


def test_faultcode_is_soap_env_client(auth_fault):
    faultcode = etree.fromstring(auth_fault.content).find(".//env:Fault/faultcode", NS)
    assert faultcode.text == "SOAP-ENV:Client"
    prefix, name = faultcode.text.split(":")
    assert faultcode.nsmap[prefix] == SOAP_ENV and name == "Client"


def test_fault_children_are_unqualified_and_there_is_no_faultactor(auth_fault):
    fault = etree.fromstring(auth_fault.content).find(".//env:Fault", NS)
    assert [child.tag for child in fault] == FAULT_CHILDREN
    assert fault.find("faultactor") is None and fault.find("env:faultactor", NS) is None


def test_faultstring_is_code_dash_title(auth_fault):
    fault = etree.fromstring(auth_fault.content).find(".//env:Fault", NS)
    assert fault.findtext("faultstring") == "20014 - Authentication failed"


def test_detail_holds_one_service_exception_in_the_mktows_namespace(auth_fault):
    detail = etree.fromstring(auth_fault.content).find(".//env:Fault/detail", NS)
    assert [child.tag for child in detail] == [f"{{{TNS}}}serviceException"]


def test_service_exception_has_unqualified_name_message_code(auth_fault):
    exception = etree.fromstring(auth_fault.content).find(".//m:serviceException", NS)
    assert [child.tag for child in exception] == EXCEPTION_CHILDREN
    assert exception.findtext("name") == "mktServiceException"
    assert exception.findtext("code") == "20014"


def test_service_exception_message_is_text_then_code_in_parentheses(auth_fault):
    assert message(etree.fromstring(auth_fault.content)) == "Authentication failed (20014)"


def test_fault_contains_no_traceback_or_html(auth_fault):
    text = auth_fault.content.decode("utf-8")
    for leak in LEAKS:
        assert leak not in text


def test_zeep_reads_the_fault(server):
    client = zeep.Client(server.wsdl_url, transport=Transport(session=server.session))
    auth = {"mktowsUserId": server.user_id, "requestSignature": "0" * 40, "requestTimestamp": "2026-01-01T00:00:00Z"}
    with pytest.raises(zeep.exceptions.Fault) as raised:
        client.service.getLead(
            leadKey={"keyType": "EMAIL", "keyValue": "ada@example.com"}, _soapheaders={"authentication": auth}
        )
    assert raised.value.message == "20014 - Authentication failed"
    assert raised.value.code.endswith("Client")
    assert raised.value.detail.find("m:serviceException/code", NS).text == "20014"


# --- 20012 Request Not Understood --------------------------------------------------------------


def test_malformed_xml_is_20012(server):
    assert_marketo_fault(server.post(envelope(GET_ADA).replace("</ns1:paramsGetLead>", "")), 20012)


def test_empty_request_is_20012(server):
    assert_marketo_fault(server.post(""), 20012)


def test_well_formed_xml_that_is_not_a_soap_envelope_is_20012(server):
    assert_marketo_fault(server.post(f'<ns1:paramsGetLead xmlns:ns1="{TNS}"/>'), 20012)


def test_soap_1_2_envelope_is_20012(server):
    xml = envelope(GET_ADA).replace(SOAP_ENV, "http://www.w3.org/2003/05/soap-envelope")
    assert_marketo_fault(server.post(xml), 20012)


@pytest.mark.parametrize("body", ["<SOAP-ENV:Body/>", "<SOAP-ENV:Body>\n  </SOAP-ENV:Body>", ""], ids=repr)
def test_envelope_with_an_empty_or_missing_body_is_20012(server, body):
    xml = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{TNS}">'
        f"<SOAP-ENV:Header>{auth_header_xml()}</SOAP-ENV:Header>{body}</SOAP-ENV:Envelope>"
    )
    assert_marketo_fault(server.post(xml), 20012)


def test_request_over_the_size_cap_is_20012():
    small = LiveServer(max_request_bytes=4096)
    try:
        padding = "<ignoredPadding>" + "x" * 5000 + "</ignoredPadding>"
        xml = envelope(GET_ADA.replace("</ns1:paramsGetLead>", padding + "</ns1:paramsGetLead>"))
        assert_marketo_fault(small.post(xml), 20012)
    finally:
        small.stop()


def test_request_under_the_size_cap_is_served():
    # The same server and cap as above: only the size decides.
    small = LiveServer(max_request_bytes=4096)
    try:
        assert small.post(envelope(GET_ADA)).status_code == 200
    finally:
        small.stop()


XXE_DOCTYPE = '<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def test_external_entity_never_reads_a_local_file(server):
    record = "<Email>xxe@example.com</Email>" + attributes(FirstName="&xxe;")
    xml = XXE_DOCTYPE + envelope(sync_lead(record)).split("?>", 1)[1]
    response = server.post(xml)
    assert b"root:" not in response.content
    if response.status_code == 200:
        with server.instance.store.session() as session:
            stored = [str(lead.attributes) for lead in session.scalars(select(Lead))]
        assert not any("root:" in text for text in stored)
    else:
        assert_marketo_fault(response, 20012)


def test_billion_laughs_is_not_expanded(server):
    entities = '<!ENTITY lol0 "lollollollollollollollollollol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f"<!DOCTYPE SOAP-ENV:Envelope [{entities}]>" + envelope(get_lead("EMAIL", "&lol9;")).split("?>", 1)[1]
    response = server.session.post(
        server.url, data=xml.encode(), headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=30
    )
    assert len(response.content) < 10_000
    assert b"lollollol" not in response.content
    if response.status_code != 200:
        assert_marketo_fault(response, 20012)


def test_request_with_a_dtd_is_20012(server):
    # An internal entity, harmless in itself: the rule is about the DTD, not about what it declares.
    record = "<Email>dtd@example.com</Email>" + attributes(FirstName="&hi;")
    xml = '<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY hi "Hello">]>' + envelope(sync_lead(record)).split("?>", 1)[1]
    assert_marketo_fault(server.post(xml), 20012)


# --- 20019 Unsupported Operation ---------------------------------------------------------------


def test_unknown_operation_element_is_20019(server):
    root = assert_marketo_fault(server.post(envelope("<ns1:paramsDoesNotExist/>")), 20019)
    assert "paramsDoesNotExist" in message(root)


def test_operation_element_in_another_namespace_is_20019(server):
    body = GET_ADA.replace("ns1:", "other:").replace(
        "<other:paramsGetLead>", '<other:paramsGetLead xmlns:other="http://example.com/not-mktows/">'
    )
    assert_marketo_fault(server.post(envelope(body)), 20019)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_wsdl_operation_is_implemented(server, operation):
    """No operation of the WSDL answers 20019: an empty params element gets that operation's own answer."""
    response = server.post(envelope(f"<ns1:params{operation[0].upper()}{operation[1:]}/>"))
    assert fault_code(etree.fromstring(response.content)) != 20019


# --- check order (docs/behaviour.md): envelope -> authentication -> operation -> body ------------


def test_malformed_envelope_is_20012_before_authentication(server):
    assert_marketo_fault(server.post(envelope(GET_ADA, headers="").replace("</SOAP-ENV:Body>", "")), 20012)


def test_unknown_operation_without_authentication_is_20014(server):
    assert_marketo_fault(server.post(envelope("<ns1:paramsDoesNotExist/>", headers="")), 20014)


def test_bad_body_without_authentication_is_20014(server):
    assert_marketo_fault(server.post(envelope("<ns1:paramsGetLead/>", headers="")), 20014)


UNREADABLE_BATCH_SIZE = "<ns1:paramsGetMultipleLeads><batchSize>many</batchSize></ns1:paramsGetMultipleLeads>"
UNKNOWN_XSI_TYPE = (
    '<ns1:paramsGetLead><leadKey xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="ns1:Nope">'
    "<keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></ns1:paramsGetLead>"
)
UNREADABLE = pytest.mark.parametrize("body", [UNREADABLE_BATCH_SIZE, UNKNOWN_XSI_TYPE], ids=["xs:int", "xsi:type"])


@UNREADABLE
def test_unreadable_params_without_authentication_is_20014(server, body):
    assert_marketo_fault(server.post(envelope(body, headers="")), 20014)


@UNREADABLE
def test_unreadable_params_with_authentication_is_20012(server, body):
    assert_marketo_fault(server.post(envelope(body)), 20012)


# --- getLead ---------------------------------------------------------------------------------


def test_get_lead_without_lead_key_is_20101(server):
    assert_marketo_fault(server.post(envelope("<ns1:paramsGetLead/>")), 20101)


def test_get_lead_with_empty_key_value_is_20101(server):
    assert_marketo_fault(server.post(envelope(get_lead("EMAIL", ""))), 20101)


def test_get_lead_with_bad_key_type_is_20102(server):
    assert_marketo_fault(server.post(envelope(get_lead("SHOESIZE", "42"))), 20102)


def test_get_lead_without_a_match_is_20103_naming_the_key(server):
    root = assert_marketo_fault(server.post(envelope(get_lead("EMAIL", "x@y.z"))), 20103)
    assert message(root) == "No lead found with EMAIL = x@y.z (20103)"
    assert root.findtext(".//env:Fault/faultstring", namespaces=NS) == "20103 - Lead not found"


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "9" * 5000], ids=["20-digits", "superscript", "5000"])
def test_get_lead_by_idnum_that_cannot_be_an_id_is_20103(server, value):
    assert_marketo_fault(server.post(envelope(get_lead("IDNUM", value))), 20103)


# --- syncLead --------------------------------------------------------------------------------


def test_sync_lead_without_lead_record_is_20104(server):
    body = "<ns1:paramsSyncLead><returnLead>true</returnLead></ns1:paramsSyncLead>"
    assert_marketo_fault(server.post(envelope(body)), 20104)


def test_sync_lead_with_unknown_attribute_is_20105_naming_it(server):
    record = "<Email>pants@example.com</Email>" + attributes(pants="corduroy")
    root = assert_marketo_fault(server.post(envelope(sync_lead(record))), 20105)
    assert message(root) == "syncLead operation failed: unknown fields for import: pants (20105)"
    assert root.findtext(".//env:Fault/faultstring", namespaces=NS) == "20105 - Unknown lead field"


def test_sync_lead_foreign_sys_person_id_without_type_is_20110(server):
    record = "<Email>fsp@example.com</Email><ForeignSysPersonId>EXT-1</ForeignSysPersonId>"
    assert_marketo_fault(server.post(envelope(sync_lead(record))), 20110)


def test_sync_lead_non_integer_value_for_integer_field_is_20110(server):
    record = "<Email>int@example.com</Email>" + attributes(NumberOfEmployees="lots")
    assert_marketo_fault(server.post(envelope(sync_lead(record))), 20110)


def test_sync_lead_with_id_outside_xs_int_is_not_understood_20012(server):
    record = "<Id>99999999999999999999</Id><Email>big@example.com</Email>"
    assert_marketo_fault(server.post(envelope(sync_lead(record))), 20012)


# --- a fault changes nothing -------------------------------------------------------------------


def test_failed_create_writes_no_lead(server):
    before = lead_count(server), activity_count(server)
    record = "<Email>nothing@example.com</Email>" + attributes(FirstName="Nemo", NumberOfEmployees="lots")
    assert_marketo_fault(server.post(envelope(sync_lead(record))), 20110)
    assert (lead_count(server), activity_count(server)) == before


def test_fault_after_a_partial_update_rolls_the_lead_back(server):
    # Lead 1 is matched by Id and changed in memory; taking lead 2's ForeignSysPersonId then fails.
    record = (
        "<Id>1</Id><Email>changed@example.com</Email><ForeignSysPersonId>SF-0002</ForeignSysPersonId>"
        "<ForeignSysType>SFDC</ForeignSysType>" + attributes(FirstName="Changed")
    )
    activities = activity_count(server)
    assert_marketo_fault(server.post(envelope(sync_lead(record))), 20106)
    status, root = server.call(get_lead("IDNUM", "1"))
    assert status == 200
    assert root.findtext(".//leadRecord/Email") == "ada@example.com"
    names = {a.findtext("attrName"): a.findtext("attrValue") for a in root.iterfind(".//attribute")}
    assert names["FirstName"] == "Ada"
    assert activity_count(server) == activities


# --- other methods and garbage -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_requests_on_the_soap_url_are_refused_without_traceback(server, method):
    response = server.session.request(method, server.url, data=b"<x/>" if method != "GET" else None)
    assert 400 <= response.status_code < 600
    assert "Traceback" not in response.text and 'File "' not in response.text
    if response.status_code == 500:
        assert_marketo_fault(response)


def garbage_bodies() -> list[tuple[str, bytes]]:
    rng = random.Random(20012)
    full = envelope(GET_ADA).encode()
    cases = [(f"random-{n}", bytes(rng.randrange(256) for _ in range(n))) for n in (1, 17, 300, 4096)]
    cases += [(f"truncated-at-{cut}", full[:cut]) for cut in (1, 5, 38, 120, len(full) // 2, len(full) - 1)]
    cases += [
        ("nul-bytes", b"\x00" * 64),
        ("json", b'{"paramsGetLead": {"leadKey": 1}}'),
        ("html", b"<html><body>hello</body></html>"),
        ("plain-text", b"getLead please"),
        ("bare-declaration", b'<?xml version="1.0"?>'),
        ("only-comment", b"<!-- nothing -->"),
        ("envelope-no-namespace", envelope(GET_ADA).replace(f'xmlns:SOAP-ENV="{SOAP_ENV}"', "").encode()),
        ("envelope-wrong-namespace", envelope(GET_ADA).replace(SOAP_ENV, "http://example.com/soap/").encode()),
        ("unbound-prefix", envelope(GET_ADA).replace('xmlns:ns1="', 'xmlns:nsX="').encode()),
        ("bad-utf8", envelope(GET_ADA).encode().replace(b"ada@example.com", b"\xff\xfe\xfd@example.com")),
        ("body-is-text", envelope("just text").encode()),
        ("deep-nesting", envelope("<a>" * 3000 + "</a>" * 3000).encode()),
        ("two-roots", (envelope(GET_ADA) + "<again/>").encode()),
    ]
    return cases


@pytest.mark.parametrize("body", [body for _, body in garbage_bodies()], ids=[name for name, _ in garbage_bodies()])
def test_garbage_gets_a_marketo_fault_document(server, body):
    response = server.session.post(server.url, data=body, headers={"Content-Type": "text/xml"}, timeout=30)
    assert_marketo_fault(response)
