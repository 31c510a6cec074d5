"""The contract: the WSDL the mock serves, compared with Marketo's own 2_6 WSDL, and every response
checked against Marketo's schema.

Types are compared by their resolved structure, not by name: each global element is unfolded into
one line per (nested) child with its form, occurrences, nillability and resolved type, so Spyne may
name a type differently but not change what goes on the wire. The only differences allowed are the
3_1 additions in INTENDED_DIFFERENCES.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
import requests
from lxml import etree
from werkzeug.test import Client

from mockmkto.soap.types import OPERATIONS
from tests.schema import SKIP_REASON, assert_valid_success, reference_available, reference_xml_schema, schema_errors
from tests.soap import NS, REFERENCE_WSDL, ROOT, SOAP_ENV, TNS, auth_header_xml

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
WNS = {"wsdl": WSDL_NS, "soap": SOAP_BINDING_NS, "xs": XS_NS}
COMMITTED_WSDL = ROOT / "wsdl" / "mktows.wsdl"
COMMITTED_ADDRESS = "http://127.0.0.1:8080/soap/mktows/2_6"
VERSIONS = ["2_0", "2_1", "2_2", "2_3", "2_4", "2_5", "2_6", "2_7", "2_8", "2_9", "3_0", "3_1"]
HEADER_ELEMENTS = ["AuthenticationHeader", "MktowsContextHeader"]


def cap(operation: str) -> str:
    return operation[0].upper() + operation[1:]


GLOBAL_ELEMENTS = sorted(
    HEADER_ELEMENTS + [f"{kind}{cap(op)}" for op in OPERATIONS for kind in ("params", "success")], key=str.lower
)


@dataclass(frozen=True)
class IntendedDifference:
    """A line of the served structure that Marketo's 2_6 WSDL lacks, inserted after the line `after`."""

    line: str
    after: str
    why: str


INTENDED_DIFFERENCES = [
    IntendedDifference(
        "paramsSyncLead/moveCookie: unqualified 0..1 nillable xs:boolean",
        after="paramsSyncLead/marketoCookie",
        why="3_1 addition (reference/README.md)",
    ),
    IntendedDifference(
        "paramsScheduleCampaign/cloneToProgramName: unqualified 0..1 nillable xs:string",
        after="paramsScheduleCampaign/programName",
        why="3_1 addition (reference/README.md), between programName and campaignName",
    ),
]


# --- the structure of a WSDL's schema, resolved --------------------------------------------------------------


