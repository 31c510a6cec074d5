"""The HTTP server (mockmkto/serving.py) over real sockets: slow clients hold no thread, a request
that stalls holds no other back, oversized and malformed requests are refused from what they
announce, and stop() ends serving."""

from __future__ import annotations

import http.client
import socket
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
import requests
from lxml import etree

from mockmkto import serving as serving_module
from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.serving import MAX_HEADER_BYTES, bound_port, http_server
from tests.soap import NS, envelope

SOAP_PATH = "/soap/mktows/2_6"
GET_ADA = (
    "<ns1:paramsGetLead><leadKey><keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue></leadKey>"
    "</ns1:paramsGetLead>"
)
# A hang guard, not a speed claim.
PROMPTLY = 10


@dataclass
class Served:
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{SOAP_PATH}"


@contextmanager
def serving(app=None, **limits) -> Iterator[Served]:
    app = app or build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    server = http_server(app, "127.0.0.1", 0, **limits)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield Served(bound_port(server))
    finally:
        server.stop()
        thread.join(PROMPTLY)
        assert not thread.is_alive()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serving() as served:
        yield served


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=PROMPTLY)


@contextmanager
def slow_clients(port: int, count: int, sent: bytes) -> Iterator[list[socket.socket]]:
    """`count` connections that sent `sent`, the start of a request, and then nothing more."""
    with ExitStack() as stack:
        clients = [stack.enter_context(connect(port)) for _ in range(count)]
        for client in clients:
            client.sendall(sent)
        yield clients


def still_open(client: socket.socket) -> bool:
    """The server has neither answered nor closed the connection."""
    client.setblocking(False)
    try:
        client.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    return False


def exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` (maybe only its head), then read the answer up to the server's close."""
    with connect(port) as client:
        client.sendall(request)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


def fault_code(body: bytes) -> int:
    return int(etree.fromstring(body).findtext("env:Body/env:Fault/detail/m:serviceException/code", namespaces=NS))


def post_get_ada(served: Served) -> requests.Response:
    return requests.post(
        served.url, data=envelope(GET_ADA), headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=PROMPTLY
    )


@pytest.mark.parametrize(
    "sent",
    [
        f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n",
        f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n<?xml",
    ],
    ids=["part-of-the-headers", "part-of-the-body"],
)
def test_a_soap_call_is_answered_while_24_clients_have_sent_only_part_of_a_request(served, sent):
    with slow_clients(served.port, 24, sent.encode()) as clients:
        response = post_get_ada(served)
        assert all(still_open(client) for client in clients)
    assert response.status_code == 200 and b"successGetLead" in response.content


def test_a_request_queued_behind_one_that_stalls_is_served_by_another_thread(monkeypatch):
    # One thread runs the requests in turn; the second request is surely queued before the first,
    # held here, counts as stalled.
    monkeypatch.setattr(serving_module, "STALLED_SECONDS", 0.5)
    started, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/stall":
            started.set()
            release.wait(PROMPTLY)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]

    with serving(app, max_request_bytes=4096) as served, ThreadPoolExecutor(1) as pool:
        stalled = pool.submit(requests.get, f"http://127.0.0.1:{served.port}/stall", timeout=PROMPTLY)
        assert started.wait(PROMPTLY)
        try:
            other = requests.get(f"http://127.0.0.1:{served.port}/other", timeout=PROMPTLY / 2)
            assert other.text == "/other" and not stalled.done()
        finally:
            release.set()
        assert stalled.result().text == "/stall"


def test_every_call_from_16_clients_at_once_is_answered(served):
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda _: post_get_ada(served).status_code, range(320)))
    assert statuses == [200] * 320


def test_calls_on_one_connection_share_it(served):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=PROMPTLY)
    try:
        statuses, sockets = [], []
        for _ in range(3):
            connection.request("POST", SOAP_PATH, envelope(GET_ADA), {"Content-Type": "text/xml"})
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
            sockets.append(connection.sock)
    finally:
        connection.close()
    assert statuses == [200, 200, 200]
    assert sockets[0] is not None and sockets == [sockets[0]] * 3


def test_a_soap_call_announcing_more_than_the_limit_gets_20012_before_it_sends_its_body(served):
    head = f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500000000\r\n\r\n"
    status, headers, body = exchange(served.port, head.encode())
    assert (status, headers["content-type"], fault_code(body)) == (500, "text/xml; charset=utf-8", 20012)
    assert headers["connection"] == "close"


def test_a_client_that_sends_a_whole_oversized_body_still_reads_20012():
    with serving(max_request_bytes=4096) as small:
        body = envelope(GET_ADA.replace("</ns1:paramsGetLead>", "<pad>" + "x" * 200_000 + "</pad></ns1:paramsGetLead>"))
        response = requests.post(small.url, data=body.encode(), timeout=PROMPTLY)
    assert (response.status_code, fault_code(response.content)) == (500, 20012)


def test_a_soap_call_to_a_named_instance_announcing_more_than_the_limit_gets_20012(served):
    head = "POST /100-AEK-913/soap/mktows/2_6 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500000000\r\n\r\n"
    status, _, body = exchange(served.port, head.encode())
    assert (status, fault_code(body)) == (500, 20012)


def test_an_admin_request_announcing_more_than_the_limit_gets_413_before_it_sends_its_body(served):
    head = "POST /_admin/seed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500000000\r\n\r\n"
    status, headers, body = exchange(served.port, head.encode())
    assert (status, headers["connection"]) == (413, "close")
    assert b"larger than 10485760 bytes" in body


def test_a_chunked_soap_call_is_served(served):
    body = envelope(GET_ADA).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:])) + b"0\r\n\r\n"
    head = f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    status, _, answer = exchange(served.port, head.encode() + chunks)
    assert status == 200 and b"successGetLead" in answer


def test_a_chunked_soap_call_past_the_limit_gets_20012():
    with serving(max_request_bytes=4096) as small:
        head = f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        chunk = b"1000\r\n" + b"x" * 4096 + b"\r\n"
        status, _, body = exchange(small.port, head + chunk * 2 + b"0\r\n\r\n")
    assert (status, fault_code(body)) == (500, 20012)


def test_a_malformed_chunked_body_gets_a_400_that_says_why(served):
    head = f"POST {SOAP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    status, headers, body = exchange(served.port, head.encode() + b"not-hex\r\n<x/>\r\n0\r\n\r\n")
    assert (status, headers["connection"]) == (400, "close")
    assert b"chunk" in body.lower()


def test_headers_larger_than_the_cap_get_431(served):
    head = "GET /_admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a" * MAX_HEADER_BYTES + "\r\n\r\n"
    assert exchange(served.port, head.encode())[0] == 431


def test_stop_ends_serving_and_closes_the_port():
    with serving() as served:
        port = served.port
        assert post_get_ada(served).status_code == 200
    with pytest.raises(ConnectionRefusedError):
        connect(port).close()


def test_stop_from_another_thread_while_connections_wake_the_loop_never_fails():
    """The loop, woken by a connection, may see stop()'s flag and close everything before stop()
    wakes it by its trigger. Threads switched as often as they can be, to meet that moment."""

    def empty_answer(environ, start_response):
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(300):
            server = http_server(empty_answer, "127.0.0.1", 0)
            port = bound_port(server)
            loop = threading.Thread(target=server.serve)
            loop.start()
            stopped = threading.Event()

            def knock(port: int = port, stopped: threading.Event = stopped) -> None:
                while not stopped.is_set():
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=PROMPTLY).close()
                    except OSError:
                        pass  # refused once the loop closed the port

            knockers = [threading.Thread(target=knock) for _ in range(3)]
            for knocker in knockers:
                knocker.start()
            try:
                server.stop()
            finally:
                stopped.set()
                for thread in (*knockers, loop):
                    thread.join(PROMPTLY)
    finally:
        sys.setswitchinterval(switch_interval)
