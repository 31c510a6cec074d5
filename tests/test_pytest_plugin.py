"""The `mockmkto` pytest fixture, exercised the way its users meet it: in test files of their own.

pytester runs small test files in a fresh pytest session; the plugin reaches them through the
package's `pytest11` entry point, exactly as it reaches a project that installed mockmkto.
"""

from __future__ import annotations

import socket

pytest_plugins = ["pytester"]

HEADER = """
import pytest
import zeep

TNS = "http://www.marketo.com/mktows/"


def fault_code(fault):
    return int(fault.value.detail.findtext(f"{{{TNS}}}serviceException/code"))
"""


def test_sync_lead_through_zeep_client_then_get_it(pytester):
    pytester.makepyfile(
        HEADER
        + """
def test_sync_then_get(mockmkto):
    assert mockmkto.url.startswith("http://127.0.0.1:") and mockmkto.url.endswith("/soap/mktows/2_6")
    assert mockmkto.wsdl_url == mockmkto.url + "?WSDL"
    client = mockmkto.zeep_client()
    synced = client.service.syncLead(leadRecord={"Email": "plugin@example.com"}, returnLead=False)
    assert synced.syncStatus.status == "CREATED"
    got = client.service.getLead(leadKey={"keyType": "EMAIL", "keyValue": "plugin@example.com"})
    assert got.count == 1 and got.leadRecordList.leadRecord[0].Id == synced.leadId


def test_auth_header_signs_for_plain_zeep(mockmkto):
    client = zeep.Client(mockmkto.wsdl_url)
    got = client.service.getLead(
        leadKey={"keyType": "IDNUM", "keyValue": "1"}, _soapheaders={"authentication": mockmkto.auth_header()}
    )
    assert got.count == 1
    assert mockmkto.auth_header()["mktowsUserId"] == mockmkto.user_id
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"})
    assert fault_code(fault) == 20014
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_fixture_client_and_an_http_client_share_one_state(pytester):
    pytester.makepyfile(
        HEADER
        + """
def test_synced_by_the_fixture_client_read_over_http(mockmkto):
    mockmkto.zeep_client().service.syncLead(leadRecord={"Email": "both@example.com"}, returnLead=False)
    over_http = zeep.Client(mockmkto.wsdl_url)
    got = over_http.service.getLead(
        leadKey={"keyType": "EMAIL", "keyValue": "both@example.com"},
        _soapheaders={"authentication": mockmkto.auth_header()},
    )
    assert got.count == 1
    assert [e["operation"] for e in mockmkto.admin.journal()] == ["syncLead", "getLead"]
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_state_is_reset_between_tests_on_one_server(pytester):
    pytester.makepyfile(
        HEADER
        + """
SEEN = []


def test_first_creates_a_lead(mockmkto):
    SEEN.append((mockmkto, mockmkto.url))
    mockmkto.zeep_client().service.syncLead(leadRecord={"Email": "gone@example.com"}, returnLead=False)
    assert [e["operation"] for e in mockmkto.admin.journal()] == ["syncLead"]


def test_second_does_not_see_it(mockmkto):
    assert SEEN == [(mockmkto, mockmkto.url)]  # the same server: reset, not restarted
    client = mockmkto.zeep_client()
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "EMAIL", "keyValue": "gone@example.com"})
    assert fault_code(fault) == 20103
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    assert [e["operation"] for e in mockmkto.admin.journal()] == ["getLead", "getLead"]
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_session_parses_the_wsdl_once_for_every_test(pytester):
    pytester.makepyfile(
        HEADER
        + """
FETCHED = []


@pytest.mark.parametrize("test", ["first", "second"])
def test_a_new_client_each_test(mockmkto, test):
    FETCHED.clear()
    mockmkto.session.hooks["response"] = [lambda response, **kwargs: FETCHED.append(response.url)]
    client = mockmkto.zeep_client()
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    expected = [mockmkto.wsdl_url, mockmkto.url] if test == "first" else [mockmkto.url]
    assert FETCHED == expected
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_admin_journal_clock_and_fault_helpers(pytester):
    pytester.makepyfile(
        HEADER
        + """
from datetime import UTC, datetime, timedelta

from mockmkto.inprocess import AdminError


def test_journal(mockmkto):
    client = mockmkto.zeep_client()
    client.service.syncLead(leadRecord={"Email": "j@example.com"}, returnLead=False)
    with pytest.raises(zeep.exceptions.Fault):
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "999"})
    assert [e["operation"] for e in mockmkto.admin.journal(operation="syncLead")] == ["syncLead"]
    (failed,) = mockmkto.admin.journal(fault=20103)
    assert failed["operation"] == "getLead" and failed["status"] == 500
    assert "j@example.com" in mockmkto.admin.journal()[0]["request"]
    mockmkto.admin.clear_journal()
    assert mockmkto.admin.journal() == []
    assert "j@example.com" in {lead["Email"] for lead in mockmkto.admin.export()["leads"]}


def test_clock(mockmkto):
    at = datetime(2020, 2, 29, 12, 0, tzinfo=UTC)
    assert mockmkto.admin.clock(freeze=True, set=at) == {"now": at.isoformat(), "frozen": True}
    assert mockmkto.admin.clock(advance=timedelta(hours=1))["now"] == (at + timedelta(hours=1)).isoformat()
    assert mockmkto.admin.clock()["frozen"] is True
    # The fixture's client stamps its signatures with the mock's clock, so calls still pass ...
    client = mockmkto.zeep_client()
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    # ... while a stamp a day off the mock's clock (and years off the wall clock) is outside the window.
    stale = {"authentication": mockmkto.auth_header(at=at - timedelta(days=1))}
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}, _soapheaders=stale)
    assert fault_code(fault) == 20016  # the clock stays frozen in 2020: the next tests must not see it


def test_faults(mockmkto):
    client = mockmkto.zeep_client()
    injected = mockmkto.admin.fault(code=20024, operation="getLead", count=1)
    assert injected["code"] == 20024
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"})
    assert fault_code(fault) == 20024
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1  # count=1 used up
    mockmkto.admin.fault(code=20024)
    mockmkto.admin.clear_faults()
    assert client.service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
    with pytest.raises(AdminError, match="unknown Marketo error code"):
        mockmkto.admin.fault(code=12345)
    mockmkto.admin.fault(code=20024, operation="getLead")  # left in place: the next test must not see it


def test_faults_and_clock_do_not_leak_into_the_next_test(mockmkto):
    assert mockmkto.admin.clock()["frozen"] is False
    assert mockmkto.zeep_client().service.getLead(leadKey={"keyType": "IDNUM", "keyValue": "1"}).count == 1
"""
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_xdist_workers_each_get_their_own_server(pytester):
    """Both workers run the same test at once (--dist each); each creates a lead, waits until the
    other has created its own, then must find its lead and not the other's."""
    rendezvous = pytester.mkdir("rendezvous")
    pytester.makepyfile(
        HEADER
        + f"""
import os
import time
from pathlib import Path

RENDEZVOUS = Path({str(rendezvous)!r})


def test_workers_do_not_share_state(mockmkto):
    me = os.environ["PYTEST_XDIST_WORKER"]
    (other,) = {{"gw0", "gw1"}} - {{me}}
    client = mockmkto.zeep_client()
    client.service.syncLead(leadRecord={{"Email": me + "@example.com"}}, returnLead=False)
    (RENDEZVOUS / me).write_text(mockmkto.url)
    deadline = time.monotonic() + 120
    while not (RENDEZVOUS / other).exists():
        if time.monotonic() > deadline:
            pytest.fail("the other worker never created its lead")
        time.sleep(0.02)
    assert client.service.getLead(leadKey={{"keyType": "EMAIL", "keyValue": me + "@example.com"}}).count == 1
    with pytest.raises(zeep.exceptions.Fault) as fault:
        client.service.getLead(leadKey={{"keyType": "EMAIL", "keyValue": other + "@example.com"}})
    assert fault_code(fault) == 20103
"""
    )
    pytester.runpytest("-p", "xdist", "-n", "2", "--dist", "each").assert_outcomes(passed=2)
    urls = {(rendezvous / worker).read_text() for worker in ("gw0", "gw1")}
    assert len(urls) == 2


def test_installed_plugin_costs_nothing_when_the_fixture_is_unused(pytester):
    pytester.makepyfile(
        """
import sys
import threading


def test_untouched(request):
    assert request.config.pluginmanager.has_plugin("mockmkto")
    assert not {"mockmkto.app", "mockmkto.inprocess", "spyne", "sqlalchemy", "zeep"} & set(sys.modules)
    assert "mockmkto-server" not in {thread.name for thread in threading.enumerate()}
"""
    )
    # A subprocess, because this process has long imported all of it.
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_the_server_keeps_connections_and_stops_with_the_session(pytester, tmp_path):
    port_file = tmp_path / "port"
    pytester.makepyfile(
        f"""
import http.client
from urllib.parse import urlsplit


def test_two_calls_on_one_connection(mockmkto):
    url = urlsplit(mockmkto.wsdl_url)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    sockets = []
    for _ in range(2):
        connection.request("GET", url.path + "?" + url.query)
        answer = connection.getresponse()
        assert answer.status == 200 and answer.read().startswith(b"<?xml")
        sockets.append(connection.sock)
    assert sockets[0] is not None and sockets[0] is sockets[1]
    connection.close()
    open({str(port_file)!r}, "w").write(str(url.port))
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(port_file.read_text()))) != 0
