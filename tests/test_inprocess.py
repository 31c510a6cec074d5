"""The in-process mode: zeep and requests reach the WSGI app directly, with the server's behaviour."""

from __future__ import annotations

import socket

import pytest
import requests
import zeep
from lxml import etree

from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.inprocess import DEFAULT_BASE_URL, InProcessMock, InProcessTransport
from tests.soap import TNS, envelope, fault_code

WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"


@pytest.fixture(scope="module")
def shared_mock():
    return InProcessMock()


def no_network(*args, **kwargs):
    raise AssertionError("the in-process mode opened a connection")


@pytest.fixture
def mock(shared_mock, monkeypatch):
    """The module's in-process mock, reset to the default seed, with every socket connect failing."""
    shared_mock.admin.reset(seed="default")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    return shared_mock


def test_sockets_are_really_blocked(mock):
    with pytest.raises(AssertionError, match="opened a connection"):
        requests.get("http://127.0.0.1:9/")


def test_zeep_sync_lead_then_get_lead(mock):
    client = mock.zeep_client()
    synced = client.service.syncLead(leadRecord={"Email": "inproc@example.com"}, returnLead=True)
    assert synced.syncStatus.status == "CREATED"
    got = client.service.getLead(leadKey={"keyType": "EMAIL", "keyValue": "inproc@example.com"})
    assert got.count == 1 and got.leadRecordList.leadRecord[0].Id == synced.leadId
    assert [entry["operation"] for entry in mock.admin.journal()] == ["syncLead", "getLead"]


def test_zeep_gets_marketo_faults(mock):
    client = mock.zeep_client()
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "999"})
    assert fault.value.message == "20103 - Lead not found"
    assert int(fault.value.detail.findtext(f"{{{TNS}}}serviceException/code")) == 20103


def test_fault_is_http_500(mock):
    body = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>999</keyValue></leadKey></ns1:paramsGetLead>"
    response = mock.session.post(mock.url, data=envelope(body), headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert fault_code(etree.fromstring(response.content)) == 20103


def test_a_bare_transport_with_auth_header(mock):
    """InProcessTransport on its own, with the header passed the way zeep users pass it."""
    client = zeep.Client(mock.wsdl_url, transport=InProcessTransport(mock.app))
    got = client.service.getLead(
        leadKey={"keyType": "IDNUM", "keyValue": "1"}, _soapheaders={"authentication": mock.auth_header()}
    )
    assert got.count == 1
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"})
    assert int(fault.value.detail.findtext(f"{{{TNS}}}serviceException/code")) == 20014


def test_session_reads_admin_health(mock):
    response = mock.session.get(f"{DEFAULT_BASE_URL}/_admin/health")
    assert response.status_code == 200
    assert response.json()["ready"] is True
    assert mock.admin.health() == response.json()


def test_wsdl_soap_address_is_the_in_process_base_url(mock):
    response = mock.session.get(mock.wsdl_url)
    assert response.status_code == 200
    address = etree.fromstring(response.content).find(f".//{{{WSDL_SOAP}}}address")
    assert address.get("location") == f"{DEFAULT_BASE_URL}/soap/mktows/2_6" == mock.url


def test_another_mock_has_its_own_base_url_and_state(mock):
    """A second mock is a second app: its own base URL in the WSDL, its own leads."""
    other = InProcessMock(base_url="http://crm-mock.test:8443")
    response = other.session.get("http://crm-mock.test:8443/soap/mktows/3_1?wsdl")
    address = etree.fromstring(response.content).find(f".//{{{WSDL_SOAP}}}address")
    assert address.get("location") == "http://crm-mock.test:8443/soap/mktows/3_1"
    other.zeep_client().service.syncLead(leadRecord={"Email": "only-here@example.com"}, returnLead=False)
    assert "only-here@example.com" in {lead["Email"] for lead in other.admin.export()["leads"]}
    assert "only-here@example.com" not in {lead["Email"] for lead in mock.admin.export()["leads"]}


@pytest.fixture
def fetched(mock):
    """The URLs the mock's session fetches from here on (a response hook records them)."""
    urls = []

    def record(response, **kwargs):
        urls.append(response.url)

    mock.session.hooks["response"].append(record)
    yield urls
    mock.session.hooks["response"].remove(record)


def test_clients_after_the_first_reuse_its_parsed_wsdl(mock, fetched):
    mock.zeep_client()
    fetched.clear()
    client = mock.zeep_client()
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    assert fetched == [mock.url]  # the call itself; no WSDL


def test_a_client_with_its_own_zeep_settings_parses_the_wsdl_again(mock, fetched):
    mock.zeep_client()
    fetched.clear()
    client = mock.zeep_client(settings=zeep.Settings(strict=False))
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    assert fetched == [mock.wsdl_url, mock.url]


def test_admin_reset_empty_empties_and_a_bare_reset_returns_to_the_start_seed(mock):
    mock.admin.reset(empty=True)
    assert mock.admin.export()["leads"] == []
    mock.admin.reset()
    assert len(mock.admin.export()["leads"]) == 3


def test_admin_export_with_secrets_seeds_back_with_replace(mock):
    client = mock.zeep_client()
    client.service.syncLead(leadRecord={"Email": "kept@example.com"}, returnLead=False)
    saved = mock.admin.export(secrets=True)
    client.service.syncLead(leadRecord={"Email": "dropped@example.com"}, returnLead=False)
    mock.admin.seed(saved, replace=True)
    assert mock.admin.export(secrets=True) == saved


def test_a_header_given_as_bytes_reaches_the_app_as_its_text():
    """requests sends a bytes header value as it is; the in-process adapter hands the app that text."""
    guarded = InProcessMock(Config(db="sqlite://", seed=DEFAULT_SEED, admin_token="s3cret"))
    try:
        response = guarded.session.get(f"{DEFAULT_BASE_URL}/_admin/leads", headers={"Authorization": b"Bearer s3cret"})
        assert response.status_code == 200
    finally:
        guarded.app.close()


def test_a_mock_without_api_users_calls_unsigned_when_authentication_is_off():
    bare = InProcessMock(Config(db="sqlite://", seed=None, auth=False))
    try:
        assert bare.user_id is None and bare.auth_header() == {}
        got = bare.zeep_client().service.syncLead(leadRecord={"Email": "nobody@example.com"}, returnLead=False)
        assert got.syncStatus.status == "CREATED"
    finally:
        bare.app.close()
