"""The mockmkto command: serve (flags and MOCKMKTO_* environment), wsdl, seed, reset."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mockmkto.cli import main
from tests.servers import free_port, start_serve, wait_healthy
from tests.soap import DEFAULT_SECRET, DEFAULT_USER, ROOT


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


def serve_fails(args: list[str]) -> str:
    """`mockmkto serve ...` that cannot start: no banner, a non-zero exit; its one line of stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "mockmkto", "serve", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode != 0 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    return done.stderr


def test_serve_on_a_port_in_use_says_so_in_one_line_before_any_banner():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        problem = serve_fails(["--port", str(port), "--db", "sqlite://"])
    assert f"port {port} on 127.0.0.1 is in use" in problem and "--port" in problem


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "70000"], "port 70000 is out of range"),
        (["--db", "nonsense"], "--db nonsense is not a database URL"),
        (["--db", "nosuchdb://x"], "SQLAlchemy knows no such database"),
        (["--db", "postgresql+pg8000://user@127.0.0.1/mock"], "needs the Python module pg8000, which is not installed"),
        (["--db", "sqlite:///{tmp}/no/such/folder/mock.db"], "cannot open the database"),
        (["--seed", "{tmp}/missing.json"], "cannot read the seed file"),
        (["--seed", "{tmp}/broken.json"], "cannot be loaded"),
        (["--workers", "0"], "--workers 0: choose 1 to 64"),
        (["--workers", "100000"], "--workers 100000: choose 1 to 64"),
        (["--workers", "2", "--db", "sqlite://"], "need a database they share"),
    ],
    ids=[
        "port-out-of-range",
        "not-a-url",
        "unknown-database",
        "missing-driver",
        "unwritable-path",
        "missing-seed",
        "broken-seed",
        "no-workers",
        "too-many-workers",
        "workers-in-memory",
    ],
)
def test_serve_names_a_start_up_problem_in_one_line(tmp_path, args, named):
    (tmp_path / "broken.json").write_text('{"leads": [')
    args = [arg.format(tmp=tmp_path) for arg in args]
    problem = serve_fails(["--port", "0", "--db", "sqlite://", *args])  # a later --db wins
    assert problem.startswith("mockmkto: ") and named in problem


@pytest.fixture
def two_workers(tmp_path):
    """`mockmkto serve --workers 2` on a file database: (its process, its base URL)."""
    port = free_port()
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    process, _ = start_serve(["--port", str(port), "--db", db, "--workers", "2"])
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/_admin/health")
        yield process, base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("start", range(3))
def test_with_workers_the_port_answers_once_the_banner_is_printed(tmp_path, start):
    """A script that waits for the banner and calls at once is answered, never refused or reset."""
    port = free_port()
    process, banner = start_serve(["--port", str(port), "--db", f"sqlite:///{tmp_path / 'w.db'}", "--workers", "2"])
    try:
        assert banner[0].startswith("mockmkto http://")
        assert requests.get(f"http://127.0.0.1:{port}/_admin/health", timeout=10).json()["ready"] is True
    finally:
        process.terminate()
        process.wait(timeout=20)


def answering_pids(base: str, until, retry_resets: bool = False) -> set[int]:
    """pids of the processes that answer /_admin/health, one new connection a call, until `until(pids)`
    (20 s at most: a hang guard); with `retry_resets`, a reset connection is asked again."""
    pids: set[int] = set()
    deadline = time.monotonic() + 20
    while not until(pids) and time.monotonic() < deadline:
        try:
            pids.add(requests.get(f"{base}/_admin/health", timeout=10).json()["pid"])
        except requests.ConnectionError:
            if not retry_resets:
                raise
    return pids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_with_two_workers_answers_from_two_processes_besides_itself(two_workers):
    process, base = two_workers
    pids = answering_pids(base, lambda pids: len(pids) == 2)
    assert len(pids) == 2 and process.pid not in pids


def test_a_worker_killed_with_sigkill_is_replaced_and_the_port_keeps_answering(two_workers):
    process, base = two_workers
    first = answering_pids(base, lambda pids: len(pids) == 2)
    killed = first.pop()
    os.kill(killed, signal.SIGKILL)
    # A connection that races the kill may be reset with the dead worker's socket: ask again.
    replaced = answering_pids(base, lambda pids: pids - first - {killed}, retry_resets=True)
    assert killed not in replaced and replaced - first
    assert process.poll() is None


def test_sigterm_stops_the_supervisor_and_its_workers(two_workers):
    process, base = two_workers
    workers = answering_pids(base, lambda pids: len(pids) == 2)
    process.terminate()
    assert process.wait(timeout=20) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/_admin/health", timeout=5)


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


def test_reset_command_empty_then_to_a_seed_on_an_instance(server, capsys):
    assert main(["reset", "--empty", "--url", server.base, "--instance", "200-CLI-001"]) == 0
    assert server.session.get(f"{server.base}/200-CLI-001/_admin/leads").json()["total"] == 0
    assert main(["reset", "--seed", "default", "--url", server.base, "--instance", "200-CLI-001"]) == 0
    assert server.session.get(f"{server.base}/200-CLI-001/_admin/leads").json()["total"] == 3


def test_reset_command_without_a_seed_returns_to_the_start_seed(server, capsys):
    assert main(["reset", "--empty", "--url", server.base]) == 0
    assert main(["reset", "--url", server.base]) == 0
    assert server.session.get(f"{server.base}/_admin/leads").json()["total"] == 3


def test_seed_command_replace_replaces_the_state(server, tmp_path, capsys):
    seed = tmp_path / "state.json"
    seed.write_text(json.dumps(server.session.get(f"{server.base}/_admin/export?secrets=true").json()))
    server.session.post(f"{server.base}/_admin/seed", json={"leads": [{"Email": "gone@example.com"}]})
    assert main(["seed", str(seed), "--replace", "--url", server.base]) == 0
    assert json.loads(capsys.readouterr().out)["replaced"] is True
    assert server.session.get(f"{server.base}/_admin/leads", params={"email": "gone@example.com"}).json()["total"] == 0


def test_reset_command_against_no_server_fails_cleanly(capsys):
    assert main(["reset", "--url", f"http://127.0.0.1:{free_port()}"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_module_entry_point_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "mockmkto", "wsdl"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout == Path(ROOT / "wsdl" / "mktows.wsdl").read_text()
