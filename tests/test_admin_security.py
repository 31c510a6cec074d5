"""Who may use the admin API (/_admin): the admin token, no state change from another site's page,
JSON bodies only, and secrets in an export only when asked. Driven over real HTTP.

README "Protecting the admin API" and docs/behaviour.md ("Admin API").
"""

from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from mockmkto.app import build_app
from mockmkto.cli import main
from mockmkto.config import DEFAULT_SEED, Config
from tests.servers import free_port, start_serve, wait_healthy
from tests.soap import DEFAULT_SECRET, DEFAULT_USER, LiveServer, fault_code

TOKEN = "s3cret-admin-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
GET_ADA = "<ns1:paramsGetLead><leadKey><keyType>IDNUM</keyType><keyValue>1</keyValue></leadKey></ns1:paramsGetLead>"
ANOTHER_SITE = "http://attacker.example"


@pytest.fixture(scope="module")
def guarded_server():
    server = LiveServer(admin_token=TOKEN)
    yield server
    server.stop()


@pytest.fixture
def guarded(guarded_server):
    """A server started with an admin token, back to seed_data/default.json."""
    guarded_server.session.post(f"{guarded_server.base}/_admin/reset?seed=default", headers=BEARER).raise_for_status()
    return guarded_server


def lead_total(server, headers=None) -> int:
    return server.session.get(f"{server.base}/_admin/leads", headers=headers).json()["total"]


def add_lead(server, headers=None) -> None:
    """A fourth lead beside the default seed's three, so that a reset would show."""
    doc = {"leads": [{"Email": "fourth@example.com"}]}
    server.session.post(f"{server.base}/_admin/seed", json=doc, headers=headers).raise_for_status()


# --- the admin token --------------------------------------------------------------------------


def test_admin_request_without_the_token_is_401_with_a_basic_challenge(guarded):
    response = requests.get(f"{guarded.base}/_admin/leads", timeout=5)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="mockmkto"'
    assert "token" in response.json()["error"]


def test_admin_request_with_the_bearer_token_is_answered(guarded):
    assert lead_total(guarded, BEARER) == 3


def test_token_as_the_password_of_basic_opens_the_dashboard(guarded):
    response = requests.get(f"{guarded.base}/_admin/", auth=("any-name", TOKEN), timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer t\u00f6ken"},
        {"Authorization": f"Token {TOKEN}"},
    ],
    ids=["wrong", "longer", "non-ascii", "other-scheme"],
)
def test_a_wrong_token_is_401(guarded, headers):
    assert requests.get(f"{guarded.base}/_admin/leads", headers=headers, timeout=5).status_code == 401


def test_a_wrong_basic_password_is_401(guarded):
    assert requests.get(f"{guarded.base}/_admin/", auth=(TOKEN, "wrong"), timeout=5).status_code == 401


def test_health_needs_no_token(guarded):
    response = requests.get(f"{guarded.base}/_admin/health", timeout=5)
    assert response.status_code == 200 and response.json()["ready"] is True


def test_health_of_a_named_instance_needs_the_token(guarded):
    # Only the server's own readiness probe is open: a probe cannot create instances.
    assert requests.get(f"{guarded.base}/300-NEW-002/_admin/health", timeout=5).status_code == 401


def test_a_refused_reset_changes_nothing(guarded):
    add_lead(guarded, BEARER)
    assert requests.post(f"{guarded.base}/_admin/reset?seed=default", timeout=5).status_code == 401
    assert lead_total(guarded, BEARER) == 4


def test_a_refused_request_creates_no_instance(tmp_path):
    # A named instance on a file store gets a database file of its own when it is created.
    app = build_app(Config(db=f"sqlite:///{tmp_path / 'mock.db'}", seed=DEFAULT_SEED, admin_token=TOKEN))
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{http.server_port}"
        assert requests.get(f"{base}/300-NEW-001/_admin/leads", timeout=5).status_code == 401
        assert not (tmp_path / "mock-300-NEW-001.db").exists()
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
        app.close()


def test_soap_calls_need_no_admin_token(guarded):
    status, root = guarded.call(GET_ADA)
    assert (status, fault_code(root)) == (200, None)


# --- no state change from another origin ------------------------------------------------------


def test_state_change_from_a_page_of_another_origin_is_403_and_changes_nothing(server):
    add_lead(server)
    response = server.session.post(f"{server.base}/_admin/reset?seed=default", headers={"Origin": ANOTHER_SITE})
    assert response.status_code == 403 and response.json()["error"]
    assert lead_total(server) == 4


def test_state_change_marked_cross_site_is_403(server):
    response = server.session.delete(f"{server.base}/_admin/journal", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_state_change_from_an_opaque_origin_is_403(server):
    # A sandboxed frame or a local file sends Origin: null.
    response = server.session.post(f"{server.base}/_admin/reset", headers={"Origin": "null"})
    assert response.status_code == 403


def test_state_change_from_the_mocks_own_origin_is_allowed(server):
    headers = {"Origin": server.base, "Sec-Fetch-Site": "same-origin"}
    response = server.session.post(f"{server.base}/_admin/faults", json={"delayMs": 1}, headers=headers)
    assert response.status_code == 201
    assert server.session.get(f"{server.base}/_admin/faults").json() == [response.json()]


def test_a_read_from_another_origin_is_answered(server):
    # The browser keeps the answer from the other page (no CORS); reading changes nothing anyway.
    assert server.session.get(f"{server.base}/_admin/leads", headers={"Origin": ANOTHER_SITE}).status_code == 200


def test_a_dashboard_form_post_from_another_origin_is_403(server):
    response = server.session.post(
        f"{server.base}/_admin/ui/leads", data={"any": "field"}, headers={"Origin": ANOTHER_SITE}
    )
    assert response.status_code == 403


# --- JSON bodies only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]
)
def test_a_body_that_is_not_json_is_415_and_changes_nothing(server, content_type):
    # What a form or a no-cors fetch can send; curl -d sends the first.
    body = '{"operation": "getLead", "code": 20023}'
    response = server.session.post(f"{server.base}/_admin/faults", data=body, headers={"Content-Type": content_type})
    assert response.status_code == 415 and "application/json" in response.json()["error"]
    assert server.session.get(f"{server.base}/_admin/faults").json() == []


