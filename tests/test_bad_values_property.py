"""Every operation answers any params the WSDL's types can be filled with, and more (odd unicode,
huge and non-finite numbers, impossible dates, wrong enumeration values, long texts, elements
left out or nil), with a success or a Marketo fault, on each store: never 10001 Internal Error,
never 20011 (the store is up throughout), never a traceback, and a faulted call writes nothing
(issue 16). Requests are generated from wsdl/mktows-2_6.json."""

from __future__ import annotations

import random
import string
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.domain.errors import ERROR_TITLES
from tests.reference import FACTS
from tests.soap import NS, SOAP_ENV, envelope, fault_code
from tests.stores import store_url

settings.register_profile(
    "bad-values",
    max_examples=25,
    deadline=None,  # a call's time is not the property
    # The live server is reset per test, not per example: no property here depends on its state.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("bad-values")

SCHEMA = FACTS["schema"]
OPERATIONS = list(FACTS["bindings"]["MktowsApiSoapBinding"]["operations"])
MAX_DEPTH = 4
XSI_NIL = ' xsi:nil="true"'

# Values Marketo's seed knows, so generated requests reach past "not found" into the operations.
KNOWN = [
    "1", "2", "1001", "2001", "153", "IDNUM", "EMAIL", "COOKIE", "ada@example.com", "Spring Webinar",
    "Send Invite", "Trav-Demo-Program", "Batch Campaign Example", "Registrants", "Roadshow", "MKTOID", "rid",
    "Opportunity", "OpportunityPersonRole", "Program", "Cost", "Tag", "Month", "Amount", "Id", "Type", "Value",
    "Channel", "FirstName", "AnnualRevenue", "NumberOfEmployees", "DateofBirth", "MarketoSocialLastActivity",
    "Created At", "Company", "Lead", "Email Address", "First Name", "ID:1", "2013-06", "MKTOWS", "UPSERT",
]  # fmt: skip
ODD = [
    "", " ", "inf", "-Infinity", "NaN", "1e309", "-0", "99999999999999999999", "2147483648", "-2147483649",
    "1_000", "\u0661\u0662", "\u00b2", "ID:99999999999999999999", "ID:\u00b2", "2020-02-30", "2020-02-30T00:00:00Z",
    "2020-01-01T24:00:00Z", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "{{my.token}}", "a,\"b",
    "\u202e\ufeff\U0001f600", "x" * 300,
    # Random letters: PostgreSQL cannot compress them below its index limit, as it does "x" * 3000.
    "".join(random.Random(15).choice(string.ascii_letters) for _ in range(3000)),
]  # fmt: skip


def mostly(usual: st.SearchStrategy[str], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Usual values four times in five: a request with one odd value gets past the others to it."""
    return st.one_of(usual, usual, usual, usual, odd)


# Usual values of string fields by name, so requests get past "not found" into the operations.
HINTS = {
    "objectName": ["Opportunity", "OpportunityPersonRole", "LeadRecord", "ActivityRecord"],
    "type": ["Opportunity", "OpportunityPersonRole", "Program", "Channel"],
    "mObjType": ["Company", "Lead", "Opportunity"],
    "objTypeName": ["Roadshow"],
    "programName": ["Spring Webinar", "Trav-Demo-Program"],
    "campaignName": ["Send Invite", "Batch Campaign Example", "Triggered Campaign Example"],
    "listName": ["Registrants", "Trav-Test-List"],
    "staticListName": ["Registrants", "Trav-Test-List"],
    "keyValue": ["1", "2", "ada@example.com", "Registrants"],
    "attrName": ["IDNUM", "EMAIL", "FirstName", "AnnualRevenue", "MKTOID", "rid", "Amount", "Id", "Created At"],
    "attrValue": ["1", "2", "ada@example.com", "12.5", "2020-01-01", "Ada"],
    "name": ["Month", "Amount", "Id", "Note", "Type", "Value", "Name", "Stage", "{{my.message}}", "Email"],
    "value": ["2013-06", "10", "153", "Channel", "Webinar", "Won", "1"],
    "attrType": ["Cost", "Tag"],
    "importFileHeader": ["Email Address,First Name", "Email Address"],
    "stringItem": ["ada@example.com,Ada", "ada@example.com", "Webinar", "Visit Webpage", "FirstName"],
    "offset": ["ID:1", "1", ""],
}
# Characters an XML document can carry (no surrogates, controls or the two non-characters).
XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=12)
STRINGS = mostly(st.sampled_from(KNOWN), st.one_of(st.sampled_from(ODD), XML_TEXT))
INTS = mostly(
    st.integers(-3, 2100).map(str),
    st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["abc", "1.0", "1_0", "\u0661", " 7 ", "+5", "0x10"]),
    ),
)
DATETIMES = mostly(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2020-02-30T00:00:00Z",
            "2020-02-03T24:00:00Z",
            "9999-12-31T23:59:59-05:00",
            "0001-01-01T00:00:00+05:00",
            "2020-01-01T00:00:00+15:00",
            "2020-01-01",
            "2020-01-01T00:00:00",
            "now",
        ]
    ),  # fmt: skip
)
BOOLEANS = mostly(st.sampled_from(["true", "false"]), st.sampled_from(["1", "0", "True", "maybe", ""]))


def simple(name: str, type_name: str) -> st.SearchStrategy[str]:
    """Texts for the field `name` of an XSD or mktows simple type: its values and others."""
    if type_name in ("xs:int", "xs:integer", "xs:long"):
        return INTS
    if type_name == "xs:dateTime":
        return DATETIMES
    if type_name == "xs:boolean":
        return BOOLEANS
    local = type_name.removeprefix("tns:")
    if local in SCHEMA["simpleTypes"]:
        values = SCHEMA["simpleTypes"][local]["enumeration"]
        return mostly(st.sampled_from(values), st.one_of(st.sampled_from(values).map(str.lower), STRINGS))
    return mostly(st.sampled_from(HINTS[name]), STRINGS) if name in HINTS else STRINGS


def subtypes(local: str) -> list[str]:
    """A complex type and the types extending it (a LeadSelector is sent as one of these)."""
    return [name for name, t in SCHEMA["complexTypes"].items() if name == local or t["extends"] == f"tns:{local}"]


def fields(local: str) -> list[dict]:
    """A complex type's fields, its base's first."""
    complex_type = SCHEMA["complexTypes"][local]
    base = complex_type["extends"]
    return (fields(base.removeprefix("tns:")) if base else []) + complex_type["sequence"]


@st.composite
def children(draw, local: str, depth: int) -> str:
    """The markup of a complex type's fields: each left out, nil or valued, repeated where the WSDL allows."""
    markup = []
    for field in fields(local):
        name = field["name"]
        required = field["minOccurs"] >= 1
        kind = draw(
            st.sampled_from(["value"] * (18 if required else 5) + ["absent"] * (1 if required else 4) + ["nil"])
        )
        if kind == "absent":
            continue
        if kind == "nil":
            markup.append(f"<{name}{XSI_NIL}/>")
            continue
        count = draw(st.integers(0, 3)) if field["maxOccurs"] != 1 else 1
        for _ in range(count):
            markup.append(draw(element(name, field["type"], depth)))
    return "".join(markup)


@st.composite
def element(draw, name: str, type_name: str, depth: int) -> str:
    local = type_name.removeprefix("tns:")
    if local not in SCHEMA["complexTypes"]:
        return f"<{name}>{escape(draw(simple(name, type_name)))}</{name}>"
    if depth >= MAX_DEPTH:
        return f"<{name}/>"
    concrete = [t for t in subtypes(local) if not SCHEMA["complexTypes"][t]["abstract"]]
    if not concrete:
        return f"<{name}/>"
    chosen = draw(st.sampled_from(concrete))
    xsi_type = f' xsi:type="ns1:{chosen}"' if chosen != local else ""
    return f"<{name}{xsi_type}>{draw(children(chosen, depth + 1))}</{name}>"


def params(operation: str) -> st.SearchStrategy[str]:
    name = f"params{operation[0].upper()}{operation[1:]}"
    local = SCHEMA["elements"][name].removeprefix("tns:")
    return children(local, 0).map(lambda markup: f"<ns1:{name}>{markup}</ns1:{name}>")


def check_answer(operation: str, status: int, body: bytes) -> etree._Element:
    """`body` is a well-formed SOAP answer: the operation's success, or a Marketo fault other than 10001."""
    assert b"Traceback" not in body
    root = etree.fromstring(body)
    assert root.tag == f"{{{SOAP_ENV}}}Envelope"
    (answer,) = root.find("env:Body", NS)
    if status == 200:
        assert answer.tag == f"{{{NS['m']}}}success{operation[0].upper()}{operation[1:]}"
    else:
        assert status == 500
        code = fault_code(root)
        assert code in ERROR_TITLES
        assert code not in (10001, 20011), root.findtext(".//m:serviceException/message", namespaces=NS)
    return root


@pytest.fixture(scope="module")
def client(request, store_kind):
    """The app in process, on each store: a call costs milliseconds, so many examples fit in a run."""
    databases = request.getfixturevalue("postgres_databases") if store_kind == "postgresql" else None
    app = build_app(Config(db=store_url(store_kind, databases, "property"), seed=DEFAULT_SEED))
    yield Client(app)
    app.close()


def post(client: Client, body: str):
    return client.post("/soap/mktows/2_6", data=envelope(body).encode(), headers={"Content-Type": "text/xml"})


def export(client: Client) -> bytes:
    return client.get("/_admin/export?secrets=true").data


@pytest.mark.parametrize("operation", OPERATIONS)
@PROFILE
@given(data=st.data())
def test_any_params_get_a_success_or_a_marketo_fault(client, operation, data):
    body = data.draw(params(operation))
    response = post(client, body)
    check_answer(operation, response.status_code, response.data)


@pytest.mark.parametrize("operation", OPERATIONS)
@PROFILE
@given(data=st.data())
def test_a_faulted_call_writes_nothing(client, operation, data):
    body = data.draw(params(operation))
    before = export(client)
    response = post(client, body)
    if response.status_code == 500:
        assert export(client) == before


@pytest.mark.parametrize("operation", OPERATIONS)
@settings(PROFILE, max_examples=3)
@given(data=st.data())
def test_any_params_over_http_get_a_success_or_a_marketo_fault(server, operation, data):
    """The live server on each store (SQLite, PostgreSQL): a few requests per operation."""
    body = data.draw(params(operation))
    response = server.post(envelope(body))
    check_answer(operation, response.status_code, response.content)
