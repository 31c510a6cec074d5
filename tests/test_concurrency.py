"""Correctness under concurrent calls: requests take turns on the store, so parallel calls see
each other's work whole."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from lxml import etree

from tests.soap import envelope, fault_code

SYNC_NEW = (
    "<ns1:paramsSyncLead><leadRecord><Email>race@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)


def post_in_parallel(server, bodies: list[str]) -> list[requests.Response]:
    def post(body: str) -> requests.Response:
        return requests.post(server.url, data=envelope(body).encode(), headers={"Content-Type": "text/xml"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(post, bodies))


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