def test_an_empty_form_post_is_415(server):
    add_lead(server)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = server.session.post(f"{server.base}/_admin/reset?seed=default", data="", headers=headers)
    assert response.status_code == 415
    assert lead_total(server) == 4


def test_an_empty_body_without_a_content_type_is_accepted(server):
    add_lead(server)
    response = server.session.post(f"{server.base}/_admin/reset?seed=default")
    assert response.status_code == 200 and lead_total(server) == 3


def test_json_with_a_charset_is_accepted(server):
    headers = {"Content-Type": "application/json; charset=utf-8"}
    response = server.session.post(f"{server.base}/_admin/faults", data='{"delayMs": 1}', headers=headers)
    assert response.status_code == 201


def test_dashboard_form_posts_are_not_held_to_json(server):
    # The dashboard's forms carry their own CSRF token; only the JSON API refuses form bodies.
    headers = {"Origin": server.base}
    response = server.session.post(f"{server.base}/_admin/ui/leads", data={"any": "field"}, headers=headers)
    assert response.status_code != 415


# --- secrets in an export ---------------------------------------------------------------------


def test_export_leaves_each_users_secret_out(server):
    users = server.session.get(f"{server.base}/_admin/export").json()["users"]
    assert users == [{"userId": DEFAULT_USER}]


def test_export_with_secrets_true_includes_them(server):
    exported = server.session.get(f"{server.base}/_admin/export", params={"secrets": "true"}).json()
    assert exported["users"] == [{"userId": DEFAULT_USER, "secret": DEFAULT_SECRET}]


def test_export_with_secrets_needs_the_token_where_one_is_set(guarded):
    url = f"{guarded.base}/_admin/export?secrets=true"
    assert requests.get(url, timeout=5).status_code == 401
    assert guarded.session.get(url, headers=BEARER).json()["users"][0]["secret"] == DEFAULT_SECRET


def test_export_secrets_is_true_or_false(server):
    response = server.session.get(f"{server.base}/_admin/export", params={"secrets": "yes"})
    assert response.status_code == 400 and "secrets" in response.json()["error"]


def test_an_export_without_secrets_seeded_back_is_400_naming_the_secret_and_loads_nothing(server):
    exported = server.session.get(f"{server.base}/_admin/export").json()
    server.session.post(f"{server.base}/_admin/reset?empty=true").raise_for_status()
    response = server.session.post(f"{server.base}/_admin/seed", json=exported)
    assert response.status_code == 400 and response.json()["path"] == "users[0].secret"
    assert lead_total(server) == 0


# --- configuration and the command line -------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "token", "open_to_network"),
    [
        ("127.0.0.1", None, False),
        ("::1", None, False),
        ("localhost", None, False),
        ("0.0.0.0", None, True),
        ("192.0.2.7", None, True),
        ("mock.internal", None, True),
        ("0.0.0.0", TOKEN, False),
    ],
)
def test_the_admin_api_is_open_to_the_network_beyond_loopback_without_a_token(host, token, open_to_network):
    # What `serve` warns about in its banner.
    assert Config(host=host, admin_token=token).admin_open_to_network is open_to_network


def test_the_admin_token_is_read_from_the_environment():
    assert Config.from_env({"MOCKMKTO_ADMIN_TOKEN": TOKEN}).admin_token == TOKEN


def test_serve_with_an_admin_token_requires_it():
    port = free_port()
    process, _ = start_serve(["--port", str(port), "--db", "sqlite://", "--admin-token", TOKEN])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_admin/health")
        assert requests.get(f"{base}/_admin/config", timeout=5).status_code == 401
        assert requests.get(f"{base}/_admin/config", headers=BEARER, timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_reset_command_sends_the_admin_token(guarded, capsys):
    add_lead(guarded, BEARER)
    assert main(["reset", "--seed", "default", "--url", guarded.base, "--admin-token", TOKEN]) == 0
    assert lead_total(guarded, BEARER) == 3


def test_reset_command_reads_the_admin_token_from_the_environment(guarded, monkeypatch, capsys):
    monkeypatch.setenv("MOCKMKTO_ADMIN_TOKEN", TOKEN)
    add_lead(guarded, BEARER)
    assert main(["reset", "--seed", "default", "--url", guarded.base]) == 0
    assert lead_total(guarded, BEARER) == 3


def test_reset_command_without_the_token_is_refused(guarded, monkeypatch, capsys):
    monkeypatch.delenv("MOCKMKTO_ADMIN_TOKEN", raising=False)
    add_lead(guarded, BEARER)
    assert main(["reset", "--seed", "default", "--url", guarded.base]) == 1
    assert "401" in capsys.readouterr().err
    assert lead_total(guarded, BEARER) == 4
