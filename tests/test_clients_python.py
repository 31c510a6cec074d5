"""zeep and suds, the Python SOAP clients Marketo's customers use, drive the live server.

Each client runs twice: with the WSDL the server serves (its soap:address is the live endpoint) and
with Marketo's real 2_6 WSDL file bound to the live endpoint. Each sends the AuthenticationHeader the
way its users do: zeep through `_soapheaders`, suds through `set_options(soapheaders=...)` with an
object from its factory.
"""

from __future__ import annotations

from typing import Any

import pytest
import suds
import suds.client
import zeep
import zeep.exceptions

from mockmkto.domain.auth import sign
from tests.reference import REFERENCE_WSDL
from tests.soap import TNS, timestamp

BINDING = f"{{{TNS}}}MktowsApiSoapBinding"
SEED_LEAD_IDS = {1, 2, 3}


class ZeepMktows:
    """zeep, with the headers passed on every call as `_soapheaders={"authentication": {...}}`."""

    Fault = zeep.exceptions.Fault

    def __init__(self, url: str, reference: bool):
        if reference:
            self.service = zeep.Client(str(REFERENCE_WSDL)).create_service(BINDING, url)
        else:
            self.service = zeep.Client(url + "?WSDL").service
        self.headers: dict[str, Any] = {}

    def sign_in(self, user_id: str, secret: str) -> None:
        stamp = timestamp()
        self.headers = {
            "authentication": {
                "mktowsUserId": user_id,
                "requestSignature": sign(secret, stamp, user_id),
                "requestTimestamp": stamp,
            }
        }

    def sync_lead(self, record: dict, return_lead: bool):
        return self.service.syncLead(leadRecord=record, returnLead=return_lead, _soapheaders=self.headers)

    def get_lead(self, key_type: str, key_value: str):
        return self.service.getLead(leadKey={"keyType": key_type, "keyValue": key_value}, _soapheaders=self.headers)

    @staticmethod
    def fault_code(fault: zeep.exceptions.Fault) -> int:
        return int(fault.detail.findtext(f"{{{TNS}}}serviceException/code"))

    @staticmethod
    def is_nil(record) -> bool:
        # zeep reads <leadRecord xsi:nil="true"/> as a record whose every field is None
        # (python-zeep issue #823); suds reads it as None.
        return record is None or all(record[field] is None for field in record)


class SudsMktows:
    """suds, with the header object built by its factory and set once with `set_options`."""

    Fault = suds.WebFault

    def __init__(self, url: str, reference: bool):
        if reference:
            self.client = suds.client.Client(REFERENCE_WSDL.resolve().as_uri(), location=url, cache=None)
        else:
            self.client = suds.client.Client(url + "?WSDL", cache=None)

    def sign_in(self, user_id: str, secret: str) -> None:
        stamp = timestamp()
        header = self.client.factory.create("AuthenticationHeaderInfo")
        header.mktowsUserId = user_id
        header.requestSignature = sign(secret, stamp, user_id)
        header.requestTimestamp = stamp
        self.client.set_options(soapheaders=header)

    def sync_lead(self, record: dict, return_lead: bool):
        return self.client.service.syncLead(leadRecord=record, returnLead=return_lead)

    def get_lead(self, key_type: str, key_value: str):
        return self.client.service.getLead(leadKey={"keyType": key_type, "keyValue": key_value})

    @staticmethod
    def fault_code(fault: suds.WebFault) -> int:
        return int(fault.fault.detail.serviceException.code)

    @staticmethod
    def is_nil(record) -> bool:
        return record is None


CLIENTS = {
    "zeep-served-wsdl": (ZeepMktows, False),
    "zeep-marketo-wsdl": (ZeepMktows, True),
    "suds-served-wsdl": (SudsMktows, False),
    "suds-marketo-wsdl": (SudsMktows, True),
}


@pytest.fixture(scope="session", params=list(CLIENTS))
def loaded_client(request, live_server):
    """A client that has read its WSDL once per test session."""
    kind, reference = CLIENTS[request.param]
    return kind(live_server.url, reference)


@pytest.fixture
def client(loaded_client, server):
    """The client, signed in as the seed's API user, against a freshly seeded server."""
    loaded_client.sign_in(server.user_id, server.secret)
    return loaded_client


def attributes(record) -> dict[str, tuple[str, str]]:
    """attrName -> (attrType, attrValue) of a LeadRecord."""
    listed = record.leadAttributeList.attribute if record.leadAttributeList else []
    return {a.attrName: (a.attrType, a.attrValue) for a in listed}


def lead_record(email: str, **attrs: str) -> dict:
    return {
        "Email": email,
        "leadAttributeList": {"attribute": [{"attrName": k, "attrValue": v} for k, v in attrs.items()]},
    }


def test_sync_lead_creates_a_lead_rule_20(client):
    result = client.sync_lead(lead_record("mary@example.com"), return_lead=False)
    assert result.syncStatus.status == "CREATED"
    assert result.leadId not in SEED_LEAD_IDS
    assert result.syncStatus.leadId == result.leadId
    assert result.syncStatus.error is None


def test_sync_lead_updates_the_lead_its_email_matches_rule_40(client):
    created = client.sync_lead(lead_record("pat@example.com"), return_lead=False)
    updated = client.sync_lead(lead_record("pat@example.com", FirstName="Pat"), return_lead=False)
    assert updated.syncStatus.status == "UPDATED"
    assert updated.leadId == created.leadId
    assert updated.syncStatus.error is None


def test_sync_lead_return_lead_true_returns_the_full_typed_record_rule_38(client):
    result = client.sync_lead(lead_record("mary@example.com", FirstName="Mary", PurchaseScore__c="7"), True)
    record = result.leadRecord
    assert isinstance(record.Id, int)
    assert record.Id == result.leadId
    assert record.Email == "mary@example.com"
    assert attributes(record) == {"FirstName": ("string", "Mary"), "PurchaseScore__c": ("integer", "7")}


def test_sync_lead_return_lead_false_gives_no_lead_record_rule_38(client):
    result = client.sync_lead(lead_record("ada@example.com", FirstName="Ada"), return_lead=False)
    assert result.syncStatus.status == "UPDATED"
    assert client.is_nil(result.leadRecord)


def test_get_lead_by_email(client):
    result = client.get_lead("EMAIL", "ada@example.com")
    assert result.count == 1
    (record,) = result.leadRecordList.leadRecord
    assert (record.Id, record.Email) == (1, "ada@example.com")
    assert attributes(record)["LastName"] == ("string", "Lovelace")


def test_get_lead_by_idnum(client):
    result = client.get_lead("IDNUM", "2")
    assert result.count == 1
    (record,) = result.leadRecordList.leadRecord
    assert (record.Id, record.Email) == (2, "grace@example.com")
    assert (record.ForeignSysPersonId, record.ForeignSysType) == ("SF-0002", "SFDC")


def test_get_lead_miss_is_a_client_fault_with_code_20103(client):
    with pytest.raises(client.Fault) as raised:
        client.get_lead("EMAIL", "nobody@example.com")
    assert client.fault_code(raised.value) == 20103


def test_wrong_secret_is_a_client_fault_with_code_20014(client, server):
    client.sign_in(server.user_id, "not-the-secret")
    with pytest.raises(client.Fault) as raised:
        client.get_lead("EMAIL", "ada@example.com")
    assert client.fault_code(raised.value) == 20014
