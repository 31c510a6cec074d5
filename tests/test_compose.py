"""compose.yaml, checked without Docker (no engine runs on these machines): it builds the image from
this repository's Dockerfile, publishes the port the image listens on, and health-checks as the image does.

The YAML is read by Ruby's Psych (a full YAML parser; Ruby is installed for examples/ruby): the
Python packages installed here have none.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.soap import ROOT, unavailable
from tests.test_dockerfile import env_of, healthcheck_command, only, parse_dockerfile


@pytest.fixture(scope="module")
def service() -> dict:
    """The one service compose.yaml defines."""
    ruby = shutil.which("ruby")
    if ruby is None:
        unavailable("ruby not found: it reads compose.yaml here (.ci/install-system.sh installs it)")
    to_json = "require 'yaml'; require 'json'; print JSON.generate(YAML.safe_load(File.read(ARGV[0])))"
    done = subprocess.run([ruby, "-e", to_json, str(ROOT / "compose.yaml")], capture_output=True, text=True, check=True)
    services = json.loads(done.stdout)["services"]
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
