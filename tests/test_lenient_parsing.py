"""Real SOAP clients differ in how they write the same request; the mock reads them all alike.

Spec section 1 (qualification, prefixes), section 2 (partnerId), section 3 (MktowsContextHeader),
section 13 #34, #36, #39 and docs/behaviour.md. Each test is one quirk seen in a real client.
"""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from mockmkto.domain.auth import sign
from mockmkto.store.models import Lead, Partition
from tests.soap import (
    DEFAULT_SECRET,
    DEFAULT_USER,
    NS,
    SOAP_ENV,
    TNS,
    auth_header_xml,
    envelope,
    fault_code,
    timestamp,
)

GET_ADA_UNQUALIFIED = "<leadKey><keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue></leadKey>"


def get_lead(email: str) -> str:
    return (
        f"<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>{email}</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )


def sync_lead(email: str, extra: str = "", return_lead: str = "true") -> str:
    return (
        f"<ns1:paramsSyncLead><leadRecord><Email>{email}</Email>{extra}</leadRecord>"
        f"<returnLead>{return_lead}</returnLead></ns1:paramsSyncLead>"
    )


def ok(response) -> etree._Element:
    """The response is a 200 success document; return its root."""
    root = etree.fromstring(response.content)
    assert response.status_code == 200, root.findtext(".//message")
    assert fault_code(root) is None
    return root


def lead_ids(root: etree._Element) -> list[int]:
    return [int(text) for text in root.xpath("//leadRecordList/leadRecord/Id/text()")]


def attribute_values(root: etree._Element) -> dict[str, str]:
    return {a.findtext("attrName"): a.findtext("attrValue") for a in root.iterfind(".//leadAttributeList/attribute")}


def stored_lead(server, email: str) -> Lead:
    with server.instance.store.session() as session:
        return session.scalar(select(Lead).where(Lead.email == email))


# --- namespace prefixes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        f"<ns1:paramsGetLead>{GET_ADA_UNQUALIFIED}</ns1:paramsGetLead>",
        f'<mkt:paramsGetLead xmlns:mkt="{TNS}">{GET_ADA_UNQUALIFIED}</mkt:paramsGetLead>',
        f'<ns2:paramsGetLead xmlns:ns2="{TNS}">{GET_ADA_UNQUALIFIED}</ns2:paramsGetLead>',
        # A default namespace on the params element: its children must then opt out with xmlns="".
        f'<paramsGetLead xmlns="{TNS}"><leadKey xmlns=""><keyType>EMAIL</keyType>'
        "<keyValue>ada@example.com</keyValue></leadKey></paramsGetLead>",
    ],
    ids=["ns1", "mkt", "ns2", "default-xmlns"],
)
def test_any_prefix_for_the_mktows_namespace(server, body):
    assert lead_ids(ok(server.post(envelope(body)))) == [1]


def test_default_xmlns_on_params_element_with_children_in_it(server):
    # zeep/.NET style: xmlns on the params element, children inherit it (i.e. qualified children).
    body = (
        f'<paramsGetLead xmlns="{TNS}"><leadKey><keyType>EMAIL</keyType>'
        "<keyValue>ada@example.com</keyValue></leadKey></paramsGetLead>"
    )
    assert lead_ids(ok(server.post(envelope(body)))) == [1]


def test_any_prefix_for_the_soap_envelope_namespace(server):
    xml = (
        envelope(get_lead("ada@example.com"))
        .replace("SOAP-ENV:", "soapenv:")
        .replace("xmlns:SOAP-ENV=", "xmlns:soapenv=")
    )
    assert lead_ids(ok(server.post(xml))) == [1]


def test_default_namespace_for_the_soap_envelope(server):
    xml = envelope(get_lead("ada@example.com")).replace("SOAP-ENV:", "").replace("xmlns:SOAP-ENV=", "xmlns=")
    assert lead_ids(ok(server.post(xml))) == [1]


