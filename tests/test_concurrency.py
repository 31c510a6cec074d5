"""Correctness under concurrent calls: requests take turns on the store, so parallel calls see
each other's work whole; a call an injected delay holds back does not hold up the others."""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

import requests
from lxml import etree

from tests.soap import envelope, fault_code

SYNC_NEW = (
    "<ns1:paramsSyncLead><leadRecord><Email>race@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)


GET_LEAD_1 = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></ns1:paramsGetLead>"


def post(server, body: str) -> requests.Response:
    return requests.post(server.url, data=envelope(body).encode(), headers={"Content-Type": "text/xml"})


def post_in_parallel(server, bodies: list[str]) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda body: post(server, body), bodies))


def test_parallel_sync_lead_of_one_new_email_creates_one_lead(server):
    responses = post_in_parallel(server, [SYNC_NEW] * 16)
    assert [r.status_code for r in responses] == [200] * 16
    statuses = sorted(etree.fromstring(r.content).findtext(".//syncStatus/status") for r in responses)
    assert statuses == ["CREATED"] + ["UPDATED"] * 15
    found = server.session.get(f"{server.base}/_admin/leads", params={"email": "race@example.com"}).json()
    assert found["total"] == 1


def test_parallel_sync_mobjects_updates_all_succeed(server):
    body = (
        "<ns1:paramsSyncMObjects><mObjectList><mObject><type>Opportunity</type><id>11</id>"
        "<attribList><attrib><name>Amount</name><value>{n}</value></attrib></attribList>"
        "</mObject></mObjectList><operation>UPDATE</operation></ns1:paramsSyncMObjects>"
    )
    responses = post_in_parallel(server, [body.format(n=n) for n in range(16)])
    assert [fault_code(etree.fromstring(r.content)) for r in responses] == [None] * 16


def delayed_get_lead(server, pool: ThreadPoolExecutor, delay_ms: int) -> Future:
    """A getLead that an injected delay holds back, sent in the background; returns once the
    server has admitted it and it is waiting out its delay."""
    server.session.post(f"{server.base}/_admin/faults", json={"operation": "getLead", "delayMs": delay_ms, "count": 1})
    pending = pool.submit(post, server, GET_LEAD_1)
    for _ in range(500):
        if server.session.get(f"{server.base}/_admin/faults").json()[0]["hits"] == 1:
            return pending
        time.sleep(0.01)
    raise AssertionError("the delayed getLead never arrived")


def test_injected_delay_does_not_hold_up_other_calls(server):
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = delayed_get_lead(server, pool, 3000)
        other = post(server, SYNC_NEW)
        assert fault_code(etree.fromstring(other.content)) is None
        assert not pending.done()  # the other call was answered while this one still waited
        assert pending.result().status_code == 200


def test_concurrency_quota_gives_20024_beyond_the_limit(server):
    server.session.post(f"{server.base}/_admin/quotas", json={"enabled": True, "concurrency": 1})
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = delayed_get_lead(server, pool, 1000)
        assert fault_code(etree.fromstring(post(server, SYNC_NEW).content)) == 20024
        assert pending.result().status_code == 200
    assert fault_code(etree.fromstring(post(server, SYNC_NEW).content)) is None
