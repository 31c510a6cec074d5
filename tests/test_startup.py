"""Start-up does only what a SOAP call needs: the admin API, its dashboard and the WSDL come later,
on first use (cold start is part of every test run that starts the mock)."""

from __future__ import annotations

import subprocess
import sys
import threading

from werkzeug.test import Client

from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from mockmkto.soap import server
from tests.soap import ROOT, envelope

SYNC_LEAD = (
    "<ns1:paramsSyncLead><leadRecord><Email>ada@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)
SOAP_CALL_IN_A_FRESH_PROCESS = f"""
import sys
from werkzeug.test import Client
from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config
from tests.soap import envelope

app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
response = Client(app).post("/soap/mktows/2_6", data=envelope({SYNC_LEAD!r}), content_type="text/xml")
assert response.status_code == 200 and b"successSyncLead" in response.data, response.data
print(sorted(name for name in sys.modules if name.startswith("mockmkto.admin")))
"""


def test_a_soap_call_loads_neither_the_admin_api_nor_the_dashboard():
    done = subprocess.run(
        [sys.executable, "-c", SOAP_CALL_IN_A_FRESH_PROCESS], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]"


START_AND_SOAP_CALL_WITHOUT_A_CLIENT = """
import io, sys
from mockmkto.app import build_app
from mockmkto.config import DEFAULT_SEED, Config

app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
body = sys.stdin.buffer.read()
environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/soap/mktows/2_6", "CONTENT_LENGTH": str(len(body)),
           "CONTENT_TYPE": "text/xml", "wsgi.input": io.BytesIO(body)}
answer = b"".join(app(environ, lambda status, headers: print(status)))
assert b"successSyncLead" in answer, answer
print(sorted(name for name in sys.modules if name.split(".")[0] == "werkzeug" or name == "mockmkto.routes"))
"""


def test_start_up_and_a_soap_call_do_not_load_werkzeug():
    done = subprocess.run(
        [sys.executable, "-c", START_AND_SOAP_CALL_WITHOUT_A_CLIENT],
        input=envelope(SYNC_LEAD).encode(),
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    assert done.stdout.decode().split() == ["200", "OK", "[]"]


def test_the_admin_api_is_there_on_first_use():
    client = Client(build_app(Config(db="sqlite://", seed=DEFAULT_SEED)))
    assert client.get("/_admin/health").json["ready"] is True
    assert "Leads" in client.get("/_admin/").text


def test_the_wsdl_is_built_once_on_first_use_even_by_concurrent_requests(monkeypatch):
    requests = 8
    changed = threading.Condition()  # notified as a request reaches the WSDL and as a build starts
    asked: list[int] = []
    built: list[int] = []
    release = threading.Event()

    def held_build(*args):
        with changed:
            built.append(threading.get_ident())
            changed.notify_all()
        assert release.wait(10), "the test never let the build finish"
        return build(*args)

    def asking(soap):
        with changed:
            asked.append(threading.get_ident())
            changed.notify_all()
        return serve(soap)

    build, serve = server.build_wsdl, server.MktowsServer.wsdl.fget
    monkeypatch.setattr(server, "build_wsdl", held_build)
    monkeypatch.setattr(server.MktowsServer, "wsdl", property(asking))
    app = build_app(Config(db="sqlite://", seed=DEFAULT_SEED))
    response = Client(app).post("/soap/mktows/2_6", data=envelope(SYNC_LEAD), content_type="text/xml")
    assert response.status_code == 200 and built == [] and asked == []

    texts: list[str] = []

    def get_wsdl():
        texts.append(Client(app).get("/soap/mktows/2_6?wsdl").text)

    threads = [threading.Thread(target=get_wsdl) for _ in range(requests)]
    for thread in threads:
        thread.start()
    with changed:  # every request has reached the WSDL while the first one is still building it
        everyone_asked = changed.wait_for(lambda: len(built) > 0 and len(asked) == requests, timeout=10)
    release.set()
    for thread in threads:
        thread.join(10)
    assert everyone_asked
    assert len(built) == 1
    committed = (ROOT / "wsdl" / "mktows.wsdl").read_text(encoding="utf-8")
    assert texts == [committed.replace("http://127.0.0.1:8080/", "http://localhost/", 1)] * requests


def test_serving_start_up_is_built_without_collections_then_frozen():
    import gc

    from mockmkto.serving import frozen_start_up

    frozen_before = gc.get_freeze_count()
    try:
        with frozen_start_up():
            assert not gc.isenabled()
            made_at_start_up = [[] for _ in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(made_at_start_up)
    finally:
        gc.unfreeze()


def test_importing_the_server_loads_neither_the_app_nor_spyne():
    # `mockmkto serve` imports it before start-up, whose objects are built with the collector off.
    done = subprocess.run(
        [sys.executable, "-c", "import sys, mockmkto.serving; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    loaded = done.stdout.strip()
    assert "'waitress'" in loaded
    assert "'mockmkto.app'" not in loaded and "'spyne'" not in loaded
