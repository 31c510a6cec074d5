"""The pytest plugin (entry point `pytest11`): a `mockmkto` fixture serving the mock on a free port.

One server per test session (so one per pytest-xdist worker: workers never share state), started
the first time a test asks for `mockmkto` and stopped when the session ends; before each test the
state goes back to seed_data/default.json through the admin API's reset, which takes a millisecond.
The code under test talks HTTP to the server; the test's own calls through the fixture go to the same
app in process, and its `zeep_client()`s share one parse of the WSDL: a test that makes a client and
two calls costs a few milliseconds (bench/results.md, section 4).
Nothing heavy is imported and nothing started unless a test uses the fixture.
"""

from __future__ import annotations

import threading

import pytest


@pytest.fixture(scope="session")
def mockmkto_server():
    """The mock on 127.0.0.1 (a free port) in a thread, for the whole session; prefer `mockmkto`."""
    from mockmkto.app import build_app
    from mockmkto.inprocess import InProcessTransport, MockmktoClient, default_config
    from mockmkto.serving import bound_port, http_server

    app = build_app(default_config())
    http = http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=http.serve, name="mockmkto-server", daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{bound_port(http)}"
    # The test's own calls (the reset before each test, `admin`, `zeep_client()`, `session`) skip the
    # socket: the same app through WSGI directly (the per-test cost: bench/results.md). The code
    # under test talks HTTP to `url`.
    client = MockmktoClient(app, base_url, InProcessTransport(app, base_url))
    try:
        yield client
    finally:
        http.stop()
        thread.join()
        client.session.close()


@pytest.fixture
def mockmkto(mockmkto_server):
    """The session's mock, its state reset to seed_data/default.json (a `MockmktoClient`)."""
    mockmkto_server.admin.reset(seed="default")
    return mockmkto_server