# --- header children -------------------------------------------------------------------------


def header(qualified: bool, extra: str = "") -> str:
    """A valid AuthenticationHeader whose children carry the ns1 prefix or none; `extra` children last."""
    stamp = timestamp()
    p = "ns1:" if qualified else ""
    return (
        "<ns1:AuthenticationHeader>"
        f"<{p}mktowsUserId>{DEFAULT_USER}</{p}mktowsUserId>"
        f"<{p}requestSignature>{sign(DEFAULT_SECRET, stamp, DEFAULT_USER)}</{p}requestSignature>"
        f"<{p}requestTimestamp>{stamp}</{p}requestTimestamp>"
        f"{extra}</ns1:AuthenticationHeader>"
    )


@pytest.mark.parametrize("qualified", [False, True], ids=["unqualified", "qualified"])
def test_authentication_header_children_qualified_or_not(server, qualified):
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), header(qualified))))) == [1]


def test_authentication_header_with_default_namespace(server):
    # Its children then sit in the mktows namespace too (qualified), as some clients write it.
    stamp = timestamp()
    auth = (
        f'<AuthenticationHeader xmlns="{TNS}"><mktowsUserId>{server.user_id}</mktowsUserId>'
        f"<requestSignature>{sign(server.secret, stamp, server.user_id)}</requestSignature>"
        f"<requestTimestamp>{stamp}</requestTimestamp></AuthenticationHeader>"
    )
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), auth)))) == [1]


@pytest.mark.parametrize("qualified", [False, True], ids=["unqualified", "qualified"])
def test_partner_id_in_authentication_header_is_ignored(server, qualified):
    p = "ns1:" if qualified else ""
    extra = f"<{p}partnerId>LP-PARTNER-KEY-123</{p}partnerId>"
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), header(qualified, extra))))) == [1]


def test_audit_and_mode_in_authentication_header_are_accepted(server):
    extra = "<audit>nightly sync</audit><mode>0</mode>"
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), header(False, extra))))) == [1]


def test_signature_is_checked_on_the_timestamp_text_not_its_surrounding_whitespace(server):
    # Pretty-printing clients indent element text; the signed timestamp is the trimmed string.
    stamp = timestamp()
    auth = auth_header_xml(stamp=stamp).replace(
        f"<requestTimestamp>{stamp}</requestTimestamp>", f"<requestTimestamp>\n    {stamp}\n  </requestTimestamp>"
    )
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), auth)))) == [1]


# --- body children ---------------------------------------------------------------------------


def test_get_lead_body_children_qualified(server):
    body = (
        "<ns1:paramsGetLead><ns1:leadKey><ns1:keyType>EMAIL</ns1:keyType>"
        "<ns1:keyValue>ada@example.com</ns1:keyValue></ns1:leadKey></ns1:paramsGetLead>"
    )
    assert lead_ids(ok(server.post(envelope(body)))) == [1]


def test_sync_lead_body_children_qualified(server):
    body = (
        "<ns1:paramsSyncLead><ns1:leadRecord><ns1:Email>qualified@example.com</ns1:Email>"
        "<ns1:leadAttributeList><ns1:attribute><ns1:attrName>FirstName</ns1:attrName>"
        "<ns1:attrValue>Quinn</ns1:attrValue></ns1:attribute></ns1:leadAttributeList></ns1:leadRecord>"
        "<ns1:returnLead>true</ns1:returnLead></ns1:paramsSyncLead>"
    )
    root = ok(server.post(envelope(body)))
    assert root.findtext(".//syncStatus/status") == "CREATED"
    assert stored_lead(server, "qualified@example.com").attributes["FirstName"] == "Quinn"


