"""SOAP POSTs to an instance that exists skip Werkzeug's routing and Request/Response objects
(app.py); their answers must be the very ones the general path gives, status line and headers too."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree
from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from tests.soap import auth_header_xml, envelope, fault_code

GET_LEAD = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>{}</keyValue></leadKey></ns1:paramsGetLead>"


def answer(client: Client, path: str, body: str):
    response = client.post(path, data=body, content_type="text/xml; charset=utf-8")
    return response.status, sorted(response.headers.items()), response.data


@pytest.mark.parametrize(
    "body",
    [
        envelope(GET_LEAD.format(1)),  # a success
        envelope(GET_LEAD.format(999999)),  # a fault: 20103
        envelope(GET_LEAD.format(1), auth_header_xml(signature="0" * 40)),  # a fault: 20014
        "not xml at all",  # a fault: 20012
    ],
)
def test_a_new_instance_answers_its_first_call_and_the_next_alike(body):
    client = Client(build_app(Config(db="sqlite://", seed=DEFAULT_SEED)))
    first = answer(client, "/100-AEK-913/soap/mktows/2_6", body)  # creates the instance: the general path
    again = answer(client, "/100-AEK-913/soap/mktows/2_6", body)
    assert first == again
    assert first[0] in ("200 OK", "500 INTERNAL SERVER ERROR")


def test_calls_that_are_not_soap_posts_still_route():
    client = Client(build_app(Config(db="sqlite://", seed=DEFAULT_SEED)))
    assert client.post("/soap/mktows/9_9", data=envelope(GET_LEAD.format(1))).status_code == 404
    assert client.post("/a/b/soap/mktows/2_6", data=envelope(GET_LEAD.format(1))).status_code == 404
    assert client.post("/-bad/soap/mktows/2_6", data=envelope(GET_LEAD.format(1))).status_code == 404
    assert client.put("/soap/mktows/2_6", data=envelope(GET_LEAD.format(1))).status_code == 405


def test_each_call_is_journaled_either_way():
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    client = Client(app)
    for _ in range(2):
        answer(client, "/100-AEK-913/soap/mktows/2_6", envelope(GET_LEAD.format(1)))
    entries = client.get("/100-AEK-913/_admin/journal").json["entries"]
    assert [e["operation"] for e in entries] == ["getLead", "getLead"]


def test_spyne_event_listeners_still_run():
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    spyne_app = app.soap.app
    fired = []
    spyne_app.event_manager.add_listener("method_call", lambda ctx: fired.append(("app", ctx.method_name)))
    spyne_app.out_protocol.event_manager.add_listener("after_serialize", lambda ctx: fired.append(("protocol", None)))
    answer(Client(app), "/soap/mktows/2_6", envelope(GET_LEAD.format(1)))
    assert fired == [("app", "paramsGetLead"), ("protocol", None)]


SEEDED_EMAILS = {1: "ada@example.com", 2: "grace@example.com", 3: "hans@example.de"}


def email_of_lead(client: Client, lead_id: int, path: str = "/soap/mktows/2_6") -> str | None:
    """The Email of the lead getLead answers for IDNUM `lead_id`; None for a fault."""
    status, _, data = answer(client, path, envelope(GET_LEAD.format(lead_id)))
    return etree.fromstring(data).findtext(".//leadRecord/Email") if status == "200 OK" else None


def test_envelopes_read_on_several_threads_at_once_are_each_read_as_sent():
    # Calls to one instance take turns; calls to different instances are read by the one protocol
    # at the same time, with Spyne's generic transport context (not an HTTP one) and a parser per thread.
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    threads = 8
    together = threading.Barrier(threads)

    def calls(thread: int) -> list[tuple[int, str | None]]:
        client, path = Client(app), f"/thread-{thread}/soap/mktows/2_6"
        email_of_lead(client, 1, path)  # creates the instance
        together.wait(30)
        ids = [1 + (thread + n) % len(SEEDED_EMAILS) for n in range(30)]
        return [(lead_id, email_of_lead(client, lead_id, path)) for lead_id in ids]

    with ThreadPoolExecutor(threads) as pool:
        answers = [pair for pairs in pool.map(calls, range(threads)) for pair in pairs]
    assert answers == [(lead_id, SEEDED_EMAILS[lead_id]) for lead_id, _ in answers]


def test_a_malformed_envelope_leaves_the_next_one_on_its_thread_read_as_sent():
    client = Client(build_app(Config(db="sqlite://", seed=DEFAULT_SEED)))
    assert email_of_lead(client, 1) == "ada@example.com"
    cut_short = envelope(GET_LEAD.format(2))[:-30]
    status, _, data = answer(client, "/soap/mktows/2_6", cut_short)
    assert (status, fault_code(etree.fromstring(data))) == ("500 INTERNAL SERVER ERROR", 20012)
    assert email_of_lead(client, 3) == "hans@example.de"
