"""The mockmkto command: serve (flags and MOCKMKTO_* environment), wsdl, seed, reset."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from mockmkto.cli import main
from tests.soap import DEFAULT_SECRET, DEFAULT_USER, ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_serve(args: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, list[str]]:
    """`python -m mockmkto serve ...` until it has printed its banner (endpoint, WSDL, credentials)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockmkto", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    lines = [process.stdout.readline().rstrip() for _ in range(4)]
    return process, lines


def wait_healthy(url: str) -> dict:
    deadline = time.monotonic() + 20
    while True:
        try:
            return requests.get(url, timeout=2).json()
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_serve_prints_endpoint_wsdl_and_demo_credentials_and_answers():
    port = free_port()
    process, banner = start_serve(["--port", str(port), "--db", "sqlite://"])
    try:
        endpoint = f"http://127.0.0.1:{port}/soap/mktows/2_6"
        assert banner == [
            f"mockmkto {endpoint}",
            f"  WSDL      {endpoint}?WSDL",
            f"  user id   {DEFAULT_USER}",
            f"  secret    {DEFAULT_SECRET}",
        ]
        assert wait_healthy(f"http://127.0.0.1:{port}/_admin/health")["ready"] is True
        assert "MktMktowsApiService" in requests.get(endpoint + "?WSDL", timeout=5).text
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_reads_its_configuration_from_the_environment(tmp_path):
    port = free_port()
    db = tmp_path / "env.db"
    process, banner = start_serve([], env={"MOCKMKTO_PORT": str(port), "MOCKMKTO_DB": f"sqlite:///{db}"})
    try:
        assert banner[0] == f"mockmkto http://127.0.0.1:{port}/soap/mktows/2_6"
        wait_healthy(f"http://127.0.0.1:{port}/_admin/health")
        assert db.exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_keeps_state_in_a_file_database_across_restarts(tmp_path):
    db = f"sqlite:///{tmp_path / 'state.db'}"
    port = free_port()
    process, _ = start_serve(["--port", str(port), "--db", db])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_admin/health")
        requests.post(f"{base}/_admin/seed", json={"leads": [{"Email": "kept@example.com"}]}, timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=10)
    port = free_port()
    process, _ = start_serve(["--port", str(port), "--db", db])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_admin/health")
        assert (
            requests.get(f"{base}/_admin/leads", params={"email": "kept@example.com"}, timeout=5).json()["total"] == 1
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_wsdl_command_prints_the_published_wsdl(capsys):
    assert main(["wsdl"]) == 0
    assert capsys.readouterr().out == (ROOT / "wsdl" / "mktows.wsdl").read_text()


def test_seed_command_loads_a_file_into_a_running_server(server, tmp_path, capsys):
    seed = tmp_path / "extra.json"
    seed.write_text(json.dumps({"leads": [{"Email": "cli@example.com"}]}))
    assert main(["seed", str(seed), "--url", server.base]) == 0
    assert json.loads(capsys.readouterr().out)["loaded"]["leads"] == 1
    assert server.session.get(f"{server.base}/_admin/leads", params={"email": "cli@example.com"}).json()["total"] == 1


def test_seed_command_reports_a_bad_seed_with_its_path(server, tmp_path, capsys):
    seed = tmp_path / "bad.json"
    seed.write_text(json.dumps({"leads": [{"Email": "x@example.com", "attributes": {"pants": "1"}}]}))
    assert main(["seed", str(seed), "--url", server.base]) == 1
    assert "leads[0]" in capsys.readouterr().err


def test_seed_command_with_a_missing_file_says_so(capsys):
    assert main(["seed", "/nonexistent/seed.json"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_reset_command_with_a_seed_and_an_instance(server, capsys):
    assert main(["reset", "--url", server.base, "--instance", "200-CLI-001"]) == 0
    assert server.session.get(f"{server.base}/200-CLI-001/_admin/leads").json()["total"] == 0
    assert main(["reset", "--seed", "default", "--url", server.base, "--instance", "200-CLI-001"]) == 0
    assert server.session.get(f"{server.base}/200-CLI-001/_admin/leads").json()["total"] == 3


def test_reset_command_against_no_server_fails_cleanly(capsys):
    assert main(["reset", "--url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_module_entry_point_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "mockmkto", "wsdl"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout == Path(ROOT / "wsdl" / "mktows.wsdl").read_text()
