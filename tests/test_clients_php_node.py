"""PHP SoapClient and node-soap, the clients Marketo's customers run, drive the live server.

The PHP script is Marketo's own syncLead sample from the seed documents; the Node script does the same
call with node-soap. Each runs with the WSDL the server serves and with Marketo's real WSDL file (its
endpoint overridden), and signs its requests itself: HMAC-SHA1(secret, timestamp + userId).
Outside CI a missing php/php-soap or node/node_modules skips these tests; with CI set they fail,
since .ci/install-system.sh installs them there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.reference import REFERENCE_WSDL
from tests.soap import NS, unavailable

CLIENTS = Path(__file__).resolve().parent / "clients"
SAMPLE_EMAIL = "george@jungle.com"  # the lead of Marketo's sample, absent from the default seed
MISSING_EMAIL = "nobody@jungle.com"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def _php() -> str:
    php = shutil.which("php")
    if php is None:
        unavailable("php not found: apt-get install php-cli php-soap")
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=True).stdout.split()
    if "soap" not in (module.lower() for module in modules):
        unavailable("PHP has no soap extension: apt-get install php-soap")
    return php


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        unavailable("node not found")
    if not (CLIENTS / "node_modules" / "soap").is_dir():
        unavailable("node-soap not installed: cd tests/clients && npm install")
    return node


@pytest.fixture(params=["served", "reference"])
def wsdl(request, server) -> str:
    """Where the client reads the WSDL: the server's `?WSDL`, or Marketo's 2_6 file."""
    if request.param == "served":
        return server.wsdl_url
    return str(REFERENCE_WSDL)


def _run(command: list[str], server, wsdl: str) -> str:
    env = dict(
        os.environ,
        MARKETO_SOAP_ENDPOINT=server.url,
        MARKETO_USER_ID=server.user_id,
        MARKETO_SECRET_KEY=server.secret,
        MARKETO_WSDL=wsdl,
    )
    # The bound only keeps a hung client from hanging the suite; nothing asserts on time.
    done = subprocess.run(command, cwd=CLIENTS, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _run_php(script: str, server, wsdl: str) -> str:
    # No WSDL cache: each test session serves its WSDL on a new port.
    return _run([_php(), "-d", "soap.wsdl_cache_enabled=0", script], server, wsdl)


def _run_node(operation: str, server, wsdl: str) -> dict:
    return json.loads(_run([_node(), "syncLead.js", operation], server, wsdl).strip().splitlines()[-1])


def _lead_attributes(server, email: str) -> dict:
    """The lead as getLead shows it, through the live server, independent of the client under test."""
    status, root = server.call(
        f"<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>{email}</keyValue></leadKey>"
        "</ns1:paramsGetLead>"
    )
    assert status == 200, etree.tostring(root)
    (record,) = root.findall(".//m:successGetLead/result/leadRecordList/leadRecord", NS)
    attributes = {
        attribute.findtext("attrName"): attribute.findtext("attrValue")
        for attribute in record.findall("leadAttributeList/attribute")
    }
    return {"Id": int(record.findtext("Id")), "Email": record.findtext("Email"), **attributes}


class PhpSampleOutput:
    """What Marketo's PHP sample prints: the raw request, the raw response, then print_r($result)."""

    def __init__(self, stdout: str):
        assert "SoapFault" not in stdout, stdout  # the sample var_dumps any exception
        match = re.fullmatch(r"RAW request:\n(.*)\nRAW response:\n(.*)\n(stdClass Object\n.*)", stdout, re.DOTALL)
        assert match, stdout
        self.request = etree.fromstring(match[1].strip().encode())
        self.response = etree.fromstring(match[2].strip().encode())
        self.printed = match[3]

    def printed_field(self, name: str) -> str:
        match = re.search(rf"\[{name}\] => (\S*)", self.printed)
        assert match, self.printed
        return match[1]


def test_php_marketo_sample_sync_lead_creates_then_updates(server, wsdl):
    """Rules 20, 37, 38, 40: Marketo's PHP sample, unchanged but for endpoint and credentials, creates
    the lead (status CREATED, leadRecord nil for returnLead=false), and run again updates the same lead."""
    output = PhpSampleOutput(_run_php("syncLead.php", server, wsdl))

    # The sample signs a Los Angeles time with its offset: the server must take it as it is.
    stamp = output.request.findtext(".//m:AuthenticationHeader/requestTimestamp", namespaces=NS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00", stamp), stamp
    lead_id = int(output.printed_field("leadId"))
    assert output.printed_field("status") == "CREATED"
    result = output.response.find(".//m:successSyncLead/result", NS)
    assert int(result.findtext("leadId")) == lead_id
    assert int(result.findtext("syncStatus/leadId")) == lead_id
    assert result.find("syncStatus/error").get(XSI_NIL) == "true"
    assert result.find("leadRecord").get(XSI_NIL) == "true"

    assert _lead_attributes(server, SAMPLE_EMAIL) == {
        "Id": lead_id,
        "Email": SAMPLE_EMAIL,
        "FirstName": "George",
        "LastName": "of the Jungle",
    }

    again = PhpSampleOutput(_run_php("syncLead.php", server, wsdl))
    assert again.printed_field("status") == "UPDATED"
    assert int(again.printed_field("leadId")) == lead_id


def test_php_get_lead_miss_is_soap_fault_20103(server, wsdl):
    """A getLead miss reaches PHP as a SoapFault whose detail->serviceException->code is 20103."""
    fault = json.loads(_run_php("getLead.php", server, wsdl).strip().splitlines()[-1])
    assert fault == {
        "faultcode": "SOAP-ENV:Client",
        "faultstring": "20103 - Lead not found",
        "name": "mktServiceException",
        "message": f"No lead found with EMAIL = {MISSING_EMAIL} (20103)",
        "code": "20103",
    }


def test_node_soap_sync_lead_creates_lead(server, wsdl):
    """Rules 20, 38, 40: node-soap's syncLeadAsync with an AuthenticationHeader creates the lead and,
    with returnLead=true, gets the complete record back."""
    answer = _run_node("syncLead", server, wsdl)
    # The header went out as Marketo's schema has it: qualified element, unqualified children.
    request = etree.fromstring(answer["request"].encode())
    assert request.find(".//env:Header/m:AuthenticationHeader/mktowsUserId", NS).text == server.user_id

    result = answer["result"]["result"]
    lead_id = result["leadId"]
    assert result["syncStatus"] == {"leadId": lead_id, "status": "CREATED"}
    record = result["leadRecord"]
    assert (record["Id"], record["Email"]) == (lead_id, SAMPLE_EMAIL)
    returned = {item["attrName"]: item["attrValue"] for item in record["leadAttributeList"]["attribute"]}
    assert returned == {"FirstName": "George", "LastName": "of the Jungle"}

    assert _lead_attributes(server, SAMPLE_EMAIL) == {"Id": lead_id, "Email": SAMPLE_EMAIL, **returned}


def test_node_soap_get_lead_miss_fault_20103(server, wsdl):
    """node-soap rejects a getLead miss with HTTP 500 and the serviceException detail, code 20103."""
    answer = _run_node("getLeadMiss", server, wsdl)
    assert answer["httpStatus"] == 500
    assert answer["fault"] == {
        "faultcode": "SOAP-ENV:Client",
        "faultstring": "20103 - Lead not found",
        "detail": {
            "serviceException": {
                "name": "mktServiceException",
                "message": f"No lead found with EMAIL = {MISSING_EMAIL} (20103)",
                "code": "20103",
            }
        },
    }
