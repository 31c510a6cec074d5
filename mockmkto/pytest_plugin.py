"""The pytest plugin (entry point `pytest11`): a `mockmkto` fixture serving the mock on a free port.

One server per test session (so one per pytest-xdist worker: workers never share state), started
the first time a test asks for `mockmkto` and stopped when the session ends; before each test the
state goes back to seed_data/default.json through the admin API's reset (called in process), which
takes a millisecond or two. Its `zeep_client()`s share one parse of the WSDL, so a test that makes
its own client pays for a Client object, not for parsing 200 kB of WSDL.
Nothing heavy is imported and nothing started unless a test uses the fixture.
"""

from __future__ import annotations

import threading

import pytest


@pytest.fixture(scope="session")
def mockmkto_server():
    """The mock on 127.0.0.1 (a free port) in a thread, for the whole session; prefer `mockmkto`."""
    import zeep

    from mockmkto.app import build_app
    from mockmkto.inprocess import AdminClient, MockmktoClient, default_config, wsgi_session
    from mockmkto.serving import bound_port, http_server

    app = build_app(default_config())
    http = http_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=http.serve, name="mockmkto-server", daemon=True)
    thread.start()
    client = MockmktoClient(app, f"http://127.0.0.1:{bound_port(http)}", zeep.Transport())
    # The test's own admin calls (the reset before each test, above all) skip the socket: the same
    # admin API through the WSGI app directly, a few milliseconds less per test. The code under test
    # still talks HTTP to the server.
    client.admin = AdminClient(wsgi_session(app, client.base_url), client.base_url)
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