def test_sync_lead_body_children_mixed_qualified_and_unqualified(server):
    body = (
        "<ns1:paramsSyncLead><leadRecord><ns1:Email>mixed@example.com</ns1:Email>"
        "<leadAttributeList><ns1:attribute><attrName>LastName</attrName>"
        "<ns1:attrValue>Mixed</ns1:attrValue></ns1:attribute></leadAttributeList></leadRecord>"
        "<ns1:returnLead>false</ns1:returnLead></ns1:paramsSyncLead>"
    )
    ok(server.post(envelope(body)))
    assert stored_lead(server, "mixed@example.com").attributes["LastName"] == "Mixed"


def test_sync_lead_element_order_is_free(server):
    body = (
        "<ns1:paramsSyncLead>"
        "<marketoCookie>id:561-HYG-937&amp;token:_mch-example.com-shuffled</marketoCookie>"
        "<returnLead>true</returnLead>"
        "<leadRecord>"
        "<leadAttributeList><attribute><attrValue>Shuffled</attrValue><attrName>FirstName</attrName></attribute>"
        "</leadAttributeList>"
        "<ForeignSysType>CUSTOM</ForeignSysType><ForeignSysPersonId>EXT-SHUF</ForeignSysPersonId>"
        "<Email>shuffled@example.com</Email>"
        "</leadRecord>"
        "</ns1:paramsSyncLead>"
    )
    root = ok(server.post(envelope(body)))
    assert root.findtext(".//syncStatus/status") == "CREATED"
    assert root.findtext(".//leadRecord/Email") == "shuffled@example.com"
    assert root.findtext(".//leadRecord/ForeignSysPersonId") == "EXT-SHUF"
    assert attribute_values(root)["FirstName"] == "Shuffled"
    assert stored_lead(server, "shuffled@example.com").cookie == "id:561-HYG-937&token:_mch-example.com-shuffled"


def test_unknown_elements_inside_params_are_ignored(server):
    body = sync_lead("unknown-el@example.com", extra="<Nickname>x</Nickname>").replace(
        "<returnLead>", "<clientTraceId>abc-123</clientTraceId><returnLead>"
    )
    assert ok(server.post(envelope(body))).findtext(".//syncStatus/status") == "CREATED"


# --- xsi:nil ---------------------------------------------------------------------------------


def test_nil_marketo_cookie_is_absent(server):
    body = sync_lead("nilcookie@example.com").replace(
        "</ns1:paramsSyncLead>", '<marketoCookie xsi:nil="true"/></ns1:paramsSyncLead>'
    )
    ok(server.post(envelope(body)))
    assert stored_lead(server, "nilcookie@example.com").cookie is None


def test_nil_id_is_absent_so_email_decides(server):
    body = sync_lead("ada@example.com").replace("<leadRecord>", '<leadRecord><Id xsi:nil="true"/>')
    root = ok(server.post(envelope(body)))
    assert root.findtext(".//syncStatus/status") == "UPDATED"
    assert root.findtext(".//result/leadId") == "1"


def test_nil_id_alone_is_not_a_lead_key(server):
    body = (
        '<ns1:paramsSyncLead><leadRecord><Id xsi:nil="true"/></leadRecord>'
        "<returnLead>true</returnLead></ns1:paramsSyncLead>"
    )
    status, root = server.call(body)
    assert (status, fault_code(root)) == (500, 20101)


def test_nil_foreign_sys_fields_are_absent(server):
    extra = '<ForeignSysPersonId xsi:nil="true"/><ForeignSysType xsi:nil="true"/>'
    root = ok(server.post(envelope(sync_lead("nilfsp@example.com", extra))))
    assert root.findtext(".//syncStatus/status") == "CREATED"
    assert stored_lead(server, "nilfsp@example.com").foreign_sys_person_id is None


def test_nil_lead_attribute_list_is_absent(server):
    root = ok(server.post(envelope(sync_lead("nilattrs@example.com", '<leadAttributeList xsi:nil="true"/>'))))
    assert root.findtext(".//syncStatus/status") == "CREATED"


# --- SOAPAction and Content-Type -------------------------------------------------------------


