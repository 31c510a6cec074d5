"""Transport faults, as WireMock offers them and as Marketo's load balancers produced them: injected
through POST /_admin/faults with "transport", with the same operation/count/probability rules as code
faults, and seen by a client on a real socket."""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from lxml import etree
from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.serving import bound_port, http_server
from tests.soap import envelope
from tests.stores import store_url

GET_ADA = (
    "<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue></leadKey>"
    "</ns1:paramsGetLead>"
)
SYNC_NEW = (
    "<ns1:paramsSyncLead><leadRecord><Email>transport@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)


class Served:
    """The app on waitress (as `mockmkto serve` runs it), in a thread, on a free port."""

    def __init__(self, db: str):
        self.app = build_app(Config(db=db, seed=DEFAULT_SEED))
        self.http = http_server(self.app, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{bound_port(self.http)}"
        self._thread = threading.Thread(target=self.http.serve, daemon=True)
        self._thread.start()

    def inject(self, **fault) -> requests.Response:
        return requests.post(f"{self.base}/_admin/faults", json=fault, timeout=10)

    def raw_call(self, body: str) -> list[bytes]:
        """POST a SOAP call on a socket of its own; what each read gave, until the server closed it."""
        payload = envelope(body).encode()
        head = (
            f"POST /soap/mktows/2_6 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", bound_port(self.http)), timeout=10) as sock:
            sock.sendall(head + payload)
            reads = []
            while data := sock.recv(65536):
                reads.append(data)
            return reads

    def leads(self, email: str) -> int:
        return requests.get(f"{self.base}/_admin/leads", params={"email": email}, timeout=10).json()["total"]

    def stop(self) -> None:
        self.http.stop()
        self._thread.join(timeout=10)
        self.app.close()


@pytest.fixture
def served(request, store_kind):
    databases = request.getfixturevalue("postgres_databases") if store_kind == "postgresql" else None
    server = Served(store_url(store_kind, databases, "transport"))
    yield server
    server.stop()


def split(reads: list[bytes]) -> tuple[bytes, bytes]:
    head, _, body = b"".join(reads).partition(b"\r\n\r\n")
    return head, body


def test_reset_resets_the_connection_without_an_answer(served):
    assert served.inject(operation="getLead", transport="reset", count=1).status_code == 201
    with pytest.raises(ConnectionResetError):
        served.raw_call(GET_ADA)


def test_empty_closes_the_connection_without_an_answer(served):
    served.inject(operation="getLead", transport="empty", count=1)
    assert served.raw_call(GET_ADA) == []


def test_http503_is_a_load_balancers_html_page_and_the_call_is_not_carried_out(served):
    served.inject(operation="syncLead", transport="http503", count=1)
    head, body = split(served.raw_call(SYNC_NEW))
    assert head.startswith(b"HTTP/1.1 503 ") and b"text/html" in head
    assert b"503 Service Temporarily Unavailable" in body
    assert served.leads("transport@example.com") == 0


def test_truncated_cuts_the_answer_mid_xml_after_the_call_was_carried_out(served):
    served.inject(operation="syncLead", transport="truncated", count=1)
    head, body = split(served.raw_call(SYNC_NEW))
    announced = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split()[1]
    )
    assert head.startswith(b"HTTP/1.1 200 ") and 0 < len(body) < announced
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(body)
    assert served.leads("transport@example.com") == 1


def test_dribble_sends_the_whole_answer_a_piece_at_a_time(served):
    served.inject(operation="getLead", transport="dribble", delayMs=400, count=1)
    reads = served.raw_call(GET_ADA)
    _, body = split(reads)
    assert etree.fromstring(body).find(".//leadRecord") is not None
    assert len(reads) > 5  # it came in pieces, not as one answer


def test_a_transport_fault_follows_the_operation_and_count_rules(served):
    served.inject(operation="getLead", transport="empty", count=1)
    assert split(served.raw_call(SYNC_NEW))[0].startswith(b"HTTP/1.1 200 ")  # another operation
    assert served.raw_call(GET_ADA) == []
    assert split(served.raw_call(GET_ADA))[0].startswith(b"HTTP/1.1 200 ")  # its count is spent
    (fault,) = requests.get(f"{served.base}/_admin/faults", timeout=10).json()
    assert fault["transport"] == "empty" and fault["hits"] == 1


def test_the_journal_says_which_transport_fault_a_call_got(served):
    served.inject(operation="getLead", transport="empty", count=1)
    served.raw_call(GET_ADA)
    (entry,) = requests.get(f"{served.base}/_admin/journal", params={"bodies": "false"}, timeout=10).json()["entries"]
    assert entry["operation"] == "getLead" and entry["transport"] == "empty" and entry["status"] == 0


@pytest.mark.parametrize(
    "fault",
    [{"transport": "teleport"}, {"transport": "reset", "code": 20023}],
    ids=["unknown transport", "transport and code"],
)
def test_a_bad_transport_fault_is_a_400_and_injects_nothing(served, fault):
    assert served.inject(operation="getLead", **fault).status_code == 400
    assert requests.get(f"{served.base}/_admin/faults", timeout=10).json() == []


def test_without_a_socket_a_reset_is_raised_to_the_caller():
    """The in-process mode has no connection to reset: the caller gets the error a client would."""
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    client = Client(app)
    client.post("/_admin/faults", json={"operation": "getLead", "transport": "reset", "count": 1})
    with pytest.raises(ConnectionResetError):
        client.post("/soap/mktows/2_6", data=envelope(GET_ADA), content_type="text/xml")
