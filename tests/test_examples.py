"""The examples in examples/<language>/ (PHP SoapClient, a JAX-WS client, node-soap, soap4r, zeep) run
against a served mock as the README says: `run.sh` with MOCKMKTO_URL, MOCKMKTO_USER_ID and MOCKMKTO_SECRET.

Each run.sh installs what it needs, resets the mock to the default seed, syncs jane.doe@example.com
and reads her back. Outside CI a missing toolchain skips its example; with CI set it fails, since
.ci/install-system.sh installs every one.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import requests

from tests.servers import free_port, start_serve, wait_healthy
from tests.soap import DEFAULT_SECRET, DEFAULT_USER, ROOT, unavailable

pytestmark = pytest.mark.slow

EXAMPLES = ROOT / "examples"
EMAIL = "jane.doe@example.com"
DEFAULT_SEED_EMAILS = {"ada@example.com", "grace@example.com", "hans@example.de"}

# What each example needs before its run.sh can install the rest (run.sh installs these too, as root).
COMMANDS = {
    "php": ["php"],
    "java": ["java", "javac", "wsimport"],
    "node": ["node", "npm"],
    "ruby": ["ruby"],
    "python": ["python3"],
}
LIBRARY_PROBES = {
    "php": ["php", "-r", "exit(extension_loaded('soap') ? 0 : 1);"],
    "ruby": ["ruby", "-e", "require 'soap/wsdlDriver'"],
}


def require_toolchain(language: str) -> None:
    for command in COMMANDS[language]:
        if shutil.which(command) is None:
            unavailable(f"{command} not found, needed by examples/{language} (.ci/install-system.sh installs it)")
    probe = LIBRARY_PROBES.get(language)
    if probe and subprocess.run(probe, capture_output=True).returncode != 0:
        unavailable(f"`{' '.join(probe)}` failed: examples/{language} lacks its SOAP library")


@pytest.fixture(scope="module")
def mock_url():
    """A real `mockmkto serve` on a free loopback port, its store in memory."""
    port = free_port()
    process, _ = start_serve(["--port", str(port), "--db", "sqlite://"])
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(f"{url}/_admin/health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_example(language: str, url: str, secret: str = DEFAULT_SECRET) -> subprocess.CompletedProcess:
    require_toolchain(language)
    env = {**os.environ, "MOCKMKTO_URL": url, "MOCKMKTO_USER_ID": DEFAULT_USER, "MOCKMKTO_SECRET": secret}
    # The bound only keeps a hung install or client from hanging the suite; nothing asserts on time.
    return subprocess.run(
        ["bash", str(EXAMPLES / language / "run.sh")], env=env, capture_output=True, text=True, timeout=900
    )


def lead_emails(url: str) -> set[str]:
    leads = requests.get(f"{url}/_admin/leads", timeout=10).json()["leads"]
    return {lead["Email"] for lead in leads}


@pytest.mark.parametrize("language", sorted(COMMANDS))
def test_the_example_resets_to_the_default_seed_and_syncs_its_lead(language, mock_url):
    # Emptied first, so only the example's own reset and syncLead can bring these leads back.
    requests.post(f"{mock_url}/_admin/reset?empty=true", timeout=10).raise_for_status()
    done = run_example(language, mock_url)
    assert done.returncode == 0, f"examples/{language}/run.sh exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert lead_emails(mock_url) == DEFAULT_SEED_EMAILS | {EMAIL}
    jane = requests.get(f"{mock_url}/_admin/leads", params={"email": EMAIL}, timeout=10).json()["leads"]
    assert jane[0]["attributes"]["FirstName"] == "Jane"


@pytest.mark.parametrize("language", sorted(COMMANDS))
def test_the_example_exits_non_zero_when_the_mock_refuses_its_signature(language, mock_url):
    done = run_example(language, mock_url, secret="not-the-secret")
    assert done.returncode != 0, f"examples/{language}/run.sh exited 0 with a wrong secret\n{done.stdout}"
    assert EMAIL not in lead_emails(mock_url)