@pytest.mark.parametrize(
    "soap_action",
    ['""', "", None, '"http://www.marketo.com/mktows/syncLead"', "http://www.marketo.com/mktows/syncLead"],
    ids=["quoted-empty", "empty", "missing", "quoted", "unquoted"],
)
def test_soap_action_may_be_empty_missing_or_right(server, soap_action):
    response = server.post(envelope(sync_lead("action@example.com")), soap_action=soap_action)
    assert ok(response).find(".//m:successSyncLead", NS) is not None


def test_dispatch_is_by_body_element_not_soap_action(server):
    response = server.post(
        envelope(sync_lead("other-action@example.com")), soap_action='"http://www.marketo.com/mktows/getLead"'
    )
    root = ok(response)
    assert root.find(".//m:successSyncLead", NS) is not None
    assert stored_lead(server, "other-action@example.com") is not None


@pytest.mark.parametrize(
    "content_type", ["text/xml", "text/xml; charset=utf-8", "text/xml;charset=UTF-8", 'text/xml; charset="utf-8"']
)
def test_content_type_text_xml_with_or_without_charset(server, content_type):
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com")), content_type=content_type))) == [1]


# --- the document's bytes --------------------------------------------------------------------


def test_pretty_printed_envelope(server):
    xml = etree.tostring(etree.fromstring(envelope(get_lead("ada@example.com")).encode()), pretty_print=True)
    assert lead_ids(ok(server.post(xml.decode()))) == [1]


def test_crlf_line_endings(server):
    xml = etree.tostring(etree.fromstring(envelope(get_lead("ada@example.com")).encode()), pretty_print=True)
    assert lead_ids(ok(server.post(xml.decode().replace("\n", "\r\n")))) == [1]


def test_no_xml_declaration(server):
    xml = envelope(get_lead("ada@example.com")).split("?>", 1)[1]
    assert lead_ids(ok(server.post(xml))) == [1]


