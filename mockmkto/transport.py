"""Transport faults, enacted: the connection reset, closed with no answer, the answer cut mid-XML or
sent slowly, or a load balancer's 503 page (which of them, the domain's admission decided).

Served over a socket (serving.py), the connection itself is used (`environ[CONNECTION]`); without
one (the in-process mode) the same faults are played at the WSGI level: the caller sees an error
raised, a short body, or a slow one.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import Protocol

CONNECTION = "mockmkto.connection"
DRIBBLE_CHUNKS = 20


class Connection(Protocol):
    """The client's connection, for a request whose answer is a transport fault. Each method ends the
    request: the server closes the connection and writes nothing of its own."""

    def abort(self, reset: bool) -> None: ...

    def send_then_close(self, chunks: Iterable[bytes], interval: float) -> None: ...


def status_line(code: int) -> str:
    """A WSGI status: the code and its phrase, as the mock writes every answer's."""
    return f"{code} {HTTPStatus(code).phrase.upper()}"


def answer(result, content_type: str, environ, start_response) -> Iterable[bytes]:
    """The WSGI answer of a call whose result carries a transport fault (`result.transport`)."""
    kind = result.transport
    if kind == "http503":
        start_response(
            "503 SERVICE UNAVAILABLE",
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(result.body)))],
        )
        return [result.body]
    connection: Connection | None = environ.get(CONNECTION)
    if kind in ("reset", "empty"):
        if connection is not None:
            connection.abort(reset=kind == "reset")
        raise (ConnectionResetError if kind == "reset" else ConnectionAbortedError)(f"mockmkto: transport fault {kind}")
    status = status_line(result.status)
    headers = [("Content-Type", content_type), ("Content-Length", str(len(result.body)))]
    body = result.body[: len(result.body) // 2] if kind == "truncated" else result.body
    chunks = [body] if kind == "truncated" else _chunks(body, DRIBBLE_CHUNKS)
    interval = result.spread / len(chunks) if kind == "dribble" else 0.0
    if connection is not None:
        # Written by hand, so the hop-by-hop header a WSGI app may not send is ours to write.
        lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers), "Connection: close"]
        head = "".join(f"{line}\r\n" for line in lines) + "\r\n"
        connection.send_then_close([head.encode("latin-1"), *chunks], interval)
    start_response(status, headers)
    return _slowly(chunks, interval)


def _chunks(body: bytes, count: int) -> list[bytes]:
    size = max(1, -(-len(body) // count))
    return [body[start : start + size] for start in range(0, len(body), size)]


def _slowly(chunks: list[bytes], interval: float) -> Iterator[bytes]:
    for number, chunk in enumerate(chunks):
        if number and interval:
            time.sleep(interval)
        yield chunk
