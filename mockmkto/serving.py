"""The HTTP server mockmkto runs on, for `mockmkto serve` and the pytest plugin alike."""

from __future__ import annotations

from cheroot.wsgi import Server

THREADS = 8


def http_server(app, host: str, port: int) -> Server:
    """cheroot: it keeps connections alive (Werkzeug's server closes each one) and was the fastest
    for mockmkto in bench/results.md; one process, so the clock, journal and faults are one.
    Bound on return (port 0 picks a free one: `bound_port`); serve with `.serve()`, end with `.stop()`."""
    server = Server((host, port), app, numthreads=THREADS)
    server.prepare()
    return server


def bound_port(server: Server) -> int:
    return server.bind_addr[1]
