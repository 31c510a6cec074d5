"""SOAP POSTs to an instance that exists skip Werkzeug's routing and Request/Response objects
(app.py); their answers must be the very ones the general path gives, status line and headers too."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from tests.soap import auth_header_xml, envelope

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


def test_envelopes_are_read_with_the_thread_s_own_parser():
    # The server's contexts carry Spyne's generic transport context, not an HTTP one: the
    # protocol's reuse of one parser per thread must still apply to them.
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    protocol = app.soap.app.in_protocol
    answer(Client(app), "/soap/mktows/2_6", envelope(GET_LEAD.format(1)))
    parser = protocol._thread.parser
    answer(Client(app), "/soap/mktows/2_6", envelope(GET_LEAD.format(1)))
    assert protocol._thread.parser is parser
