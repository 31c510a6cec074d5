"""compose.yaml, checked without Docker (no engine runs on these machines): it builds the image from
this repository's Dockerfile, publishes the port the image listens on, and health-checks as the image does.

The YAML is read by Ruby's Psych (a full YAML parser; Ruby is installed for examples/ruby): the
Python packages installed here have none.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.servers import free_port, wait_healthy
from tests.soap import ROOT, envelope, unavailable
from tests.test_dockerfile import env_of, healthcheck_command, only, parse_dockerfile


def compose_services(name: str) -> dict:
    """The services a compose file of the repository defines."""
    ruby = shutil.which("ruby")
    if ruby is None:
        unavailable(f"ruby not found: it reads {name} here (.ci/install-system.sh installs it)")
    to_json = "require 'yaml'; require 'json'; print JSON.generate(YAML.safe_load(File.read(ARGV[0])))"
    done = subprocess.run([ruby, "-e", to_json, str(ROOT / name)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)["services"]


@pytest.fixture(scope="module")
def service() -> dict:
    """The one service compose.yaml defines."""
    services = compose_services("compose.yaml")
    assert list(services) == ["mockmkto"]
    return services["mockmkto"]


@pytest.fixture(scope="module")
def recipe():
    return parse_dockerfile((ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_builds_the_image_from_this_repositorys_dockerfile(service):
    build = service["build"]
    assert (ROOT / build["context"]).resolve() == ROOT
    assert (ROOT / build["context"] / build.get("dockerfile", "Dockerfile")).resolve() == ROOT / "Dockerfile"
    assert "image" not in service, "nothing is published: the image is built, never pulled"


def test_publishes_the_port_the_image_listens_on_to_loopback_only(service, recipe):
    port = only(recipe, "EXPOSE").args
    assert port == env_of(recipe)["MOCKMKTO_PORT"]
    assert service["ports"] == [f"127.0.0.1:{port}:{port}"]


def test_health_checks_admin_health_as_the_image_does(service, recipe):
    healthcheck = service["healthcheck"]
    assert healthcheck["test"] == ["CMD", *healthcheck_command(recipe)]
    options = only(recipe, "HEALTHCHECK").args.partition("CMD ")[0].split()
    image_options = dict(option.removeprefix("--").replace("-", "_").split("=") for option in options)
    assert {key: str(value) for key, value in healthcheck.items() if key != "test"} == image_options


# ------------------------------------------------------------------ compose.sandbox.yaml: a team sandbox


@pytest.fixture(scope="module")
def sandbox() -> dict:
    services = compose_services("compose.sandbox.yaml")
    assert sorted(services) == ["mockmkto", "postgres"]
    return services


def test_the_sandbox_builds_mockmkto_here_and_health_checks_it_as_the_image_does(sandbox, service):
    assert sandbox["mockmkto"]["build"] == service["build"]
    assert sandbox["mockmkto"]["healthcheck"] == service["healthcheck"]


def test_the_sandbox_starts_mockmkto_once_postgresql_answers(sandbox):
    assert sandbox["mockmkto"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(sandbox["postgres"]["healthcheck"]["test"])


def test_the_sandbox_keeps_its_state_in_the_postgresql_service(sandbox):
    url = sandbox["mockmkto"]["environment"]["MOCKMKTO_DB"]
    assert url.startswith("postgresql://") and "@postgres:5432/" in url
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in sandbox["postgres"]["volumes"])


def test_the_sandbox_will_not_start_without_an_admin_token(sandbox):
    assert sandbox["mockmkto"]["environment"]["MOCKMKTO_ADMIN_TOKEN"].startswith("${MOCKMKTO_ADMIN_TOKEN:?")


def test_the_sandbox_command_upgrades_the_schema_then_serves_workers_on_postgresql(sandbox, postgres_databases):
    """The service's own command, outside Docker: on an empty database, then again on the same one."""
    command = sandbox["mockmkto"]["command"]
    db = postgres_databases.new("sandbox")
    for _ in range(2):
        port = free_port()
        env = os.environ | {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "MOCKMKTO_DB": db,
            "MOCKMKTO_ADMIN_TOKEN": "sandbox-token",
            "MOCKMKTO_HOST": "127.0.0.1",
            "MOCKMKTO_PORT": str(port),
        }
        process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.PIPE, text=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_healthy(f"{base}/_admin/health")
            answer = requests.post(f"{base}/soap/mktows/2_6", data=envelope(SYNC_LEAD).encode(), timeout=10)
            assert answer.status_code == 200
            assert requests.get(f"{base}/_admin/export", timeout=10).status_code == 401
            bearer = {"Authorization": "Bearer sandbox-token"}
            leads = requests.get(f"{base}/_admin/leads", params={"email": "sandbox@example.com"}, headers=bearer)
            assert leads.json()["total"] == 1
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.communicate(timeout=30)


SYNC_LEAD = (
    "<ns1:paramsSyncLead><leadRecord><Email>sandbox@example.com</Email></leadRecord>"
    "<returnLead>false</returnLead></ns1:paramsSyncLead>"
)