class ResolvedWsdl:
    """A WSDL read into what matters on the wire: each global element unfolded into lines."""

    def __init__(self, text: bytes):
        self.root = etree.fromstring(text)
        self.schema = self.root.find("wsdl:types/xs:schema", WNS)
        self.element_form = self.schema.get("elementFormDefault", "unqualified")
        self.elements = {e.get("name"): e for e in self.schema.findall("xs:element", WNS)}
        self.complex_types = {e.get("name"): e for e in self.schema.findall("xs:complexType", WNS)}
        self.simple_types = {e.get("name"): e for e in self.schema.findall("xs:simpleType", WNS)}
        self.derived: dict[str, list[str]] = {}
        for name, complex_type in self.complex_types.items():
            extension = complex_type.find("xs:complexContent/xs:extension", WNS)
            if extension is not None:
                self.derived.setdefault(self._type_name(extension, extension.get("base")), []).append(name)

    def _type_name(self, node: etree._Element, qname: str) -> str:
        """`tns:Foo` -> `Foo`, `xs:int` -> `xs:int`, whatever prefixes the document binds."""
        prefix, _, local = qname.rpartition(":")
        namespace = node.nsmap.get(prefix or None)
        if namespace == TNS:
            return local
        if namespace == XS_NS:
            return f"xs:{local}"
        return f"{{{namespace}}}{local}"

    def element_lines(self, name: str) -> list[str]:
        element = self.elements[name]
        nillable = " nillable" if element.get("nillable") == "true" else ""
        type_text, children = self._type(element, element.get("type"), name, ())
        return [f"{name}: global{nillable} {type_text}", *children]

    def _type(self, node: etree._Element, qname: str, path: str, seen: tuple[str, ...]) -> tuple[str, list[str]]:
        name = self._type_name(node, qname)
        if name.startswith("xs:"):
            return name, []
        if name in self.simple_types:
            restriction = self.simple_types[name].find("xs:restriction", WNS)
            values = "|".join(e.get("value") for e in restriction.findall("xs:enumeration", WNS))
            return f"enum {self._type_name(restriction, restriction.get('base'))} {values}", []
        if name not in self.complex_types:
            return f"undeclared type {name}", []
        if name in seen:
            return f"recursive {name}", []
        complex_type = self.complex_types[name]
        lines = self._content(name, path, seen + (name,))
        for derived in sorted(self.derived.get(name, ())):
            lines.append(f"{path}[xsi:type={derived}]: extension")
            lines.extend(self._content(derived, f"{path}[xsi:type={derived}]", seen + (name,)))
        return ("complex abstract" if complex_type.get("abstract") == "true" else "complex"), lines

    def _content(self, type_name: str, path: str, seen: tuple[str, ...]) -> list[str]:
        """The child lines of a complexType, its base type's children first."""
        lines: list[str] = []
        for child in self.complex_types[type_name]:
            if not isinstance(child.tag, str):
                continue
            if child.tag == f"{{{XS_NS}}}sequence":
                lines.extend(self._sequence(child, path, seen))
            elif child.tag == f"{{{XS_NS}}}complexContent" and child.find("xs:extension", WNS) is not None:
                extension = child.find("xs:extension", WNS)
                lines.extend(self._content(self._type_name(extension, extension.get("base")), path, seen))
                for sequence in extension.findall("xs:sequence", WNS):
                    lines.extend(self._sequence(sequence, path, seen))
            else:
                lines.append(f"{path}: unexpected {etree.QName(child).localname}")
        return lines

    def _sequence(self, sequence: etree._Element, path: str, seen: tuple[str, ...]) -> list[str]:
        lines: list[str] = []
        for element in sequence:
            if not isinstance(element.tag, str):
                continue
            if element.tag != f"{{{XS_NS}}}element":
                lines.append(f"{path}: unexpected {etree.QName(element).localname}")
                continue
            child_path = f"{path}/{element.get('name')}"
            occurs = f"{element.get('minOccurs', '1')}..{element.get('maxOccurs', '1')}"
            nillable = " nillable" if element.get("nillable") == "true" else ""
            form = element.get("form", self.element_form)
            type_text, children = self._type(element, element.get("type"), child_path, seen)
            lines.append(f"{child_path}: {form} {occurs}{nillable} {type_text}")
            lines.extend(children)
        return lines

    # --- the WSDL around the schema ---

    def message_element(self, message_qname: str, part: str | None = None) -> str:
        """The global element a message's part (the only part when `part` is None) refers to."""
        message = self.root.find(f"wsdl:message[@name='{message_qname.rpartition(':')[2]}']", WNS)
        parts = message.findall("wsdl:part", WNS)
        (chosen,) = [p for p in parts if part is None or p.get("name") == part]
        return chosen.get("element").rpartition(":")[2]

    def operation_contract(self, name: str) -> dict:
        binding_op = self.root.find(f"wsdl:binding/wsdl:operation[@name='{name}']", WNS)
        port_op = self.root.find(f"wsdl:portType/wsdl:operation[@name='{name}']", WNS)
        return {
            "soapAction": binding_op.find("soap:operation", WNS).get("soapAction"),
            "input": self.message_element(port_op.find("wsdl:input", WNS).get("message")),
            "output": self.message_element(port_op.find("wsdl:output", WNS).get("message")),
            "input headers": [
                (h.get("part"), self.message_element(h.get("message"), h.get("part")))
                for h in binding_op.findall("wsdl:input/soap:header", WNS)
            ],
            "output headers": [h.get("part") for h in binding_op.findall("wsdl:output/soap:header", WNS)],
            "body": [b.get("use") for b in binding_op.findall("wsdl:*/soap:body", WNS)],
        }


def expected_lines(reference: ResolvedWsdl, name: str) -> list[str]:
    """Marketo's structure of global element `name` with the INTENDED_DIFFERENCES applied."""
    lines = reference.element_lines(name)
    for difference in INTENDED_DIFFERENCES:
        if difference.line.split("/", 1)[0] != name:
            continue
        (anchor,) = [i for i, line in enumerate(lines) if line.startswith(difference.after + ":")]
        end = anchor + 1
        while end < len(lines) and lines[end].startswith(difference.after + "/"):
            end += 1
        lines.insert(end, difference.line)
    return lines


@cache
def reference_wsdl() -> ResolvedWsdl:
    return ResolvedWsdl(Path(REFERENCE_WSDL).read_bytes())


@pytest.fixture(scope="session")
def served_text(live_server) -> str:
    response = requests.get(live_server.wsdl_url, timeout=10)
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="session")
def served(served_text) -> ResolvedWsdl:
    return ResolvedWsdl(served_text.encode("utf-8"))


@pytest.fixture
def reference() -> ResolvedWsdl:
    if not reference_available():
        pytest.skip(SKIP_REASON)
    return reference_wsdl()


def soap_address(text: str | bytes) -> str:
    root = etree.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    (address,) = root.findall("wsdl:service/wsdl:port/soap:address", WNS)
    return address.get("location")


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