def test_utf8_byte_order_mark(server):
    data = b"\xef\xbb\xbf" + envelope(get_lead("ada@example.com")).encode("utf-8")
    response = server.session.post(server.url, data=data, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert lead_ids(ok(response)) == [1]


def test_chunked_request_body(server):
    data = envelope(get_lead("ada@example.com")).encode("utf-8")
    chunks = (data[i : i + 64] for i in range(0, len(data), 64))
    response = server.session.post(server.url, data=chunks, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert lead_ids(ok(response)) == [1]


def test_envelope_without_header_element_is_understood_and_fails_authentication(server):
    # No SOAP-ENV:Header at all is still a SOAP envelope: the answer is 20014, not 20012.
    xml = (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV}" xmlns:ns1="{TNS}">'
        f"<SOAP-ENV:Body>{get_lead('ada@example.com')}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    response = server.post(xml)
    assert (response.status_code, fault_code(etree.fromstring(response.content))) == (500, 20014)


# --- MktowsContextHeader and 3_1 fields ------------------------------------------------------


def context(workspace: str) -> str:
    return (
        auth_header_xml()
        + f"<ns1:MktowsContextHeader><targetWorkspace>{workspace}</targetWorkspace></ns1:MktowsContextHeader>"
    )


def test_target_workspace_default_in_lower_case_is_accepted(server):
    # The seeds' Java sample sends "default" for the workspace named "Default" (spec section 3).
    root = ok(server.post(envelope(sync_lead("ws-default@example.com"), context("default"))))
    assert root.findtext(".//syncStatus/status") == "CREATED"
    lead = stored_lead(server, "ws-default@example.com")
    with server.instance.store.session() as session:
        assert session.get(Partition, lead.partition_id).name == "Default"


def test_context_header_children_qualified_are_read(server):
    # A qualified targetWorkspace is still read: an unknown workspace then gives 20110 (spec section 13 #10).
    headers = auth_header_xml() + (
        "<ns1:MktowsContextHeader><ns1:targetWorkspace>Nowhere</ns1:targetWorkspace></ns1:MktowsContextHeader>"
    )
    status, root = server.call(sync_lead("ws-qualified@example.com"), headers)
    assert (status, fault_code(root)) == (500, 20110)


def test_context_header_on_an_operation_that_does_not_bind_it_is_ignored(server):
    # Spec section 13 #36: only syncLead reads it; getLead ignores even an unknown workspace.
    assert lead_ids(ok(server.post(envelope(get_lead("ada@example.com"), context("Nowhere"))))) == [1]


ADA_COOKIE = "id:561-HYG-937&amp;token:_mch-example.com-1374552656411-90718"


@pytest.mark.parametrize("value, holder", [("true", 2), ("false", 1)])
def test_move_cookie_of_3_1_is_read(server, value, holder):
    # Lead 2 (by Id) syncs with known lead 1's cookie: it moves only with moveCookie=true (spec section 13 #39).
    body = (
        "<ns1:paramsSyncLead><leadRecord><Id>2</Id></leadRecord><returnLead>false</returnLead>"
        f"<marketoCookie>{ADA_COOKIE}</marketoCookie><moveCookie>{value}</moveCookie></ns1:paramsSyncLead>"
    )
    ok(server.post(envelope(body)))
    with server.instance.store.session() as session:
        assert session.get(Lead, holder).cookie == ADA_COOKIE.replace("&amp;", "&")


# --- UTF-8 -----------------------------------------------------------------------------------


UNICODE_VALUES = {"FirstName": "李小龍", "LastName": "김민준", "Company": "Émoji 😀🚀 GmbH", "City": "Zürich"}


def test_utf8_attribute_values_round_trip_through_sync_lead_and_get_lead(server):
    extra = (
        "<leadAttributeList>"
        + "".join(
            f"<attribute><attrName>{name}</attrName><attrValue>{value}</attrValue></attribute>"
            for name, value in UNICODE_VALUES.items()
        )
        + "</leadAttributeList>"
    )
    synced = ok(server.post(envelope(sync_lead("unicode@example.com", extra))))
    assert {k: attribute_values(synced)[k] for k in UNICODE_VALUES} == UNICODE_VALUES
    got = ok(server.post(envelope(get_lead("unicode@example.com"))))
    assert {k: attribute_values(got)[k] for k in UNICODE_VALUES} == UNICODE_VALUES


def test_utf8_values_sent_as_character_references_are_decoded(server):
    # Some clients (PHP SoapClient with ASCII output) escape every non-ASCII character.
    escaped = "".join(f"&#{ord(ch)};" for ch in "김민준")
    extra = (
        "<leadAttributeList><attribute><attrName>LastName</attrName>"
        f"<attrValue>{escaped}</attrValue></attribute></leadAttributeList>"
    )
    ok(server.post(envelope(sync_lead("charref@example.com", extra))))
    assert stored_lead(server, "charref@example.com").attributes["LastName"] == "김민준"


@pytest.mark.parametrize("marked", ['<leadKey id="key1">', '<leadKey xml:id="key1">'])
def test_elements_carrying_ids_are_read_like_any_other(server, marked):
    # Such a message goes through Spyne's own envelope reading (it resolves SOAP-encoded hrefs).
    key = "<keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue></leadKey>"
    body = f"<ns1:paramsGetLead>{marked}{key}</ns1:paramsGetLead>"
    status, root = server.call(body)
    assert status == 200 and root.findtext(".//leadRecord/Email") == "ada@example.com"


def test_a_header_after_the_body_is_still_read(server):
    # Header and Body are found by name, not by position.
    signed = etree.fromstring(envelope(get_lead("ada@example.com")).encode())
    signed.append(signed.find(f"{{{SOAP_ENV}}}Header"))
    response = server.post(etree.tostring(signed).decode())
    assert response.status_code == 200
    assert etree.fromstring(response.content).findtext(".//leadRecord/Email") == "ada@example.com"
