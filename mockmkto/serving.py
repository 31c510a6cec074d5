"""How mockmkto is served, for `mockmkto serve`, the pytest plugin and the benchmark alike."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THREADS = 8


@contextmanager
def frozen_start_up() -> Iterator[None]:
    """For a process that only serves: start-up makes some 150k objects that live as long as the
    server. The collector waits until they are made (collecting meanwhile walked them again and
    again: 8% of start-up), then leaves them out of every later collection, where a full pass over
    them stalled a request for tens of milliseconds. The few hundred objects start-up leaves in
    cycles are kept, not collected."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def http_server(app, host: str, port: int):
    """cheroot: it keeps connections alive (Werkzeug's server closes each one) and was the fastest
    for mockmkto in bench/results.md; one process, so the clock, journal and faults are one.
    Bound on return (port 0 picks a free one: `bound_port`); serve with `.serve()`, end with `.stop()`."""
    from cheroot.wsgi import Server

    server = Server((host, port), app, numthreads=THREADS)
    server.prepare()
    return server


def bound_port(server) -> int:
    return server.bind_addr[1]