# --- the served WSDL against Marketo's 2_6 WSDL ----------------------------------------------------------------


def test_target_namespace_is_marketos(served, reference):
    assert reference.root.get("targetNamespace") == TNS
    assert served.root.get("targetNamespace") == TNS
    assert served.schema.get("targetNamespace") == reference.schema.get("targetNamespace") == TNS


def _names(wsdl: ResolvedWsdl) -> dict[str, object]:
    root = wsdl.root
    (service,) = root.findall("wsdl:service", WNS)
    (binding,) = root.findall("wsdl:binding", WNS)
    return {
        "service": service.get("name"),
        "ports": [(p.get("name"), p.get("binding").rpartition(":")[2]) for p in service.findall("wsdl:port", WNS)],
        "binding": binding.get("name"),
        "binding type": binding.get("type").rpartition(":")[2],
        "portTypes": [p.get("name") for p in root.findall("wsdl:portType", WNS)],
    }


def test_service_port_binding_and_port_type_are_marketos(served, reference):
    assert _names(reference) == {
        "service": "MktMktowsApiService",
        "ports": [("MktowsApiSoapPort", "MktowsApiSoapBinding")],
        "binding": "MktowsApiSoapBinding",
        "binding type": "MktowsPort",
        "portTypes": ["MktowsPort"],
    }
    assert _names(served) == _names(reference)


def test_binding_is_document_style_over_http(served, reference):
    def binding(wsdl):
        node = wsdl.root.find("wsdl:binding/soap:binding", WNS)
        return node.get("style"), node.get("transport")

    assert binding(served) == binding(reference) == ("document", "http://schemas.xmlsoap.org/soap/http")


def test_operations_are_marketos_23(served, reference):
    def operations(wsdl):
        binding = {op.get("name") for op in wsdl.root.findall("wsdl:binding/wsdl:operation", WNS)}
        port_type = {op.get("name") for op in wsdl.root.findall("wsdl:portType/wsdl:operation", WNS)}
        assert binding == port_type
        return binding

    assert len(operations(reference)) == 23
    assert operations(served) == operations(reference) == set(OPERATIONS)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_operation_binding_is_marketos(served, reference, operation):
    """SOAPAction, paramsX in, successX out, literal bodies, and the headers bound to the input."""
    contract = served.operation_contract(operation)
    assert contract == reference.operation_contract(operation)
    assert contract["soapAction"] == f"{TNS}{operation}"
    assert (contract["input"], contract["output"]) == (f"params{cap(operation)}", f"success{cap(operation)}")
    headers = [("authentication", "AuthenticationHeader")]
    if operation == "syncLead":
        headers.append(("mktowsContext", "MktowsContextHeader"))
    assert contract["input headers"] == headers


def test_global_elements_are_marketos(served, reference):
    assert sorted(reference.elements, key=str.lower) == GLOBAL_ELEMENTS
    assert sorted(served.elements, key=str.lower) == GLOBAL_ELEMENTS


@pytest.mark.parametrize("element", GLOBAL_ELEMENTS)
def test_global_element_structure_is_marketos(served, reference, element):
    """Every child, recursively: name, form, minOccurs..maxOccurs, nillable, resolved type."""
    expected = expected_lines(reference, element)
    actual = served.element_lines(element)
    assert actual == expected, "\n".join(difflib.unified_diff(expected, actual, "marketo", "served", lineterm="", n=2))


@pytest.mark.parametrize("difference", INTENDED_DIFFERENCES, ids=lambda d: d.line.split(":")[0])
def test_intended_difference_is_absent_from_marketos_2_6(reference, difference):
    """An intended difference that 2_6 already had would hide a real change of the addition."""
    element = difference.line.split("/", 1)[0]
    paths = [line.split(":", 1)[0] for line in reference.element_lines(element)]
    assert difference.after in paths
    assert difference.line.split(":", 1)[0] not in paths


def test_lead_selector_subtypes_resolve_by_xsi_type(served):
    """LeadSelector is abstract; a client picks LeadKeySelector, StaticListSelector or LastUpdateAtSelector."""
    lines = served.element_lines("paramsGetMultipleLeads")
    assert "paramsGetMultipleLeads/leadSelector: unqualified 0..1 complex abstract" in lines
    subtypes = sorted(line.split("=", 1)[1].split("]", 1)[0] for line in lines if line.endswith("]: extension"))
    assert subtypes == ["LastUpdateAtSelector", "LeadKeySelector", "StaticListSelector"]


def test_every_message_part_names_a_declared_element(served):
    undeclared = [
        (message.get("name"), part.get("element"))
        for message in served.root.findall("wsdl:message", WNS)
        for part in message.findall("wsdl:part", WNS)
        if part.get("element").rpartition(":")[2] not in served.elements
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
